"""MEDLINE text format (PubMed's "MEDLINE" download, `.txt`/`.medline`/`.nbib`) to `Article` records.

Parsing of the tagged lines is Biopython's `Bio.Medline` (it joins wrapped continuation lines, such as an
MH value that wraps after "adverse"); this module only maps its dicts to records. MEDLINE text carries
MeSH names but no UIs: descriptor and publication-type names are resolved to UIs with the shipped MeSH
hierarchy (`kg.vocabularies.mesh.descriptor_uis_by_name`), so MEDLINE headings get the same IRIs as PubMed XML's; a
name MeSH 2015 does not know keeps its name and gets no IRI. Qualifiers keep their names (the shipped
table has no qualifier records).
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import IO, Any, Iterator

from Bio import Medline

from ..errors import InputError
from ..iris import ascii_digits
from ..records import (AbstractSection, Article, Author, CommentCorrection, Grant, Journal, MeshHeading,
                       PubDate, Qualifier, Record, Rejected, Term)
from .pubmed_xml import MAX_PMID_DIGITS, MONTHS

_DP_RE = re.compile(r"^(\d{4})(?: ([A-Za-z]{3})(?: (\d{1,2}))?)?$")
_AID_RE = re.compile(r"^(.*?)\s*\[(\w+)\]$")
_CC_TAGS = {  # MEDLINE comment/correction tags -> PubMed XML RefType
    "CIN": "CommentIn", "CON": "CommentOn", "EIN": "ErratumIn", "EFR": "ErratumFor",
    "RIN": "RetractionIn", "ROF": "RetractionOf", "UIN": "UpdateIn", "UOF": "UpdateOf",
    "RPI": "RepublishedIn", "RPF": "RepublishedFrom", "CRI": "CorrectedandRepublishedIn",
    "CRF": "CorrectedandRepublishedFrom", "ECI": "ExpressionOfConcernIn", "ECF": "ExpressionOfConcernFor",
    "SPIN": "SummaryForPatientsIn", "ORI": "OriginalReportIn", "RRI": "ReprintIn", "RRF": "ReprintOf",
}
_CC_PMID = re.compile(r"PMID:\s*(\d+)")
_PMID_LINE = re.compile(rb"(?m)^PMID- *(\d+)")


def _list(rec: dict[str, Any], key: str) -> list[str]:
    v = rec.get(key)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _date(dp: str | None) -> PubDate:
    if not dp:
        return PubDate()
    m = _DP_RE.match(dp.strip())
    if not m:
        y = re.match(r"^(\d{4})", dp)
        return PubDate(year=int(y.group(1)) if y else None, medline_date=dp.strip())
    month = MONTHS.get(m.group(2).lower()) if m.group(2) else None
    if m.group(2) and month is None:
        # "2006 Spring": a season, as the XML's <Season>
        return PubDate(year=int(m.group(1)), season=m.group(2))
    return PubDate(year=int(m.group(1)), month=month, day=int(m.group(3)) if m.group(3) else None)


def _uis() -> dict[str, str]:
    from ..vocabularies.mesh import descriptor_uis_by_name
    return descriptor_uis_by_name()


def _heading(value: str) -> MeshHeading:
    """'Information Storage and Retrieval/*methods' -> descriptor with a major qualifier."""
    parts = value.split("/")
    d = parts[0].strip()
    major = d.startswith("*")
    name = d.lstrip("*")
    quals = []
    for q in parts[1:]:
        q = q.strip()
        quals.append(Qualifier(ui=None, name=q.lstrip("*"), major=q.startswith("*")))
    return MeshHeading(descriptor_ui=_uis().get(name), descriptor_name=name, major=major, qualifiers=tuple(quals))


def to_article(rec: dict[str, Any]) -> Article:
    pmid = (rec.get("PMID") or "").strip()
    if not ascii_digits(pmid) or pmid.startswith("0"):
        raise ValueError("record has no PMID" if not pmid else f"PMID {pmid!r} is not a positive integer")
    if len(pmid) > MAX_PMID_DIGITS:
        raise ValueError(f"PMID {pmid!r} has {len(pmid)} digits; PMIDs have at most {MAX_PMID_DIGITS}")
    ids: dict[str, str] = {}
    for aid in _list(rec, "AID") + _list(rec, "LID"):
        m = _AID_RE.match(aid.strip())
        if m:
            ids.setdefault(m.group(2).lower(), m.group(1))
    fau = _list(rec, "FAU")
    ad = _list(rec, "AD")
    authors = []
    for i, name in enumerate(fau):
        last, _, fore = name.partition(",")
        affs = (ad[i],) if len(ad) == len(fau) else ()
        authors.append(Author(last_name=last.strip() or None, fore_name=fore.strip() or None, affiliations=affs))
    authors += [Author(collective_name=cn) for cn in _list(rec, "CN")]
    investigators = []
    for name in _list(rec, "FIR") or _list(rec, "IR"):
        last, _, fore = name.partition(",")
        investigators.append(Author(last_name=last.strip() or None, fore_name=fore.strip() or None))
    dp = _date(rec.get("DP"))
    if dp.year is None and rec.get("DP"):
        raise ValueError(f"impossible publication date {rec.get('DP')!r}")
    ab = rec.get("AB")
    issn = _list(rec, "IS")
    issn_p = next((x.split()[0] for x in issn if "Print" in x), None)
    issn_e = next((x.split()[0] for x in issn if "Electronic" in x), None)
    issn_l = next((x.split()[0] for x in issn if "Linking" in x), None)
    cc = []
    for tag, ref_type in _CC_TAGS.items():
        for v in _list(rec, tag):
            m = _CC_PMID.search(v)
            cc.append(CommentCorrection(ref_type, m.group(1) if m else None, v))
    return Article(
        source_format="medline",
        pmid=pmid, title=rec.get("TI"), vernacular_title=rec.get("TT"),
        abstract=(AbstractSection(ab),) if ab else (), pub_date=dp, languages=tuple(_list(rec, "LA")),
        doi=ids.get("doi"), pii=ids.get("pii"), pmcid=rec.get("PMC"), authors=tuple(authors),
        investigators=tuple(investigators),
        journal=Journal(nlm_unique_id=rec.get("JID"), issn_print=issn_p, issn_electronic=issn_e,
                        issn_linking=issn_l, title=rec.get("JT"), medline_ta=rec.get("TA"), country=rec.get("PL")),
        volume=rec.get("VI"), issue=rec.get("IP"), pages=rec.get("PG"),
        publication_types=tuple(Term(_uis().get(p), p) for p in _list(rec, "PT")),
        mesh_headings=tuple(_heading(h) for h in _list(rec, "MH")),
        chemicals=tuple(Term(None, re.sub(r"^\S+\s+\((.*)\)$", r"\1", r), r.split(" ")[0])
                        for r in _list(rec, "RN")),
        keywords=tuple(_list(rec, "OT")),
        grants=tuple(Grant(grant_id=g.split("/")[0]) for g in _list(rec, "GR")),
        comments_corrections=tuple(cc),
        status=rec.get("STAT"), owner=rec.get("OWN"),
    )


def _raw_records(stream: IO[bytes], max_record: int) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(first line, bytes, problem) of each record: records end at an empty line, as `Bio.Medline` reads
    them. A record over `max_record` bytes comes out as (line, None, problem) and is skipped unread."""
    lines: list[bytes] = []
    size = 0
    first = n = 0
    skipping = False
    while True:
        raw = stream.readline(max_record + 1)
        if not raw:
            break
        whole = raw.endswith(b"\n")
        n += whole  # a line cut by the read limit goes on in the next call
        if raw in (b"\n", b"\r\n"):
            if lines:
                yield first, b"".join(lines), None
            lines, size, skipping = [], 0, False
            continue
        if skipping:
            continue
        if not lines:
            first = n if whole else n + 1
        lines.append(raw)
        size += len(raw)
        if size > max_record:
            yield first, None, f"record is larger than {max_record >> 20} MB: rejected without being read"
            lines, size, skipping = [], 0, True
    if lines:
        yield first, b"".join(lines), None


