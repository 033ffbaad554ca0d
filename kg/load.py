"""`kg load`: push named graphs from the embedded store or N-Quads files to a SPARQL 1.1 server.

Incremental, resumable and idempotent through a per-endpoint checkpoint (a small SQLite file): for each
graph it keeps the content hash last acknowledged by the server. A graph is sent only when its hash
differs; before a batch is sent its graphs are marked unsent, so after a crash of `kg` or of the server
(whose writes are not atomic: Virtuoso keeps part of an interrupted request) a re-run resends exactly the
graphs that might be incomplete, each replaced whole. The hash ignores `prov:generatedAtTime`, so
re-ingesting identical records does not resend them.

Deletions: tombstones in `iris.DELETIONS_GRAPH` drop every graph of the PMID on the server; loading from
the embedded store also drops graphs the checkpoint knows but the store no longer has.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sized
from typing import IO, TYPE_CHECKING, Callable, Iterable, Iterator, NoReturn, cast

import pyoxigraph as ox

from . import iris
from .errors import StoreError
from .stores.sparql import SparqlStore, public_url
from .vocab import KG, PROV, RDF

if TYPE_CHECKING:
    from io import BufferedReader

    from tqdm import tqdm

    from .stores.oxigraph import OxigraphStore

GENERATED_AT = PROV.generatedAtTime
DELETED = KG.DeletedCitation
SOURCES = ("pubmed", "pmc", "pubtator")


@dataclass
class Graph:
    iri: str
    lines: list[str]  # N-Triples, ' .\n'-terminated, sorted
    digest: str


@dataclass
class LoadSummary:
    graphs_seen: int = 0
    graphs_sent: int = 0
    triples_sent: int = 0
    graphs_dropped: int = 0
    requests: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        return {"graphs_seen": self.graphs_seen, "graphs_sent": self.graphs_sent,
                "triples_sent": self.triples_sent, "graphs_dropped": self.graphs_dropped,
                "requests": self.requests, "seconds": round(self.seconds, 3)}


def make_graph(iri: str, quads: Iterable[ox.Quad]) -> Graph:
    return graph_of_lines(iri, [f"{q.subject} {q.predicate} {q.object} .\n" for q in quads])


def graph_of_lines(iri: str, lines: list[str]) -> Graph:
    """A graph from its N-Triples lines: sorted, so the digest depends on the content only."""
    lines.sort()
    h = hashlib.sha256()
    gen = f" <{GENERATED_AT}> "
    for line in lines:
        if gen not in line:  # re-ingesting identical content must not look like a change
            h.update(line.encode("utf-8"))
    return Graph(iri, lines, h.hexdigest())


# ---- sources ---------------------------------------------------------------------------------------
class store_graphs:  # noqa: N801 - used like the generator function it was
    """Every named graph of an embedded `OxigraphStore`, one at a time (memory: one graph); its `len`
    is the number of graphs, the total of `kg load`'s progress bar.

    Oxigraph serialises each graph itself (`graph_ntriples`): the same lines as formatting its quads in Python
    (a test keeps them equal), without a Python object per term."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self.names = sorted(store.named_graphs())

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[Graph]:
        for g in self.names:
            text = self.store.graph_ntriples(g)
            yield graph_of_lines(g, text.splitlines(keepends=True))


def file_graphs(paths: Iterable[str]) -> Iterator[Graph]:
    """Graphs of N-Quads files (`.nq`, `.nq.gz`, `-`), each graph's quads together as `kg export` and
    `kg convert` write them. Default-graph triples are refused: a server load needs named graphs."""
    seen: set[str] = set()
    for path in paths:
        current: str | None = None
        quads: list[ox.Quad] = []
        with _open(path) as f:
            try:
                for q in ox.parse(f, format=ox.RdfFormat.N_QUADS):
                    if isinstance(q.graph_name, ox.DefaultGraph):
                        raise StoreError(f"{path}: a triple in the default graph ({q.subject} {q.predicate} ...); "
                                         "kg load sends named graphs only")
                    g = q.graph_name.value
                    if g != current:
                        if current is not None:
                            yield make_graph(current, quads)
                        if g in seen:
                            raise StoreError(f"{path}: the quads of graph <{g}> are not together; kg load "
                                             "needs each graph's quads in one run (as kg export/convert write them)")
                        seen.add(g)
                        current, quads = g, []
                    quads.append(q)
            except SyntaxError as exc:
                raise StoreError(f"{path}: not valid N-Quads: {exc}") from None
        if current is not None:
            yield make_graph(current, quads)
        seen.clear()  # a later file (an update) may replace a graph of an earlier one


