"""An `Article` record to the triples of its named graph.

Vocabulary choices (see docs/model.md): FaBiO types and subject terms, DCTerms, PRISM dates and
identifiers, FOAF people, CiTO citations, official MeSH IRIs with NLM's descriptor-qualifier pair IRIs,
and a `kg:MeshHeading` node per heading that keeps every flag the XML gives.
"""

from __future__ import annotations

import re
from typing import Iterator

from .. import iris
from ..records import Article, Author, PubDate
from ..vocab import CITO, DCTERMS, FABIO, FOAF, KG, MESH, PRISM, RDF
from .nt import XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH, boolean, integer, iri, lit, typed

Triple = tuple[str, str, str]

# \Z, not $: `$` also matches before a final newline, which would let "D000001\n" into an IRI.
_MESH_UI = re.compile(r"^[DQC][0-9]{6,9}\Z")
_ISSN = re.compile(r"^[0-9]{4}-[0-9]{3}[0-9Xx]\Z")
_DOI = re.compile(r"^10\.\S+/\S+\Z")

# Pre-formatted predicate and class terms: the mapping runs once per article, millions of times.
P_TYPE = iri(RDF.type)
P_TITLE, P_ABSTRACT, P_CREATOR = iri(DCTERMS.title), iri(DCTERMS.abstract), iri(DCTERMS.creator)
P_LANGUAGE, P_PART_OF, P_PUBLISHER = iri(DCTERMS.language), iri(DCTERMS.isPartOf), iri(DCTERMS.publisher)
P_SUBJECT, P_PRIMARY = iri(FABIO.hasSubjectTerm), iri(FABIO.hasPrimarySubjectTerm)
P_PMID, P_PMCID, P_PII = iri(FABIO.hasPubMedId), iri(FABIO.hasPubMedCentralId), iri(FABIO.hasPII)
P_DOI, P_DATE = iri(PRISM.doi), iri(PRISM.publicationDate)
C_JOURNAL_ARTICLE, C_REVIEW = iri(FABIO.JournalArticle), iri(FABIO.ReviewArticle)
C_BOOK, C_CHAPTER, C_JOURNAL = iri(FABIO.Book), iri(FABIO.BookChapter), iri(FABIO.Journal)
C_PERSON, C_ORG = iri(FOAF.Person), iri(FOAF.Organization)
C_HEADING, C_QASSIGN = iri(KG.MeshHeading), iri(KG.MeshQualifierAssignment)
K = {name: iri(KG.term(name)) for name in KG.terms or ()}
# Other external terms used below, formatted once at import.
CITO_cites = iri(CITO.cites)
FABIO_hasNLMJournalTitleAbbreviation = iri(FABIO.hasNLMJournalTitleAbbreviation)
FABIO_hasNationalLibraryOfMedicineJournalId = iri(FABIO.hasNationalLibraryOfMedicineJournalId)
FABIO_hasPublicationYear = iri(FABIO.hasPublicationYear)
FOAF_familyName = iri(FOAF.familyName)
FOAF_givenName = iri(FOAF.givenName)
FOAF_name = iri(FOAF.name)
PRISM_eIssn = iri(PRISM.eIssn)
PRISM_issn = iri(PRISM.issn)
PRISM_issueIdentifier = iri(PRISM.issueIdentifier)
PRISM_keyword = iri(PRISM.keyword)
PRISM_pageRange = iri(PRISM.pageRange)
PRISM_volume = iri(PRISM.volume)
ORCID_BASE = "https://orcid.org/"

REVIEW_TYPE_UIS = {"D016454", "D017418", "D000078182"}  # Review, Meta-Analysis, Systematic Review
COMMENT_TYPES = {  # PubMed RefType -> kg: property
    "RetractionIn": "retractionIn", "RetractionOf": "retractionOf", "ErratumIn": "erratumIn",
    "ErratumFor": "erratumFor", "CommentOn": "commentOn", "CommentIn": "commentIn", "UpdateIn": "updateIn",
    "UpdateOf": "updateOf", "ExpressionOfConcernIn": "expressionOfConcernIn",
    "ExpressionOfConcernFor": "expressionOfConcernFor", "RepublishedIn": "republishedIn",
    "RepublishedFrom": "republishedFrom", "ReprintIn": "reprintIn", "ReprintOf": "reprintOf",
    "CorrectedandRepublishedIn": "correctedAndRepublishedIn",
    "CorrectedandRepublishedFrom": "correctedAndRepublishedFrom",
    "PartialRetractionIn": "partialRetractionIn", "PartialRetractionOf": "partialRetractionOf",
    "SummaryForPatientsIn": "summaryForPatientsIn", "OriginalReportIn": "originalReportIn",
}


def date_literal(d: PubDate) -> str | None:
    """The most precise typed literal the date supports: xsd:date, xsd:gYearMonth or xsd:gYear."""
    if d.year is None:
        return None
    if d.month and d.day:
        return typed(f"{d.year:04d}-{d.month:02d}-{d.day:02d}", XSD_DATE)
    if d.month:
        return typed(f"{d.year:04d}-{d.month:02d}", XSD_GYEARMONTH)
    return typed(f"{d.year:04d}", XSD_GYEAR)


