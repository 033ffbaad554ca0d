"""Mentions as W3C Web Annotations, the passages they point into, and the entities they name.

For each mention::

    <mention> a oa:Annotation, kg:Mention ;
        oa:motivatedBy oa:identifying ;
        oa:hasBody <entity> (one; a compound name such as "liver metastasis" gets one annotation per part) ;
        oa:hasTarget <mention/target> ;
        dcterms:creator <tagger> ; kg:sectionType "fig" ; kg:inSection <passage> ;
        kg:sentence "..." (the sentence or caption it sits in: the evidence queries print) .
    <mention/target> a oa:SpecificResource ; oa:hasSource <passage> ;
        oa:hasSelector <.../pos>, <.../quote> .
    <.../pos> a oa:TextPositionSelector ; oa:start 12 ; oa:end 29 .
    <.../quote> a oa:TextQuoteSelector ; oa:exact "..." ; oa:prefix "..." ; oa:suffix "..." .

Offsets count Unicode code points of the passage's `kg:text`, as the Web Annotation model asks. All
IRIs come from content (PMID, source, passage key, offsets): no blank nodes, no uuid.
"""

from __future__ import annotations

import functools
from typing import Iterable, Iterator, Sequence

from .. import __version__, iris
from ..vocab import BIOLINK, DCTERMS, KG, KGID, OA, RDF, RDFS, SKOS
from .nt import integer, iri, lit

Triple = tuple[str, str, str]

CATEGORY = {
    "gene": "Gene", "family": "GeneFamily", "pathway": "Pathway", "process": "BiologicalProcess",
    "component": "CellularComponent", "cell": "Cell", "cellline": "CellLine", "disease": "Disease",
    "chemical": "ChemicalEntity",
    "anatomy": "AnatomicalEntity", "organism": "OrganismTaxon",
}
_PREFIX_TYPE = {"UBERON": "anatomy", "CL": "cell", "HGNC": "gene", "NCBIGene": "gene", "FPLX": "family",
                "REACTOME": "pathway", "CHEBI": "chemical", "cellosaurus": "cellline"}
_FPLX = "http://identifiers.org/fplx/"

P_TYPE, P_LABEL = iri(RDF.type), iri(RDFS.label)
P_BODY, P_TARGET, P_SOURCE, P_SELECTOR = iri(OA.hasBody), iri(OA.hasTarget), iri(OA.hasSource), iri(OA.hasSelector)
P_START, P_END, P_EXACT, P_PREFIX, P_SUFFIX = (iri(OA.start), iri(OA.end), iri(OA.exact), iri(OA.prefix),
                                               iri(OA.suffix))
# The Web Annotation model names an annotation's creator with dcterms:creator (the tagger, a
# prov:SoftwareAgent; the author shapes target foaf:Person/foaf:Organization, so they leave it alone).
P_CREATOR, P_PART_OF = iri(DCTERMS.creator), iri(DCTERMS.isPartOf)
C_ANNOTATION, C_SPECIFIC = iri(OA.Annotation), iri(OA.SpecificResource)
C_POS, C_QUOTE = iri(OA.TextPositionSelector), iri(OA.TextQuoteSelector)


@functools.lru_cache(maxsize=65536)
def entity_iri(curie: str) -> str:
    """The one IRI of a lexicon CURIE, through the project's IRI policy (`kg.prefixes`)."""
    prefix, _, local = curie.partition(":")
    if prefix == "FPLX":
        return _FPLX + local
    from .. import prefixes
    return prefixes.parse_identifier(curie, default_prefix=None)


def ontology_iri(curie: str) -> str:
    """The resource an entity belongs to, as its Bioregistry IRI (https://bioregistry.io/go); kg's own
    entities (a pathway named after its participants) belong to kg."""
    prefix = curie.split(":", 1)[0]
    if prefix == "kgid":
        return "https://w3id.org/oncokg/"
    return "https://bioregistry.io/" + prefix.lower()


def entity_type(curie: str, concept_type: str) -> str:
    return _PREFIX_TYPE.get(curie.split(":", 1)[0], concept_type)


def tagger_iri() -> str:
    return f"{KGID}software/kg-tagger/{__version__}"


def passage_iri(pmid: str, source: str, key: str) -> str:
    return iris.node(pmid, source, "passage", key)


def mention_iri(pmid: str, source: str, key: str, start: int, end: int) -> str:
    return iris.node(pmid, source, "mention", key, f"{start}-{end}")


