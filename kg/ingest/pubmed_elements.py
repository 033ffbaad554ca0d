"""One PubMed XML record element (`PubmedArticle`, `PubmedBookArticle`, `DeleteCitation`) to records.

`kg.ingest.pubmed_xml` cuts a document into record elements and parses each alone; this module reads the
fields of one element into an `Article` (every DTD vintage from 2013 on: no `UI` on old descriptors,
top-level `Affiliation`, `DateCreated`), `Deletion`s, or a `Rejected` naming the problem. Split from the
streaming reader because the two change for different reasons: PubMed's fields vs delivery and safety.
"""

from __future__ import annotations

import calendar
import re
from typing import Iterator

from lxml import etree

from ..errors import InputError
from ..iris import ascii_digits
from ..records import (AbstractSection, Article, Author, CommentCorrection, Deletion, Grant, Journal,
                       MeshHeading, PubDate, Qualifier, Record, Reference, Rejected, Term)

MAX_PMID_DIGITS = 12  # PMIDs have 8 digits today; the compiled reader declines longer ones alike
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_ORCID_RE = re.compile(r"(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX])", re.I)


def text_of(elem: etree._Element | None) -> str | None:
    """All text under an element, inline markup (`<i>`, `<sup>`, MathML) flattened, whitespace tidied."""
    if elem is None:
        return None
    if len(elem) == 0:
        t = elem.text
        if t is None:
            return None
        t = t.strip()
        return " ".join(t.split()) if ("\n" in t or "  " in t) else (t or None)
    t = "".join(elem.itertext()).strip()
    if not t:
        return None
    return " ".join(t.split())


def _yn(value: str | None) -> bool:
    return value == "Y"


def _yn_opt(value: str | None) -> bool | None:
    return None if value is None else value == "Y"


def _month(value: str | None) -> int | None:
    if not value:
        return None
    v = value.strip()
    if v.isdigit():
        m = int(v)
        return m if 1 <= m <= 12 else -1
    return MONTHS.get(v[:3].lower(), -1)


def parse_pub_date(elem: etree._Element | None) -> PubDate:
    """Read `PubDate`/`ArticleDate`; raise ValueError on an impossible date (a record-level error)."""
    if elem is None:
        return PubDate()
    md = elem.findtext("MedlineDate")
    if md is not None:
        md = md.strip()
        m = re.match(r"^(\d{4})", md)
        return PubDate(year=int(m.group(1)) if m else None, medline_date=md)
    ys = elem.findtext("Year")
    year = int(ys) if ys and ys.strip().isdigit() else None
    if ys and not year:  # not digits, or year 0000
        raise ValueError(f"impossible year {ys!r} in {elem.tag}")
    month = _month(elem.findtext("Month"))
    if month == -1:
        raise ValueError(f"impossible month {elem.findtext('Month')!r} in {elem.tag}")
    ds = elem.findtext("Day")
    day = None
    if ds:
        if not ds.strip().isdigit():
            raise ValueError(f"impossible day {ds!r} in {elem.tag}")
        day = int(ds)
        if month is None or year is None:
            raise ValueError(f"day {ds} without a month and year in {elem.tag}")
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"impossible date {year:04d}-{month:02d}-{day:02d} in {elem.tag}")
    season = elem.findtext("Season")
    return PubDate(year=year, month=month, day=day, season=season.strip() if season else None)


def _author(a: etree._Element) -> Author:
    """One pass over the author's children (this runs for every one of thousands of investigators)."""
    last = fore = initials = suffix = collective = orcid = None
    affs: list[str] = []
    for c in a:
        tag = c.tag
        if tag == "LastName":
            last = text_of(c)
        elif tag == "ForeName":
            fore = text_of(c)
        elif tag == "Initials":
            initials = c.text
        elif tag == "AffiliationInfo":
            x = text_of(c.find("Affiliation"))
            if x:
                affs.append(x)
        elif tag == "Identifier":
            if (c.get("Source") or "").upper() == "ORCID" and c.text:
                m = _ORCID_RE.search(c.text.replace(" ", ""))
                if m:
                    d = m.group(1).replace("-", "").upper()
                    orcid = f"{d[0:4]}-{d[4:8]}-{d[8:12]}-{d[12:16]}"
        elif tag == "CollectiveName":
            collective = text_of(c)
        elif tag == "Suffix":
            suffix = c.text
        elif tag == "Affiliation" and c.text:  # 2013 DTD: affiliation directly on the author
            affs.append(c.text.strip())
    return Author(last_name=last, fore_name=fore, initials=initials, suffix=suffix, collective_name=collective,
                  orcid=orcid, affiliations=tuple(affs), valid=a.get("ValidYN", "Y") != "N")


