"""The compiled PubMed mapping (`kg._pubmed_fast`), configured from the Python mapping's own terms.

Why it exists: reading fields through lxml proxies, building records and formatting terms in Python
costs about five times the XML parse itself (docs/decisions/0013-compiled-pubmed-reader.md). The C
module walks libxml2's tree under each `PubmedArticle` and writes the same N-Quads lines, in the same
order, that `kg.rdf.article.article_triples` gives for `kg.ingest.pubmed_xml.parse_article`.

Nothing about the vocabulary lives in C: every predicate, class, datatype and IRI base below comes from
`kg.rdf.article` (itself from `kg.vocab`) and `kg.iris`, so the ontology stays the one source of truth.
Where the extension was not built (no C compiler at install time), `map_article` is None and callers
use the Python path, which gives the same graph.

`FAST_MAPPINGS` is the map layer's table of compiled mappings by ingestor name (`kg.ingest.INGESTORS`):
the run layer (`kg.pipeline.compiled_hooks`) consults it and hands the mapping to the reader as a hook on
its record elements, so readers only read (docs/decisions/0026-fast-path-as-a-map-table.md). Whether a
run mines text does not choose the mapping: `add_lines` puts the text-mining triples into a compiled
graph where the Python mapping puts them.
"""

from __future__ import annotations

from typing import Callable, Sequence

from lxml import etree

from .. import iris
from ..vocab import MESH, PROV
from . import article as m
from .nt import FALSE, TRUE, XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH, XSD_INTEGER, iri
from .provenance import fixed_middles

# (element, provenance middles) -> (pmid, version, UTF-8 N-Quads of the whole graph, triples) or None
MapArticle = Callable[[etree._Element, "tuple[bytes, ...]"], "tuple[str, int, bytes, int] | None"]


def terms() -> dict[str, str]:
    """The N-Triples terms and IRI bases the C mapping writes, by the names it asks for."""
    k = m.K
    probe = "1"
    node_base = iris.node(probe, "")[: -len(probe) - 1]  # ".../id/pubmed/" (node IRIs add PMID/...)
    return {
        "type": m.P_TYPE, "JournalArticle": m.C_JOURNAL_ARTICLE, "ReviewArticle": m.C_REVIEW,
        "pmid": m.P_PMID, "pmidVersion": k["pmidVersion"], "title": m.P_TITLE,
        "vernacularTitle": k["vernacularTitle"], "abstract": m.P_ABSTRACT,
        "abstractSection": k["abstractSection"], "AbstractSection": k["AbstractSection"],
        "position": k["position"], "text": k["text"], "abstractLabel": k["abstractLabel"],
        "nlmCategory": k["nlmCategory"], "otherAbstract": k["otherAbstract"], "publicationDate": m.P_DATE,
        "publicationYear": m.FABIO_hasPublicationYear, "medlineDate": k["medlineDate"],
        "language": m.P_LANGUAGE, "doi": m.P_DOI, "pmcid": m.P_PMCID, "pii": m.P_PII,
        "citationStatus": k["citationStatus"], "citationOwner": k["citationOwner"],
        "indexingMethod": k["indexingMethod"], "volume": m.PRISM_volume, "issue": m.PRISM_issueIdentifier,
        "pageRange": m.PRISM_pageRange, "creator": m.P_CREATOR, "investigator": k["investigator"],
        "Investigator": k["Investigator"], "Organization": m.C_ORG, "collectiveName": k["collectiveName"],
        "name": m.FOAF_name, "Person": m.C_PERSON, "familyName": m.FOAF_familyName, "familyNameKey": k["familyNameKey"],
        "givenName": m.FOAF_givenName, "initials": k["initials"], "suffix": k["suffix"],
        "authorPosition": k["authorPosition"], "orcid": k["orcid"], "affiliation": k["affiliation"],
        "isPartOf": m.P_PART_OF, "Journal": m.C_JOURNAL, "nlmUniqueId": k["nlmUniqueId"],
        "nlmJournalId": m.FABIO_hasNationalLibraryOfMedicineJournalId, "issn": m.PRISM_issn,
        "eIssn": m.PRISM_eIssn, "issnLinking": k["issnLinking"], "medlineTA": k["medlineTA"],
        "nlmTitleAbbreviation": m.FABIO_hasNLMJournalTitleAbbreviation, "country": k["country"],
        "publicationType": k["publicationType"], "chemical": k["chemical"],
        "supplementaryConcept": k["supplementaryConcept"], "keyword": m.PRISM_keyword, "grant": k["grant"],
        "Grant": k["Grant"], "grantId": k["grantId"], "grantAgency": k["grantAgency"],
        "grantCountry": k["grantCountry"], "grantAcronym": k["grantAcronym"], "cites": m.CITO_cites,
        "meshHeading": k["meshHeading"], "MeshHeading": m.C_HEADING, "descriptorName": k["descriptorName"],
        "descriptorMajorTopic": k["descriptorMajorTopic"], "autoHM": k["autoHM"],
        "descriptorType": k["descriptorType"], "descriptor": k["descriptor"], "hasSubjectTerm": m.P_SUBJECT,
        "hasPrimarySubjectTerm": m.P_PRIMARY, "qualifier": k["qualifier"],
        "MeshQualifierAssignment": m.C_QASSIGN, "qualifierName": k["qualifierName"],
        "majorTopic": k["majorTopic"], "qualifierTerm": k["qualifierTerm"], "pairTerm": k["pairTerm"],
        "xsd:integer": XSD_INTEGER, "xsd:date": XSD_DATE, "xsd:gYearMonth": XSD_GYEARMONTH,
        "xsd:gYear": XSD_GYEAR, "true": TRUE, "false": FALSE, "hadPrimarySource": iri(PROV.hadPrimarySource),
        "base:article": iris.article(""), "base:graph": iris.article_graph(""), "base:node": node_base,
        "base:journal-nlm": (iris.journal("A", None) or "")[:-1], "base:journal-issn": (iris.journal(None, "A") or "")[:-1],
        "base:doi": iris.doi(""), "base:mesh": str(MESH), "base:orcid": m.ORCID_BASE,
    }