class _open:
    """A binary stream of a path (gzip or plain) or of stdin."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.raw: BufferedReader | None = None
        self.f: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if self.path == "-":
            return sys.stdin.buffer
        try:
            self.raw = raw = open(self.path, "rb")
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror}") from None
        gz = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        # typeshed's GzipFile is a BufferedIOBase, not an IO[bytes], though it is a binary file
        self.f = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if gz else raw
        return self.f

    def __exit__(self, *exc: object) -> None:
        for f in (self.f, self.raw):
            if f is not None:
                f.close()


def tombstoned_pmids(graph: Graph) -> list[str]:
    """PMIDs declared deleted in the tombstone graph."""
    out = []
    typ = f" <{RDF.type}> <{DELETED}> .\n"
    prefix = "<" + iris.article("")
    for line in graph.lines:
        if line.endswith(typ) and line.startswith(prefix):
            out.append(line[len(prefix):line.index(">")])
    return out


# ---- checkpoint ------------------------------------------------------------------------------------
def default_checkpoint(target: str) -> Path:
    base = os.environ.get("KG_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "kg")
    key = hashlib.sha256(public_url(target).encode()).hexdigest()[:16]
    return Path(base) / "loads" / f"{key}.sqlite"


class Checkpoint:
    """graph -> hash acknowledged by the server (NULL while a write of it is in flight)."""

    def __init__(self, path: Path | str, target: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("CREATE TABLE IF NOT EXISTS graphs (graph TEXT PRIMARY KEY, hash TEXT, triples INTEGER)")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = self.db.execute("SELECT value FROM meta WHERE key='target'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('target', ?)", (public_url(target),))
        elif row[0] != public_url(target):
            raise StoreError(f"checkpoint {self.path} belongs to {row[0]}, not {public_url(target)}")
        self.db.commit()

    def hashes(self, graphs: list[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for i in range(0, len(graphs), 500):
            chunk = graphs[i:i + 500]
            q = f"SELECT graph, hash FROM graphs WHERE graph IN ({','.join('?' * len(chunk))})"
            out.update(self.db.execute(q, chunk).fetchall())
        return out

    def known(self) -> set[str]:
        return {g for (g,) in self.db.execute("SELECT graph FROM graphs")}

    def mark_sending(self, graphs: list[str]) -> None:
        self.db.executemany("INSERT INTO graphs VALUES (?, NULL, NULL) ON CONFLICT(graph) DO UPDATE SET hash=NULL",
                            [(g,) for g in graphs])
        self.db.commit()

    def mark_sent(self, graphs: list[Graph]) -> None:
        self.db.executemany("UPDATE graphs SET hash=?, triples=? WHERE graph=?",
                            [(g.digest, len(g.lines), g.iri) for g in graphs])
        self.db.commit()

    def forget(self, graphs: list[str]) -> None:
        self.db.executemany("DELETE FROM graphs WHERE graph=?", [(g,) for g in graphs])
        self.db.commit()

    def reset(self) -> None:
        self.db.execute("DELETE FROM graphs")
        self.db.commit()

    def total_triples(self) -> int:
        row = self.db.execute("SELECT COALESCE(SUM(triples), 0) FROM graphs WHERE hash IS NOT NULL").fetchone()
        return int(row[0])

    def close(self) -> None:
        self.db.close()


# ---- the load --------------------------------------------------------------------------------------
def load(graphs: Iterable[Graph], target: SparqlStore, checkpoint: Checkpoint, *, complete: bool = False,
         batch_graphs: int = 500, progress: Callable[[LoadSummary], None] | None = None) -> LoadSummary:
    """Send the graphs that changed since the checkpoint; apply tombstones.

    `complete` says the graphs are the whole truth (the embedded store): graphs the checkpoint knows
    but the source no longer has are dropped from the server.
    """
    s = LoadSummary()
    if isinstance(progress, Progress) and isinstance(graphs, Sized):
        progress.total = len(graphs)
    t0 = time.monotonic()
    req0 = target.requests
    seen: set[str] = set()
    pending: list[Graph] = []

    def send() -> None:
        if not pending:
            return
        old = checkpoint.hashes([g.iri for g in pending])
        todo = [g for g in pending if old.get(g.iri) != g.digest]
        pending.clear()
        if todo:
            checkpoint.mark_sending([g.iri for g in todo])  # write-ahead: unsent until acknowledged
            target.replace_graphs((g.iri, g.lines) for g in todo)
            checkpoint.mark_sent(todo)
            s.graphs_sent += len(todo)
            s.triples_sent += sum(len(g.lines) for g in todo)
        if progress:
            progress(s)

    def drop(graph_iris: list[str]) -> None:
        if not graph_iris:
            return
        checkpoint.mark_sending(graph_iris)
        target.drop_graphs(graph_iris)
        checkpoint.forget(graph_iris)
        s.graphs_dropped += len(graph_iris)

    for g in graphs:
        s.graphs_seen += 1
        seen.add(g.iri)
        if g.iri == iris.DELETIONS_GRAPH:
            send()  # earlier graphs first: a later tombstone must win over them
            pmids = tombstoned_pmids(g)
            victims = [iris.article_graph(p, src) for p in pmids for src in SOURCES]
            known = checkpoint.known()
            # Graphs this checkpoint sent are dropped; a tombstone already applied costs nothing again.
            drop([v for v in victims if v in known] if old_tomb_applied(checkpoint, g) else victims)
        pending.append(g)
        if len(pending) >= batch_graphs:
            send()
    send()
    if complete:
        gone = sorted(checkpoint.known() - seen)
        drop(gone)
    s.requests = target.requests - req0
    s.seconds = time.monotonic() - t0
    if progress:
        progress(s)
    return s


def old_tomb_applied(checkpoint: Checkpoint, g: Graph) -> bool:
    """True when this exact tombstone graph was acknowledged before (its drops were then applied)."""
    return checkpoint.hashes([g.iri]).get(g.iri) == g.digest


class Progress:
    """A progress bar on stderr (tqdm), only when stderr is a terminal (or forced): graphs read, of the
    total when the source knows it (the embedded store does; N-Quads files are read without one), with
    the rate, time left, graphs and triples sent and graphs dropped beside it."""

    def __init__(self, enabled: bool | None = None, *, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total: int | None = None
        self.t0 = time.monotonic()
        self.last = 0.0
        self.bar: tqdm[NoReturn] | None = None

    def __call__(self, s: LoadSummary) -> None:
        if not self.enabled:
            return
        bar = self.bar
        if bar is None:
            from tqdm import tqdm

            self.bar = bar = tqdm(total=self.total, file=self.stream, unit=" graphs", dynamic_ncols=True,
                                  desc="load", mininterval=0.5)
        t = time.monotonic()
        rate = s.triples_sent / max(t - self.t0, 1e-9)
        bar.update(s.graphs_seen - bar.n)
        bar.set_postfix_str(f"{s.graphs_sent:,} sent ({s.triples_sent:,} triples, {rate:,.0f}/s), "
                            f"{s.graphs_dropped} dropped", refresh=t - self.last > 0.5)
        self.last = t

    def close(self) -> None:
        if self.bar is not None:
            self.bar.refresh()
            self.bar.close()
