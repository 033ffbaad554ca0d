"""`kg convert`: PubMed files straight to gzipped N-Quads shards, in parallel, without a store.

One worker per input file (multiprocessing), each streaming records through the same mapping as
`kg ingest` (`kg.pipeline.map_record`; PubMed XML through the compiled mapping, kg.rdf.fast) into shards
of at most `shard_size` articles, so a worker's memory is one shard's gzip buffer plus about 130 bytes
per graph of the file (4 MB for a 30,000-article baseline file). Each file is read once: its shards are held under temporary names until
the file is done and it is known which copy of each PMID survives (decision 0027), then renamed; a
file's `.done` marker (its input's path, size and mtime, its shards) is written last, so a re-run skips
inputs whose shards are complete and redoes the others. `DeleteCitation`s become tombstones in
`iris.DELETIONS_GRAPH` in the file's last shard, which `kg load --from` applies.

The same per-file task runs on a process pool (`jobs`) or, past one machine, as Dask tasks on a Dask
distributed cluster (`scheduler`, decision 0021). Either way a task's output depends only on its input
file and the run's timestamp (one per run, taken by the caller, or `SOURCE_DATE_EPOCH`; gzip headers carry
no time), so a task that a lost worker leaves half done is simply run again and writes the same bytes
(the same gzip bytes where the workers share a gzip library, `kg.gzipio`: ISA-L or zlib; the same
N-Quads whichever).
The output may be a local folder or an fsspec URL (`s3://bucket/shards`): shards are then written to a
local temporary file and uploaded whole, the marker last.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from . import gzipio, iris
from .errors import ConvertError
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


def is_url(out: str) -> bool:
    """An fsspec URL (`s3://...`, `memory://...`) rather than a local folder; `file://` counts as a URL too."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", out) is not None


class Output:
    """Where a run's shards go: a local folder (temporary name, then an atomic rename) or an fsspec URL
    (a local temporary file uploaded whole; object stores have no rename, and an upload is all or nothing)."""

    def __init__(self, out: str) -> None:
        self.out = out
        self.fs: Any  # an fsspec file system (untyped), None for a local folder
        self.root: str
        if is_url(out):
            try:
                import fsspec
            except ImportError as exc:
                raise ConvertError(f"output {out} is a URL: install fsspec (pip install 'kg[dask]')") from exc
            self.fs, self.root = fsspec.core.url_to_fs(out)
            self.root = self.root.rstrip("/")
        else:
            self.fs, self.root = None, out

    def path(self, name: str) -> str:
        return f"{self.root}/{name}" if self.fs is not None else os.path.join(self.root, name)

    def makedirs(self) -> None:
        if self.fs is None:
            Path(self.root).mkdir(parents=True, exist_ok=True)
        else:
            self.fs.makedirs(self.root, exist_ok=True)

    def exists(self, name: str) -> bool:
        return self.fs.exists(self.path(name)) if self.fs is not None else os.path.exists(self.path(name))

    def read_text(self, name: str) -> str:
        if self.fs is None:
            return Path(self.path(name)).read_text()
        with self.fs.open(self.path(name), "rt") as f:
            text: str = f.read()
            return text

    def write_text(self, name: str, text: str) -> None:
        if self.fs is None:
            tmp = self.path(name + ".tmp")
            Path(tmp).write_text(text)
            os.replace(tmp, self.path(name))
        else:
            self.fs.pipe_file(self.path(name), text.encode())

    def staging(self) -> str:
        """A local folder for shards being written: the output itself, or a fresh temporary folder."""
        return self.root if self.fs is None else tempfile.mkdtemp(prefix="kg-convert-")

    def publish(self, local_tmp: str, name: str) -> None:
        """Move a finished shard (a local temporary file) to its final name."""
        if self.fs is None:
            os.replace(local_tmp, self.path(name))
        else:
            self.fs.put_file(local_tmp, self.path(name))
            os.remove(local_tmp)


def _marker(stem: str) -> str:
    return f"{stem}.done"