def passage_triples(pmid: str, source: str, passages: Sequence[tuple[str, str, str, str | None]]) -> Iterator[Triple]:
    """(key, kind, text, label) passages of one article as kg:Passage nodes."""
    art = iri(iris.article(pmid))
    for n, (key, kind, text, label) in enumerate(passages):
        p = iri(passage_iri(pmid, source, key))
        yield p, P_TYPE, iri(KG.Passage)
        yield p, P_PART_OF, art
        yield p, iri(KG.sectionType), lit(kind)
        yield p, iri(KG.position), integer(n + 1)
        yield p, iri(KG.text), lit(text)
        if label:
            yield p, P_LABEL, lit(label)


def entity_triples(concepts: Iterable[tuple[str, str, str]],
                   xrefs: "dict[str, tuple[str, ...]] | None" = None) -> Iterator[Triple]:
    """(curie, type, label) -> the entity's type, label and ontology, so an article graph reads alone;
    its equivalents in other vocabularies (`xrefs`: HGNC -> NCBI Gene, MONDO -> MeSH ...) as
    skos:exactMatch, so a query by any of them finds the one entity the text was grounded to."""
    for curie, typ, label in concepts:
        e = iri(entity_iri(curie))
        t = entity_type(curie, typ)
        yield e, P_TYPE, iri(KG.Entity)
        yield e, P_TYPE, iri(BIOLINK + CATEGORY.get(t, "NamedThing"))
        yield e, iri(KG.entityType), iri(BIOLINK + CATEGORY.get(t, "NamedThing"))
        yield e, iri(KG.ontology), iri(ontology_iri(curie))
        if label:
            yield e, P_LABEL, lit(label)
        for x in (xrefs or {}).get(curie, ()):
            x_iri = _xref_iri(x)
            if x_iri is not None:
                yield e, P_EXACT_MATCH, iri(x_iri)


P_EXACT_MATCH = iri(SKOS.exactMatch)


@functools.lru_cache(maxsize=65536)
def _xref_iri(curie: str) -> str | None:
    """A cross-reference's IRI, or None for a prefix outside the IRI policy (OMIM, ...): mappings are
    extras, never a reason to lose an article."""
    try:
        return entity_iri(curie)
    except Exception:  # IdentifierError: unknown prefix or malformed local id
        return None


def mention_triples(pmid: str, source: str, mention, passage_text: str, kind: str,
                    sentence: str | None) -> Iterator[Triple]:
    """One tagger `Mention` as Web Annotations sharing one target with position and quote selectors.

    Each annotation has exactly one body; a compound name ("liver metastasis": MeSH metastasis plus
    UBERON liver) gives one annotation per grounding, all on the same target, so a query finds the
    parts of a compound by the target they share.
    """
    span = mention_iri(pmid, source, mention.passage, mention.start, mention.end)
    tgt, pos, quote = iri(span + "/target"), iri(span + "/pos"), iri(span + "/quote")
    passage = iri(passage_iri(pmid, source, mention.passage))
    curies = mention.concept.curies
    for n, curie in enumerate(curies):
        m = iri(span if len(curies) == 1 else f"{span}/{n + 1}")
        yield m, P_TYPE, C_ANNOTATION
        yield m, P_TYPE, iri(KG.Mention)
        yield m, iri(OA.motivatedBy), iri(OA.identifying)
        yield m, P_BODY, iri(entity_iri(curie))
        yield m, P_TARGET, tgt
        yield m, P_CREATOR, iri(tagger_iri())
        yield m, iri(KG.sectionType), lit(kind)
        yield m, iri(KG.inSection), passage
        if sentence:
            yield m, iri(KG.sentence), lit(sentence)
    yield tgt, P_TYPE, C_SPECIFIC
    yield tgt, P_SOURCE, passage
    yield tgt, P_SELECTOR, pos
    yield tgt, P_SELECTOR, quote
    yield pos, P_TYPE, C_POS
    yield pos, P_START, integer(mention.start)
    yield pos, P_END, integer(mention.end)
    yield quote, P_TYPE, C_QUOTE
    yield quote, P_EXACT, lit(mention.text)
    yield quote, P_PREFIX, lit(passage_text[max(0, mention.start - 32):mention.start])
    yield quote, P_SUFFIX, lit(passage_text[mention.end:mention.end + 32])


def tagger_triples() -> Iterator[Triple]:
    t = iri(tagger_iri())
    yield t, P_TYPE, iri(KG.Tagger)
    yield t, P_TYPE, iri("http://www.w3.org/ns/prov#SoftwareAgent")
    yield t, P_LABEL, lit(f"kg dictionary tagger {__version__}")
