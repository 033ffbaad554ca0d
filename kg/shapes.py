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
from typing import Iterable, Iterator, Sequence

from .errors import ShapesError
from .resources import data_dir
from .shacl import (  # noqa: F401  (re-exported: the engine's public names)
    RDF_LANGSTRING, SH, SUPPORTED, XSD, XSD_STRING, Context, Data, NativeSparql, Result, Shape, ShapesGraph,
    SparqlConstraint, literal_parts, nt_term, parse_nquads, term_string, well_formed,
)
from .vocab import KG, MESHV, OA


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


# ---- kg's SPARQL constraints, answered in Python ------------------------------------------------------------
# Each mirrors one sh:select of shapes/*.ttl exactly (the text must match, or the query itself runs). Per graph,
# with the context, as pySHACL sees them. tests/test_shapes.py compares them with the queries on broken data.
def _nt(iri: str) -> str:
    return f"<{iri}>"


_HEADING, _DESCRIPTOR, _QUALIFIER = _nt(KG.meshHeading), _nt(KG.descriptor), _nt(KG.qualifier)
_QUALIFIER_TERM, _PAIR_TERM, _TEXT = _nt(KG.qualifierTerm), _nt(KG.pairTerm), _nt(KG.text)
_ALLOWABLE = _nt(MESHV.allowableQualifier)
_SELECTOR, _SOURCE, _START, _END, _EXACT = (_nt(OA.hasSelector), _nt(OA.hasSource), _nt(OA.start), _nt(OA.end),
                                            _nt(OA.exact))
_PREFIXES = {"kg": str(KG), "meshv": str(MESHV), "oa": str(OA), "xsd": XSD}


def _qualifiers(data: Data, focus: str) -> Iterator[tuple[str, str, str]]:
    """(?descriptor, ?qualifier, ?value) of the pattern both MeSH pair queries share:
    $this kg:meshHeading ?heading . ?heading kg:qualifier ?assignment ; kg:descriptor ?descriptor .
    ?assignment kg:pairTerm ?value ; kg:qualifierTerm ?qualifier ."""
    spo = data.spo
    for heading in data.objects(focus, _HEADING):
        h = spo.get(heading)
        if not h or _DESCRIPTOR not in h or _QUALIFIER not in h:
            continue
        for assignment in h[_QUALIFIER]:
            a = spo.get(assignment)
            if not a or _PAIR_TERM not in a or _QUALIFIER_TERM not in a:
                continue
            for descriptor in h[_DESCRIPTOR]:
                for qualifier in a[_QUALIFIER_TERM]:
                    for value in a[_PAIR_TERM]:
                        yield descriptor, qualifier, value


def _sparql_str(term: str) -> str | None:
    """SPARQL STR(); None for a blank node (an error, so the FILTER rejects the solution)."""
    return None if term[0] == "_" else term_string(term)


def _mesh_pairs(data: Data, focus: str, context: Data) -> list[str]:
    """FILTER (STR(?value) != CONCAT(STR(?descriptor), STRAFTER(STR(?qualifier), "/mesh/")))"""
    found: dict[str, None] = {}
    for descriptor, qualifier, value in _qualifiers(data, focus):
        d, q, v = _sparql_str(descriptor), _sparql_str(qualifier), _sparql_str(value)
        if d is None or q is None or v is None:
            continue
        cut = q.find("/mesh/")
        if v != d + (q[cut + 6:] if cut >= 0 else ""):
            found[value] = None
    return list(found)


def _allowable(data: Data, focus: str, context: Data) -> list[str]:
    """FILTER EXISTS { ?descriptor meshv:allowableQualifier ?any . }
    FILTER NOT EXISTS { ?descriptor meshv:allowableQualifier ?qualifier . }"""
    found: dict[str, None] = {}
    for descriptor, qualifier, value in _qualifiers(data, focus):
        allowed = context.objects(descriptor, _ALLOWABLE)
        own = data.objects(descriptor, _ALLOWABLE)
        if (allowed or own) and qualifier not in allowed and qualifier not in own:
            found[value] = None
    return list(found)


def _offset_int(term: str | None) -> int | None:
    """xsd:integer(term) for a plain offset ("12"^^xsd:integer or xsd:nonNegativeInteger); None otherwise."""
    if term is None or term[0] != '"':
        return None
    lex, dt, _ = literal_parts(term)
    return int(lex) if dt in (XSD + "integer", XSD + "nonNegativeInteger") and lex.isascii() and lex.isdigit() \
        else None


