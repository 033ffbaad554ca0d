"""Shapes are data: `shapes/*.ttl`, loaded by name and compiled once per set of names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..errors import ShapesError
from ..resources import data_dir
from .compile import ShapesGraph
from .mirrors import NATIVE_SPARQL

if TYPE_CHECKING:
    import rdflib

CORE_SHAPES = ("prefixes", "article", "mesh", "provenance", "annotation")
MESH_VOCABULARY_SHAPES = ("mesh-vocabulary",)


def shape_names() -> list[str]:
    return sorted(p.stem for p in data_dir("shapes").glob("*.ttl"))


def load_shapes_graph(names: Sequence[str] | None = None) -> rdflib.Graph:
    """The rdflib graph of the named shapes files (default: the core set, without the MeSH-vocabulary checks)."""
    import rdflib
    g = rdflib.Graph()
    folder = data_dir("shapes")
    for name in (names or CORE_SHAPES):
        path = folder / f"{name}.ttl"
        if not path.is_file():
            raise ShapesError(f"no shapes file {name!r} in {folder} (have: {', '.join(shape_names())})")
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise ShapesError(f"{path}: cannot parse: {exc}") from exc
    return g


_COMPILED: dict[tuple[str, ...], ShapesGraph] = {}


def compiled(names: Sequence[str] | None = None) -> ShapesGraph:
    key = tuple(names or CORE_SHAPES)
    if key not in _COMPILED:
        _COMPILED[key] = ShapesGraph(load_shapes_graph(key), native=NATIVE_SPARQL)
    return _COMPILED[key]


def shape_set(names: Sequence[str] | None, context: Sequence[object]) -> tuple[str, ...]:
    """The shapes files to use: `names` as given, else the core set, plus the MeSH-vocabulary checks when
    there is a MeSH vocabulary `context` to check against."""
    if names:
        return tuple(names)
    return CORE_SHAPES + MESH_VOCABULARY_SHAPES if context else CORE_SHAPES


def shapes_for(context: Sequence[object]) -> ShapesGraph:
    return compiled(shape_set(None, context))
