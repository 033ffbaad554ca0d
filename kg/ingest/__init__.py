"""One ingestor per source format, behind one small interface; `INGESTORS` is the only registry.

An ingestor is a function ``read(stream, path) -> Iterator[Record]`` plus how to recognise its files.
A reader that parses one element per record may also offer ``read_elements(stream, path, hook)``: the
caller's hook sees each record element first and may return the records for it (the run layer passes the
compiled mapping of `kg.rdf.fast.FAST_MAPPINGS` this way), and ``text_record(element)``: the element's
title and abstract as a record, for text mining beside such a hook. Readers never make RDF themselves.
`kg ingest --format` choices, suffix guessing and content sniffing all derive from `INGESTORS`: adding a
format is one module and one `register(...)` line.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import sys
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, Iterator, cast

from .. import gzipio
from ..errors import InputError
from ..records import Article, Record, Rejected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingestor:
    name: str
    description: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    read: Callable[[IO[bytes], str], Iterator[Record]]
    read_elements: Callable[[IO[bytes], str, ElementHook], Iterator[Record]] | None = None
    text_record: Callable[[Any], Article] | None = None


# A caller's hook on a reader's record elements (`Ingestor.read_elements`): (element, path) -> the records
# for that element, or None to let the reader make them itself.
ElementHook = Callable[[Any, str], "Iterable[Record] | None"]
# Given the ingestor a file is read with and the file, the hook to run on its record elements, or None.
HookFor = Callable[[Ingestor, str], "ElementHook | None"]


INGESTORS: dict[str, Ingestor] = {}


def register(ingestor: Ingestor) -> Ingestor:
    INGESTORS[ingestor.name] = ingestor
    return ingestor


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A function of `kg.ingest.<module>` imported on first call, so `kg --help` never imports lxml or json
    readers it does not need."""
    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)(*args)
    call.__name__ = f"{module}.{name}"
    return call


def _sniff_pubmed(head: bytes) -> bool:
    return any(t in head for t in (b"<PubmedArticle", b"<PubmedBookArticle", b"<DeleteCitation"))


def _sniff_medline(head: bytes) -> bool:
    return head.lstrip().startswith(b"PMID-")


register(Ingestor("pubmed", "PubMed XML: efetch output, baseline and update files (.xml, .xml.gz)",
                  (".xml",), _sniff_pubmed, _lazy("pubmed_xml", "read"),
                  read_elements=_lazy("pubmed_xml", "read_elements"), text_record=_lazy("pubmed_xml", "text_record")))
register(Ingestor("medline", "MEDLINE tagged text (.txt, .medline, .nbib)",
                  (".medline", ".nbib"), _sniff_medline, _lazy("medline", "read")))
register(Ingestor("jats", "PMC full text in JATS XML (.nxml; efetch db=pmc output)",
                  (".nxml",), _lazy("jats", "sniff"), _lazy("jats", "read")))
register(Ingestor("pubtator", "PubTator text: PMID|t|, PMID|a|, annotation and relation lines (.pubtator)",
                  (".pubtator", ".pubtator.txt"), _lazy("pubtator", "sniff"), _lazy("pubtator", "read")))
register(Ingestor("bioc-xml", "BioC XML with PubTator annotations and relations (.bioc.xml)",
                  (".bioc.xml",), _lazy("bioc", "sniff_xml"), _lazy("bioc", "read_xml")))
register(Ingestor("bioc-json", "BioC JSON as the PubTator3 API returns it (.bioc.json, .biocjson)",
                  (".bioc.json", ".biocjson"), _lazy("bioc", "sniff_json"), _lazy("bioc", "read_json")))


class TruncationGuard(io.RawIOBase):
    """Reads a gzip stream; a truncated or corrupt stream ends early instead of raising mid-parse.

    The reader then sees a premature end, so every record completed before the damage is still
    yielded; `truncated` tells it to name the damaged stream and count the records read before it.
    `rescue(n)`, when given, is called once at the damage for a reader of the same stream already past
    its first `n` decompressed bytes (the standard library's, which gives up fewer bytes before the
    damage than ISA-L: kg.gzipio.standard_reader); reading goes on from it.
    """

    def __init__(self, gz: IO[bytes], rescue: Callable[[int], IO[bytes]] | None = None) -> None:
        self.gz = gz
        self.rescue = rescue
        self.delivered = 0  # decompressed bytes handed over so far
        self.truncated: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if self.truncated:
            return 0
        while True:
            try:
                data = self.gz.read1(min(len(buf), 1 << 16))  # type: ignore[attr-defined]  # read1: hand over what was decompressed before a cut
                break
            except gzipio.ERRORS as exc:
                rescue, self.rescue = self.rescue, None
                try:
                    if rescue is None:
                        raise
                    self.gz = rescue(self.delivered)
                except gzipio.ERRORS:
                    self.truncated = str(exc) or type(exc).__name__
                    return 0
        buf[: len(data)] = data
        self.delivered += len(data)
        return len(data)


class GuardedReader(io.BufferedReader):
    """A buffered reader that exposes its guard's `truncated` flag."""

    @property
    def truncated(self) -> str | None:
        return getattr(self.raw, "truncated", None)


# The raw (still compressed) file of each source being read: `bytes_read` tells progress displays how far
# into its file the reader is, in the bytes `kg ingest` counts its total in, so a .gz file's bar is right.
_OPEN_FILES: dict[str, IO[bytes]] = {}