def _plain_text(term: str | None) -> str | None:
    """The text of a plain (or xsd:string) literal; None for anything else."""
    if term is None or term[0] != '"':
        return None
    lex, dt, _ = literal_parts(term)
    return lex if dt == XSD_STRING else None


def _offsets_wrong(start: str, end: str, exact: str | None, text: str | None) -> bool | None:
    """The FILTER of the offsets query for one solution; None when a term is unusual (then SPARQL's own
    error rules decide, by running the query):
    (BOUND(?exact) && STRLEN(?exact) != xsd:integer(?end) - xsd:integer(?start))
    || (BOUND(?text) && (xsd:integer(?end) > STRLEN(?text)
        || (BOUND(?exact) && SUBSTR(?text, xsd:integer(?start) + 1, STRLEN(?exact)) != ?exact)))"""
    if exact is None and text is None:
        return False
    s, e = _offset_int(start), _offset_int(end)
    x = _plain_text(exact) if exact is not None else ""
    t = _plain_text(text) if text is not None else ""
    if s is None or e is None or x is None or t is None:
        return None
    if exact is not None and len(x) != e - s:
        return True
    return text is not None and (e > len(t) or (exact is not None and t[s:s + len(x)] != x))


def _offsets(data: Data, focus: str, context: Data) -> list[str] | None:
    """$this oa:hasSelector ?value . ?value oa:start ?start ; oa:end ?end .
    OPTIONAL { $this oa:hasSelector/oa:exact ?exact . } OPTIONAL { $this oa:hasSource/kg:text ?text . }"""
    selectors = data.objects(focus, _SELECTOR)
    exacts = list(dict.fromkeys(x for s in selectors for x in data.objects(s, _EXACT))) or [None]
    texts = list(dict.fromkeys(t for s in data.objects(focus, _SOURCE) for t in data.objects(s, _TEXT))) or [None]
    found: list[str] = []
    for value in selectors:
        verdicts = {_offsets_wrong(start, end, exact, text) for start in data.objects(value, _START)
                    for end in data.objects(value, _END) for exact in exacts for text in texts}
        if True in verdicts:
            found.append(value)
        elif None in verdicts:
            return None
    return found


NATIVE_SPARQL = (
    NativeSparql(select="""
            SELECT $this ?value WHERE {
                $this kg:meshHeading ?heading .
                ?heading kg:qualifier ?assignment ; kg:descriptor ?descriptor .
                ?assignment kg:pairTerm ?value ; kg:qualifierTerm ?qualifier .
                FILTER (STR(?value) != CONCAT(STR(?descriptor), STRAFTER(STR(?qualifier), "/mesh/")))
            }""", prefixes={"kg": _PREFIXES["kg"]}, run=_mesh_pairs),
    NativeSparql(select="""
            SELECT $this ?value WHERE {
                $this kg:meshHeading ?heading .
                ?heading kg:qualifier ?assignment ; kg:descriptor ?descriptor .
                ?assignment kg:qualifierTerm ?qualifier ; kg:pairTerm ?value .
                FILTER EXISTS { ?descriptor meshv:allowableQualifier ?any . }
                FILTER NOT EXISTS { ?descriptor meshv:allowableQualifier ?qualifier . }
            }""", prefixes={k: _PREFIXES[k] for k in ("kg", "meshv")}, run=_allowable,
                 context_predicates=frozenset({_ALLOWABLE})),
    NativeSparql(select="""
            SELECT $this ?value WHERE {
                $this oa:hasSelector ?value .
                ?value oa:start ?start ; oa:end ?end .
                OPTIONAL { $this oa:hasSelector/oa:exact ?exact . }
                OPTIONAL { $this oa:hasSource/kg:text ?text . }
                FILTER (
                    (BOUND(?exact) && STRLEN(?exact) != xsd:integer(?end) - xsd:integer(?start))
                    || (BOUND(?text) && (xsd:integer(?end) > STRLEN(?text)
                        || (BOUND(?exact) && SUBSTR(?text, xsd:integer(?start) + 1, STRLEN(?exact)) != ?exact)))
                )
            }""", prefixes={k: _PREFIXES[k] for k in ("kg", "oa", "xsd")}, run=_offsets),
)


_COMPILED: dict[tuple[str, ...], ShapesGraph] = {}


def compiled(names: Sequence[str] | None = None) -> ShapesGraph:
    key = tuple(names or CORE_SHAPES)
    if key not in _COMPILED:
        _COMPILED[key] = ShapesGraph(load_shapes_graph(key), native=NATIVE_SPARQL)
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
        p = sg.sparql[i].predicates
        preds = None if (p is None or preds is None) else preds | p
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
                out.append(_with_graph(c.result(f, value, path), f"<{graph}>"))
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
    p = ox.NamedNode(MESHV_ALLOWABLE[1:-1])
    return [(str(q.subject), MESHV_ALLOWABLE, str(q.object)) for q in store.quads(None, p, None, iris.MESH_GRAPH)]