def comment_terms() -> dict[str, str]:
    """PubMed RefType -> the kg: property term (kg.rdf.article.COMMENT_TYPES)."""
    return {ref_type: m.K[prop] for ref_type, prop in m.COMMENT_TYPES.items()}


def _load() -> MapArticle | None:
    try:
        from .. import _pubmed_fast  # type: ignore[attr-defined]
    except ImportError:
        return None
    _pubmed_fast.configure(terms(), sorted(m.REVIEW_TYPE_UIS), comment_terms())
    map_article: MapArticle = _pubmed_fast.map_article
    return map_article


map_article: MapArticle | None = _load()


#: Compiled mappings by the name of the ingestor whose record elements they take: (element, provenance
#: middles from `kg.rdf.provenance.fixed_middles`) -> (pmid, version, UTF-8 N-Quads, triples), or None for
#: an element the mapping declines (the reader then reads it, and the Python mapping maps it).
FAST_MAPPINGS: dict[str, MapArticle] = {} if map_article is None else {"pubmed": map_article}

# The compiled graph ends with its provenance: one line per fixed middle, then prov:hadPrimarySource.
_PROVENANCE_LINES = len(fixed_middles("-", "pubmed", "")) + 1


def add_lines(nquads: bytes, triples: int, lines: Sequence[str]) -> tuple[bytes, int]:
    """A compiled graph (`triples` lines, each once) with `lines` (more quads of the same graph: text
    mining) added where `kg.pipeline.article_nquads` adds them, after the article's triples and before the
    provenance the compiled mapping writes last, each line once as `kg.rdf.nt.graph_text` keeps it: (the
    graph's N-Quads, its triple count).

    Why hashes: an article with 15,000 investigators has 120,000 lines, and a set of them would cost more
    memory than the Python path this replaces; a set of their hashes is a fifth of that, and a mined line
    whose hash is there is confirmed by a search for it after a newline."""
    cut = len(nquads)
    for _ in range(_PROVENANCE_LINES + 1):
        cut = nquads.rfind(b"\n", 0, cut)
        if cut < 0:
            break
    cut += 1  # start of the first provenance line (0 if the graph were only provenance)
    head, tail = nquads[:cut], nquads[cut:]
    hashes = _line_hashes(head)
    new = [x for x in dict.fromkeys(x.encode() for x in lines)
           if not (hash(x) in hashes and (head.startswith(x) or b"\n" + x in head))]
    if not new:
        return nquads, triples
    tail_lines = [x + b"\n" for x in tail.split(b"\n")[:-1]]
    added = set(new)
    kept_tail = [x for x in tail_lines if x not in added]  # a provenance line mined too stays where mined
    return (head + b"".join(new) + b"".join(kept_tail),
            triples - len(tail_lines) + len(new) + len(kept_tail))


def _line_hashes(data: bytes) -> set[int]:
    """The hashes of the lines (each with its newline) of N-Quads text, without holding the lines."""
    out: set[int] = set()
    find = data.find
    start = 0
    while True:
        end = find(b"\n", start) + 1
        if not end:
            return out
        out.add(hash(data[start:end]))
        start = end