def _node_prefix(pmid: str) -> str:
    """`<.../id/pubmed/PMID/` once per article: node IRIs are this plus fixed words and integers, so they
    need neither quoting nor validation (`iris.node` is the general, slower form; a test keeps them equal)."""
    return "<" + iris.node(pmid, "")


def _person(s: str, a: Author, position: int) -> Iterator[Triple]:
    if a.collective_name and not a.last_name:
        yield s, P_TYPE, C_ORG
        yield s, K["collectiveName"], lit(a.collective_name)
        yield s, FOAF_name, lit(a.collective_name)
    else:
        yield s, P_TYPE, C_PERSON
        if a.last_name:
            yield s, FOAF_familyName, lit(a.last_name)
            # a lower-cased copy: `articles-by-author` looks the name up in the index instead of
            # lower-casing every family name of the store (the compiled mapping writes the same).
            yield s, K["familyNameKey"], lit(a.last_name.lower())
        if a.fore_name:
            yield s, FOAF_givenName, lit(a.fore_name)
        if a.initials:
            yield s, K["initials"], lit(a.initials)
        if a.suffix:
            yield s, K["suffix"], lit(a.suffix)
        name = " ".join(x for x in (a.fore_name, a.last_name, a.suffix) if x)
        if name:
            yield s, FOAF_name, lit(name)
    yield s, K["authorPosition"], integer(position)
    if a.orcid:
        yield s, K["orcid"], iri(ORCID_BASE + a.orcid)
    for aff in a.affiliations:
        yield s, K["affiliation"], lit(aff)


def _mesh_term(ui: str | None) -> str | None:
    return f"<{MESH}{ui}>" if ui and _MESH_UI.match(ui) else None


