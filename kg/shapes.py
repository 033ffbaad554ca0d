"""SHACL shapes for everything `kg` writes, and a validator fast enough to run inside `kg ingest`.

Shapes are data (`shapes/*.ttl`, loaded by name). pySHACL is the reference engine; `kg.shacl` compiles
the same shapes graph into a small SHACL-core evaluator that works on one named graph at a time, straight
from N-Quads text, so ingest can check every article before it is stored. This module loads shapes,
validates graphs, stores and files, groups results into reports, and provides the ingest validator.
Why not pySHACL itself: it needs seconds per few dozen articles (tests/test_shapes_equivalence.py
measures it), and ingest needs thousands per second. Why not SPARQL per constraint: loading each batch into a second store costs as much
as the ingest itself. See docs/decisions/0004-shapes-and-fast-validation.md.

Semantics: a data graph is one named graph (as pySHACL does when given a Dataset: each named graph is
validated on its own), optionally joined with read-only *context* triples (the MeSH vocabulary's
allowable qualifiers). The supported subset is listed in `SUPPORTED`; loading a shape that uses
anything else raises `ShapesError`, so the fast engine can never silently skip a constraint.
A test runs the W3C SHACL core test cases for exactly that subset.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .errors import ShapesError
from .resources import data_dir
from .shacl import (  # noqa: F401  (re-exported: the engine's public names)
    RDF_LANGSTRING, SH, SUPPORTED, XSD, XSD_STRING, Data, Result, Shape, ShapesGraph, SparqlConstraint,
    literal_parts, nt_term, parse_nquads, term_string, well_formed,
)


# ---- loading shapes by name -----------------------------------------------------------------------------
CORE_SHAPES = ("prefixes", "article", "mesh", "provenance", "annotation")
MESH_VOCABULARY_SHAPES = ("mesh-vocabulary",)


def shape_names() -> list[str]:
    return sorted(p.stem for p in data_dir("shapes").glob("*.ttl"))


def load_shapes_graph(names: Sequence[str] | None = None):
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
        _COMPILED[key] = ShapesGraph(load_shapes_graph(key))
    return _COMPILED[key]


# ---- validating graphs -----------------------------------------------------------------------------------
_PMID_IN_IRI = re.compile(r"/(?:graph/(?:pubmed|pmc|pubtator)|pubmed)/([1-9][0-9]{0,9})(?:[/>]|$)")


def pmid_of(*terms: str | None) -> str | None:
    for t in terms:
        if t:
            m = _PMID_IN_IRI.search(t)
            if m:
                return m.group(1)
    return None


def validate_graphs(graphs: Iterable[tuple[str, str | Data]], *, shapes: ShapesGraph | None = None,
                    context: Sequence[tuple[str, str, str]] = ()) -> list[Result]:
    """Validate each named graph on its own: `graphs` is (graph IRI, N-Quads text or `Data`).

    `context` triples (e.g. the MeSH vocabulary's allowable qualifiers) are visible to SPARQL-based
    constraints alongside each graph."""
    sg = shapes or compiled()
    results: list[Result] = []
    datas: list[tuple[str, Data]] = []
    for graph, content in graphs:
        data = content if isinstance(content, Data) else Data.from_nquads(graph, content, sg.predicates,
                                                                          sg.sparql_predicates)
        datas.append((graph, data))
        gterm = f"<{graph}>"
        for r in sg.validate(data):
            results.append(_with_graph(r, gterm))
    if sg.sparql:
        results.extend(_run_sparql(sg, datas, context))
    return results


def _with_graph(r: Result, gterm: str) -> Result:
    return Result(r.focus, r.path, r.value, r.shape, r.component, r.severity, r.message, gterm,
                  pmid_of(r.focus, gterm))


def _run_sparql(sg: ShapesGraph, datas: list[tuple[str, Data]], context) -> list[Result]:
    """SPARQL-based constraints, once per batch: the batch's graphs (only the predicates the queries use)
    go into an in-memory Oxigraph store as named graphs, the context into one more, and each query runs
    over their union. Article graphs share no subject, so the union gives each graph's own answer."""
    import pyoxigraph as ox
    targeted: dict[int, dict[str, list[str]]] = {}    # constraint index -> focus -> graphs
    for i, c in enumerate(sg.sparql):
        if c.shape.deactivated:
            continue
        for graph, data in datas:
            for f in sg.focus_nodes(c.shape, data):
                targeted.setdefault(i, {}).setdefault(f, []).append(graph)
    if not targeted:
        return []
    preds: set[str] | None = set()
    for i in targeted:
        p = sg.sparql[i].predicates
        preds = None if (p is None or preds is None) else preds | p
    lines = []
    for graph, data in datas:
        if data.lines is not None and preds is not None and sg.sparql_predicates is not None \
                and preds <= sg.sparql_predicates:
            lines.extend(ln for ln in data.lines if ln.split(" ", 2)[1] in preds)
            continue
        g = f" <{graph}> ."
        for s, p, o in data.triples():
            if preds is None or p in preds:
                lines.append(f"{s} {p} {o}{g}")
    cg = " <urn:kg:context> ."
    lines.extend(f"{s} {p} {o}{cg}" for s, p, o in context if preds is None or p in preds)
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
        names = [v.value for v in rows.variables]
        seen: set[tuple] = set()
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
                gterm = f"<{graph}>"
                out.append(Result(f, path, value, c.shape.name, SH + "SPARQLConstraintComponent", c.severity,
                                  c.message or "SPARQL constraint", gterm, pmid_of(f, gterm)))
    return out


# ---- reports ----------------------------------------------------------------------------------------------
@dataclass
class Report:
    """Results grouped by (shape, message, severity), with counts and PMIDs."""

    results: list[Result]
    graphs: int = 0

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def counts(self) -> Counter:
        return Counter(r.severity for r in self.results)

    def groups(self) -> list[dict]:
        by: dict[tuple[str, str, str], list[Result]] = defaultdict(list)
        for r in self.results:
            by[(r.severity, r.shape, r.message)].append(r)
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        out = []
        for (sev, shape, msg), rs in sorted(by.items(), key=lambda kv: (order.get(kv[0][0], 3), -len(kv[1]), kv[0][1])):
            pmids = sorted({r.pmid for r in rs if r.pmid}, key=lambda p: int(p))
            out.append({"severity": sev, "shape": _short(shape), "message": msg, "count": len(rs), "pmids": pmids,
                        "examples": [{"focus": _short(r.focus), "path": r.path and _short(r.path),
                                      "value": r.value} for r in rs[:3]]})
        return out

    def text(self, *, max_pmids: int = 20) -> str:
        c = self.counts()
        lines = [f"{self.graphs} graphs checked: {c['Violation']} violations, {c['Warning']} warnings, "
                 f"{c['Info']} info" + (" - conforms" if self.conforms else " - DOES NOT CONFORM")]
        for g in self.groups():
            pm = g["pmids"]
            more = f" (+{len(pm) - max_pmids} more)" if len(pm) > max_pmids else ""
            lines.append(f"\n{g['severity']}  {g['count']}x  {g['shape']}\n  {g['message']}")
            if pm:
                lines.append("  PMIDs: " + ", ".join(pm[:max_pmids]) + more)
            ex = g["examples"][0]
            lines.append(f"  e.g. {ex['focus']}" + (f" {ex['path']}" if ex["path"] else "")
                         + (f" = {ex['value']}" if ex["value"] else ""))
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        c = self.counts()
        return json.dumps({"conforms": self.conforms, "graphs": self.graphs, "violations": c["Violation"],
                           "warnings": c["Warning"], "infos": c["Info"], "groups": self.groups()}, indent=2,
                          ensure_ascii=False) + "\n"

    def turtle(self) -> str:
        """A standard SHACL validation report (sh:ValidationReport), with kg:pmid on each result."""
        import pyoxigraph as ox
        from .vocab import KG, PREFIXES
        lines = ["_:report a <http://www.w3.org/ns/shacl#ValidationReport> ; "
                 f"<{SH}conforms> {'true' if self.conforms else 'false'} ."]
        for i, r in enumerate(self.results):
            b = f"_:r{i}"
            lines.append(f"_:report <{SH}result> {b} .")
            lines.append(f"{b} a <{SH}ValidationResult> ; <{SH}focusNode> {r.focus} ; "
                         f"<{SH}sourceShape> {r.shape} ; <{SH}sourceConstraintComponent> <{r.component}> ; "
                         f"<{SH}resultSeverity> <{SH}{r.severity}> ; <{SH}resultMessage> {json.dumps(r.message)} .")
            if r.value:
                lines.append(f"{b} <{SH}value> {r.value} .")
            if r.path and r.path.startswith("<") and r.path.endswith(">") and " " not in r.path and "|" not in r.path:
                lines.append(f"{b} <{SH}resultPath> {r.path} .")
            if r.pmid:
                lines.append(f'{b} <{KG.pmid}> "{r.pmid}" .')
        triples = ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.TURTLE)
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES, "kgsh": SHAPES_NS}).decode()


