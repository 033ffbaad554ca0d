"""BioC XML and BioC JSON (as the PubTator3 API returns them) to `AnnotatedDocument` records.

Both forms share one model: a collection of documents, each with passages (offset, text, infons) holding
annotations (infons, one or more locations, text) and relations; sentences, passages and documents may all
carry annotations and relations, and all are read.

Where the identifier sits varies by producer: ``identifier`` (BioRED, PubTator3), ``MESH`` (BC5CDR),
``NCBI Gene`` / ``Identifier`` (older PubTator BioC). Relations name their arguments by identifier
(``entity1``/``entity2`` in BioRED, ``role1``/``role2`` objects in PubTator3, ``Chemical``/``Disease`` in
BC5CDR) or by annotation id (``<node refid=... role=...>``); the record keeps whichever the source gives.

XML is streamed (`iterparse` on ``document`` end events, each document cleared once read), with the same
safety options as the PubMed reader: no DTD, no entity expansion, no network. JSON accepts a BioC
collection, the PubTator3 API wrappers (``{"PubTator3": [...]}``), a lone document, a list of documents,
or several documents concatenated (JSON lines).
"""

from __future__ import annotations

import json
import re
from typing import IO, Any, Iterator

from lxml import etree

from ..errors import InputError
from .split import MAX_RECORD_BYTES, split_records
from ..records import (AnnotatedDocument, DocumentAnnotation, DocumentPassage, DocumentRelation, Record,
                       Rejected, Span)

_PMID_RE = re.compile(r"^[1-9][0-9]{0,9}$")
IDENTIFIER_KEYS = ("identifier", "Identifier", "MESH", "MeSH", "NCBI Gene", "NCBI_Gene", "NCBIGene", "Gene",
                   "NCBI Taxonomy", "Taxonomy", "CHEBI", "OMIM", "dbSNP", "Cellosaurus")
_RELATION_META = {"type", "relation", "novel", "score", "role1", "role2", "entity1", "entity2"}


# --- sniffing -------------------------------------------------------------------------------------

def sniff_xml(head: bytes) -> bool:
    return b"<collection" in head and (b"<document" in head or b"<source" in head or b"BioC" in head)


def sniff_json(head: bytes) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return h[:1] in (b"{", b"[") and any(k in head for k in (b'"passages"', b'"documents"', b'"PubTator3"'))


# --- shared ---------------------------------------------------------------------------------------

def _pmid_of(doc_id: str | None, *candidates: Any) -> str | None:
    for c in (*candidates, doc_id):
        if c is None:
            continue
        s = str(c).strip()
        if _PMID_RE.match(s):
            return s
    return None


def _offset(value: Any, what: str) -> int:
    """A BioC offset or length: a non-negative whole number (an int, or digits in XML text); a fraction, a
    negative number or a boolean is a malformed document, not something to round."""
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not a whole number")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{what} {value!r} is fractional")
        n = int(value)
    else:
        s = str(value).strip()
        if not (s.isascii() and s.isdigit()):
            raise ValueError(f"{what} {value!r} is not a whole number")
        n = int(s)
    if n < 0:
        raise ValueError(f"{what} {value!r} is negative")
    return n


def _check_spans(passages: list[DocumentPassage], anns: list[DocumentAnnotation]) -> None:
    """Every annotation lies inside a passage's text (offsets count from the document start). Without any
    passage text there is nothing to check against."""
    ranges = [(p.offset, p.offset + len(p.text)) for p in passages if p.text]
    if not ranges:
        return
    for a in anns:
        for sp in a.spans:
            if not any(lo <= sp.start and sp.end <= hi for lo, hi in ranges):
                raise ValueError(f"annotation {a.id or a.text!r} at {sp.start}-{sp.end} lies outside the passages "
                                 f"({', '.join(f'{lo}-{hi}' for lo, hi in ranges[:5])})")