def article_triples(a: Article) -> Iterator[Triple]:
    """Every triple of one article's named graph (provenance excluded: see `kg.rdf.provenance`)."""
    pm = a.pmid
    s = "<" + iris.article(pm) + ">"
    base = _node_prefix(pm)
    if a.is_book:
        yield s, P_TYPE, C_CHAPTER if (a.book_title and a.title != a.book_title) else C_BOOK
    else:
        yield s, P_TYPE, C_JOURNAL_ARTICLE
        if any(p.ui in REVIEW_TYPE_UIS or p.name == "Review" for p in a.publication_types):
            yield s, P_TYPE, C_REVIEW
    yield s, P_PMID, lit(pm)
    yield s, K["pmidVersion"], integer(a.version)
    if a.title:
        yield s, P_TITLE, lit(a.title)
    if a.vernacular_title:
        yield s, K["vernacularTitle"], lit(a.vernacular_title)
    if a.book_title and a.book_title != a.title:
        yield s, K["bookTitle"], lit(a.book_title)
    ab = a.abstract_text
    if ab:
        yield s, P_ABSTRACT, lit(ab)
        if len(a.abstract) > 1 or a.abstract[0].label:
            for i, sec in enumerate(a.abstract, 1):
                n = f"{base}abstract/{i}>"
                yield s, K["abstractSection"], n
                yield n, P_TYPE, K["AbstractSection"]
                yield n, K["position"], integer(i)
                yield n, K["text"], lit(sec.text)
                if sec.label:
                    yield n, K["abstractLabel"], lit(sec.label)
                if sec.category:
                    yield n, K["nlmCategory"], lit(sec.category)
    for o in a.other_abstracts:
        yield s, K["otherAbstract"], lit(o)
    d = a.pub_date
    dl = date_literal(d)
    if dl:
        yield s, P_DATE, dl
        yield s, FABIO_hasPublicationYear, typed(f"{d.year:04d}", XSD_GYEAR)
    if d.medline_date:
        yield s, K["medlineDate"], lit(d.medline_date)
    for lg in a.languages:
        yield s, P_LANGUAGE, lit(lg)
    if a.doi and _DOI.match(a.doi):
        yield s, P_DOI, lit(a.doi)
    if a.pmcid:
        yield s, P_PMCID, lit(a.pmcid)
    if a.pii:
        yield s, P_PII, lit(a.pii)
    if a.status:
        yield s, K["citationStatus"], lit(a.status)
    if a.owner:
        yield s, K["citationOwner"], lit(a.owner)
    if a.indexing_method:
        yield s, K["indexingMethod"], lit(a.indexing_method)
    if a.volume:
        yield s, PRISM_volume, lit(a.volume)
    if a.issue:
        yield s, PRISM_issueIdentifier, lit(a.issue)
    if a.pages:
        yield s, PRISM_pageRange, lit(a.pages)
    if a.publisher:
        yield s, P_PUBLISHER, lit(a.publisher)

    for i, au in enumerate(a.authors, 1):
        n = f"{base}author/{i}>"
        yield s, P_CREATOR, n
        yield from _person(n, au, i)
    for i, inv in enumerate(a.investigators, 1):
        n = f"{base}investigator/{i}>"
        yield s, K["investigator"], n
        yield n, P_TYPE, K["Investigator"]
        yield from _person(n, inv, i)

    j = a.journal
    if j is not None:
        issn = j.issn_linking or j.issn_print or j.issn_electronic
        ju = iris.journal(j.nlm_unique_id, issn)
        if ju:
            jn = iri(ju)
            yield s, P_PART_OF, jn
            yield jn, P_TYPE, C_JOURNAL
            if j.title:
                yield jn, P_TITLE, lit(j.title)
            if j.nlm_unique_id:
                yield jn, K["nlmUniqueId"], lit(j.nlm_unique_id)
                yield jn, FABIO_hasNationalLibraryOfMedicineJournalId, lit(j.nlm_unique_id)
            if j.issn_print and _ISSN.match(j.issn_print):
                yield jn, PRISM_issn, lit(j.issn_print)
            if j.issn_electronic and _ISSN.match(j.issn_electronic):
                yield jn, PRISM_eIssn, lit(j.issn_electronic)
            if j.issn_linking and _ISSN.match(j.issn_linking):
                yield jn, K["issnLinking"], lit(j.issn_linking)
            if j.medline_ta:
                yield jn, K["medlineTA"], lit(j.medline_ta)
                yield jn, FABIO_hasNLMJournalTitleAbbreviation, lit(j.medline_ta)
            if j.country:
                yield jn, K["country"], lit(j.country)

    for p in a.publication_types:
        t = _mesh_term(p.ui)
        if t:
            yield s, K["publicationType"], t
    for c in a.chemicals:
        t = _mesh_term(c.ui)
        if t:
            yield s, K["chemical"], t
    for c in a.supplementary_concepts:
        t = _mesh_term(c.ui)
        if t:
            yield s, K["supplementaryConcept"], t
    for kw in a.keywords:
        yield s, PRISM_keyword, lit(kw)
    for i, g in enumerate(a.grants, 1):
        n = f"{base}grant/{i}>"
        yield s, K["grant"], n
        yield n, P_TYPE, K["Grant"]
        if g.grant_id:
            yield n, K["grantId"], lit(g.grant_id)
        if g.agency:
            yield n, K["grantAgency"], lit(g.agency)
        if g.country:
            yield n, K["grantCountry"], lit(g.country)
        if g.acronym:
            yield n, K["grantAcronym"], lit(g.acronym)
    for r in a.references:
        if r.pmid and iris.ascii_digits(r.pmid):
            yield s, CITO_cites, "<" + iris.article(r.pmid) + ">"
        elif r.doi and _DOI.match(r.doi):
            yield s, CITO_cites, iri(iris.doi(r.doi))
    for cc in a.comments_corrections:
        prop = COMMENT_TYPES.get(cc.ref_type)
        if prop and cc.pmid and iris.ascii_digits(cc.pmid):
            yield s, K[prop], "<" + iris.article(cc.pmid) + ">"

    yield from mesh_triples(a, s)


def mesh_triples(a: Article, s: str) -> Iterator[Triple]:
    """MeSH headings: fabio subject terms to descriptors and pair IRIs, plus a flag-keeping heading node."""
    base = _node_prefix(a.pmid)
    for i, h in enumerate(a.mesh_headings, 1):
        n = f"{base}mesh/{i}>"
        yield s, K["meshHeading"], n
        yield n, P_TYPE, C_HEADING
        yield n, K["position"], integer(i)
        yield n, K["descriptorName"], lit(h.descriptor_name)
        yield n, K["descriptorMajorTopic"], boolean(h.major)
        if h.auto_hm is not None:
            yield n, K["autoHM"], boolean(h.auto_hm)
        if h.descriptor_type:
            yield n, K["descriptorType"], lit(h.descriptor_type)
        d = _mesh_term(h.descriptor_ui)
        if d:
            yield n, K["descriptor"], d
            yield s, P_SUBJECT, d
            if h.major:
                yield s, P_PRIMARY, d
        for k, q in enumerate(h.qualifiers, 1):
            qn = f"{base}mesh/{i}/{k}>"
            yield n, K["qualifier"], qn
            yield qn, P_TYPE, C_QASSIGN
            yield qn, K["position"], integer(k)
            yield qn, K["qualifierName"], lit(q.name)
            yield qn, K["majorTopic"], boolean(q.major)
            if q.auto_hm is not None:
                yield qn, K["autoHM"], boolean(q.auto_hm)
            qt = _mesh_term(q.ui)
            if qt:
                yield qn, K["qualifierTerm"], qt
            if qt and d and h.descriptor_ui and q.ui:
                pair = f"<{MESH}{h.descriptor_ui}{q.ui}>"
                yield qn, K["pairTerm"], pair
                yield s, P_SUBJECT, pair
                if q.major:
                    yield s, P_PRIMARY, pair