SHAPES_NS = "https://w3id.org/oncokg/shapes/"
_SHORT = {"https://w3id.org/oncokg/shapes/": "kgsh:", "https://w3id.org/oncokg/vocab/": "kg:",
          "https://w3id.org/oncokg/id/": "kgid:", "http://rdf.ncbi.nlm.nih.gov/pubmed/": "pubmed:"}


def _short(term: str) -> str:
    for base, pre in _SHORT.items():
        term = term.replace("<" + base, pre)
    return term.replace(">", "") if "kg" in term[:6] or term.startswith("pubmed:") else term


# ---- whole stores and files ---------------------------------------------------------------------------------
MESHV_ALLOWABLE = "<http://id.nlm.nih.gov/mesh/vocab#allowableQualifier>"


def mesh_context(store) -> list[tuple[str, str, str]]:
    """The MeSH vocabulary's allowable-qualifier triples in a store (empty when no vocabulary is loaded)."""
    import pyoxigraph as ox
    from . import iris
    g = ox.NamedNode(iris.MESH_GRAPH)
    p = ox.NamedNode(MESHV_ALLOWABLE[1:-1])
    return [(str(q.subject), MESHV_ALLOWABLE, str(q.object)) for q in store.store.quads_for_pattern(None, p, None, g)]


