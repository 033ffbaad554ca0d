"""`kg convert`: PubMed files straight to gzipped N-Quads shards, in parallel, without a store.

One worker per input file (multiprocessing), each streaming records through the same mapping as
`kg ingest` (`kg.pipeline.map_record`; PubMed XML through the compiled reader, kg.rdf.fast) into shards of at most `shard_size` articles, so a worker's
memory is one shard's gzip buffer whatever the file size. Each shard is written to a temporary name and
renamed; a file's `.done` marker (its size and mtime, its shards) is written last, so a re-run skips
inputs whose shards are complete and redoes the others. `DeleteCitation`s become tombstones in
`iris.DELETIONS_GRAPH` in the file's last shard, which `kg load --from` applies.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable

from . import iris
from .records import Article, Deletion, PrebuiltArticle, Rejected
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
        state.update(f=gzip.open(tmp, "wb", compresslevel=1), n=0, tmp=tmp, name=name)

    def close() -> None:
        if state["f"] is not None:
            state["f"].close()
            os.replace(state["tmp"], outdir / state["name"])
            shards.append(state["name"])
            state["f"] = None

    # Which copy of each PMID survives, decided before writing, so graphs stream out in constant memory:
    # a later, higher version replaces an earlier one and a DeleteCitation in the file drops the PMID, as
    # `kg ingest` does (a shard must never hold two versions in one graph).
    keep = _survivors(path) if fmt in (None, "pubmed") else None
    seen: dict[str, int] = {}

    def write(m: Mapped) -> None:
        if state["f"] is None or state["n"] >= shard_size:
            open_next()
        state["f"].write(m.nquads)
        state["n"] += 1
        res.articles += m.kind == "article"

    for rec in read_path(path, fmt, prebuilt_at=generated):
        if isinstance(rec, Rejected):
            res.rejected += 1
            errors.append(str(rec.error))
            if rec.error.pmid:  # a rejected copy still counts as an occurrence of its PMID
                seen[rec.error.pmid] = seen.get(rec.error.pmid, 0) + 1
        elif isinstance(rec, Deletion):
            res.deleted += 1
            a, dg = iri(iris.article(rec.pmid)), iri(iris.DELETIONS_GRAPH)
            tombstones.append(f"{a} {iri(RDF.type)} {iri(KG.DeletedCitation)} {dg} .\n"
                              f"{a} {iri(PROV.invalidatedAtTime)} {typed(generated, XSD_DATETIME)} {dg} .\n")
        else:
            if keep is not None and isinstance(rec, (Article, PrebuiltArticle)):
                n = seen[rec.pmid] = seen.get(rec.pmid, 0) + 1
                if keep.get(rec.pmid) != n:  # superseded by a later copy, or deleted later in the file
                    continue
            try:
                m = map_record(rec, path=path, fmt=fmt, generated=generated)
            except InputError as exc:
                res.rejected += 1
                errors.append(str(exc))
                continue
            write(m)
    if tombstones:
        if state["f"] is None:
            open_next()
        state["f"].write("".join(tombstones).encode())
    close()
    _marker(outdir, path).write_text(json.dumps({"source": _fingerprint(path), "shards": shards,
                                                 "articles": res.articles, "deleted": res.deleted}))
    res.shards = len(shards)
    res.errors = tuple(errors)
    return res


_RECORD_PMID = re.compile(rb"<(?:MedlineCitation|BookDocument)\b[^>]*>\s*<PMID\b([^>]*)>\s*(\d+)\s*</PMID>")
_VERSION = re.compile(rb'Version="(\d+)"')
_DELETE = re.compile(rb"<DeleteCitation>(.*?)</DeleteCitation>", re.S)
_PMID = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")
_ENDS = (b"</PubmedArticle>", b"</PubmedBookArticle>", b"</DeleteCitation>")


def _survivors(path: str) -> dict[str, int]:
    """{PMID: which occurrence (1-based) of its records to write}: the last copy with the highest version;
    PMIDs deleted by a DeleteCitation in the same file are left out. A fast regex scan of the raw bytes,
    block by block; each scan ends at a record's end and the rest waits for the next block."""
    from .ingest import open_source

    best: dict[str, tuple[int, int]] = {}  # pmid -> (version, occurrence)
    count: dict[str, int] = {}
    deleted: set[str] = set()
    tail = b""
    try:
        with open_source(path) as f:
            while True:
                block = f.read(1 << 22)
                data = tail + block
                if block:
                    ends = [i + len(t) for t in _ENDS if (i := data.rfind(t)) >= 0]
                    if not ends:  # no record ends in this block yet: read on
                        tail = data
                        continue
                    scan, tail = data[:max(ends)], data[max(ends):]
                else:
                    scan, tail = data, b""
                for m in _RECORD_PMID.finditer(scan):
                    pmid = m.group(2).decode()
                    v = _VERSION.search(m.group(1))
                    version = int(v.group(1)) if v else 1
                    n = count[pmid] = count.get(pmid, 0) + 1
                    if pmid not in best or version >= best[pmid][0]:
                        best[pmid] = (version, n)
                for d in _DELETE.finditer(scan):
                    deleted.update(x.decode() for x in _PMID.findall(d.group(1)))
                if not block:
                    break
    except (OSError, EOFError):
        pass  # the read itself reports a broken file; keep what the scan saw
    return {pmid: n for pmid, (_, n) in best.items() if pmid not in deleted}


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
