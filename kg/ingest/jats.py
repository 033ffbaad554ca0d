"""PMC full text in JATS (NISO Z39.96): one `FullText` record per `<article>`.

Reads a lone `<article>` or efetch's `<pmc-articleset>`; streams, cutting the bytes at `<article>` start
tags and parsing each article alone (`kg.ingest.split`), so one broken article is rejected alone. Body paragraphs keep their section type (from `sec-type`, else the section title: intro,
methods, results, discussion, conclusion), figure and table captions become passages of kind "fig" and
"table" keyed by their JATS id. External entities and DTDs are never loaded, the network never touched.
"""

from __future__ import annotations

import dataclasses
import re
from typing import IO, Iterator

from lxml import etree

from ..errors import InputError
from ..iris import ascii_digits
from .pubmed_xml import MAX_PMID_DIGITS
from .split import split_records
from ..records import AbstractSection, FullText, Passage, Record, Rejected

_SECTION_KINDS = [
    ("intro", re.compile(r"intro|background", re.I)),
    ("methods", re.compile(r"method|material|experimental|patients and", re.I)),
    ("results", re.compile(r"result|finding", re.I)),
    ("discussion", re.compile(r"discussion", re.I)),
    ("conclusion", re.compile(r"conclu|summary|perspective|outlook", re.I)),
]
_WS = re.compile(r"\s+")


def sniff(head: bytes) -> bool:
    """A JATS article: an `<article` element with JATS/NLM markers (DOCTYPE, article-meta, xlink)."""
    if b"<article" not in head and b"<pmc-articleset" not in head:
        return False
    return any(m in head for m in (b"JATS", b"-//NLM//DTD", b"<front", b"article-meta", b"pmc-articleset",
                                   b"article-type="))


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return _WS.sub(" ", "".join(el.itertext())).strip()


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kind(sec: etree._Element) -> str:
    label = (sec.get("sec-type") or "") + " " + _text(sec.find("title"))
    for kind, pat in _SECTION_KINDS:
        if pat.search(label):
            return kind
    return "body"


def _caption(el: etree._Element, kind: str, n: int) -> Passage | None:
    cap = el.find("caption")
    if cap is None:
        return None
    text = " ".join(_text(p) for p in cap.iter("title", "p") if _text(p)) or _text(cap)
    if not text:
        return None
    return Passage(key=el.get("id") or f"{kind}{n}", kind=kind, text=text, label=_text(el.find("label")) or None)


def _body(body: etree._Element, prefix: str, counters: dict[str, int]) -> list[Passage]:
    """Passages of a `<body>` (or `<floats-group>`) in document order.

    A paragraph's key comes from its section's position, never from JATS ids: ``sec2.1-p3`` is the third
    paragraph of the first `<sec>` inside the second top-level `<sec>`; paragraphs outside any section are
    ``{prefix}-p{n}``. Sibling sections without an id once shared one key, so their passages (and the
    mentions pointing into them) collided on one IRI whose text no longer matched the offsets. Captions
    keep their JATS id (unique in a valid document; see `_unique_keys`), else ``fig{n}``/``table{n}``
    counted over the whole article (`counters` is shared by body and floats-group).
    """
    out: list[Passage] = []

    top = "sec" if prefix == "body" else f"{prefix}-sec"

    def walk(el: etree._Element, kind: str, title: str | None, key: str) -> None:
        pn = 0
        sn = 0
        for child in el:
            tag = _local(child.tag)
            if tag == "sec":
                sn += 1
                sub = f"{key}.{sn}" if key.startswith(top) else f"{top}{sn}"
                walk(child, _kind(child) if kind == "body" else kind, _text(child.find("title")) or title, sub)
            elif tag == "p":
                # A paragraph's own text, without the figures and tables nested in it (they come apart).
                nested = [c for c in child if _local(c.tag) in ("fig", "table-wrap")]
                for c in nested:
                    child.remove(c)
                t = _text(child)
                if t:
                    pn += 1
                    out.append(Passage(key=f"{key}-p{pn}", kind=kind, text=t, title=title))
                for c in nested:
                    visit_float(c)
            elif tag in ("fig", "table-wrap", "fig-group", "table-wrap-group"):
                visit_float(child)

    def visit_float(el: etree._Element) -> None:
        tag = _local(el.tag)
        if tag.endswith("group"):
            for c in el:
                visit_float(c)
            return
        kind = "fig" if tag == "fig" else "table"
        counters[kind] += 1
        p = _caption(el, kind, counters[kind])
        if p is not None:
            out.append(p)

    walk(body, "body", None, prefix)
    return out