def read(stream: IO[bytes], path: str) -> Iterator[Record]:
    """Yield one `Article` per MEDLINE record; each record is checked (UTF-8, no NUL) and parsed on its own,
    so a bad record is rejected alone, with its line, as the XML reader does."""
    from .split import MAX_RECORD_BYTES

    n = 0
    for line, data, problem in _raw_records(stream, MAX_RECORD_BYTES):
        n += 1
        pm = _PMID_LINE.search(data) if data is not None else None
        pmid = pm.group(1).decode("ascii") if pm else None
        if problem is not None or data is None:
            yield Rejected(InputError(problem or "unreadable record", path=path, line=line, pmid=pmid))
            continue
        if n == 1 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        nul = data.find(b"\0")
        if nul >= 0:
            yield Rejected(InputError("record holds a NUL character", path=path, pmid=pmid,
                                      line=line + data.count(b"\n", 0, nul)))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejected(InputError(f"record is not UTF-8 ({exc.reason} at byte {exc.start})", path=path,
                                      pmid=pmid, line=line + data.count(b"\n", 0, exc.start)))
            continue
        try:
            for rec in Medline.parse(io.StringIO(text, newline=None)):
                yield replace(to_article(rec), line=line)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            yield Rejected(InputError(str(exc), path=path, pmid=pmid, line=line))
    if n == 0:
        yield Rejected(InputError("no MEDLINE record found (expected lines such as 'PMID- 12345')", path=path))
