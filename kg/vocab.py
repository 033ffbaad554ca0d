"""Every namespace `kg` writes, declared once.

`KG` is closed: its terms are exactly the ones declared in `ontology/kg.ttl` (tests/test_vocab.py checks
both ways, and tests/test_shapes.py that every `kg:` term the code, shapes and queries use is declared), so
a typo such as ``KG.descriptorMajr`` raises instead of minting a new IRI. External vocabularies are closed
too where we list the terms we use, so the shapes test can check that every external term the shapes name
belongs to a declared vocabulary.

Terms are plain strings (IRIs); `kg.rdf.nt` formats them as N-Triples terms for the mapping, and the
stores make pyoxigraph nodes of them where they need nodes. Plain strings keep this module importable
without rdflib or pyoxigraph, which matters for CLI start-up time.
"""

from __future__ import annotations

from typing import Iterable


class Namespace:
    """An IRI prefix; attribute or item access gives a term IRI (a plain `str`).

    With `terms`, the namespace is closed: unknown names raise AttributeError. Not a `str` subclass on
    purpose: `DCTERMS.title` must be the term, not `str.title`.
    """

    __slots__ = ("base", "_terms")

    def __init__(self, base: str, terms: Iterable[str] | None = None) -> None:
        self.base = base
        self._terms = frozenset(terms) if terms is not None else None

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.term(name)

    def __getitem__(self, name: str) -> str:
        return self.term(name)

    def term(self, name: str) -> str:
        if self._terms is not None and name not in self._terms:
            raise AttributeError(f"{name!r} is not a declared term of {self.base}")
        return self.base + name

    @property
    def terms(self) -> frozenset[str] | None:
        return self._terms

    def __str__(self) -> str:
        return self.base

    def __format__(self, spec: str) -> str:
        return format(self.base, spec)

    def __add__(self, other: str) -> str:
        return self.base + other

    def __repr__(self) -> str:
        return f"Namespace({self.base!r})"


# The project's own terms: the source of truth is ontology/kg.ttl; this list mirrors it (tested).
KG_TERMS = [
    # classes
    "MeshHeading", "MeshQualifierAssignment", "AbstractSection", "Grant", "ArticleGraph",
    "DeletedCitation", "Investigator", "Mention", "Entity", "TextCooccurrence",
    "Tagger", "Passage", "Sentence",
    # article
    "pmid", "pmidVersion", "medlineDate", "publicationType", "chemical",
    "supplementaryConcept", "meshHeading", "citationStatus", "indexingMethod", "citationOwner",
    "vernacularTitle", "otherAbstract", "abstractSection", "investigator", "grant", "retractionIn",
    "retractionOf", "erratumIn", "erratumFor", "commentOn", "commentIn", "updateIn",
    "updateOf", "expressionOfConcernIn", "expressionOfConcernFor", "republishedIn", "republishedFrom",
    "reprintIn", "reprintOf", "correctedAndRepublishedIn", "correctedAndRepublishedFrom",
    "partialRetractionIn", "partialRetractionOf", "summaryForPatientsIn", "originalReportIn",
    "authorPosition", "affiliation", "initials", "orcid", "collectiveName", "suffix", "familyNameKey",
    "abstractLabel", "nlmCategory", "position", "text", "grantId", "grantAgency", "grantCountry",
    "grantAcronym", "bookTitle",
    # MeSH heading node
    "descriptor", "descriptorName", "descriptorMajorTopic", "qualifier", "qualifierTerm",
    "qualifierName", "pairTerm", "majorTopic", "autoHM", "descriptorType", "meshAncestor",
    # ontology class closure (issue 15)
    "ancestorClass",
    # journal
    "nlmUniqueId", "issnLinking", "medlineTA", "country",
    # provenance
    "sourceFile", "sourceFormat", "toolVersion",
    # mentions / entities / assertions (issue 3)
    "sectionType", "entityType", "matchedText", "sentence", "confidence", "negated", "hedged",
    "polarity", "supportingArticleCount", "trigger", "inSection", "ontology", "names",
    # relation types comparable with BioRED (issue 12)
    "relationType",
    # ontology linking (issue 7)
    "xref",
]
KG = Namespace("https://w3id.org/oncokg/vocab/", KG_TERMS)

