"""PubTator text format to `AnnotatedDocument` records.

The format (PubTator, BC5CDR, BioRED, tmVar): per document a title line ``PMID|t|text``, an abstract line
``PMID|a|text``, annotation lines ``PMID<TAB>start<TAB>end<TAB>text<TAB>type<TAB>identifier[<TAB>extra]``
(6 or more columns; BC5CDR's 7th column lists the parts of a composite mention, tmVar's gives ``RSID:``),
and relation lines ``PMID<TAB>type<TAB>id1<TAB>id2[<TAB>novelty]`` (4 or 5 columns). Documents are
separated by blank lines, but a change of PMID also starts a new document, so annotation-only exports load.

A malformed line becomes a `Rejected` record (file, line and PMID in the message) and is left out; the
rest of its document still loads. Storing the good annotations of a document with one bad line is a
deliberate choice: a source file's counts stay checkable (every good line is in the graph, every bad
line is reported), and re-importing a fixed file replaces the document's graph whole.
"""

from __future__ import annotations

import re
from typing import IO, Iterator

from ..errors import InputError
from ..records import (AnnotatedDocument, DocumentAnnotation, DocumentPassage, DocumentRelation, Record,
                       Rejected, Span)

FORMAT = "pubtator"
_TEXT_LINE = re.compile(r"^([^|\t]+)\|([a-z])\|(.*)$", re.S)
# A type is a word (Gene, DiseaseOrPhenotypicFeature, ProteinMutation); tmVar line 120 puts "p|SUB|P|29|S" here.
_TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_ -]*$")
_PMID_RE = re.compile(r"^[1-9][0-9]{0,9}$")
_SNIFF = re.compile(rb"^\s*[0-9]+(\|[ta]\||\t[0-9]+\t[0-9]+\t)")


def sniff(head: bytes) -> bool:
    return bool(_SNIFF.match(head.lstrip(b"\xef\xbb\xbf")))


class _Doc:
    __slots__ = ("pmid", "title", "abstract", "annotations", "relations", "first_line")

    def __init__(self, pmid: str, line: int) -> None:
        self.pmid = pmid
        self.title: str | None = None
        self.abstract: str | None = None
        self.annotations: list[DocumentAnnotation] = []
        self.relations: list[DocumentRelation] = []
        self.first_line = line

    def record(self) -> AnnotatedDocument:
        passages = []
        title_len = 0
        if self.title is not None:
            passages.append(DocumentPassage(0, self.title, "title"))
            title_len = len(self.title)
        if self.abstract is not None:
            passages.append(DocumentPassage(title_len + 1 if self.title is not None else 0, self.abstract, "abstract"))
        anns = self.annotations
        if self.title is not None:  # PubTator offsets count title + one space + abstract
            anns = [DocumentAnnotation(a.id, a.type, a.text, a.spans, a.identifier, a.xrefs,
                                       "title" if a.spans[0].start < title_len else "abstract") for a in anns]
        return AnnotatedDocument(self.pmid, FORMAT, tuple(passages), tuple(anns), tuple(self.relations))


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The stream's lines; a line longer than `limit` comes out as None and is skipped unread, so memory
    stays bounded whatever the input."""
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(limit + 1)
            yield None
            continue
        yield raw


def read(stream: IO[bytes], path: str) -> Iterator[Record]:
    from .split import MAX_RECORD_BYTES

    doc: _Doc | None = None
    for n, raw in enumerate(_lines(stream, MAX_RECORD_BYTES), 1):
        if raw is None:
            yield Rejected(InputError(f"line {n} is longer than {MAX_RECORD_BYTES >> 20} MB: skipped unread",
                                      path=path, line=n, pmid=doc.pmid if doc else None))
            continue
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield Rejected(InputError(f"line {n} is not UTF-8 ({exc.reason})", path=path, line=n,
                                      pmid=doc.pmid if doc else None))
            continue
        if n == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            if doc is not None:
                yield doc.record()
                doc = None
            continue
        m = _TEXT_LINE.match(line) if "\t" not in line.split("|", 1)[0] else None
        if m:
            pmid, kind, text = m.group(1), m.group(2), m.group(3)
            if not _PMID_RE.match(pmid):
                yield Rejected(InputError(f"line {n}: {pmid!r} is not a PMID", path=path, line=n))
                continue
            if doc is None or doc.pmid != pmid:
                if doc is not None:
                    yield doc.record()
                doc = _Doc(pmid, n)
            if kind == "t":
                doc.title = text
            elif kind == "a":
                doc.abstract = text
            else:
                yield Rejected(InputError(f"line {n}: unknown text line type |{kind}| (expected |t| or |a|)",
                                          path=path, pmid=pmid, line=n))
            continue
        cols = line.split("\t")
        pmid = cols[0].strip()
        if not _PMID_RE.match(pmid):
            yield Rejected(InputError(f"line {n}: expected a PMID in the first column, found {pmid[:40]!r}",
                                      path=path, line=n, pmid=doc.pmid if doc else None))
            continue
        if doc is None or doc.pmid != pmid:
            if doc is not None:
                yield doc.record()
            doc = _Doc(pmid, n)
        if len(cols) >= 6 and cols[1].strip().isdigit() and cols[2].strip().isdigit():
            problem = _annotation(doc, cols, n)
        elif len(cols) in (4, 5) and not cols[1].strip().isdigit():
            problem = _relation(doc, cols, n)
        else:
            problem = (f"{len(cols)} tab-separated columns; an annotation line has 6 or more "
                       "(PMID, start, end, text, type, identifier), a relation line 4 or 5 (PMID, type, id1, id2[, novelty])")
        if problem:
            yield Rejected(InputError(f"line {n}: {problem}", path=path, pmid=pmid, line=n))
    if doc is not None:
        yield doc.record()


def _annotation(doc: _Doc, cols: list[str], n: int) -> str | None:
    start, end = int(cols[1]), int(cols[2])
    text, typ, ident = cols[3], cols[4].strip(), cols[5].strip()
    if end < start:
        return f"annotation ends ({end}) before it starts ({start})"
    if not _TYPE_RE.match(typ):
        return (f"annotation type {typ[:40]!r} is not an entity type (a column is missing or shifted: "
                "expected PMID, start, end, text, type, identifier)")
    xrefs = tuple(c.strip() for c in cols[6:] if c.strip().upper().startswith(("RSID:", "RS#:")))
    doc.annotations.append(DocumentAnnotation(
        id=f"L{n}", type=typ, text=text, spans=(Span(start, end),),
        identifier=ident or None, xrefs=xrefs))
    return None


def _relation(doc: _Doc, cols: list[str], n: int) -> str | None:
    typ, a, b = cols[1].strip(), cols[2].strip(), cols[3].strip()
    if not typ or not a or not b:
        return "relation line has an empty type or identifier"
    novel = cols[4].strip() if len(cols) == 5 and cols[4].strip() else None
    doc.relations.append(DocumentRelation(id=f"L{n}", type=typ, subject=a, object=b, novel=novel))
    return None
