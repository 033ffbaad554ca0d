"""PROV-O description of one named graph: where it came from, when, and which `kg` made it.

The description lives inside the graph it describes, so replacing an article's graph replaces its
provenance with it and a server load carries both together.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from .. import __version__, iris
from ..vocab import KG, PROV, RDF
from .nt import XSD_DATETIME, iri, lit, typed

Triple = tuple[str, str, str]


def source_iri(path: str) -> str:
    """A file: IRI for a source path (stdin becomes `urn:kg:stdin`)."""
    if path == "-":
        return "urn:kg:stdin"
    return "file://" + quote(str(Path(path).resolve()), safe="/")


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def graph_triples(graph: str, *, path: str, fmt: str, article: str | None, generated: str) -> Iterator[Triple]:
    g = iri(graph)
    yield g, iri(RDF.type), iri(KG.ArticleGraph)
    yield g, iri(RDF.type), iri(PROV.Entity)
    yield g, iri(PROV.wasDerivedFrom), iri(source_iri(path))
    yield g, iri(KG.sourceFile), lit(os.path.basename(path) if path != "-" else "-")
    yield g, iri(KG.sourceFormat), lit(fmt)
    yield g, iri(PROV.generatedAtTime), typed(generated, XSD_DATETIME)
    yield g, iri(PROV.wasAttributedTo), iri(iris.software(__version__))
    yield g, iri(KG.toolVersion), lit(__version__)
    if article:
        yield g, iri(PROV.hadPrimarySource), iri(article)


@lru_cache(maxsize=256)
def fixed_middles(path: str, fmt: str, generated: str) -> tuple[bytes, ...]:
    """`graph_triples` of an article graph without the graph's own IRI: b"<predicate> <object>" for each
    line that does not depend on the article, in order, formatted once per file instead of once per
    article (resolving the path alone costs a system call). The compiled reader writes each as
    `<graph> middle <graph> .` and then the `prov:hadPrimarySource` line (kg.rdf.fast)."""
    probe = "urn:kg:probe"
    return tuple(f"{p} {o}".encode() for _, p, o in
                 graph_triples(probe, path=path, fmt=fmt, article=None, generated=generated))