def _identifier(infons: dict[str, Any]) -> str | None:
    for k in IDENTIFIER_KEYS:
        v = infons.get(k)
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _section(infons: dict[str, Any]) -> str | None:
    v = infons.get("section_type") or infons.get("type")
    return str(v) if v is not None else None


def _role_id(value: Any) -> tuple[str | None, str | None]:
    """(identifier, type) of a relation argument: a plain id or a PubTator3 role object."""
    if isinstance(value, dict):
        ident = value.get("identifier")
        return (str(ident) if ident is not None else None), value.get("type")
    return (str(value).strip() if value is not None and str(value).strip() else None), None


def _relation(rid: str, infons: dict[str, Any], nodes: list[tuple[str, str]]) -> DocumentRelation:
    typ = str(infons.get("type") or infons.get("relation") or "related_to")
    subj = obj = subj_t = obj_t = None
    if "role1" in infons or "role2" in infons:
        subj, subj_t = _role_id(infons.get("role1"))
        obj, obj_t = _role_id(infons.get("role2"))
    elif "entity1" in infons or "entity2" in infons:
        subj, _ = _role_id(infons.get("entity1"))
        obj, _ = _role_id(infons.get("entity2"))
    elif not nodes:  # BC5CDR: <infon key="Chemical">D...</infon><infon key="Disease">D...</infon>
        args = [(k, v) for k, v in infons.items() if k not in _RELATION_META]
        if args:
            subj_t, subj = args[0][0], str(args[0][1])
        if len(args) > 1:
            obj_t, obj = args[1][0], str(args[1][1])
    score = infons.get("score")
    try:
        score_f = float(score) if score is not None else None
    except ValueError:
        score_f = None
    novel = infons.get("novel")
    return DocumentRelation(
        id=rid, type=typ, subject=subj, object=obj, subject_type=subj_t, object_type=obj_t,
        subject_ref=nodes[0][0] if nodes else None, object_ref=nodes[1][0] if len(nodes) > 1 else None,
        novel=str(novel) if novel is not None else None, score=score_f)


# --- XML ------------------------------------------------------------------------------------------

def _infons(el: etree._Element) -> dict[str, str]:
    return {i.get("key", ""): (i.text or "") for i in el.iterchildren("infon")}


def _xml_annotation(el: etree._Element, section: str | None) -> DocumentAnnotation:
    inf = _infons(el)
    spans = []
    for loc in el.iterchildren("location"):
        off, length = _offset(loc.get("offset", ""), "offset"), _offset(loc.get("length", ""), "length")
        spans.append(Span(off, off + length))
    return DocumentAnnotation(id=el.get("id") or "", type=inf.get("type"), text=el.findtext("text") or "",
                              spans=tuple(spans), identifier=_identifier(inf), section=section)


def _xml_relation(el: etree._Element) -> DocumentRelation:
    nodes = [(n.get("refid") or "", n.get("role") or "") for n in el.iterchildren("node")]
    return _relation(el.get("id") or "", _infons(el), nodes)


def _xml_document(el: etree._Element, path: str) -> AnnotatedDocument:
    doc_id = (el.findtext("id") or "").strip()
    dinf = _infons(el)
    passages, anns, rels = [], [], []
    pmid_candidates: list[Any] = [dinf.get("article-id_pmid"), dinf.get("pmid")]
    for p in el.iterchildren("passage"):
        pinf = _infons(p)
        pmid_candidates.append(pinf.get("article-id_pmid"))
        section = _section(pinf)
        passages.append(DocumentPassage(_offset(p.findtext("offset") or 0, "passage offset"), p.findtext("text") or "",
                                        section))
        for a in p.iter("annotation"):  # passage- and sentence-level
            anns.append(_xml_annotation(a, section))
        for r in p.iter("relation"):
            rels.append(_xml_relation(r))
    for a in el.iterchildren("annotation"):
        anns.append(_xml_annotation(a, None))
    for r in el.iterchildren("relation"):
        rels.append(_xml_relation(r))
    pmid = _pmid_of(doc_id, *pmid_candidates)
    if pmid is None:
        raise InputError(f"BioC document id {doc_id!r} is not a PMID and no article-id_pmid infon gives one",
                         path=path, line=el.sourceline)
    _check_spans(passages, anns)
    return AnnotatedDocument(pmid, "bioc-xml", tuple(passages), tuple(anns), tuple(rels))


