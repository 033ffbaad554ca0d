"""The two engines `kg validate --engine` offers, over the same shapes and the same graphs.

`fast` (the default) is the compiled checker (`kg.validation.compile`); `pyshacl` runs pySHACL, the full
SHACL reference (SPARQL-based constraints included, `advanced=True`), on each named graph on its own joined
with the same context, and turns its report into the same `Result`s, so both print the same report format.
Adding an engine is one function and one line in `ENGINES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .api import Triple, file_graphs, mesh_context, pmid_of, store_graphs, validate_fast
from .data import Path_
from .loading import load_shapes_graph, shape_set
from .model import Result
from .report import Report
from .terms import SH, XSD_STRING, literal_parts, nt_term

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Identifier, Node

    from ..stores.base import Store

Engine = Callable[[Iterable[tuple[str, list[Triple]]], Sequence[str], Sequence[Triple]], tuple[list[Result], int]]


def rdflib_term(term: str) -> Identifier:
    """An N-Triples term string as an rdflib node, keeping blank node labels (so results name the same
    nodes the compiled checker names)."""
    from rdflib import BNode, Literal, URIRef
    if term[0] == "<":
        return URIRef(term[1:-1])
    if term[0] == "_":
        return BNode(term[2:])
    lex, dt, lang = literal_parts(term)
    if lang is not None:
        return Literal(lex, lang=lang)
    return Literal(lex, datatype=None if dt == XSD_STRING else URIRef(dt))


def report_path(g: Graph, node: Node | None) -> Path_ | None:
    """A sh:resultPath of a pySHACL report (a copy of the shape's path) as the compiled checker's `Path_`."""
    from rdflib import RDF, URIRef
    from rdflib.collection import Collection
    if node is None:
        return None
    if isinstance(node, URIRef):
        return Path_("pred", nt_term(node))
    if (node, RDF.first, None) in g:
        return Path_("seq", parts=tuple(_part(g, x) for x in Collection(g, node)))
    for kind, name in (("inversePath", "inverse"), ("zeroOrMorePath", "zeroOrMore"),
                       ("oneOrMorePath", "oneOrMore"), ("zeroOrOnePath", "zeroOrOne")):
        inner = g.value(node, URIRef(SH + kind))
        if inner is not None:
            return Path_(name, parts=(_part(g, inner),))
    alt = g.value(node, URIRef(SH + "alternativePath"))
    if alt is not None:
        return Path_("alt", parts=tuple(_part(g, x) for x in Collection(g, alt)))
    raise ValueError(f"unsupported property path in pySHACL's report: {node!r}")


def _part(g: Graph, node: Node) -> Path_:
    p = report_path(g, node)
    assert p is not None
    return p


def _report_results(rg: Any, gterm: str) -> list[Result]:
    """The sh:ValidationResults of a pySHACL report graph (pySHACL is untyped) as `Result`s of graph `gterm`."""
    from rdflib import RDF, Namespace
    sh = Namespace(SH)
    out = []
    for r in rg.subjects(RDF.type, sh.ValidationResult):
        focus = nt_term(rg.value(r, sh.focusNode))
        path = report_path(rg, rg.value(r, sh.resultPath))
        value = rg.value(r, sh.value)
        message = rg.value(r, sh.resultMessage)
        out.append(Result(focus, path.render() if path is not None else None,
                          nt_term(value) if value is not None else None, nt_term(rg.value(r, sh.sourceShape)),
                          str(rg.value(r, sh.sourceConstraintComponent)),
                          str(rg.value(r, sh.resultSeverity)).rsplit("#", 1)[-1],
                          str(message) if message is not None else "", gterm, pmid_of(focus, gterm)))
    return out


def validate_pyshacl(graphs: Iterable[tuple[str, list[Triple]]], names: Sequence[str],
                     context: Sequence[Triple]) -> tuple[list[Result], int]:
    """pySHACL on each named graph joined with the context: (results, number of graphs). Slow (it exists
    to check the compiled checker and for shapes beyond its subset), so meant for stores of modest size."""
    import pyshacl
    import rdflib
    shapes = load_shapes_graph(names)
    ctx = [(rdflib_term(s), rdflib_term(p), rdflib_term(o)) for s, p, o in context]
    results: list[Result] = []
    n = 0
    for graph, triples in graphs:
        g = rdflib.Graph()
        for s, p, o in triples:
            g.add((rdflib_term(s), rdflib_term(p), rdflib_term(o)))
        for t in ctx:
            g.add(t)
        _, rg, _ = pyshacl.validate(g, shacl_graph=shapes, advanced=True)
        results.extend(_report_results(rg, f"<{graph}>"))
        n += 1
    return results, n


#: Engine name (`kg validate --engine`) -> engine.
ENGINES: dict[str, Engine] = {"fast": validate_fast, "pyshacl": validate_pyshacl}


def validate_store(store: Store, *, batch_size: int = 2000, names: Sequence[str] | None = None,
                   engine: str = "fast") -> Report:
    """Every article graph of an `OxigraphStore`, each on its own, with the MeSH vocabulary as context."""
    context = mesh_context(store)
    run = ENGINES[engine]
    graphs = store_graphs(store)
    if run is validate_fast:
        results, n = validate_fast(graphs, shape_set(names, context), context, batch_size=batch_size)
    else:
        results, n = run(graphs, shape_set(names, context), context)
    return Report(results, graphs=n)


def validate_files(paths: Sequence[str], *, names: Sequence[str] | None = None, engine: str = "fast") -> Report:
    """RDF files: N-Quads/TriG are validated graph by graph; triple formats as one graph."""
    graphs, context = file_graphs(paths)
    run = ENGINES[engine]
    if run is validate_fast:      # one batch, as before
        results, n = validate_fast(graphs.items(), shape_set(names, context), context,
                                   batch_size=max(1, len(graphs)))
    else:
        results, n = run(graphs.items(), shape_set(names, context), context)
    return Report(results, graphs=n)
