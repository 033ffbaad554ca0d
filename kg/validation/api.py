"""Validating graphs, whole stores and files with the compiled checker (the default engine).

Semantics: a data graph is one named graph (as pySHACL does when given a Dataset: each named graph is
validated on its own), optionally joined with read-only *context* triples (the MeSH vocabulary's
allowable qualifiers) that SPARQL-based constraints see.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from ..errors import ShapesError
from .compile import ShapesGraph
from .data import Data
from .loading import compiled
from .model import Context, Result

if TYPE_CHECKING:
    from ..stores.base import Store

_PMID_IN_IRI = re.compile(r"/(?:graph/(?:pubmed|pmc|pubtator)|pubmed)/([1-9][0-9]{0,9})(?:[/>]|$)")


def pmid_of(*terms: str | None) -> str | None:
    for t in terms:
        if t:
            m = _PMID_IN_IRI.search(t)
            if m:
                return m.group(1)
    return None


def validate_graphs(graphs: Iterable[tuple[str, str | Data]], *, shapes: ShapesGraph | None = None,
                    context: Sequence[tuple[str, str, str]] | Context = ()) -> list[Result]:
    """Validate each named graph on its own: `graphs` is (graph IRI, N-Quads text or `Data`).

    `context` triples (e.g. the MeSH vocabulary's allowable qualifiers) are visible to SPARQL-based
    constraints alongside each graph; pass a `Context` to index them once for many calls."""
    sg = shapes or compiled()
    ctx = context if isinstance(context, Context) else Context(context)
    results: list[Result] = []
    deferred: list[tuple[int, str, str, Data]] = []     # SPARQL constraint, focus, graph, data
    for graph, content in graphs:
        data = content if isinstance(content, Data) else Data.from_nquads(graph, content, sg.predicates,
                                                                          sg.inverse_predicates)
        gterm = f"<{graph}>"
        found = sg.validate(data)
        if sg.sparql:
            native, rest = sg.sparql_native(data, ctx)
            found.extend(native)
            deferred.extend((i, f, graph, data) for i, f in rest)
        results.extend(_with_graph(r, gterm) for r in found)
    if deferred:
        results.extend(_run_sparql(sg, deferred, ctx))
    return results


def _with_graph(r: Result, gterm: str) -> Result:
    return Result(r.focus, r.path, r.value, r.shape, r.component, r.severity, r.message, gterm,
                  pmid_of(r.focus, gterm))


def _run_sparql(sg: ShapesGraph, deferred: list[tuple[int, str, str, Data]], context: Context) -> list[Result]:
    """The SPARQL constraints Python could not answer, once per batch: the graphs concerned (only the
    predicates the queries use) go into an in-memory Oxigraph store as named graphs, the context into one
    more, and each query runs over their union. Article graphs share no subject, so the union gives each
    graph's own answer."""
    import pyoxigraph as ox
    targeted: dict[int, dict[str, list[str]]] = {}    # constraint index -> focus -> graphs
    datas: dict[str, Data] = {}
    for i, f, graph, data in deferred:
        graphs = targeted.setdefault(i, {}).setdefault(f, [])
        if graph not in graphs:
            graphs.append(graph)
        datas[graph] = data
    preds: set[str] | None = set()
    for i in targeted:
        wanted = sg.sparql[i].predicates
        preds = None if (wanted is None or preds is None) else preds | wanted
    lines = []
    for graph, data in datas.items():
        g = f" <{graph}> ."
        for s, p, o in data.triples():
            if preds is None or p in preds:
                lines.append(f"{s} {p} {o}{g}")
    cg = " <urn:kg:context> ."
    lines.extend(f"{s} {p} {o}{cg}" for s, p, o in context.triples if preds is None or p in preds)
    store = ox.Store()
    store.load("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    out: list[Result] = []
    for i, focus_graphs in targeted.items():
        c = sg.sparql[i]
        q = c.query.replace("$this", "?this")
        try:
            rows = store.query(q, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise ShapesError(f"SPARQL constraint of {c.shape.name} does not parse: {exc}") from exc
        if not isinstance(rows, ox.QuerySolutions):
            raise ShapesError(f"SPARQL constraint of {c.shape.name} is not a SELECT query")
        names = [v.value for v in rows.variables]
        seen: set[tuple[str, str | None, str | None, str]] = set()
        for row in rows:
            this = row["this"]
            if this is None:
                continue
            f = str(this)
            if f not in focus_graphs:
                continue
            value = str(row["value"]) if "value" in names and row["value"] is not None else None
            path = str(row["path"]) if "path" in names and row["path"] is not None else None
            for graph in focus_graphs[f]:
                key = (f, value, path, graph)
                if key in seen:
                    continue
                seen.add(key)
                out.append(_with_graph(c.result(f, value, path), f"<{graph}>"))
    return out



MESHV_ALLOWABLE = "<http://id.nlm.nih.gov/mesh/vocab#allowableQualifier>"


Triple = tuple[str, str, str]


def mesh_context(store: Store) -> list[Triple]:
    """The MeSH vocabulary's allowable-qualifier triples in a store (empty when no vocabulary is loaded)."""
    import pyoxigraph as ox
    from .. import iris
    p = ox.NamedNode(MESHV_ALLOWABLE[1:-1])
    return [(str(q.subject), MESHV_ALLOWABLE, str(q.object)) for q in store.quads(None, p, None, iris.MESH_GRAPH)]


def store_graphs(store: Store) -> Iterator[tuple[str, list[Triple]]]:
    """(graph IRI, triples) of every article graph of a store (`kg.stores.base.Store`; not the vocabularies, mappings,
    ontologies or deletions), one at a time."""
    from ..vocab import KGGRAPH
    base = str(KGGRAPH)
    skip = (base + "mesh", base + "mappings", base + "deletions")
    for g in store.named_graphs():
        if not g.startswith(base) or g.startswith(base + "ontology/") or g in skip:
            continue
        yield g, [(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph=g)]


def file_graphs(paths: Sequence[str]) -> tuple[dict[str, list[Triple]], list[Triple]]:
    """RDF files as ({graph: triples}, MeSH context): N-Quads/TriG graph by graph, triple formats as one graph
    named after the file; the MeSH vocabulary graph, if present, gives the context instead."""
    import pyoxigraph as ox
    graphs: dict[str, list[Triple]] = defaultdict(list)
    for path in paths:
        fmt = ox.RdfFormat.from_extension(Path(path).suffix.lstrip(".")) or ox.RdfFormat.N_QUADS
        try:
            for q in ox.parse(path=path, format=fmt):
                gname = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else f"file:{path}"
                graphs[gname].append((str(q.subject), str(q.predicate), str(q.object)))
        except (SyntaxError, OSError) as exc:
            raise ShapesError(f"{path}: cannot read: {exc}") from exc
    mesh_g = graphs.pop("https://w3id.org/oncokg/graph/mesh", [])
    return dict(graphs), [t for t in mesh_g if t[1] == MESHV_ALLOWABLE]


def validate_fast(graphs: Iterable[tuple[str, list[Triple]]], names: Sequence[str], context: Sequence[Triple],
                  *, batch_size: int = 2000) -> tuple[list[Result], int]:
    """The compiled checker over (graph, triples) pairs, `batch_size` graphs at a time (the SPARQL
    constraints Python cannot answer run once per batch): (results, number of graphs)."""
    sg = compiled(names)
    ctx = Context(context)
    results: list[Result] = []
    n = 0
    batch: list[tuple[str, Data]] = []
    for g, triples in graphs:
        batch.append((g, Data(triples)))
        n += 1
        if len(batch) >= batch_size:
            results.extend(validate_graphs(batch, shapes=sg, context=ctx))
            batch = []
    results.extend(validate_graphs(batch, shapes=sg, context=ctx))
    return results, n
