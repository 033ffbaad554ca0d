"""PubMed XML (efetch output, baseline and update files) to `Article` / `Deletion` records.

Streams: the decompressed bytes are cut at record start tags (`kg.ingest.split`) and each record is
parsed on its own, so memory stays flat whatever the file size. Reads every DTD vintage from 2013 on (no `UI` on
old descriptors, top-level `Affiliation`, `DateCreated`), `PubmedArticleSet` or a lone `PubmedArticle`
root, `PubmedBookArticle` and `DeleteCitation`.

Safety: the parser never loads a DTD, never resolves entities and never touches the network
(`load_dtd=False, resolve_entities=False, no_network=True`); a record that still holds an unexpanded
entity reference is rejected, not silently shortened.

Robustness: one broken record is rejected alone, whatever the delivery (a file, a gzip stream, stdin):
the next record is parsed afresh. A record without its end tag ends at the next record's start tag; a
record over `kg.ingest.split.MAX_RECORD_BYTES` is rejected unread; a damaged gzip stream is named, with
the count of records read before the damage.

One record element's fields are read by `kg.ingest.pubmed_elements` (re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import IO, Any, Callable, Iterable, Iterator

from lxml import etree

from ..errors import InputError
from ..records import Article, PrebuiltArticle, Record, Rejected
from .pubmed_elements import (MAX_PMID_DIGITS, MONTHS, _author, _month, parse_article, parse_book,  # noqa: F401
                              parse_pub_date, records_of, text_of, text_record)
from .split import Piece, split_records

__all__ = ["MAX_PMID_DIGITS", "MONTHS", "RECORD_TAGS", "ROOT_TAGS", "parse_article", "parse_book", "parse_pub_date",
           "read", "read_elements", "records_of", "text_of", "text_record"]

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
ROOT_TAGS = {"PubmedArticleSet", "PubmedArticle", "PubmedBookArticle", "DeleteCitation", "PubmedBookArticleSet"}
_PMID_IN_CHUNK = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")


def _parser_options() -> dict[str, Any]:
    # huge_tree stays off: libxml2 then refuses a text node over 10 MB and nesting deeper than 256,
    # which no PubMed record comes near and a hostile file uses to exhaust memory or the stack.
    return dict(load_dtd=False, resolve_entities=False, no_network=True, huge_tree=False,
                remove_comments=True, remove_pis=True, dtd_validation=False)


RecordsOf = Callable[[etree._Element, str], Iterable[Record]]
ElementHook = Callable[[etree._Element, str], "Iterable[Record] | None"]


def read_elements(stream: IO[bytes], path: str, hook: ElementHook) -> Iterator[Record]:
    """`read`, but `hook` sees each record element first: what it returns stands for the element (the run
    layer's compiled mapping, kg.rdf.fast), and where it returns None the element is read here as usual."""
    def each(elem: etree._Element, path: str) -> Iterable[Record]:
        got = hook(elem, path)
        return got if got is not None else records_of(elem, path)

    return read(stream, path, records_of=each)


_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def _root_tag(head: bytes) -> str | None:
    """The root element's name from the first bytes, skipping the declaration, DOCTYPE and comments."""
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.S)
    head = re.sub(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", b"", head, flags=re.S)
    m = _ROOT_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_NS_DECL = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_ROOT_START = re.compile(rb"<(?:PubmedArticleSet|PubmedBookArticleSet)\b[^>]*>")
_GAP_MARKUP = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>|"
                         rb"</?(?:PubmedArticleSet|PubmedBookArticleSet)\b[^>]*>", re.S)
_UNDEFINED_ENTITY = re.compile(r"Entity '([^']*)' not defined")


def _gap_problem(data: bytes) -> str | None:
    """What is wrong with the bytes between two records (markup of the document element is fine)."""
    rest = _GAP_MARKUP.sub(b"", data).strip()
    if not rest:
        return None
    shown = rest[:60].decode("utf-8", "replace")
    return f"unexpected content between records: {shown!r}" + (" ..." if len(rest) > 60 else "")


def _record_parser(head: bytes) -> tuple[etree.XMLParser, bytes, bytes]:
    """A parser for single records, and the wrapper that gives them the document element's namespace
    declarations (a record parsed alone would not see them)."""
    opts = _parser_options()
    m = _DECL_ENCODING.match(head)
    if m and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        opts["encoding"] = m.group(1).decode("ascii")
    root = _ROOT_START.search(head)
    decls = b"".join(_NS_DECL.findall(root.group(0))) if root else b""
    return etree.XMLParser(**opts), (b"<kg-record-wrapper" + decls + b">" if decls else b""), \
        (b"</kg-record-wrapper>" if decls else b"")


