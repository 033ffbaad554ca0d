"""The embedded on-disk store (Oxigraph): zero set-up, one named graph per article and source.

Writes are N-Quads text parsed by Oxigraph's Rust parser. On disk, a batch goes through `bulk_load`,
which is 4-5x faster than a transactional `load` (measured: 190,000-210,000 against 38,000-49,000
triples/s on this machine, batches of 200 article graphs, into a small store; two batches written at once
by two threads reach about 300,000) but not atomic. The parse is `lenient` (IRIs not
re-validated, about 5% faster) because every batch is text `kg` formatted itself: `kg.rdf.nt.iri`
rejects the characters N-Quads forbids and every IRI is minted absolute by `kg.iris` or `kg.prefixes`.

Atomicity per article is restored with an intent log: before a batch touches the store, the IRIs of its
graphs are written to its own `kg-intent-N.json` in the store folder; the file is removed once the batch
is flushed to disk. If `kg` dies in between, the next open of the store drops every graph the logs name
(old or new, whole or partial) and says which PMIDs to ingest again, so an article is wholly in the store
or not at all. An in-memory store uses the transactional `load`.

Ingest defers the flush (`replace_graphs(..., defer_flush=True)`): a RocksDB flush after every batch
cost 54 of 129 s on the 30,000-article benchmark, because each one waits for the compaction that the
previous ingested batches started (fewer flushes wait longer each: one per 10 batches still cost 48 s).
Deferred batches keep their intent logs until a flush covers them (one per `FLUSH_SECONDS`, and at
`flush()`), so a crash drops at most the last minute's batches, whole, and names their PMIDs.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import IO, Iterable, Iterator, Sequence

import pyoxigraph as ox

from .. import iris
from ..binding import with_values
from ..errors import QueryError, StoreError
from ..vocab import KG, KGGRAPH, PREFIXES, PROV, RDF
from ..rdf.nt import XSD_DATETIME, iri, quad_line, typed
from .base import Bindings, parse_ntriples

SOURCES = ("pubmed", "pmc", "pubtator")
INTENT_STEM = "kg-intent"  # kg-intent-N.json, one per batch being written (kg-intent.json before 0.2)
_BATCH_NUMBERS = itertools.count()
log = logging.getLogger(__name__)

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
}


@dataclass
class GraphWrite:
    """One named graph to replace whole: its IRI and its N-Quads (text, or UTF-8 bytes as ingest has them)."""

    graph: str
    nquads: str | bytes


def is_store(path: str) -> bool:
    """A folder that holds an Oxigraph (RocksDB) store: it has the CURRENT file RocksDB writes first."""
    return os.path.isfile(os.path.join(path, "CURRENT"))


def check_store_path(path: str, *, create: bool) -> None:
    """Refuse a path that is not a store before anything is opened: reading never creates a store (a
    mistyped --store used to answer "0 rows"), and writing never scatters RocksDB files into a folder
    that holds something else."""
    if not os.path.exists(path):
        if create:
            return
        raise StoreError(f"no store at {path}: no such folder (give --store the folder `kg ingest` wrote, "
                         "or set KG_STORE)")
    if not os.path.isdir(path):
        raise StoreError(f"{path} is a file, not a store folder")
    if is_store(path):
        return
    if create and not any(True for _ in os.scandir(path)):
        return  # an empty folder becomes a store
    raise StoreError(f"{path} is a folder but not a kg store (it has no RocksDB CURRENT file)" +
                     ("; give --store a new or empty folder" if create else
                      "; give --store the folder `kg ingest` wrote"))


def _open_read_only(path: str, tries: int = 8) -> ox.Store:
    """`Store.read_only`, tried again when a writer's compaction deleted a file between our reading of the
    store's file list and the opening of that file (RocksDB then says "No such file"): the next try reads
    the new list. Measured: one retry is enough while a 3,000-article ingest compacts."""
    for attempt in range(tries):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError) as exc:
            if "No such file" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class OxigraphStore:
    """The store; `read_only` opens it for reading only (no lock taken, nothing written), which works
    while another process ingests into it and on a read-only file system."""

    def __init__(self, path: str | None = None, *, read_only: bool = False) -> None:
        if path is not None:
            check_store_path(path, create=not read_only)
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = _open_read_only(path)
            else:
                self._store = ox.Store(path)
        except (OSError, RuntimeError) as exc:
            low = str(exc).lower()
            held = ("; another kg process may be writing it (a `kg ingest`, or a `kg serve` of this store, which "
                    "keeps writers out while it runs): let it finish or stop it; reading commands can run meanwhile"
                    if not read_only and "lock" in low else "")
            raise StoreError(f"cannot open the store at {path}: {exc}{held}") from exc
        self.path = path
        self.recovered: list[str] = []
        self._unflushed: list[str] = []  # intent logs of batches written but not yet flushed to disk
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._last_flush = time.monotonic()
        if path is not None and not read_only:
            self.recovered = self._recover()

    # Seconds between flushes when ingest defers them. Measured on the benchmark file (30,000 articles,
    # batches of 200): a flush per batch 129 s, one per 10 batches 122 s, one at the end 99 s.
    FLUSH_SECONDS = 60.0

    # ---- writing -------------------------------------------------------------------------------
    def _intent_path(self) -> str:
        """A fresh intent-log name per batch: two batches may be written at once (`kg.pipeline`)."""
        return os.path.join(self.path, f"{INTENT_STEM}-{next(_BATCH_NUMBERS)}.json")  # type: ignore[arg-type]

    def _intent_files(self, suffix: str = ".json") -> list[str]:
        return sorted(os.path.join(self.path, n) for n in os.listdir(self.path)  # type: ignore[arg-type]
                      if n.startswith(INTENT_STEM) and n.endswith(suffix))

    def _recover(self) -> list[str]:
        """Drop the graphs of the batches that an earlier run left unfinished; return them."""
        for path in self._intent_files(".json.tmp"):  # a log cut while written: its batch never started
            os.remove(path)
        graphs: list[str] = []
        files = self._intent_files()
        for path in files:
            try:
                with open(path, encoding="utf-8") as f:
                    graphs.extend(json.load(f)["graphs"])
            except (OSError, ValueError, KeyError) as exc:
                raise StoreError(f"{path} is unreadable ({exc}); the last ingest into this store was "
                                 "interrupted: ingest its input again into a new store") from exc
        if not files:
            return []
        for g in graphs:
            self._store.remove_graph(ox.NamedNode(g))
        self._store.flush()
        for path in files:
            os.remove(path)
        pmids = sorted({g.rsplit("/", 1)[-1] for g in graphs})
        log.warning("the last ingest into %s was interrupted: %d graphs it was writing were removed; "
                    "ingest these PMIDs again: %s", self.path, len(graphs), " ".join(pmids[:50]) +
                    (" ..." if len(pmids) > 50 else ""))
        return graphs

    def replace_graphs(self, writes: list[GraphWrite], *, defer_flush: bool = False) -> None:
        """Replace each graph whole with its new content (see the module docstring for atomicity).

        With `defer_flush`, the batch's intent log stays until a later flush covers it (one per
        `FLUSH_SECONDS`, or `flush()`): the caller must call `flush()` when done."""
        if not writes:
            return
        data = b"".join(w.nquads if isinstance(w.nquads, bytes) else w.nquads.encode() for w in writes)
        if self.path is None:
            for w in writes:
                self._store.remove_graph(ox.NamedNode(w.graph))
            self._load(data, bulk=False)
            return
        intent = self._intent_path()
        with open(intent + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"graphs": [w.graph for w in writes]}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(intent + ".tmp", intent)
        for w in writes:
            # A point lookup first: removing a graph scans the quad index by prefix, which cost 22 s of a
            # 30,000-article ingest into a fresh store while RocksDB compacts; loads register each graph.
            g = ox.NamedNode(w.graph)
            if self._store.contains_named_graph(g):
                self._store.remove_graph(g)
        try:
            self._load(data, bulk=True)
        except StoreError:
            for w in writes:  # a partial bulk load must not stay
                self._store.remove_graph(ox.NamedNode(w.graph))
            self._store.flush()
            os.remove(intent)
            raise
        if not defer_flush:
            self._store.flush()
            os.remove(intent)
            return
        with self._lock:
            self._unflushed.append(intent)
            due = time.monotonic() - self._last_flush >= self.FLUSH_SECONDS
        if due:
            self._flush_intents()

    def _flush_intents(self) -> None:
        """Flush RocksDB, then drop the intent logs of the batches written before the flush began."""
        with self._flush_lock:
            with self._lock:
                done = list(self._unflushed)
            self._store.flush()
            for path in done:
                os.remove(path)
            with self._lock:
                self._unflushed = [p for p in self._unflushed if p not in done]
                self._last_flush = time.monotonic()

    def _load(self, data: bytes, *, bulk: bool) -> None:
        try:
            if bulk:
                self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                self._store.load(data, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:  # a mapping bug, never user data: say so plainly
            raise StoreError(f"internal error: generated N-Quads did not parse: {exc}") from exc

    def clear_tombstones(self, pmids: Iterable[str]) -> None:
        g = ox.NamedNode(iris.DELETIONS_GRAPH)
        for pmid in pmids:
            s = ox.NamedNode(iris.article(pmid))
            for q in list(self._store.quads_for_pattern(s, None, None, g)):
                self._store.remove(q)

    def delete_pmid(self, pmid: str, *, when: str) -> bool:
        """Remove every graph of a PMID and record a tombstone (servers apply it on the next `kg load`)."""
        existed = False
        for src in SOURCES:
            g = ox.NamedNode(iris.article_graph(pmid, src))
            if self._store.contains_named_graph(g):
                existed = True
                self._store.remove_graph(g)
        a = iri(iris.article(pmid))
        dg = iri(iris.DELETIONS_GRAPH)
        tomb = (quad_line(a, iri(RDF.type), iri(KG.DeletedCitation), dg)
                + quad_line(a, iri(PROV.invalidatedAtTime), typed(when, XSD_DATETIME), dg))
        self.clear_tombstones([pmid])
        self._store.load(tomb.encode(), format=ox.RdfFormat.N_QUADS)
        return existed

    def version_of(self, pmid: str, source: str = "pubmed") -> int | None:
        g = ox.NamedNode(iris.article_graph(pmid, source))
        for q in self._store.quads_for_pattern(ox.NamedNode(iris.article(pmid)), ox.NamedNode(KG.pmidVersion),
                                              None, g):
            if isinstance(q.object, ox.Triple):
                return None
            try:
                return int(q.object.value)
            except ValueError:
                return None
        return None

    def replace_graph(self, graph: str, lines: Sequence[str]) -> None:
        """Replace one named graph with N-Triples `lines`, parsed before the graph is touched, so a bad
        vocabulary leaves the graph as it was. Vocabularies are small next to the articles: a plain write,
        no intent log (the caller flushes)."""
        quads = parse_ntriples(graph, lines)
        self._store.remove_graph(ox.NamedNode(graph))
        self._store.extend(quads)

    def add_triples(self, graph: str, lines: Sequence[str]) -> None:
        self._store.extend(parse_ntriples(graph, lines))

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        for q in list(quads):
            self._store.remove(q)

    def load_file(self, path: str, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        self._store.load(path=path, format=fmt, to_graph=ox.NamedNode(graph) if graph else None)

    def flush(self) -> None:
        """Everything written so far is on disk; deferred batches lose their intent logs."""
        if self.path:
            self._flush_intents()

    def close(self) -> None:
        """Flush; pyoxigraph releases the RocksDB files (and the write lock) when the object goes."""
        self.flush()

    # ---- reading -------------------------------------------------------------------------------
    def query(self, sparql: str,
              bindings: Bindings | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        try:
            return self._store.query(with_values(sparql, dict(bindings or {})), prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise QueryError(f"the store could not run the query: {exc}") from exc

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def named_graphs(self) -> Iterator[str]:
        for g in self._store.named_graphs():
            yield g.value

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, quad: ox.Quad) -> bool:
        """Whether the store holds `quad`, compared as Oxigraph stores terms (a read-back literal may carry
        a canonical datatype, xsd:int as xsd:integer, so comparing `quads()` output would miss it)."""
        return quad in self._store

    def quads(self, subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
              object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
              graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads matching a pattern; with no pattern, every quad of the store (default graph included)."""
        if subject is None and predicate is None and object is None and graph is None:
            return iter(self._store)
        g = ox.NamedNode(graph) if graph is not None else None
        return iter(self._store.quads_for_pattern(subject, predicate, object, g))

    def graph_ntriples(self, graph: str) -> str:
        """One named graph as N-Triples text, serialised by Oxigraph (no Python object per term)."""
        text = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        assert text is not None               # no output file given: dump returns the bytes
        return text.decode("utf-8")

    def load_quads(self, data: bytes) -> None:
        """Add N-Quads as they are (tests and fixtures; ingest goes through `replace_graphs`)."""
        self._load(data, bulk=False)

    def serialize(self, out: IO[bytes] | None, fmt: ox.RdfFormat, graph: str | None = None,
                  **kwargs: object) -> bytes | None:
        """The whole dataset, or one graph (`graph`; '' for the default graph), in `fmt` by pyoxigraph's
        own writers (the server's Graph Store Protocol reads)."""
        if graph is None:
            return ox.serialize(self._store, out, fmt, **kwargs)  # type: ignore[arg-type]
        g = ox.DefaultGraph() if graph == "" else ox.NamedNode(graph)
        return ox.serialize((q.triple for q in self._store.quads_for_pattern(None, None, None, g)), out, fmt,
                            **kwargs)  # type: ignore[arg-type]

    def export(self, out: IO[bytes], fmt: str) -> None:
        """Write the whole store. Triple formats (ttl, nt) get the union of all graphs."""
        f = EXPORT_FORMATS[fmt]
        if f == ox.RdfFormat.JSON_LD:
            # pyoxigraph's JSON-LD writer takes no prefixes: declare them in an @context around its
            # expanded output (full IRIs stay valid under a context). JSON-LD is built in memory, so it
            # suits extracts; use nq or trig for whole stores.
            graphs = json.loads(ox.serialize(self._store, None, f) or b"[]")
            out.write(json.dumps({"@context": export_prefixes(), "@graph": graphs}, ensure_ascii=False,
                                 indent=1).encode("utf-8"))
        elif f.supports_datasets:
            ox.serialize(self._store, out, f, prefixes=_prefixes(f))
        else:
            ox.serialize((q.triple for q in self._store), out, f, prefixes=_prefixes(f))

    def deleted_count(self) -> int:
        """How many PMIDs carry a deletion tombstone."""
        g = ox.NamedNode(iris.DELETIONS_GRAPH)
        t = ox.NamedNode(RDF.type)
        return sum(1 for _ in self._store.quads_for_pattern(None, t, ox.NamedNode(KG.DeletedCitation), g))

    def article_graph_count(self) -> int:
        prefix = KGGRAPH + "pubmed/"
        return sum(1 for g in self._store.named_graphs() if g.value.startswith(prefix))


def export_prefixes() -> dict[str, str]:
    """Every prefix an exported file may use: the project's namespaces, the IRI policy's prefixes
    (MeSH, GO, HGNC, ...), and the mapping and ontology vocabularies (SSSOM, SEMAPV, oboInOwl)."""
    from ..prefixes import prefix_map

    out = {k.lower(): v for k, v in prefix_map().items() if v not in PREFIXES.values()}
    out.update({"sssom": "https://w3id.org/sssom/", "semapv": "https://w3id.org/semapv/vocab/",
                "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#", "dcat": "http://www.w3.org/ns/dcat#"})
    out.update(PREFIXES)
    return out


def _prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return export_prefixes()
    return None