def _fingerprint(path: str) -> dict[str, int]:
    st = os.stat(path)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _marker_info(o: Output, stem: str) -> dict[str, Any] | None:
    try:
        info = json.loads(o.read_text(_marker(stem)))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _complete(o: Output, info: dict[str, Any] | None, path: str, nlp: bool) -> bool:
    return (info is not None and info.get("source") == _fingerprint(path) and bool(info.get("nlp", False)) == nlp
            and all(o.exists(s) for s in info.get("shards", [])))


def is_complete(out: Path | str | Output, path: str, nlp: bool = False, stem: str | None = None) -> bool:
    """Whether `path` was converted whole into `out` (under `stem`, by default its file name) by a run of
    the same kind (text mining on or off: shards made without it are not what a `--nlp` run asks for, and
    the reverse)."""
    o = out if isinstance(out, Output) else Output(str(out))
    return _complete(o, _marker_info(o, stem or _stem(path)), path, nlp)


def _leaves_name_to(info: dict[str, Any] | None, path: str) -> bool:
    """Whether a marker (None: no marker) leaves its name to `path`: no marker, a marker of an earlier kg
    (no input recorded), of this very input, or of a file with this one's size and time (moved)."""
    if info is None or not isinstance(info.get("input"), str):
        return True
    return bool(info["input"] == os.path.abspath(path) or info.get("source") == _fingerprint(path))


def shard_stems(paths: list[str], output: Output) -> list[str]:
    """The name each input's shards and marker take: its file name without the format suffixes, or, when
    another input of the run or a marker already in the output holds that name (`2023/p.xml` and
    `2024/p.xml` would overwrite each other's shards), that name with a short hash of the input's absolute
    path. The first input of a name keeps it, and an input that wrote shards under a name keeps that name
    in later runs, so a re-run skips what is complete whatever else is given with it."""
    stems: list[str] = []
    taken: set[str] = set()
    for p in paths:
        stem = _stem(p)
        if stem in taken or not _leaves_name_to(_marker_info(output, stem), p):
            stem = f"{stem}-{hashlib.sha256(os.path.abspath(p).encode()).hexdigest()[:8]}"
        taken.add(stem)
        stems.append(stem)
    return stems