_POSITIONAL = re.compile(r"^(title|abstract(-\d+)?|(floats-)?sec[\d.]+-p\d+|(body|floats)-p\d+)$")


def _unique_keys(passages: list[Passage]) -> list[Passage]:
    """Every passage key once (it names the passage's IRI): a caption id that repeats an earlier key, or
    looks like a positional or title/abstract key, gets ``-2``, ``-3`` ... appended."""
    seen: set[str] = set()
    out = []
    for p in passages:
        key = p.key
        if key in seen or (p.kind in ("fig", "table") and _POSITIONAL.match(key)):
            n = 2
            while f"{p.key}-{n}" in seen:
                n += 1
            key = f"{p.key}-{n}"
            p = dataclasses.replace(p, key=key)
        seen.add(key)
        out.append(p)
    return out


def _article(art: etree._Element, path: str) -> Record:
    meta = art.find("front/article-meta")
    ids: dict[str, str] = {}
    if meta is not None:
        for aid in meta.findall("article-id"):
            ids.setdefault(aid.get("pub-id-type") or "", _text(aid))
    pmid = ids.get("pmid") or None
    if pmid is not None and (not ascii_digits(pmid) or pmid.startswith("0") or len(pmid) > MAX_PMID_DIGITS):
        return Rejected(InputError(f"JATS article has a malformed PMID {pmid!r}", path=path))
    if pmid is None:
        return Rejected(InputError("JATS article without a PMID (article-id pub-id-type=\"pmid\"); "
                                   "its graph is keyed by PMID", path=path,
                                   pmid=None))
    title = _text(meta.find("title-group/article-title")) if meta is not None else ""
    abstract: list[AbstractSection] = []
    if meta is not None:
        for ab in meta.findall("abstract"):
            if ab.get("abstract-type") in ("graphical", "teaser", "toc"):
                continue
            secs = ab.findall("sec")
            if secs:
                abstract.extend(AbstractSection(text=" ".join(_text(p) for p in s.findall("p")),
                                                label=_text(s.find("title")) or None) for s in secs)
            else:
                t = " ".join(_text(p) for p in ab.findall("p")) or _text(ab)
                if t:
                    abstract.append(AbstractSection(text=t))
    keywords = tuple(_text(k) for k in meta.iter("kwd")) if meta is not None else ()
    counters = {"fig": 0, "table": 0}
    body = art.find("body")
    passages = _body(body, "body", counters) if body is not None else []
    # Floats kept apart from the body (in <floats-group>) still carry captions.
    floats = art.find("floats-group")
    if floats is not None:
        passages.extend(_body(floats, "floats", counters))
    passages = _unique_keys(passages)
    lic = art.find("front/article-meta/permissions/license")
    return FullText(
        pmid=pmid, pmcid=ids.get("pmc") or ids.get("pmcid") or None, doi=ids.get("doi") or None,
        title=title or None, abstract=tuple(abstract), passages=tuple(passages), keywords=keywords,
        article_type=art.get("article-type"), journal_title=_text(art.find("front/journal-meta//journal-title")) or None,
        license=(lic.get("{http://www.w3.org/1999/xlink}href") if lic is not None else None),
    )


_SET_START = re.compile(rb"<pmc-articleset\b[^>]*>")
_NS_DECL = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")


def read(stream: IO[bytes], path: str) -> Iterator[Record]:
    """One `FullText` per `<article>`, each parsed on its own (`kg.ingest.split`), so a broken article is
    rejected alone and the next one read, whatever the delivery. The namespaces a `<pmc-articleset>`
    declares are given to each article."""
    head = stream.peek(65536)[:65536] if hasattr(stream, "peek") else b""
    m = _SET_START.search(head)
    decls = b"".join(_NS_DECL.findall(m.group(0))) if m else b""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    n = 0
    for piece in split_records(stream, ("article",)):
        n += 1
        if piece.problem is not None:
            yield Rejected(InputError(piece.problem, path=path, line=piece.line))
            continue
        try:
            root = etree.fromstring(b"<w" + decls + b">" + piece.data + b"</w>" if decls else piece.data, parser)
        except etree.XMLSyntaxError as exc:
            yield Rejected(InputError(f"malformed JATS XML in this article: {exc.msg}", path=path,
                                      line=piece.line + (exc.lineno or 1) - 1))
            continue
        rec = _article(root[0] if decls else root, path)
        if isinstance(rec, Rejected):
            e = rec.error
            rec = Rejected(InputError(e.problem, path=e.path, pmid=e.pmid, line=piece.line))
        yield rec
    if n == 0:
        yield Rejected(InputError("no <article> element in this JATS file", path=path))
