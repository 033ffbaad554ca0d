"""Frozen dataclasses for what ingestors yield.

Glossary: a *record* is what an ingestor yields (an `Article`, a `Deletion`, or a `Rejected` error for a
record that could not be read); a *heading* is one MeSH descriptor with its qualifiers; a *mention* is a
span of text; an *entity* is what a mention is grounded to; an *assertion* is a typed relation between
entities, with evidence.

Records hold parsed values only, never RDF: mapping to quads is `kg.rdf`'s job, so a new source format
touches one ingestor module and the mapping stays shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .errors import InputError


@dataclass(frozen=True, slots=True)
class PubDate:
    """A publication date as PubMed gives it: structured parts, or free text (`MedlineDate`)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: str | None = None
    medline_date: str | None = None


@dataclass(frozen=True, slots=True)
class Author:
    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    suffix: str | None = None
    collective_name: str | None = None
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()
    valid: bool = True


@dataclass(frozen=True, slots=True)
class Journal:
    nlm_unique_id: str | None = None
    issn_print: str | None = None
    issn_electronic: str | None = None
    issn_linking: str | None = None
    title: str | None = None
    iso_abbreviation: str | None = None
    medline_ta: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Qualifier:
    ui: str | None
    name: str
    major: bool = False
    auto_hm: bool | None = None


@dataclass(frozen=True, slots=True)
class MeshHeading:
    """One descriptor with its qualifiers; every flag as the XML gives it (major per element, AutoHM)."""

    descriptor_ui: str | None
    descriptor_name: str
    major: bool = False
    auto_hm: bool | None = None
    descriptor_type: str | None = None
    qualifiers: tuple[Qualifier, ...] = ()


@dataclass(frozen=True, slots=True)
class AbstractSection:
    text: str
    label: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str | None = None
    agency: str | None = None
    country: str | None = None
    acronym: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    citation: str | None = None
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None


@dataclass(frozen=True, slots=True)
class CommentCorrection:
    ref_type: str
    pmid: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """A MeSH-identified term on a record: publication type, chemical, supplementary concept."""

    ui: str | None
    name: str
    extra: str | None = None  # registry number for chemicals, concept type for supplementary concepts


@dataclass(frozen=True, slots=True)
class Article:
    """One citation (journal article or book/chapter) as read from any source format."""

    pmid: str
    version: int = 1
    is_book: bool = False
    title: str | None = None
    vernacular_title: str | None = None
    book_title: str | None = None
    abstract: tuple[AbstractSection, ...] = ()
    other_abstracts: tuple[str, ...] = ()
    pub_date: PubDate = field(default_factory=PubDate)
    languages: tuple[str, ...] = ()
    doi: str | None = None
    pmcid: str | None = None
    pii: str | None = None
    authors: tuple[Author, ...] = ()
    investigators: tuple[Author, ...] = ()
    journal: Journal | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    publication_types: tuple[Term, ...] = ()
    mesh_headings: tuple[MeshHeading, ...] = ()
    chemicals: tuple[Term, ...] = ()
    supplementary_concepts: tuple[Term, ...] = ()
    keywords: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    references: tuple[Reference, ...] = ()
    comments_corrections: tuple[CommentCorrection, ...] = ()
    status: str | None = None
    owner: str | None = None
    indexing_method: str | None = None
    line: int | None = field(default=None, compare=False)  # where the record starts in its file, for messages
    source_format: str = "pubmed"  # the ingestor that read it (INGESTORS name): lands in the graph's provenance

    @property
    def abstract_text(self) -> str | None:
        """The abstract as one string: labelled sections joined the way PubMed displays them."""
        if not self.abstract:
            return None
        parts = [(f"{s.label}: {s.text}" if s.label else s.text) for s in self.abstract]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class PrebuiltArticle:
    """A PubMed article already mapped to the UTF-8 N-Quads of its whole named graph, provenance included,
    by a compiled mapping (`kg.rdf.fast.FAST_MAPPINGS`, which the run layer hands the reader as an element
    hook; docs/decisions/0026-fast-path-as-a-map-table.md).

    Why a record holds RDF here, against the rule above: building an `Article` only to format it again
    costs most of the time of a run. The text is exactly what `kg.pipeline.map_record` makes of the
    `Article` the Python reader gives for the same element (tests/test_pubmed_fast.py): one mapping, two
    implementations. `text` is set when the run mines text: an `Article` holding only the PMID, version,
    title and abstract (what `kg.nlp.mine` reads), taken by the reader from the same parsed element.
    """

    pmid: str
    version: int
    nquads: bytes
    triples: int
    line: int | None = field(default=None, compare=False)  # where the record starts in its file, for messages
    text: Article | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Deletion:
    """A `DeleteCitation` entry: the PMID must leave the graph."""

    pmid: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that could not be read; the error says file, PMID and problem."""

    error: InputError


@dataclass(frozen=True, slots=True)
class Passage:
    """One piece of full text: a body section paragraph, a figure or table caption (issue 3).

    `kind` is the section type ("title", "abstract", "intro", "methods", "results", "discussion",
    "fig", "table", "body"); `key` is stable within the article (the JATS id where there is one).
    """

    key: str
    kind: str
    text: str
    label: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class FullText:
    """A PMC full-text article (JATS): front matter plus body passages and captions, in document order."""

    pmid: str | None
    pmcid: str | None = None
    doi: str | None = None
    title: str | None = None
    abstract: tuple[AbstractSection, ...] = ()
    passages: tuple[Passage, ...] = ()
    keywords: tuple[str, ...] = ()
    article_type: str | None = None
    journal_title: str | None = None
    license: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets [start, end) in the document text, as the annotation source counts them."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DocumentPassage:
    """A passage of an annotated document (PubTator/BioC): its offset, text and section type."""

    offset: int
    text: str
    section: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentAnnotation:
    """One annotated mention (PubTator/BioC) with the identifier exactly as the source wrote it."""

    id: str
    type: str | None
    text: str
    spans: tuple[Span, ...]
    identifier: str | None = None  # may be composite ("D058186|D017093") or tmVar; kg.rdf normalises it
    xrefs: tuple[str, ...] = ()  # extra identifiers (tmVar's RSID column)
    section: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRelation:
    """A typed relation between two entities (raw identifiers) or two annotations (BioC node refids)."""

    id: str
    type: str
    subject: str | None = None
    object: str | None = None
    subject_type: str | None = None
    object_type: str | None = None
    subject_ref: str | None = None
    object_ref: str | None = None
    novel: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class AnnotatedDocument:
    """One article's annotations and relations from PubTator text, BioC XML or BioC JSON (issue 3)."""

    pmid: str
    source_format: str
    passages: tuple[DocumentPassage, ...] = ()
    annotations: tuple[DocumentAnnotation, ...] = ()
    relations: tuple[DocumentRelation, ...] = ()


