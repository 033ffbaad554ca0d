"""What a worker process does with a job: check it, run it on the store, serialise the answer under the cap.

Runs inside a worker (`kg.serve.workers`); every outcome, good or bad, is an `Answer` with an HTTP status,
so the server process never sees a Python exception from a query.
"""

from __future__ import annotations

import logging
from typing import IO, Any, Callable, Iterable, cast

import pyoxigraph as ox

from ..errors import KgError, QueryError
from .guard import ServiceRefused, check_service
from .negotiate import choose
from .workers import Answer, CappedBuffer, Job, ResultTooLarge

log = logging.getLogger(__name__)

# Offered media types, default first (what `*/*` or no Accept gets).
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
DATASET_TYPES: dict[str, ox.RdfFormat] = {
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/plain": ox.RdfFormat.N_QUADS,
}
QUERY_TEXT_TYPE = "application/sparql-query"


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


def _io(buf: CappedBuffer) -> IO[bytes]:
    """pyoxigraph's serialisers write to any object with `write`; their stubs ask for IO[bytes]."""
    return cast(IO[bytes], buf)


def _not_acceptable(offered: Iterable[str]) -> Answer:
    return _text(406, "none of the types in Accept can be produced; this resource offers: " + ", ".join(offered))


JobRunner = Callable[[Any, Job], Answer]
# What a worker can do, by `Job.kind`. A new kind (say, drawing a mechanism map) is one function here and
# a route in kg.serve.http that calls `handler.run_job(kind, ...)`; it then gets the time-out, the
# cancellation when the client goes, the byte and memory caps for free.
JOB_KINDS: dict[str, JobRunner] = {}


def job_kind(name: str) -> Callable[[JobRunner], JobRunner]:
    def deco(fn: JobRunner) -> JobRunner:
        JOB_KINDS[name] = fn
        return fn
    return deco


def run_job(store: Any, job: Job) -> Answer:
    """Every job's outcome as an `Answer`; a user mistake is a 4xx with a message, never a traceback."""
    runner = JOB_KINDS.get(job.kind)
    if runner is None:
        return _text(500, f"internal error: no job kind {job.kind!r}")
    try:
        return runner(store, job)
    except ResultTooLarge:
        mb = job.max_bytes / 1_000_000
        return _text(500, f"the answer is larger than this server's cap of {mb:g} MB (--max-result-mb); "
                          "narrow the query or add a LIMIT")
    except ServiceRefused as exc:
        return _text(403, str(exc))
    except QueryError as exc:
        return _text(400, str(exc))
    except KgError as exc:
        return _text(500, str(exc))
    except (ValueError, OSError, SyntaxError) as exc:
        log.warning("query failed: %s", exc)
        return _text(500, f"the store could not answer: {exc}")


@job_kind("sparql")
def _sparql_job(store: Any, job: Job) -> Answer:
    return _sparql(store, job, job.text)


def _sparql(store: Any, job: Job, text: str) -> Answer:
    check_service(text, job.allow_service)
    res = store.query(text)
    out = CappedBuffer(job.max_bytes)
    if isinstance(res, ox.QueryTriples):
        name = choose(job.accept, list(GRAPH_TYPES))
        if name is None:
            return _not_acceptable(GRAPH_TYPES)
        fmt = GRAPH_TYPES[name]
        ox.serialize(res, _io(out), fmt, **_prefix_arg(fmt))
    else:
        name = choose(job.accept, list(RESULT_TYPES))
        if name is None:
            return _not_acceptable(RESULT_TYPES)
        res.serialize(_io(out), RESULT_TYPES[name])
    return Answer(200, name + "; charset=utf-8", out.getvalue())


@job_kind("canned")
def _canned(store: Any, job: Job) -> Answer:
    from .. import binding, queries

    q = queries.load(job.text)
    text = binding.with_values(q.text, queries.bindings(q, dict(job.params)))
    if job.accept and choose(job.accept, [*RESULT_TYPES, *GRAPH_TYPES, QUERY_TEXT_TYPE]) == QUERY_TEXT_TYPE:
        # The page asks for the query with its parameters bound, to show it in the editor and run it there.
        return Answer(200, QUERY_TEXT_TYPE + "; charset=utf-8", text.encode("utf-8"))
    return _sparql(store, job, text)


def _prefix_arg(fmt: ox.RdfFormat) -> dict[str, Any]:
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        from ..stores.oxigraph import export_prefixes
        return {"prefixes": export_prefixes()}
    return {}


@job_kind("graph")
def _graph(store: Any, job: Job) -> Answer:
    """The Graph Store Protocol's read side: `?graph=IRI`, `?default`, or the whole dataset."""
    params = dict(job.params)
    out = CappedBuffer(job.max_bytes)
    if "graph" in params or "default" in params:
        graph = ""  # the default graph
        if "graph" in params:
            try:
                graph = ox.NamedNode(params["graph"]).value
            except ValueError as exc:
                return _text(400, f"graph={params['graph']!r} is not an IRI: {exc}")
            if not store.has_graph(graph):
                return _text(404, f"no graph <{params['graph']}> in this store")
        name = choose(job.accept, list(GRAPH_TYPES))
        if name is None:
            return _not_acceptable(GRAPH_TYPES)
        fmt = GRAPH_TYPES[name]
        store.serialize(out, fmt, graph, **_prefix_arg(fmt))
    else:
        name = choose(job.accept, list(DATASET_TYPES))
        if name is None:
            return _not_acceptable(DATASET_TYPES)
        fmt = DATASET_TYPES[name]
        store.serialize(out, fmt, **_prefix_arg(fmt))
    return Answer(200, name + "; charset=utf-8", out.getvalue())


@job_kind("map")
def _map_job(store: Any, job: Job) -> Answer:
    """A canned query's answer drawn as a mechanism map (`kg map`): HTML, or the SVG for NAME.svg."""
    from ..viz import MAPPABLE, build_map, to_html, to_svg

    name = job.text
    svg = name.endswith(".svg")
    name = name[:-4] if svg else name
    if name not in MAPPABLE:
        return _text(404, f"no map for {name!r}; maps: {', '.join(MAPPABLE)}")
    m = build_map(store, name, dict(job.params))
    body = to_svg(m) if svg else to_html(m)
    out = CappedBuffer(job.max_bytes)
    out.write(body.encode("utf-8"))
    return Answer(200, ("image/svg+xml" if svg else "text/html") + "; charset=utf-8", out.getvalue())