def shapes_for(context: Sequence) -> ShapesGraph:
    return compiled(CORE_SHAPES + MESH_VOCABULARY_SHAPES if context else CORE_SHAPES)


def validate_store(store, *, batch_size: int = 2000, names: Sequence[str] | None = None) -> Report:
    """Every article graph of an `OxigraphStore`, each on its own, with the MeSH vocabulary as context."""
    from .vocab import KGGRAPH
    base = str(KGGRAPH)
    skip = (base + "mesh", base + "mappings", base + "deletions")
    context = mesh_context(store)
    sg = compiled(names) if names else shapes_for(context)
    results: list[Result] = []
    n = 0
    batch: list[tuple[str, Data]] = []
    for g in store.store.named_graphs():
        if not g.value.startswith(base) or g.value.startswith(base + "ontology/") or g.value in skip:
            continue
        data = Data((str(q.subject), str(q.predicate), str(q.object)) for q in store.store.quads_for_pattern(None, None, None, g))
        batch.append((g.value, data))
        n += 1
        if len(batch) >= batch_size:
            results.extend(validate_graphs(batch, shapes=sg, context=context))
            batch = []
    results.extend(validate_graphs(batch, shapes=sg, context=context))
    return Report(results, graphs=n)


def validate_files(paths: Sequence[str], *, names: Sequence[str] | None = None) -> Report:
    """RDF files: N-Quads/TriG are validated graph by graph; triple formats as one graph."""
    import pyoxigraph as ox
    graphs: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for path in paths:
        fmt = ox.RdfFormat.from_extension(Path(path).suffix.lstrip(".")) or ox.RdfFormat.N_QUADS
        try:
            for q in ox.parse(path=path, format=fmt):
                gname = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else f"file:{path}"
                graphs[gname].append((str(q.subject), str(q.predicate), str(q.object)))
        except (SyntaxError, OSError) as exc:
            raise ShapesError(f"{path}: cannot read: {exc}") from exc
    mesh_g = graphs.pop("https://w3id.org/oncokg/graph/mesh", [])
    context = [t for t in mesh_g if t[1] == MESHV_ALLOWABLE]
    sg = compiled(names) if names else shapes_for(context)
    results = validate_graphs(((g, Data(ts)) for g, ts in graphs.items()), shapes=sg, context=context)
    return Report(results, graphs=len(graphs))