Record = Union[Article, PrebuiltArticle, Deletion, Rejected, FullText, AnnotatedDocument]


# ---- text mining ----------------------------------------------------------------------------------
# What kg.nlp reads from an article's text, as records; kg.rdf.mechanisms maps them to triples.


@dataclass(frozen=True, slots=True)
class TextPassage:
    """One passage of an article's text: title, an abstract section, a body paragraph or a caption."""

    key: str            # stable within the article ("title", "abstract-2", "sec2.1-p3", "fig-1")
    kind: str           # section type: title, abstract, body, fig, table ...
    text: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """What mentions are grounded to: one canonical CURIE, its type and label, its equivalents elsewhere."""

    curie: str
    type: str
    label: str
    xrefs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a passage grounded to one or more entities (several only for a compound name such as
    "liver metastasis": disease plus anatomical site); offsets are Python string indices."""

    passage: str
    start: int
    end: int
    text: str
    curies: tuple[str, ...]
    sentence: str | None = None


@dataclass(frozen=True, slots=True)
class Assertion:
    """A relation read from one sentence: `subject` acts on `object` (canonical CURIEs).

    `predicate` is the direct RO/Biolink predicate, `association_predicate` the Association's;
    `polarity` the sign of the subject's effect (+1, -1, 0); `relation_type` BioRED's type of the pair;
    `anatomy` the site of a compound object ("liver metastasis")."""

    subject: str
    object: str
    predicate: str
    association_predicate: str
    direction: str
    polarity: int
    relation_type: str
    trigger: str
    negated: bool
    hedged: bool
    passage: str
    kind: str
    sentence_start: int
    sentence_end: int
    sentence: str
    anatomy: str | None = None


@dataclass(frozen=True, slots=True)
class Cooccurrence:
    """Two entities named in one sentence (or the paper's topic disease and an entity of a sentence).
    `evidence`: (sentence, section type, the (passage, start, end) spans of the mentions there)."""

    subject: str
    object: str
    evidence: tuple[tuple[str, str, tuple[tuple[str, int, int], ...]], ...]


@dataclass(frozen=True, slots=True)
class TextMining:
    """Everything mined from one record's text, ready for mapping to the record's graph."""

    pmid: str
    source: str          # "pubmed" (title and abstract) or "pmc" (full text)
    passages: tuple[TextPassage, ...]
    entities: tuple[Entity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    assertions: tuple[Assertion, ...] = ()
    cooccurrences: tuple[Cooccurrence, ...] = ()
