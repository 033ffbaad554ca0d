"""The ingest pipeline: records -> per-article N-Quads -> (validation) -> store, in batches.

This is the one place that wires ingestors, mapping and store together; the CLI calls `ingest`, the
benchmarks call `article_nquads`, and `kg convert` (shards without a store) reuses the same mapping.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Protocol

from . import iris
from .errors import InputError
from .ingest import ElementHook, HookFor, Ingestor, read_paths
from .records import AnnotatedDocument, Article, Deletion, FullText, PrebuiltArticle, Record, Rejected
from .rdf.article import article_triples
from .rdf.nt import graph_text, iri
from .rdf.provenance import fixed_middles, graph_triples, now
from .stores.oxigraph import GraphWrite, OxigraphStore

if TYPE_CHECKING:
    from tqdm import tqdm


# Graphs per store write (and per validation batch). Measured on the benchmark file: 200 graphs (about
# 85,000 triples) per `bulk_load` gave 186,000-194,000 triples/s, 100 gave 176,000, 500 gave 171,000 and
# 1,000 gave 141,000 (bigger batches sort more in memory before RocksDB ingests the files).
BATCH_SIZE = 200


class Validator(Protocol):
    """Checks a batch of graphs (IRI, N-Quads) before they are stored; returns {graph IRI or PMID: [problems]}
    for the bad ones (a PMID key rejects every graph of that PMID in the batch)."""

    def __call__(self, graphs: list[tuple[str, str]]) -> dict[str, list[str]]: ...


@dataclass
class Summary:
    files: int = 0
    articles: int = 0
    documents: int = 0
    triples: int = 0
    deleted: int = 0
    rejected: int = 0
    skipped_older: int = 0
    errors: list[InputError] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"files": self.files, "articles": self.articles, "documents": self.documents, "triples": self.triples,
                "deleted": self.deleted, "rejected": self.rejected, "skipped_older": self.skipped_older}


def article_nquads(article: Article, *, path: str, fmt: str, generated: str,
                   source: str = "pubmed", nlp: bool = False) -> tuple[str, str, int]:
    """(graph IRI, N-Quads text, triple count) of one article, provenance included.

    With `nlp`, the mentions, assertions and co-occurrences of its title and abstract too (issue 3).
    """
    graph = iris.article_graph(article.pmid, source)
    g = iri(graph)
    lines = [f"{s} {p} {o} {g} .\n" for s, p, o in article_triples(article)]
    if nlp:
        lines.extend(mining_lines(article, g, source))
    lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in
                 graph_triples(graph, path=path, fmt=fmt, article=iris.article(article.pmid), generated=generated))
    return (graph, *graph_text(lines))


def mining_lines(article: Article, g: str, source: str = "pubmed") -> list[str]:
    """The N-Quads lines (graph term `g`) of the text mining of an article's title and abstract (issue 3):
    kg.nlp reads records, kg.rdf maps them."""
    from .nlp import mine
    from .rdf.mechanisms import mechanism_triples
    return [f"{s} {p} {o} {g} .\n" for s, p, o in mechanism_triples(mine(article, source=source))]


def compiled_hooks(generated: str, *, nlp: bool = False) -> HookFor:
    """The run's choice of mapping, file by file: a reader whose ingestor has a compiled mapping in
    `kg.rdf.fast.FAST_MAPPINGS` gets it as a hook on its record elements (`PrebuiltArticle` records, their
    provenance saying `generated`); any element the mapping declines is read and mapped in Python.

    Text mining does not decide this: with `nlp` each compiled record also carries its text
    (`Ingestor.text_record`), which `map_record` mines; an ingestor that cannot give it is read in Python.
    """
    from .rdf.fast import FAST_MAPPINGS  # here: importing kg.pipeline loads neither lxml nor the C module

    def hook_for(ing: Ingestor, path: str) -> ElementHook | None:
        mapping = FAST_MAPPINGS.get(ing.name)
        text = ing.text_record
        if mapping is None or (nlp and text is None):
            return None
        middles = fixed_middles(path, ing.name, generated)

        def hook(elem: Any, path: str) -> tuple[Record, ...] | None:
            got = mapping(elem, middles)
            if got is None:
                return None
            if text is not None and nlp:
                return (PrebuiltArticle(*got, text=text(elem)),)
            return (PrebuiltArticle(*got),)  # a tuple: cheaper than a generator, once per record
        return hook
    return hook_for


@dataclass(frozen=True)
class Mapped:
    """One named graph ready to store: what `map_record` makes of a record."""

    graph: str
    pmid: str
    version: int
    nquads: bytes  # UTF-8: what stores load and shards hold, so the compiled reader's text is never decoded
    triples: int
    kind: str  # "article" (a citation record) or "document" (full text, annotations)
    path: str | None = None  # the file it came from and the line where the record starts, so that a
    line: int | None = None  # validation rejection names them


def map_record(rec: Article | PrebuiltArticle | AnnotatedDocument | FullText, *, path: str, fmt: str | None,
               generated: str, nlp: bool = False) -> Mapped:
    """The one mapping dispatch from a record to its graph, shared by `kg ingest` and `kg convert`.

    A `PrebuiltArticle` is a graph already (its hook was given `generated`), to which text mining adds the
    triples of its `text`; the rest are mapped here.
    Raises InputError naming file and PMID when the record cannot be mapped.
    """
    try:
        if isinstance(rec, Article):
            graph, text, n = article_nquads(rec, path=path, fmt=fmt or rec.source_format, generated=generated, nlp=nlp)
            return Mapped(graph, rec.pmid, rec.version, text.encode(), n, "article", path, rec.line)
        if isinstance(rec, PrebuiltArticle):
            graph = iris.article_graph(rec.pmid)
            nquads, n = rec.nquads, rec.triples
            if nlp:
                if rec.text is None:
                    raise TypeError("a PrebuiltArticle without its text cannot be mined: read it with "
                                    "compiled_hooks(..., nlp=True)")
                lines = mining_lines(rec.text, iri(graph))
                if lines:
                    from .rdf.fast import add_lines
                    nquads, n = add_lines(nquads, n, lines)
            return Mapped(graph, rec.pmid, rec.version, nquads, n, "article", path, rec.line)
        if not rec.pmid:
            raise InputError("document has no PMID (full text and annotations are stored per PubMed article); "
                             "add an article-id of pub-id-type pmid", path=path)
        if isinstance(rec, AnnotatedDocument):  # PubTator/BioC: graph pubtator/PMID
            from .rdf.pubtator import pubtator_nquads
            graph, text, n = pubtator_nquads(rec, path=path, generated=generated)
        elif isinstance(rec, FullText):  # JATS full text: graph pmc/PMID
            from .rdf.fulltext import fulltext_nquads
            mining = None
            if nlp:
                from .nlp import mine
                mining = mine(rec, source="pmc")
            graph, text, n = fulltext_nquads(rec, path=path, generated=generated, mining=mining)
        else:
            raise TypeError(f"no mapping for {type(rec).__name__} records")
        return Mapped(graph, rec.pmid, 0, text.encode(), n, "document", path)
    except (ValueError, RecursionError) as exc:  # a record too deep or malformed to map rejects that record only
        raise InputError(f"cannot map to RDF: {type(exc).__name__ if isinstance(exc, RecursionError) else exc}",
                         path=path, pmid=rec.pmid) from exc


class Progress:
    """A progress bar on stderr (tqdm), only when stderr is a terminal (pipes and logs stay clean).

    Its total is the size of the input files as stored, and its position the bytes the reader has taken
    from them (`kg.ingest.bytes_read`: compressed bytes for .gz files), so percentage, rate and time left
    hold for gzip too; articles, triples and rejects follow on the same line. Standard input has no size:
    the bar then counts bytes without a total.
    """

    def __init__(self, enabled: bool | None = None, *, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.total: int | None = None
        self.done = 0  # bytes of the files read to their end
        self.before: dict[str, int] = {}
        self.current: str | None = None
        self.bar: tqdm[Any] | None = None

    def begin(self, paths: Iterable[str]) -> None:
        """Size up the input (the files `read_paths` will open) and show the empty bar."""
        if not self.enabled:
            return
        from tqdm import tqdm

        from .ingest import expand_paths

        total: int | None = 0
        for path, _ in expand_paths(paths):
            try:
                size = os.path.getsize(path) if path != "-" else 0
            except OSError:  # missing: read_path rejects it
                size = 0
            self.before.setdefault(path, total or 0)  # bytes of the files read before this one
            if path == "-":
                total = None
            elif total is not None:
                total += size
        self.total = total
        self.bar = tqdm(total=total, file=self.stream, unit="B", unit_scale=True, unit_divisor=1024,
                        dynamic_ncols=True, desc="ingest", leave=True, mininterval=0.5)

    def file(self, path: str) -> None:
        """The reader moved on to `path`: the files before it (those that gave no record too) count whole."""
        self.current = path
        self.done = self.before.get(path, self.done)

    def position(self) -> int:
        from .ingest import bytes_read

        here = bytes_read(self.current) if self.current else None
        return self.done + (here if here is not None else 0)

    def update(self, s: Summary, force: bool = False) -> None:
        if not self.enabled or self.bar is None:
            return
        t = time.monotonic()
        if force or t - self.last > 0.5:
            self.last = t
            rate = s.articles / max(t - self.start, 1e-9)
            pos = self.position()
            if self.total is not None:
                pos = min(pos, self.total)
            self.bar.update(pos - self.bar.n)
            self.bar.set_postfix_str(f"{s.articles:,} articles ({rate:,.{0 if rate >= 10 else 1}f}/s), {s.triples:,} triples, "
                                     f"{s.deleted} deleted, {s.rejected} rejected", refresh=True)

    def close(self, s: Summary) -> None:
        if self.enabled and self.bar is not None:
            self.current = None  # every file was read to its end
            self.done = self.total if self.total is not None else self.done
            self.update(s, force=True)
            self.bar.close()


class BackgroundWriter:
    """Writes batches to the store on a worker thread while the main thread maps the next one.

    Why: Oxigraph's `bulk_load` releases the GIL, so the Rust store write and the Python parsing and
    mapping share the cores instead of taking turns. At most `MAX_IN_FLIGHT` batches are in flight, so
    memory stays bounded. Two batches that hold the same graph are never written at once (the later
    waits), and the PMID versions of batches in flight stay visible through `version_of` until they have
    landed. A write error is raised in the main thread at the next `submit` or `wait`. Each batch has its
    own intent log in the store, so each is all-or-nothing if the process dies mid-write.

    One batch in flight by default (`write_threads`), measured on the 30,000-article benchmark file
    (2 cores, compiled reader, deferred flushes): 85-92 s and 306-311 MB peak. Two in flight took 79 s
    but 465 MB, too close to the 500 MB budget to be the default (RocksDB compacts every ingested batch
    against the whole store, and two loads plus compaction oversubscribe 2 cores).
    """

    MAX_IN_FLIGHT = 1

    def __init__(self, store: OxigraphStore, write_threads: int | None = None) -> None:
        self.store = store
        self.max_in_flight = max(1, write_threads or self.MAX_IN_FLIGHT)
        self._pool = ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="kg-store-writer")
        self._inflight: list[tuple[Future[None], frozenset[str], dict[str, int]]] = []

    def _write(self, items: list[Mapped]) -> None:
        self.store.clear_tombstones({m.pmid for m in items if m.kind == "article"})
        self.store.replace_graphs([GraphWrite(m.graph, m.nquads) for m in items], defer_flush=True)

    def submit(self, items: list[Mapped]) -> None:
        graphs = frozenset(m.graph for m in items)
        pmids = {m.pmid for m in items}
        while self._inflight and (len(self._inflight) >= self.max_in_flight or any(
                g & graphs or v.keys() & pmids for _, g, v in self._inflight)):
            self._finish_oldest()  # a full pipe, or an earlier batch touching the same graphs or PMIDs
        versions = {m.pmid: m.version for m in items if m.kind == "article"}
        self._inflight.append((self._pool.submit(self._write, items), graphs, versions))

    def _finish_oldest(self) -> None:
        f, _, _ = self._inflight.pop(0)
        f.result()

    def wait(self) -> None:
        """Block until every batch in flight is stored; re-raise the first error."""
        error: BaseException | None = None
        while self._inflight:
            try:
                self._finish_oldest()
            except BaseException as exc:  # noqa: BLE001 - keep draining, then raise the first
                error = error or exc
        if error is not None:
            raise error

    def version_of(self, pmid: str) -> int | None:
        for _, _, versions in reversed(self._inflight):
            if pmid in versions:
                return versions[pmid]
        version: int | None = self.store.version_of(pmid)
        return version

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)


def ingest(paths: Iterable[str], store: OxigraphStore, *, fmt: str | None = None,
           validator: Validator | None = None, batch_size: int = BATCH_SIZE,
           progress: Progress | None = None,
           on_reject: Callable[[InputError], None] | None = None, nlp: bool = True,
           write_threads: int | None = None) -> Summary:
    """Read every record of `paths` into `store`; bad records are reported, never half-stored.

    `nlp` tags titles, abstracts and full text (mentions, assertions, co-occurrences; issue 3)."""
    summary = Summary()
    progress = progress or Progress(enabled=False)
    paths = list(paths)
    progress.begin(paths)
    generated = now()
    pending: dict[str, Mapped] = {}  # by graph IRI, in arrival order
    seen_files: set[str] = set()
    writer = BackgroundWriter(store, write_threads)

    def reject(err: InputError) -> None:
        summary.rejected += 1
        summary.errors.append(err)
        if on_reject:
            on_reject(err)

    def flush() -> None:
        if not pending:
            return
        items = list(pending.values())
        pending.clear()
        if validator is not None:
            bad = validator([(m.graph, m.nquads.decode()) for m in items])
            if bad:
                kept = []
                for m in items:
                    problems = bad.get(m.graph) or bad.get(m.pmid)
                    if problems:
                        reject(InputError("failed validation: " + "; ".join(problems), path=m.path, pmid=m.pmid,
                                          line=m.line))
                    else:
                        kept.append(m)
                items = kept
        writer.submit(items)
        summary.articles += sum(m.kind == "article" for m in items)
        summary.documents += sum(m.kind == "document" for m in items)
        summary.triples += sum(m.triples for m in items)
        progress.update(summary)

    try:
        for path, rec in read_paths(paths, fmt, hook_for=compiled_hooks(generated, nlp=nlp)):
            if path not in seen_files:
                seen_files.add(path)
                summary.files += 1
                progress.file(path)
            if isinstance(rec, Rejected):
                reject(rec.error)
                continue
            if isinstance(rec, Deletion):
                for key in [k for k, m in pending.items() if m.pmid == rec.pmid]:
                    del pending[key]
                flush()
                writer.wait()  # the deletion must follow every earlier write of that PMID
                store.delete_pmid(rec.pmid, when=generated)
                summary.deleted += 1
                continue
            if isinstance(rec, (Article, PrebuiltArticle)):
                current = pending.get(iris.article_graph(rec.pmid))
                if current is not None and current.version > rec.version:
                    summary.skipped_older += 1
                    continue
                if current is None:
                    stored = writer.version_of(rec.pmid)
                    if stored is not None and stored > rec.version:
                        summary.skipped_older += 1
                        continue
            try:
                m = map_record(rec, path=path, fmt=fmt, generated=generated, nlp=nlp)
            except InputError as exc:
                reject(exc)
                continue
            pending.pop(m.graph, None)  # a later copy in the same batch replaces an earlier one
            pending[m.graph] = m
            if len(pending) >= batch_size:
                flush()
        flush()
    finally:
        try:
            writer.close()
        finally:
            store.flush()  # batches already written are whole: make them durable even if ingest was cut
    progress.close(summary)
    return summary