def shapes_for(context: Sequence) -> ShapesGraph:
    return compiled(CORE_SHAPES + MESH_VOCABULARY_SHAPES if context else CORE_SHAPES)


def validate_store(store, *, batch_size: int = 2000, names: Sequence[str] | None = None) -> Report:
    """Every article graph of an `OxigraphStore`, each on its own, with the MeSH vocabulary as context."""
    from .vocab import KGGRAPH
    base = str(KGGRAPH)
    skip = (base + "mesh", base + "mappings", base + "deletions")
    context = Context(mesh_context(store))
    sg = compiled(names) if names else shapes_for(context.triples)
    results: list[Result] = []
    n = 0
    batch: list[tuple[str, Data]] = []
    for g in store.named_graphs():
        if not g.startswith(base) or g.startswith(base + "ontology/") or g in skip:
            continue
        data = Data((str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph=g))
        batch.append((g, data))
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


def _violations(names: tuple[str, ...], graphs: list[tuple[str, str]], context: Context) -> dict[str, list[str]]:
    """{pmid: [problems]} of the graphs with sh:Violation results."""
    bad: dict[str, list[str]] = {}
    for r in validate_graphs(graphs, shapes=compiled(names), context=context):
        if r.severity == "Violation":
            pm = r.pmid or pmid_of(r.graph) or "?"
            bad.setdefault(pm, []).append(_problem(r))
    return bad


# What forked workers need, set before the pool forks, so it is inherited rather than sent with every
# batch (the MeSH vocabulary context is hundreds of thousands of triples): validator key -> (names, context).
_WORKER_STATE: dict[int, tuple[tuple[str, ...], Context]] = {}


def _worker_chunk(args: tuple[int, list[tuple[str, str]]]) -> dict[str, list[str]]:
    key, graphs = args
    names, context = _WORKER_STATE[key]
    return _violations(names, graphs, context)


def _worker_start() -> None:
    """Keep what the worker inherited out of the garbage collector's way (it is never freed); leave Ctrl-C
    to the parent (which ends the pool and exits 130), and die with the parent if it is killed, instead of
    printing a BrokenPipeError traceback when the result pipe is gone."""
    import gc
    import signal
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


class IngestValidator:
    """The `kg.pipeline.Validator` for ingest: checks a batch of article graphs, returns
    {pmid: [problems]} for those with sh:Violation results (warnings never reject an article).

    Batches of at least `parallel_min` graphs are split across `workers` processes: this one and
    `workers - 1` forked ones (so the compiled shapes and the context are inherited, not rebuilt, and
    only the graphs travel, one way; only the failures come back)."""

    def __init__(self, *, context: Sequence[tuple[str, str, str]] = (), workers: int | None = None,
                 parallel_min: int = 200) -> None:
        self.context = Context(context)
        self.names = CORE_SHAPES + MESH_VOCABULARY_SHAPES if self.context.triples else CORE_SHAPES
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
            _WORKER_STATE[id(self)] = (self.names, self.context)
            self._pool = ctx.Pool(self.workers - 1, initializer=_worker_start)
        return self._pool

    def __call__(self, graphs: list[tuple[str, str]]) -> dict[str, list[str]]:
        pool = self._get_pool() if self.workers > 1 and len(graphs) >= self.parallel_min else None
        if pool is None:
            return _violations(self.names, graphs, self.context)
        k = self.workers
        sent = pool.map_async(_worker_chunk, [(id(self), graphs[i::k]) for i in range(1, k)], chunksize=1)
        bad = _violations(self.names, graphs[0::k], self.context)     # this process's share, meanwhile
        for part in sent.get():
            for pm, probs in part.items():
                bad.setdefault(pm, []).extend(probs)
        return bad

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
        _WORKER_STATE.pop(id(self), None)

    def __del__(self) -> None:  # a forgotten close must not leave worker processes behind
        try:
            if self._pool is not None:
                self._pool.terminate()
            _WORKER_STATE.pop(id(self), None)
        except Exception:
            pass


def ingest_validator(store=None, **kwargs) -> IngestValidator:
    """The validator `kg ingest` uses; with a store, the MeSH vocabulary in it adds the allowable-qualifier check."""
    context = mesh_context(store) if store is not None else []
    return IngestValidator(context=context, **kwargs)