# ---- the ingest validator ---------------------------------------------------------------------------------
def _problem(r: Result) -> str:
    where = _short(r.focus) + (f" {_short(r.path)}" if r.path else "")
    return f"{r.message} [{_short(r.shape)} at {where}" + (f" = {r.value}" if r.value else "") + "]"


def _validate_chunk(args: tuple[tuple[str, ...] | None, list[tuple[str, str]], list]) -> dict[str, list[str]]:
    names, graphs, context = args
    sg = compiled(names)
    bad: dict[str, list[str]] = {}
    for r in validate_graphs(graphs, shapes=sg, context=context):
        if r.severity == "Violation":
            pm = r.pmid or pmid_of(r.graph) or "?"
            bad.setdefault(pm, []).append(_problem(r))
    return bad


class IngestValidator:
    """The `kg.pipeline.Validator` for ingest: checks a batch of article graphs, returns
    {pmid: [problems]} for those with sh:Violation results (warnings never reject an article).

    Batches of at least `parallel_min` graphs are split across `workers` processes (forked, so the
    compiled shapes are inherited, not rebuilt)."""

    def __init__(self, *, context: Sequence[tuple[str, str, str]] = (), workers: int | None = None,
                 parallel_min: int = 200) -> None:
        self.context = list(context)
        self.names = CORE_SHAPES + MESH_VOCABULARY_SHAPES if self.context else CORE_SHAPES
        compiled(self.names)
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.parallel_min = parallel_min
        self._pool = None

    def _get_pool(self):
        if self._pool is None:
            import multiprocessing as mp
            try:
                ctx = mp.get_context("fork")
            except ValueError:
                return None
            self._pool = ctx.Pool(self.workers)
        return self._pool

    def __call__(self, graphs: list[tuple[str, str]]) -> dict[str, list[str]]:
        if self.workers > 1 and len(graphs) >= self.parallel_min:
            pool = self._get_pool()
            if pool is not None:
                k = self.workers
                chunks = [(self.names, graphs[i::k], self.context) for i in range(k)]
                bad: dict[str, list[str]] = {}
                for part in pool.map(_validate_chunk, chunks):
                    for pm, probs in part.items():
                        bad.setdefault(pm, []).extend(probs)
                return bad
        return _validate_chunk((self.names, graphs, self.context))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __del__(self) -> None:  # a forgotten close must not leave worker processes behind
        try:
            if self._pool is not None:
                self._pool.terminate()
        except Exception:
            pass


def ingest_validator(store=None, **kwargs) -> IngestValidator:
    """The validator `kg ingest` uses; with a store, the MeSH vocabulary in it adds the allowable-qualifier check."""
    context = mesh_context(store) if store is not None else []
    return IngestValidator(context=context, **kwargs)