def bytes_read(path: str) -> int | None:
    """How many bytes of `path` (as stored on disk: compressed for .gz) were read so far, None when the
    file is not open or is stdin."""
    f = _OPEN_FILES.get(path)
    if f is None:
        return None
    try:
        return f.tell()
    except (OSError, ValueError):  # closed meanwhile
        return None


@contextmanager
def open_source(path: str) -> Iterator[IO[bytes]]:
    """A buffered, decompressed binary stream for a path or '-' (stdin); files stay seekable, gzip is
    recognised by its magic bytes, not its name."""
    f: io.BufferedReader
    if path == "-":
        f = io.BufferedReader(sys.stdin.buffer, buffer_size=1 << 20)  # type: ignore[arg-type]
    else:
        f = cast(io.BufferedReader, open(path, "rb", buffering=1 << 20))  # what open gives for "rb" and a buffer size
        _OPEN_FILES[path] = f
    try:
        if f.peek(2)[:2] == b"\x1f\x8b":
            if path == "-":  # no second read of a pipe: the reader that keeps the most before damage
                with gzipio.standard_reader(f) as gz:
                    yield GuardedReader(TruncationGuard(gz), buffer_size=1 << 20)
            else:
                with gzipio.reader(f) as gz:  # ISA-L where installed (kg.gzipio)
                    rescue = None if gzipio.BACKEND == "zlib" else partial(_reread, f)
                    yield GuardedReader(TruncationGuard(gz, rescue), buffer_size=1 << 20)
        else:
            yield f
    finally:
        if path != "-":
            _OPEN_FILES.pop(path, None)
            f.close()


def _reread(f: IO[bytes], skip: int) -> IO[bytes]:
    """The standard library's reader of a damaged gzip file, past the `skip` bytes read already."""
    f.seek(0)
    gz = gzipio.standard_reader(f)
    while skip > 0:
        got = len(gz.read(min(skip, 1 << 20)))
        if not got:
            raise EOFError("the gzip stream ends before the point the first reader reached")
        skip -= got
    return gz


def _strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def detect(path: str, head: bytes) -> Ingestor:
    """Pick the ingestor by content first (names lie: '.txt' may be XML), then by suffix."""
    for ing in INGESTORS.values():
        if ing.sniff(head):
            return ing
    name = _strip_gz(path.lower())
    for ing in INGESTORS.values():
        if any(name.endswith(s) for s in ing.suffixes):
            return ing
    raise InputError("cannot tell the format of this file; give --format "
                     f"({', '.join(INGESTORS)})", path=path)


def expand_paths(paths: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(file, found in a folder): files as given; folders walked recursively in sorted order, skipping
    hidden files."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield os.path.join(root, f), True
        else:
            yield p, False


def read_path(path: str, fmt: str | None = None, *, skip_unknown: bool = False,
              hook_for: HookFor | None = None) -> Iterator[Record]:
    """All records of one file; problems opening or reading it come out as `Rejected` records.

    With `skip_unknown` (files found by walking a folder), a file of no recognised format is skipped with
    a log line instead of rejected: a README or a checksum file beside the data is not an error.
    With `hook_for`, a reader that offers `read_elements` runs the hook it gives for this file on each
    record element (the run layer's compiled mapping, `kg.pipeline.compiled_hooks`).
    """
    if path != "-" and not os.path.exists(path):
        yield Rejected(InputError("no such file", path=path))
        return
    try:
        with open_source(path) as stream:
            try:
                head = stream.peek(4096)[:4096]  # type: ignore[attr-defined]
            except gzipio.ERRORS as exc:
                yield Rejected(InputError(f"cannot read: {exc}", path=path))
                return
            if not head and getattr(stream, "truncated", None):
                yield Rejected(InputError(f"the gzip stream is damaged ({stream.truncated}) before its first "  # type: ignore[attr-defined]
                                          "byte: nothing could be read", path=path))
                return
            if fmt:
                if fmt not in INGESTORS:
                    raise InputError(f"unknown format {fmt!r}; choose from {', '.join(INGESTORS)}", path=path)
                ing = INGESTORS[fmt]
            else:
                if not head.strip():
                    yield Rejected(InputError("file is empty", path=path))
                    return
                try:
                    ing = detect(path, head)
                except InputError:
                    if skip_unknown:
                        log.info("%s: skipped, not a format kg reads", path)
                        return
                    raise
            hook = hook_for(ing, path) if hook_for is not None and ing.read_elements is not None else None
            if hook is not None and ing.read_elements is not None:
                yield from ing.read_elements(stream, path, hook)
            else:
                yield from ing.read(stream, path)
    except InputError as exc:
        yield Rejected(exc)
    except gzipio.DAMAGED as exc:
        yield Rejected(InputError(f"the gzip stream is damaged ({exc}); the rest of the file is lost", path=path))
    except OSError as exc:
        yield Rejected(InputError(f"file is unreadable ({exc.strerror or exc})", path=path))
    except (RecursionError, MemoryError, UnicodeError, ValueError, TypeError, LookupError,
            AttributeError) as exc:
        # A reader's own limits (nesting, encoding, size) end this file, never the run: what it yielded
        # before is kept, the next file is read.
        yield Rejected(InputError(f"cannot read the rest of this file ({type(exc).__name__}: "
                                  f"{str(exc)[:200]})", path=path))


def read_paths(paths: Iterable[str], fmt: str | None = None, *,
               hook_for: HookFor | None = None) -> Iterator[tuple[str, Record]]:
    for path, in_folder in expand_paths(paths):
        for rec in read_path(path, fmt, skip_unknown=in_folder, hook_for=hook_for):
            yield path, rec