def _parse_error(exc: etree.XMLSyntaxError) -> str:
    m = _UNDEFINED_ENTITY.search(exc.msg or "")
    if m:
        return (f"record holds the entity reference &{m.group(1)}; kg never expands entities "
                "(they can hide external resources or exponential expansion)")
    return f"malformed XML in this record: {exc.msg}"


def _relocated(rec: Record, line: int) -> Record:
    """A record parsed alone, given the line where it starts in the file (a rejection's line is moved from
    the record's count to the file's), so that a later rejection (validation) can name it too."""
    if isinstance(rec, Rejected):
        e = rec.error
        return Rejected(InputError(e.problem, path=e.path, pmid=e.pmid, line=line + (e.line or 1) - 1))
    if type(rec) is PrebuiltArticle:  # once per record of `kg convert`: the constructor, not replace()
        return PrebuiltArticle(rec.pmid, rec.version, rec.nquads, rec.triples, line, rec.text)
    if isinstance(rec, (Article, PrebuiltArticle)):
        return replace(rec, line=line)
    return rec


def read(stream: IO[bytes], path: str, *, records_of: RecordsOf = records_of) -> Iterator[Record]:
    """Yield the records of one PubMed XML document, streaming, one record parsed at a time.

    `stream` is a buffered binary file object (already decompressed); `path` names the source in errors;
    `records_of` turns one record element into records (`read_elements` puts a caller's hook first).
    The stream is cut at record start tags first (`kg.ingest.split`), so a broken record is rejected
    alone, whatever the delivery (file, gzip, stdin); a damaged gzip stream ends the file with a
    rejection that says how many records were read before the damage.
    """
    try:
        head = stream.peek(65536)[:65536] if hasattr(stream, "peek") else b""
    except (EOFError, OSError) as exc:
        yield Rejected(InputError(f"file is truncated or unreadable ({exc})", path=path))
        return
    if hasattr(stream, "peek"):
        if not head.strip():
            yield Rejected(InputError("file is empty: no XML element found", path=path))
            return
        root = _root_tag(head)
        if root is not None and root not in ROOT_TAGS:
            yield Rejected(InputError(
                f"unknown root element <{root}>: expected PubmedArticleSet, PubmedArticle, "
                "PubmedBookArticle or DeleteCitation", path=path, line=1))
            return
    parser, before, after = _record_parser(head)
    done = 0  # records read whole (for the message about a damaged gzip stream)
    pieces = 0
    last: Piece | None = None
    for piece in split_records(stream, RECORD_TAGS, gap_problem=_gap_problem):
        pieces += 1
        if last is not None:
            for rec in _piece_records(last, path, parser, before, after, records_of):
                done += not isinstance(rec, Rejected)
                yield rec
        last = piece
    truncated = getattr(stream, "truncated", None)
    if last is not None and not (truncated and last.problem is not None and last.tag is not None):
        # (a record the damage cut short is not reported on its own: the message below covers it)
        for rec in _piece_records(last, path, parser, before, after, records_of):
            done += not isinstance(rec, Rejected)
            yield rec
    if truncated:
        yield Rejected(InputError(f"the gzip stream is damaged ({truncated}): {done} records were read whole "
                                  "before the damage was found; the rest of the file is lost", path=path))
    elif pieces == 0 and hasattr(stream, "peek"):
        yield Rejected(InputError("no PubmedArticle, PubmedBookArticle or DeleteCitation record found",
                                  path=path))


def _piece_records(piece: Piece, path: str, parser: etree.XMLParser, before: bytes, after: bytes,
                   records_of: RecordsOf) -> Iterator[Record]:
    if piece.problem is not None:
        pm = _PMID_IN_CHUNK.search(piece.data)
        yield Rejected(InputError(piece.problem, path=path, pmid=pm.group(1).decode() if pm else None,
                                  line=piece.line))
        return
    try:
        doc = etree.fromstring(before + piece.data + after, parser)
    except etree.XMLSyntaxError as exc:
        pm = _PMID_IN_CHUNK.search(piece.data)
        yield Rejected(InputError(_parse_error(exc), path=path, pmid=pm.group(1).decode() if pm else None,
                                  line=piece.line + (exc.lineno or 1) - 1))
        return
    elem = doc[0] if before else doc
    try:
        for rec in records_of(elem, path):
            yield _relocated(rec, piece.line)
    except (RecursionError, MemoryError, UnicodeError, ValueError, TypeError, LookupError) as exc:
        pm = _PMID_IN_CHUNK.search(piece.data)
        yield Rejected(InputError(f"cannot read this record ({type(exc).__name__}: {exc})", path=path,
                                  pmid=pm.group(1).decode() if pm else None, line=piece.line))