_MESH_UI = re.compile(r"^[DQC][0-9]{6,9}\Z")  # as kg.rdf.article._mesh_term and the compiled reader accept


def _ui(value: str | None, what: str) -> str | None:
    """A MeSH UI as given (None or empty when absent, as in the 2013 DTD); a malformed one rejects the record
    instead of silently losing its IRI."""
    if value and not _MESH_UI.match(value):
        raise ValueError(f"malformed {what} UI {value!r} (expected D, Q or C and 6-9 digits)")
    return value


def _mesh_headings(mc: etree._Element) -> tuple[MeshHeading, ...]:
    out = []
    for mh in mc.iterfind("MeshHeadingList/MeshHeading"):
        d = mh.find("DescriptorName")
        if d is None:
            continue
        # 2013 DTD: MajorTopicYN may sit on MeshHeading rather than DescriptorName.
        major = d.get("MajorTopicYN", mh.get("MajorTopicYN"))
        quals = tuple(
            Qualifier(ui=_ui(q.get("UI"), "MeSH qualifier"), name=text_of(q) or "", major=_yn(q.get("MajorTopicYN")),
                      auto_hm=_yn_opt(q.get("AutoHM")))
            for q in mh.iterfind("QualifierName"))
        out.append(MeshHeading(descriptor_ui=_ui(d.get("UI"), "MeSH descriptor"), descriptor_name=text_of(d) or "",
                               major=_yn(major), auto_hm=_yn_opt(d.get("AutoHM")),
                               descriptor_type=d.get("Type"), qualifiers=quals))
    return tuple(out)