# Instance namespaces (not vocabularies): minted IRIs live here, never terms.
KGID = Namespace("https://w3id.org/oncokg/id/")
KGGRAPH = Namespace("https://w3id.org/oncokg/graph/")

PUBMED = Namespace("http://rdf.ncbi.nlm.nih.gov/pubmed/")
MESH = Namespace("http://id.nlm.nih.gov/mesh/")
MESHV = Namespace("http://id.nlm.nih.gov/mesh/vocab#")

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", ["type", "value", "first", "rest", "nil"])
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", ["label", "comment", "subClassOf", "seeAlso",
                                                            "subPropertyOf", "domain", "range", "Class", "isDefinedBy"])
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/", [
    "title", "abstract", "creator", "contributor", "language", "identifier", "isPartOf", "issued",
    "source", "subject", "type", "publisher", "alternative", "description", "bibliographicCitation", "license",
])
FABIO = Namespace("http://purl.org/spar/fabio/", [
    "JournalArticle", "ReviewArticle", "Book", "BookChapter", "Journal", "Article", "Expression",
    "hasSubjectTerm", "hasPrimarySubjectTerm", "hasPubMedId", "hasPubMedCentralId", "hasPII",
    "hasNationalLibraryOfMedicineJournalId", "hasNLMJournalTitleAbbreviation", "hasPublicationYear",
])
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/", [
    "publicationDate", "doi", "issn", "eIssn", "volume", "issueIdentifier", "pageRange", "keyword",
    "startingPage", "endingPage",
])
FOAF = Namespace("http://xmlns.com/foaf/0.1/", [
    "Person", "Organization", "Agent", "name", "familyName", "givenName",
])
CITO = Namespace("http://purl.org/spar/cito/", ["cites"])
PROV = Namespace("http://www.w3.org/ns/prov#", [
    "Entity", "Activity", "SoftwareAgent", "wasDerivedFrom", "generatedAtTime", "wasGeneratedBy",
    "wasAttributedTo", "wasAssociatedWith", "used", "startedAtTime", "invalidatedAtTime", "hadPrimarySource",
])
OA = Namespace("http://www.w3.org/ns/oa#", [
    "Annotation", "SpecificResource", "TextPositionSelector", "TextQuoteSelector", "hasBody", "hasTarget",
    "hasSource", "hasSelector", "start", "end", "exact", "prefix", "suffix", "motivatedBy", "identifying",
    "tagging", "describing",
])
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
RO = Namespace("http://purl.obolibrary.org/obo/RO_")
OBO = Namespace("http://purl.obolibrary.org/obo/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("http://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ORCID = Namespace("https://orcid.org/")
DOI = Namespace("https://doi.org/")

# Prefixes declared in every exported Turtle, TriG and RDF/XML file and offered to every query (embedded and remote).
PREFIXES: dict[str, str] = {
    "kg": str(KG), "kgid": str(KGID), "kggraph": str(KGGRAPH), "pubmed": str(PUBMED),
    "mesh": str(MESH), "meshv": str(MESHV), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
    "owl": str(OWL), "skos": str(SKOS), "dcterms": str(DCTERMS), "fabio": str(FABIO),
    "prism": str(PRISM), "foaf": str(FOAF), "cito": str(CITO), "prov": str(PROV), "oa": str(OA),
    "biolink": str(BIOLINK), "obo": str(OBO), "sh": str(SH),
}

# Closed vocabularies whose terms `kg` may emit: tests/test_shapes.py checks the shapes name no other term of them.
CLOSED_EXTERNAL = [RDF, RDFS, DCTERMS, FABIO, PRISM, FOAF, CITO, PROV, OA]