def run_timestamp() -> str:
    """The generation time written into every graph of a run: now, or `SOURCE_DATE_EPOCH` when set (the
    reproducible-builds convention), so that two runs over the same inputs can write identical shards."""
    from .rdf.provenance import now

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return now()
    try:
        t = datetime.fromtimestamp(int(epoch), timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise ConvertError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds") from exc
    return t.isoformat().replace("+00:00", "Z")


def convert_file(path: str, out: str, shard_size: int, fmt: str | None = None,
                 generated: str | None = None, nlp: bool = False, stem: str | None = None) -> FileResult:
    """Convert one input file into shards under `out` (folder or URL) named after `stem` (by default the
    file name; `convert` picks one per input, `shard_stems`), unless its shards are complete.

    Safe to run again after a crash at any point, including on another machine: shards are written under
    temporary names and published whole, the `.done` marker last."""
    output = Output(out)
    res = FileResult(path)
    stem = stem or _stem(path)
    if _complete(output, _marker_info(output, stem), path, nlp):
        res.skipped = True
        return res
    generated = generated or run_timestamp()
    staging = output.staging()
    try:
        return _convert_file(path, output, staging, stem, shard_size, fmt, generated, res, nlp)
    finally:
        if staging != output.root:
            shutil.rmtree(staging, ignore_errors=True)


def _convert_file(path: str, output: Output, staging: str, stem: str, shard_size: int, fmt: str | None,
                  generated: str, res: FileResult, nlp: bool = False) -> FileResult:
    from .ingest import read_path
    from .errors import InputError
    from .pipeline import compiled_hooks, map_record
    from .rdf.nt import XSD_DATETIME, iri, typed

    # One pass writes every graph as it comes (shards held under temporary names) and notes each one's PMID,
    # version and length; which copy of a PMID survives is decided at the end, from the records themselves.
    # A file with no PMID twice and no deletion of its own records (every baseline file) is then published
    # as written; otherwise its held shards are copied once more into new ones, keeping only the survivors
    # (`_survivors`), so the shards are the same as if only survivors had been written (a shard must never
    # hold two versions in one graph; a later, higher version replaces an earlier one and a DeleteCitation
    # in the file drops the PMID, as `kg ingest` does).
    held = _ShardWriter(output, staging, stem, shard_size, hold=True)
    written: list[_Written] = []
    tombstones: list[str] = []
    deleted: set[str] = set()
    errors: list[str] = []

    for rec in read_path(path, fmt, hook_for=compiled_hooks(generated, nlp=nlp)):
        if isinstance(rec, Rejected):
            res.rejected += 1
            errors.append(str(rec.error))
        elif isinstance(rec, Deletion):
            res.deleted += 1
            deleted.add(rec.pmid)
            a, dg = iri(iris.article(rec.pmid)), iri(iris.DELETIONS_GRAPH)
            tombstones.append(f"{a} {iri(RDF.type)} {iri(KG.DeletedCitation)} {dg} .\n"
                              f"{a} {iri(PROV.invalidatedAtTime)} {typed(generated, XSD_DATETIME)} {dg} .\n")
        else:
            try:
                m = map_record(rec, path=path, fmt=fmt, generated=generated, nlp=nlp)
            except InputError as exc:
                res.rejected += 1
                errors.append(str(exc))
                continue
            held.write(m.nquads)
            # Only citation records compete by PMID (full-text documents are written whatever their PMID).
            competes = isinstance(rec, (Article, PrebuiltArticle))
            written.append(_Written(m.pmid if competes else None, m.version, len(m.nquads), m.kind == "article"))
    tail = "".join(tombstones).encode()
    keep = _survivors(written, deleted)
    if keep is None:  # nothing to drop: the shards as written
        if tail:
            held.tail(tail)
        held.close()
        held.publish()
        shards = held.shards
        res.articles = sum(w.article for w in written)
    else:
        held.close()
        shards, res.articles = _rewrite(held, written, keep, tail, output, staging, stem, shard_size)
    info: dict[str, object] = {"input": os.path.abspath(path), "source": _fingerprint(path), "shards": shards,
                               "articles": res.articles, "deleted": res.deleted}
    if nlp:
        info["nlp"] = True
    output.write_text(_marker(stem), json.dumps(info))
    res.shards = len(shards)
    res.errors = tuple(errors)
    return res


@dataclass(frozen=True, slots=True)
class _Written:
    """One graph as the first pass wrote it: its PMID (None for a record that does not compete by PMID),
    version, length in the shard's N-Quads, and whether it counts as an article."""

    pmid: str | None
    version: int
    size: int
    article: bool


def _survivors(written: list[_Written], deleted: set[str]) -> list[bool] | None:
    """Which written graphs stay, in order, or None when all of them do (the common case, decided in one
    look at the PMIDs). A PMID's surviving copy is its last one with the highest version; a PMID that a
    DeleteCitation of the same file names keeps none (its tombstone stays). Rejected copies do not compete:
    they were never written, and a broken later copy must not hide a good earlier one."""
    pmids = [w.pmid for w in written if w.pmid is not None]
    if len(set(pmids)) == len(pmids) and deleted.isdisjoint(pmids):
        return None
    best: dict[str, tuple[int, int]] = {}  # pmid -> (version, index of the copy)
    for i, w in enumerate(written):
        if w.pmid is not None and (w.pmid not in best or w.version >= best[w.pmid][0]):
            best[w.pmid] = (w.version, i)
    winners = {i for pmid, (_, i) in best.items() if pmid not in deleted}
    return [w.pmid is None or i in winners for i, w in enumerate(written)]


def _rewrite(held: _ShardWriter, written: list[_Written], keep: list[bool], tail: bytes, output: Output,
             staging: str, stem: str, shard_size: int) -> tuple[list[str], int]:
    """Copy the surviving graphs of the held shards, in order, into new shards of `shard_size` graphs,
    the tombstones last, and drop the held ones: (the shards' names, the articles they hold).

    Held shards before the one holding the first dropped graph are already what a run writing only the
    survivors would write (same graphs, same cuts) and are published as they are, unless no survivor
    follows them (the tombstones go into the last shard with a survivor); from there on, the file's
    N-Quads are read and compressed once more, which costs less than reading the XML again."""
    last_kept = max((i for i, k in enumerate(keep) if k), default=0)
    first_shard = min(keep.index(False), last_kept) // shard_size
    held.publish(first_shard)
    out = _ShardWriter(output, staging, stem, shard_size, first=first_shard)
    articles = sum(w.article for w in written[:first_shard * shard_size])
    try:
        i = first_shard * shard_size
        for local in held.held:
            with open(local, "rb") as raw, gzipio.reader(raw) as f:
                for w in written[i:i + shard_size]:
                    data = f.read(w.size)
                    if keep[i]:
                        out.write(data)
                        articles += w.article
                    i += 1
        if tail:
            out.tail(tail)
        out.close()
    finally:
        held.discard()
    return held.shards + out.shards, articles


class _ShardWriter:
    """The shards of one input file, opened as graphs arrive: at most `size` graphs each, written under a
    temporary name and published whole when full or at the end; with `hold`, kept under their temporary
    names until `publish` (or `discard`), for a file whose survivors are not known yet."""

    HELD = ".held.tmp"  # a held shard's suffix, after its final name

    def __init__(self, output: Output, staging: str, stem: str, size: int, hold: bool = False,
                 first: int = 0) -> None:
        self.output, self.staging, self.stem, self.size, self.hold = output, staging, stem, size, hold
        self.first = first  # the number of this writer's first shard (a rewrite's, after the shards kept)
        self.shards: list[str] = []  # published, in order
        self.held: list[str] = []  # closed under their temporary names (hold), in order
        self.f: IO[bytes] | None = None
        self.raw: IO[bytes] | None = None
        self.n = 0  # graphs in the open shard
        self.name = ""

    def _open(self) -> IO[bytes]:
        self.close()
        self.name = f"{self.stem}.{self.first + len(self.shards) + len(self.held):04d}.nq.gz"
        # A held shard has a name of its own: the rewrite writes the final shards' temporary names while
        # it reads the held ones.
        tmp = self.name + (self.HELD if self.hold else ".tmp")
        self.raw = open(os.path.join(self.staging, tmp), "wb")
        # No file name and no time in the gzip header: a shard's bytes depend on its content (and on the
        # gzip library, kg.gzipio) only.
        self.f = gzipio.writer(self.raw)
        self.n = 0
        return self.f

    def write(self, nquads: bytes) -> None:
        """One graph's N-Quads."""
        f = self.f if self.f is not None and self.n < self.size else self._open()
        f.write(nquads)
        self.n += 1

    def tail(self, data: bytes) -> None:
        """Bytes that go into the last shard whatever its count (the file's tombstones)."""
        (self.f or self._open()).write(data)

    def close(self) -> None:
        if self.f is not None and self.raw is not None:
            self.f.close()
            self.raw.close()
            if self.hold:
                self.held.append(self.raw.name)
            else:
                self.output.publish(self.raw.name, self.name)
                self.shards.append(self.name)
            self.f = self.raw = None

    def publish(self, count: int | None = None) -> None:
        """Give the first `count` held shards (all by default) their final names, in order."""
        count = len(self.held) if count is None else count
        for local in self.held[:count]:
            name = os.path.basename(local).removesuffix(self.HELD)
            self.output.publish(local, name)
            self.shards.append(name)
        self.held = self.held[count:]

    def discard(self) -> None:
        for local in self.held:
            try:
                os.remove(local)
            except FileNotFoundError:
                pass
        self.held = []


class ConvertProgress:
    """A progress bar on stderr (tqdm) for `kg convert`, only when stderr is a terminal (or asked for).

    A run is files converted in parallel, each in one task, so the bar moves as files finish: its total
    is the size of the input files as stored, its position the sizes of the files done (compressed bytes
    for .gz, so percentage and time left hold for gzip too); files, articles and the rate since the start
    follow on the same line. A whole baseline is 1,300 files of about 30,000 articles: a step per file is
    a few seconds of two workers.
    """

    def __init__(self, enabled: bool | None = None, *, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.bar: Any = None  # a tqdm bar once begun
        self.sizes: dict[str, int] = {}
        self.files = self.articles = 0
        self.start = time.monotonic()

    def begin(self, paths: list[str]) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        self.sizes = {p: os.path.getsize(p) for p in paths}
        self.start = time.monotonic()
        self.bar = tqdm(total=sum(self.sizes.values()), file=self.stream, unit="B", unit_scale=True,
                        unit_divisor=1024, dynamic_ncols=True, desc="convert", leave=True, mininterval=0.5)

    def done(self, r: FileResult) -> None:
        if self.bar is None:
            return
        self.files += 1
        self.articles += r.articles
        rate = self.articles / max(time.monotonic() - self.start, 1e-9)
        self.bar.update(self.sizes.get(r.path, 0))
        self.bar.set_postfix_str(f"{self.files:,}/{len(self.sizes):,} files, {self.articles:,} articles "
                                 f"({rate:,.0f}/s)", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


Task = tuple[str, str, int, "str | None", str, bool, str]  # convert_file's arguments: one input file


def _work(args: Task) -> FileResult:
    return convert_file(*args)


def convert(paths: Iterable[str], out: str, *, jobs: int = 1, shard_size: int = 5000,
            fmt: str | None = None, scheduler: str | None = None,
            generated: str | None = None, nlp: bool = False,
            progress: ConvertProgress | None = None) -> list[FileResult]:
    """Convert every input file; on a process pool of `jobs` workers, or on the Dask cluster whose
    scheduler listens at `scheduler` (tcp://host:8786). Results are in completion order. With `nlp`
    each graph also holds the text mining of its title and abstract, as `kg ingest` writes it."""
    from .ingest import expand_paths

    generated = generated or run_timestamp()
    files = [p for p, _ in expand_paths(paths)]
    if "-" in files:
        raise ConvertError("kg convert reads files, not standard input (-): its shards are named after the "
                           "input file and a re-run skips files already converted; save the input to a file, "
                           "or use kg ingest - for a store")
    missing = [p for p in files if not os.path.isfile(p)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ConvertError(f"no such file or folder: {missing[0]}{more}")
    output = Output(out)
    if output.fs is None and os.path.exists(out) and not os.path.isdir(out):
        raise ConvertError(f"output {out} is a file: give a folder (created if missing) or a URL")
    todo: list[Task] = [(p, out, shard_size, fmt, generated, nlp, stem)
                        for p, stem in zip(files, shard_stems(files, output))]
    output.makedirs()
    progress = progress or ConvertProgress(enabled=False)
    results: list[FileResult] = []
    with ExitStack() as stack:
        progress.begin(files)
        stack.callback(progress.close)
        if scheduler is not None:
            done: Iterable[FileResult] = convert_on_dask(todo, scheduler)
        elif jobs <= 1 or len(todo) <= 1:
            done = (_work(t) for t in todo)
        else:
            # fork keeps start-up cheap; each task is one whole file, so memory per worker stays one shard.
            pool = stack.enter_context(get_context("fork").Pool(jobs, maxtasksperchild=50))
            done = pool.imap_unordered(_work, todo)
        for r in done:  # in completion order
            results.append(r)
            progress.done(r)
    return results


def convert_on_dask(todo: list[Task], scheduler: str) -> Iterator[FileResult]:
    """One Dask task per input file. A worker that dies takes its running tasks with it; the scheduler
    gives them to another worker (up to `distributed.scheduler.allowed-failures` times), and since a
    task only publishes whole shards and writes its marker last, the re-run starts clean and ends with the
    same bytes. Inputs must be readable at the same path on every worker (a shared file system)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ConvertError("--scheduler needs Dask distributed: pip install 'kg[dask]'") from exc
    try:
        client = Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise ConvertError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        # The key names the file, so the dashboard and the scheduler's log say which one a task is; the
        # run's token keeps two runs on one cluster apart.
        run = uuid.uuid4().hex[:8]
        futures = [client.submit(convert_file, *t, key=f"kg-convert-{run}-{i}-{t[6]}", retries=2)
                   for i, t in enumerate(todo)]
        for f in as_completed(futures):  # type: ignore[no-untyped-call]
            yield f.result()