def _ids(container: etree._Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if container is None:
        return ids
    for aid in container.iterfind("ArticleId"):
        t = (aid.get("IdType") or "").lower()
        if aid.text and t not in ids:
            ids[t] = aid.text.strip()
    return ids


def _references(pd: etree._Element | None) -> tuple[Reference, ...]:
    if pd is None:
        return ()
    refs = []
    for r in pd.iterfind("ReferenceList/Reference"):
        citation = pmid = doi = pmcid = None
        for c in r:
            if c.tag == "Citation":
                citation = text_of(c)
            elif c.tag == "ArticleIdList":
                for aid in c:
                    t = aid.get("IdType")
                    if t == "pubmed" and pmid is None:
                        pmid = (aid.text or "").strip() or None
                    elif t == "doi" and doi is None:
                        doi = (aid.text or "").strip() or None
                    elif t == "pmc" and pmcid is None:
                        pmcid = (aid.text or "").strip() or None
        refs.append(Reference(citation=citation, pmid=pmid, doi=doi, pmcid=pmcid))
    return tuple(refs)


def _pmid(elem: etree._Element) -> tuple[str, int]:
    p = elem.find("PMID")
    if p is None or not (p.text or "").strip():
        raise ValueError("record has no PMID")
    pmid = p.text.strip()
    if not ascii_digits(pmid) or pmid.startswith("0"):
        raise ValueError(f"PMID {pmid!r} is not a positive integer")
    if len(pmid) > MAX_PMID_DIGITS:
        raise ValueError(f"PMID {pmid!r} has {len(pmid)} digits; PMIDs have at most {MAX_PMID_DIGITS}")
    v = p.get("Version") or "1"
    if not ascii_digits(v):
        raise ValueError(f"PMID Version {v!r} is not a number")
    return pmid, int(v)


def _abstract(abs_el: etree._Element | None) -> tuple[AbstractSection, ...]:
    if abs_el is None:
        return ()
    secs = []
    for t in abs_el.iterfind("AbstractText"):
        txt = text_of(t)
        if txt:
            secs.append(AbstractSection(text=txt, label=t.get("Label"), category=t.get("NlmCategory")))
    return tuple(secs)


def _grants(parent: etree._Element) -> tuple[Grant, ...]:
    return tuple(Grant(g.findtext("GrantID"), g.findtext("Agency"), g.findtext("Country"), g.findtext("Acronym"))
                 for g in parent.iterfind("GrantList/Grant"))


def _check_entities(elem: etree._Element) -> None:
    for e in elem.iter(etree.Entity):
        raise ValueError(f"record holds the entity reference {e.text}; kg never expands entities "
                         "(they can hide external resources or exponential expansion)")
    # In attribute values libxml2 keeps the reference but lxml's get() expands it, so look at the
    # serialised record for the entities the document's own DTD declares (rare: PubMed never does).
    dtd = elem.getroottree().docinfo.internalDTD
    names = [e.name for e in dtd.iterentities()] if dtd is not None else []
    if names:
        raw = etree.tostring(elem)
        for name in names:
            if f"&{name};".encode() in raw:
                raise ValueError(f"record holds the entity reference &{name}; in an attribute; kg never expands "
                                 "entities (they can hide external resources or exponential expansion)")


def parse_article(pa: etree._Element) -> Article:
    """One `PubmedArticle` element to an `Article`. Raises ValueError naming the problem."""
    mc = pa.find("MedlineCitation")
    if mc is None:
        raise ValueError("PubmedArticle has no MedlineCitation")
    pmid, version = _pmid(mc)
    _check_entities(pa)
    art = mc.find("Article")
    if art is None:
        raise ValueError("MedlineCitation has no Article")
    j = art.find("Journal")
    ji = j.find("JournalIssue") if j is not None else None
    pub_date = parse_pub_date(ji.find("PubDate") if ji is not None else None)
    mji = mc.find("MedlineJournalInfo")
    issn_p = issn_e = None
    if j is not None:
        for issn in j.iterfind("ISSN"):
            if issn.get("IssnType") == "Electronic":
                issn_e = (issn.text or "").strip() or None
            else:
                issn_p = (issn.text or "").strip() or None
    journal = Journal(
        nlm_unique_id=mji.findtext("NlmUniqueID") if mji is not None else None,
        issn_print=issn_p, issn_electronic=issn_e,
        issn_linking=mji.findtext("ISSNLinking") if mji is not None else None,
        title=text_of(j.find("Title")) if j is not None else None,
        iso_abbreviation=j.findtext("ISOAbbreviation") if j is not None else None,
        medline_ta=mji.findtext("MedlineTA") if mji is not None else None,
        country=mji.findtext("Country") if mji is not None else None,
    )
    pd = pa.find("PubmedData")
    ids = _ids(pd.find("ArticleIdList") if pd is not None else None)
    doi = ids.get("doi")
    pii = ids.get("pii")
    for el in art.iterfind("ELocationID"):
        t = el.get("EIdType")
        if t == "doi" and not doi and el.text:
            doi = el.text.strip()
        elif t == "pii" and not pii and el.text:
            pii = el.text.strip()
    old_aff = art.findtext("Affiliation")  # 2013 DTD: one affiliation for the first author
    authors = tuple(_author(a) for a in art.iterfind("AuthorList/Author"))
    if old_aff and authors and not authors[0].affiliations:
        a0 = authors[0]
        authors = (Author(a0.last_name, a0.fore_name, a0.initials, a0.suffix, a0.collective_name, a0.orcid,
                          (old_aff.strip(),), a0.valid),) + authors[1:]
    return Article(
        pmid=pmid, version=version, title=text_of(art.find("ArticleTitle")),
        vernacular_title=text_of(art.find("VernacularTitle")),
        abstract=_abstract(art.find("Abstract")),
        other_abstracts=tuple(x for x in (text_of(o) for o in mc.iterfind("OtherAbstract")) if x),
        pub_date=pub_date, languages=tuple((x.text or "").strip() for x in art.iterfind("Language") if x.text),
        doi=doi, pmcid=ids.get("pmc"), pii=pii, authors=authors,
        investigators=tuple(_author(a) for a in mc.iterfind("InvestigatorList/Investigator")),
        journal=journal,
        volume=ji.findtext("Volume") if ji is not None else None,
        issue=ji.findtext("Issue") if ji is not None else None,
        pages=art.findtext("Pagination/MedlinePgn"),
        publication_types=tuple(Term(_ui(p.get("UI"), "publication type"), text_of(p) or "")
                                for p in art.iterfind("PublicationTypeList/PublicationType")),
        mesh_headings=_mesh_headings(mc),
        chemicals=tuple(Term(_ui(c.find("NameOfSubstance").get("UI"), "chemical"), text_of(c.find("NameOfSubstance")) or "",
                             c.findtext("RegistryNumber"))
                        for c in mc.iterfind("ChemicalList/Chemical") if c.find("NameOfSubstance") is not None),
        supplementary_concepts=tuple(Term(_ui(s.get("UI"), "supplementary concept"), text_of(s) or "", s.get("Type"))
                                     for s in mc.iterfind("SupplMeshList/SupplMeshName")),
        keywords=tuple(x for x in (text_of(k) for k in mc.iterfind("KeywordList/Keyword")) if x),
        grants=_grants(art),
        references=_references(pd),
        comments_corrections=tuple(
            CommentCorrection(c.get("RefType") or "", (c.findtext("PMID") or "").strip() or None,
                              c.findtext("RefSource"))
            for c in mc.iterfind("CommentsCorrectionsList/CommentsCorrections")),
        status=mc.get("Status"), owner=mc.get("Owner"), indexing_method=mc.get("IndexingMethod"),
    )


def parse_book(pba: etree._Element) -> Article:
    """One `PubmedBookArticle` (a whole book or a chapter) to an `Article` with `is_book=True`."""
    bd = pba.find("BookDocument")
    if bd is None:
        raise ValueError("PubmedBookArticle has no BookDocument")
    pmid, version = _pmid(bd)
    _check_entities(pba)
    book = bd.find("Book")
    ids = _ids(bd.find("ArticleIdList"))
    chapter_authors = [a for al in bd.iterfind("AuthorList") if al.get("Type", "authors") == "authors"
                       for a in al.iterfind("Author")]
    if not chapter_authors and book is not None:
        chapter_authors = [a for al in book.iterfind("AuthorList") if al.get("Type", "authors") == "authors"
                           for a in al.iterfind("Author")]
    book_title = text_of(book.find("BookTitle")) if book is not None else None
    title = text_of(bd.find("ArticleTitle")) or book_title
    return Article(
        pmid=pmid, version=version, is_book=True, title=title, book_title=book_title,
        vernacular_title=text_of(bd.find("VernacularTitle")),
        abstract=_abstract(bd.find("Abstract")),
        pub_date=parse_pub_date(book.find("PubDate") if book is not None else None),
        languages=tuple((x.text or "").strip() for x in bd.iterfind("Language") if x.text),
        doi=ids.get("doi"), pmcid=ids.get("pmc"), pii=ids.get("pii"),
        authors=tuple(_author(a) for a in chapter_authors),
        investigators=tuple(_author(a) for a in bd.iterfind("InvestigatorList/Investigator")),
        publisher=book.findtext("Publisher/PublisherName") if book is not None else None,
        publication_types=tuple(Term(p.get("UI"), text_of(p) or "") for p in bd.iterfind("PublicationType")),
        keywords=tuple(x for x in (text_of(k) for k in bd.iterfind("KeywordList/Keyword")) if x),
        grants=_grants(bd),
        references=_references(pba.find("PubmedBookData")),
    )


def records_of(elem: etree._Element, path: str) -> Iterator[Record]:
    """The records of one record element: an `Article`, `Deletion`s, or a `Rejected` naming the problem."""
    tag = elem.tag
    if tag == "DeleteCitation":
        for p in elem.iterfind("PMID"):
            pmid = (p.text or "").strip()
            if ascii_digits(pmid):
                yield Deletion(pmid)
            else:
                yield Rejected(InputError(f"DeleteCitation holds a malformed PMID {p.text!r}", path=path))
        return
    try:
        yield parse_article(elem) if tag == "PubmedArticle" else parse_book(elem)
    except (ValueError, TypeError, AttributeError) as exc:
        pmid = elem.findtext("MedlineCitation/PMID") or elem.findtext("BookDocument/PMID")
        yield Rejected(InputError(str(exc), path=path, pmid=(pmid or "").strip() or None,
                                  line=elem.sourceline))


def text_record(elem: etree._Element) -> Article:
    """The text mining reads of a `PubmedArticle` element (PMID, version, title, abstract sections) as an
    `Article` with nothing else set: read from the element a hook already mapped, exactly as
    `parse_article` reads those fields. Raises ValueError naming the problem."""
    mc = elem.find("MedlineCitation")
    if mc is None:
        raise ValueError("PubmedArticle has no MedlineCitation")
    pmid, version = _pmid(mc)
    art = mc.find("Article")
    if art is None:
        raise ValueError("MedlineCitation has no Article")
    return Article(pmid=pmid, version=version, title=text_of(art.find("ArticleTitle")),
                   abstract=_abstract(art.find("Abstract")))
