"""`kg convert`: PubMed files straight to gzipped N-Quads shards, in parallel, without a store.

One worker per input file (multiprocessing), each streaming records through the same mapping as
`kg ingest` (`kg.pipeline.article_nquads`) into shards of at most `shard_size` articles, so a worker's
memory is one shard's gzip buffer whatever the file size. Each shard is written to a temporary name and
renamed; a file's `.done` marker (its size and mtime, its shards) is written last, so a re-run skips
inputs whose shards are complete and redoes the others. `DeleteCitation`s become tombstones in
`iris.DELETIONS_GRAPH` in the file's last shard, which `kg load --from` applies.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable

from . import iris
from .records import Article, Deletion, Rejected
from .vocab import KG, PROV, RDF


@dataclass
class FileResult:
    path: str
    articles: int = 0
    deleted: int = 0
    rejected: int = 0
    shards: int = 0
    skipped: bool = False
    errors: tuple[str, ...] = ()


def _stem(path: str) -> str:
    name = os.path.basename(path)
    for suf in (".gz", ".xml", ".medline", ".nbib", ".txt"):
        if name.endswith(suf):
            name = name[: -len(suf)]
    return name


def _marker(out: Path, path: str) -> Path:
    return out / f"{_stem(path)}.done"


def _fingerprint(path: str) -> dict:
    st = os.stat(path)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def is_complete(out: Path, path: str) -> bool:
    m = _marker(out, path)
    try:
        info = json.loads(m.read_text())
    except (OSError, ValueError):
        return False
    return info.get("source") == _fingerprint(path) and all((out / s).exists() for s in info.get("shards", []))


def convert_file(path: str, out: str, shard_size: int, fmt: str | None = None) -> FileResult:
    from .ingest import read_path
    from .errors import InputError
    from .pipeline import Mapped, map_record
    from .rdf.nt import XSD_DATETIME, iri, typed
    from .rdf.provenance import now

    outdir = Path(out)
    res = FileResult(path)
    if is_complete(outdir, path):
        res.skipped = True
        return res
    generated = now()
    stem = _stem(path)
    shards: list[str] = []
    tombstones: list[str] = []
    errors: list[str] = []
    state = {"f": None, "n": 0, "tmp": None, "name": None}

    def open_next() -> None:
        close()
        name = f"{stem}.{len(shards):04d}.nq.gz"
        tmp = outdir / (name + ".tmp")
        state.update(f=gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1), n=0, tmp=tmp, name=name)

    def close() -> None:
        if state["f"] is not None:
            state["f"].close()
            os.replace(state["tmp"], outdir / state["name"])
            shards.append(state["name"])
            state["f"] = None

    # A shard's graphs are held until the shard is written, so a later version of a PMID in the same
    # shard replaces the earlier one (as `kg ingest` does) instead of both landing in one graph.
    pending: dict[str, Mapped] = {}

    def write_pending() -> None:
        if not pending:
            return
        open_next()
        state["f"].write("".join(m.nquads for m in pending.values()))
        state["n"] = len(pending)
        res.articles += sum(m.kind == "article" for m in pending.values())
        pending.clear()

    for rec in read_path(path, fmt):
        if isinstance(rec, Rejected):
            res.rejected += 1
            errors.append(str(rec.error))
        elif isinstance(rec, Deletion):
            res.deleted += 1
            for key in [k for k, m in pending.items() if m.pmid == rec.pmid]:
                del pending[key]
            a, dg = iri(iris.article(rec.pmid)), iri(iris.DELETIONS_GRAPH)
            tombstones.append(f"{a} {iri(RDF.type)} {iri(KG.DeletedCitation)} {dg} .\n"
                              f"{a} {iri(PROV.invalidatedAtTime)} {typed(generated, XSD_DATETIME)} {dg} .\n")
        else:
            current = pending.get(iris.article_graph(rec.pmid)) if isinstance(rec, Article) else None
            if current is not None and current.version > rec.version:
                continue
            try:
                m = map_record(rec, path=path, fmt=fmt, generated=generated)
            except InputError as exc:
                res.rejected += 1
                errors.append(str(exc))
                continue
            pending.pop(m.graph, None)
            pending[m.graph] = m
            if len(pending) >= shard_size:
                write_pending()
    write_pending()
    if tombstones:
        if state["f"] is None:
            open_next()
        state["f"].write("".join(tombstones))
    close()
    _marker(outdir, path).write_text(json.dumps({"source": _fingerprint(path), "shards": shards,
                                                 "articles": res.articles, "deleted": res.deleted}))
    res.shards = len(shards)
    res.errors = tuple(errors)
    return res


def _work(args: tuple[str, str, int, str | None]) -> FileResult:
    return convert_file(*args)


def convert(paths: Iterable[str], out: str, *, jobs: int = 1, shard_size: int = 5000,
            fmt: str | None = None) -> list[FileResult]:
    from .ingest import expand_paths

    Path(out).mkdir(parents=True, exist_ok=True)
    todo = [(p, out, shard_size, fmt) for p, _ in expand_paths(paths)]
    if jobs <= 1 or len(todo) <= 1:
        return [_work(t) for t in todo]
    # fork keeps start-up cheap; each task is one whole file, so memory per worker stays one shard.
    with get_context("fork").Pool(jobs, maxtasksperchild=50) as pool:
        return list(pool.imap_unordered(_work, todo))
