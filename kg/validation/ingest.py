"""The validator `kg ingest` runs on every batch of article graphs (the compiled checker, in parallel)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

from .api import mesh_context, pmid_of, validate_graphs
from .loading import CORE_SHAPES, MESH_VOCABULARY_SHAPES, compiled
from .model import Context
from .report import problem

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

    from ..stores.base import Store


def _violations(names: tuple[str, ...], graphs: list[tuple[str, str]], context: Context) -> dict[str, list[str]]:
    """{pmid: [problems]} of the graphs with sh:Violation results."""
    bad: dict[str, list[str]] = {}
    for r in validate_graphs(graphs, shapes=compiled(names), context=context):
        if r.severity == "Violation":
            pm = r.pmid or pmid_of(r.graph) or "?"
            bad.setdefault(pm, []).append(problem(r))
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
        self._pool: Pool | None = None

    def _get_pool(self) -> Pool | None:
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


def ingest_validator(store: Store | None = None, *, workers: int | None = None,
                     parallel_min: int = 200) -> IngestValidator:
    """The validator `kg ingest` uses; with a store, the MeSH vocabulary in it adds the allowable-qualifier check."""
    context = mesh_context(store) if store is not None else []
    return IngestValidator(context=context, workers=workers, parallel_min=parallel_min)