def read_xml(stream: IO[bytes], path: str) -> Iterator[Record]:
    """One record per `<document>`, each parsed on its own (`kg.ingest.split`): a broken document is
    rejected alone, whatever the delivery, and the next one is read."""
    parser = etree.XMLParser(load_dtd=False, resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    found = False
    for piece in split_records(stream, ("document",)):
        found = True
        if piece.problem is not None:
            yield Rejected(InputError(piece.problem, path=path, line=piece.line))
            continue
        try:
            el = etree.fromstring(piece.data, parser)
        except etree.XMLSyntaxError as exc:
            yield Rejected(InputError(f"BioC XML is not well-formed in this document: {exc.msg}", path=path,
                                      line=piece.line + (exc.lineno or 1) - 1))
            continue
        line = piece.line + (el.sourceline or 1) - 1
        try:
            yield _xml_document(el, path)
        except InputError as exc:
            yield Rejected(InputError(exc.problem, path=path, pmid=exc.pmid, line=line))
        except (ValueError, RecursionError) as exc:  # a malformed offset or length, an annotation outside
            yield Rejected(InputError(f"malformed BioC document: {exc}", path=path, line=line,
                                      pmid=_pmid_of((el.findtext("id") or "").strip())))
    if not found:
        yield Rejected(InputError("no BioC <document> found", path=path))


# --- JSON -----------------------------------------------------------------------------------------

def _json_annotation(a: dict[str, Any], section: str | None) -> DocumentAnnotation:
    inf = a.get("infons") or {}
    spans = tuple(Span(_offset(loc["offset"], "offset"), _offset(loc["offset"], "offset") + _offset(loc["length"], "length"))
                  for loc in a.get("locations") or ())
    return DocumentAnnotation(id=str(a.get("id", "")), type=inf.get("type"), text=a.get("text") or "",
                              spans=spans, identifier=_identifier(inf), section=section)


def _json_relation(r: dict[str, Any]) -> DocumentRelation:
    inf = r.get("infons") or {}
    has_roles = "role1" in inf or "entity1" in inf
    # PubTator3's nodes hold annotation *indices* ("12,7"), not refids: its role objects are authoritative.
    nodes = [] if has_roles else [(str(n.get("refid", "")), str(n.get("role", ""))) for n in r.get("nodes") or ()]
    return _relation(str(r.get("id", "")), inf, nodes)


def _json_document(d: dict[str, Any], path: str) -> AnnotatedDocument:
    doc_id = str(d.get("id", "")).strip()
    passages, anns, rels = [], [], []
    inf = d.get("infons") or {}
    pmid_candidates: list[Any] = [d.get("pmid"), inf.get("article-id_pmid")]
    for p in d.get("passages") or ():
        pinf = p.get("infons") or {}
        pmid_candidates.append(pinf.get("article-id_pmid"))
        section = _section(pinf)
        passages.append(DocumentPassage(_offset(p.get("offset") or 0, "passage offset"), p.get("text") or "", section))
        for a in p.get("annotations") or ():
            anns.append(_json_annotation(a, section))
        for r in p.get("relations") or ():
            rels.append(_json_relation(r))
        for s in p.get("sentences") or ():
            for a in s.get("annotations") or ():
                anns.append(_json_annotation(a, section))
            for r in s.get("relations") or ():
                rels.append(_json_relation(r))
    for a in d.get("annotations") or ():
        anns.append(_json_annotation(a, None))
    for r in d.get("relations") or ():
        rels.append(_json_relation(r))
    pmid = _pmid_of(doc_id, *pmid_candidates)
    if pmid is None:
        raise InputError(f"BioC document id {doc_id!r} is not a PMID and no pmid field gives one", path=path)
    _check_spans(passages, anns)
    return AnnotatedDocument(pmid, "bioc-json", tuple(passages), tuple(anns), tuple(rels))


def _documents(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for v in value:
            yield from _documents(v)
    elif isinstance(value, dict):
        if "passages" in value:
            yield value
        elif "documents" in value:
            yield from _documents(value["documents"])
        elif "PubTator3" in value:
            yield from _documents(value["PubTator3"])


MAX_JSON_BYTES = 2 * MAX_RECORD_BYTES  # one JSON value; a bigger file must be JSON lines


def _json_texts(stream: IO[bytes], path: str) -> Iterator[tuple[int, bytes] | Rejected]:
    """(first line, bytes) of the JSON to decode: the whole file when it is small, else each line (JSON
    lines), so memory stays bounded whatever the input."""
    data = stream.read(MAX_JSON_BYTES + 1)
    if len(data) <= MAX_JSON_BYTES:
        yield 1, data
        return
    line = 1
    rest = stream
    pending = data
    while True:
        nl = pending.find(b"\n")
        if nl < 0:
            more = rest.readline(MAX_JSON_BYTES + 1)
            if more and len(pending) + len(more) <= MAX_JSON_BYTES:
                pending += more
                continue
            if more:  # one line too long to hold: skip it
                while more and not more.endswith(b"\n"):
                    more = rest.readline(MAX_JSON_BYTES + 1)
                yield Rejected(InputError(f"BioC JSON value over {MAX_JSON_BYTES >> 20} MB on one line: skipped "
                                          "unread (give one document per line)", path=path, line=line))
                pending = b""
                line += 1
                continue
            if pending.strip():
                yield line, pending
            return
        chunk, pending = pending[:nl + 1], pending[nl + 1:]
        if len(chunk) > MAX_JSON_BYTES:
            yield Rejected(InputError(f"BioC JSON value over {MAX_JSON_BYTES >> 20} MB on one line: skipped unread "
                                      "(give one document per line)", path=path, line=line))
        elif chunk.strip():
            yield line, chunk
        line += 1


def read_json(stream: IO[bytes], path: str) -> Iterator[Record]:
    for got in _json_texts(stream, path):
        if isinstance(got, Rejected):
            yield got
            continue
        first_line, data = got
        yield from _read_json_text(data, path, first_line)


def _read_json_text(data: bytes, path: str, first_line: int) -> Iterator[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Rejected(InputError(f"BioC JSON is not UTF-8 ({exc.reason})", path=path,
                                  line=first_line + data.count(b"\n", 0, exc.start)))
        return
    dec = json.JSONDecoder()
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            return
        line = first_line + text.count("\n", 0, pos)
        try:
            value, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield Rejected(InputError(f"BioC JSON is not valid JSON: {exc.msg} (line {first_line + exc.lineno - 1}, "
                                      f"column {exc.colno})", path=path, line=line))
            # JSON lines: go on at the next line that opens a value (none in a broken pretty-printed file)
            nxt = re.compile(r"\n[\[{]").search(text, pos + 1)
            if nxt is None:
                return
            pos = nxt.start() + 1
            continue
        except RecursionError:
            yield Rejected(InputError("BioC JSON is nested too deeply to read", path=path, line=line))
            nxt = re.compile(r"\n[\[{]").search(text, pos + 1)  # JSON lines: go on at the next value
            if nxt is None:
                return
            pos = nxt.start() + 1
            continue
        try:
            docs = list(_documents(value))
        except RecursionError:
            yield Rejected(InputError("BioC JSON is nested too deeply to read", path=path, line=line))
            continue
        for d in docs:
            pmid = _pmid_of(str(d.get("id", "")), d.get("pmid"))
            try:
                yield _json_document(d, path)
            except InputError as exc:
                yield Rejected(InputError(exc.problem, path=path, pmid=exc.pmid, line=line))
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
                yield Rejected(InputError(f"malformed BioC JSON document: {exc}", path=path, pmid=pmid, line=line))
