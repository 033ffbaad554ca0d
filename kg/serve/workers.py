"""Queries run in worker processes, so a query can be stopped: killed at its time-out or when its client goes.

pyoxigraph (0.5) cannot interrupt a running query from Python: there is no time-out argument and no
cancellation token in its Python API, and a thread stuck in Rust cannot be stopped. A process can: each
worker opens the store read-only and runs one query at a time; the server kills it (SIGKILL, so its memory
goes back to the system at once) when the time-out passes or the client disconnects, and starts a fresh
one in its place. A worker also caps the size of the serialised answer (`ResultTooLarge`) so one request
cannot build a body of any size in memory.

Workers are started with `spawn`, never `fork`: the server process has threads and the store open.
"""

from __future__ import annotations

import io
import logging
import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Callable

from ..errors import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One request for a worker: what to run and which media types the client accepts (best first)."""

    kind: str                       # "sparql" | "canned" | "graph"
    text: str = ""                  # the SPARQL text (sparql), the query name (canned), the graph IRI (graph)
    params: tuple[tuple[str, str], ...] = ()
    accept: str = ""                # the client's Accept header (negotiated where the answer's kind is known)
    allow_service: tuple[str, ...] = ()
    max_bytes: int = 0


@dataclass(frozen=True)
class Answer:
    """What a worker sends back: an HTTP status, a media type and a body."""

    status: int
    ctype: str
    body: bytes


class ResultTooLarge(Exception):
    """The serialised answer passed the byte cap; the writer raises it to stop the serialiser."""


class CappedBuffer(io.RawIOBase):
    """A write-only byte sink that raises `ResultTooLarge` once more than `cap` bytes are written."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        if self.cap and len(self.buf) + len(b) > self.cap:
            raise ResultTooLarge(self.cap)
        self.buf += b
        return len(b)

    def getvalue(self) -> bytes:
        return bytes(self.buf)


def _limit_memory(max_bytes: int) -> None:
    """Cap the worker's address space: a query that needs more fails (the allocation aborts the process,
    which the server reports and replaces) instead of driving the machine into swap."""
    if max_bytes > 0:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def _worker_main(conn: Connection, store_path: str, max_memory: int = 0) -> None:
    """A worker's life: open the store read-only, say ready, then answer jobs until the pipe closes."""
    from ..stores.oxigraph import OxigraphStore
    from .run import run_job

    try:
        _limit_memory(max_memory)
        store = OxigraphStore(store_path, read_only=True)
    except Exception as exc:  # reported to the parent, which turns it into a clear start-up error
        conn.send(("fatal", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        ans = run_job(store, job)
        conn.send((ans.status, ans.ctype))
        conn.send_bytes(ans.body)


@dataclass(eq=False)  # identity: workers are kept in a set
class Worker:
    proc: mp.process.BaseProcess
    conn: Connection
    jobs: int = field(default=0)
    ready: bool = False

    def kill(self) -> None:
        """Stop the process now (SIGKILL: a query in Rust code ignores anything gentler) and reap it."""
        try:
            self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()


class Gone(Exception):
    """The client disconnected while its query ran."""


class TimedOut(Exception):
    """The query ran past the time-out."""


class WorkerPool:
    """A fixed number of query processes; a killed one is replaced in the background."""

    def __init__(self, store_path: str, size: int = 2, *, start_timeout: float = 60.0,
                 max_memory: int = 0) -> None:
        self.store_path = store_path
        self.size = size
        self.max_memory = max_memory
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # queries stopped (time-out or client gone): for logs and tests
        workers = [self._start() for _ in range(size)]
        for w in workers:
            self._await_ready(w, start_timeout)
            self._idle.put(w)

    def _start(self) -> Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, self.store_path, self.max_memory), daemon=True,
                                 name="kg-serve-worker")
        proc.start()
        child.close()
        w = Worker(proc, parent)
        with self._lock:
            self._all.add(w)
        return w

    def _await_ready(self, w: Worker, timeout: float) -> None:
        try:
            if not w.conn.poll(timeout):
                w.kill()
                raise StoreError(f"a query worker did not open the store at {self.store_path} in {timeout:.0f} s")
            what, detail = w.conn.recv()
        except (EOFError, OSError):  # it died, or the pool was closed while it started
            raise StoreError(f"a query worker died while opening the store at {self.store_path}") from None
        if what != "ready":
            w.kill()
            raise StoreError(detail)
        w.ready = True

    def _replace(self, w: Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)
            if self._closed:
                return

        def start() -> None:
            try:
                fresh = self._start()
                self._await_ready(fresh, 60.0)
            except StoreError as exc:
                if not self._closed:
                    log.error("could not restart a query worker: %s", exc)
                return
            if self._closed:
                fresh.kill()
            else:
                self._idle.put(fresh)
        threading.Thread(target=start, daemon=True, name="kg-serve-respawn").start()

    def pids(self) -> list[int]:
        """Process ids of the workers that are up (a replacement counts once it has opened the store)."""
        with self._lock:
            return [w.proc.pid for w in self._all if w.ready and w.proc.pid is not None]

    def run(self, job: Job, *, timeout: float, client_gone: Callable[[], bool]) -> Answer:
        """Run a job on a free worker; raise `TimedOut` or `Gone` after killing it, as the case may be.

        The time-out counts from the request's arrival: waiting for a free worker is part of it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                w = self._idle.get(timeout=0.1)
                break
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise TimedOut() from None
                if client_gone():
                    raise Gone() from None
        try:
            w.conn.send(job)
            while not w.conn.poll(0.05):
                if time.monotonic() >= deadline:
                    self.killed += 1
                    self._replace(w)
                    raise TimedOut()
                if client_gone():
                    self.killed += 1
                    self._replace(w)
                    raise Gone()
            status, ctype = w.conn.recv()
            body = w.conn.recv_bytes()
        except (EOFError, OSError) as exc:  # the worker died (out of memory, a crash in Rust)
            self._replace(w)
            return Answer(500, "text/plain; charset=utf-8",
                          f"the query process died ({exc.__class__.__name__}): the query needs more memory "
                          "than a query may take (kg serve --max-memory-mb) or the machine has\n".encode())
        w.jobs += 1
        self._idle.put(w)
        return Answer(status, ctype, body)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
