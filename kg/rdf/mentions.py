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

And for each sentence that names something, a summary the queries start from (issue 15)::

    <sentence> a kg:Sentence ; kg:inSection <passage> ; kg:sentence "..." ;
        kg:names <entity>, <entity> ... (every entity its mentions are grounded to) .

Offsets count Unicode code points of the passage's `kg:text`, as the Web Annotation model asks. All
IRIs come from content (PMID, source, passage key, offsets): no blank nodes, no uuid.
"""

from __future__ import annotations

import functools
from typing import Iterable, Iterator, Sequence

from .. import __version__, iris
from ..prefixes import entity_iri, entity_type
from ..records import Entity, Mention, TextPassage
from ..vocab import BIOLINK, DCTERMS, KG, KGID, OA, RDF, RDFS, SKOS
from .nt import integer, iri, lit

Triple = tuple[str, str, str]

CATEGORY = {
    "gene": "Gene", "family": "GeneFamily", "pathway": "Pathway", "process": "BiologicalProcess",
    "component": "CellularComponent", "cell": "Cell", "cellline": "CellLine", "disease": "Disease",
    "chemical": "ChemicalEntity",
    "anatomy": "AnatomicalEntity", "organism": "OrganismTaxon",
}

P_TYPE, P_LABEL = iri(RDF.type), iri(RDFS.label)
P_BODY, P_TARGET, P_SOURCE, P_SELECTOR = iri(OA.hasBody), iri(OA.hasTarget), iri(OA.hasSource), iri(OA.hasSelector)
P_START, P_END, P_EXACT, P_PREFIX, P_SUFFIX = (iri(OA.start), iri(OA.end), iri(OA.exact), iri(OA.prefix),
                                               iri(OA.suffix))
# The Web Annotation model names an annotation's creator with dcterms:creator (the tagger, a
# prov:SoftwareAgent; the author shapes target foaf:Person/foaf:Organization, so they leave it alone).
P_CREATOR, P_PART_OF = iri(DCTERMS.creator), iri(DCTERMS.isPartOf)
C_ANNOTATION, C_SPECIFIC = iri(OA.Annotation), iri(OA.SpecificResource)
C_POS, C_QUOTE = iri(OA.TextPositionSelector), iri(OA.TextQuoteSelector)


def ontology_iri(curie: str) -> str:
    """The resource an entity belongs to, as its Bioregistry IRI (https://bioregistry.io/go); kg's own
    entities (a pathway named after its participants) belong to kg."""
    prefix = curie.split(":", 1)[0]
    if prefix == "kgid":
        return "https://w3id.org/oncokg/"
    return "https://bioregistry.io/" + prefix.lower()


def tagger_iri() -> str:
    return f"{KGID}software/kg-tagger/{__version__}"


def passage_iri(pmid: str, source: str, key: str) -> str:
    return iris.node(pmid, source, "passage", key)


def mention_iri(pmid: str, source: str, key: str, start: int, end: int) -> str:
    return iris.node(pmid, source, "mention", key, f"{start}-{end}")


def passage_triples(pmid: str, source: str, passages: Sequence[TextPassage]) -> Iterator[Triple]:
    """The passages of one article as kg:Passage nodes."""
    art = iri(iris.article(pmid))
    for n, ps in enumerate(passages):
        p = iri(passage_iri(pmid, source, ps.key))
        yield p, P_TYPE, iri(KG.Passage)
        yield p, P_PART_OF, art
        yield p, iri(KG.sectionType), lit(ps.kind)
        yield p, iri(KG.position), integer(n + 1)
        yield p, iri(KG.text), lit(ps.text)
        if ps.label:
            yield p, P_LABEL, lit(ps.label)


def entity_triples(entities: Iterable[Entity]) -> Iterator[Triple]:
    """Each entity's type, label and ontology, so an article graph reads alone; its equivalents in other
    vocabularies (HGNC -> NCBI Gene, MONDO -> MeSH ...) as skos:exactMatch, so a query by any of them
    finds the one entity the text was grounded to."""
    for ent in entities:
        e = iri(entity_iri(ent.curie))
        t = entity_type(ent.curie, ent.type)
        yield e, P_TYPE, iri(KG.Entity)
        yield e, P_TYPE, iri(BIOLINK + CATEGORY.get(t, "NamedThing"))
        yield e, iri(KG.entityType), iri(BIOLINK + CATEGORY.get(t, "NamedThing"))
        yield e, iri(KG.ontology), iri(ontology_iri(ent.curie))
        if ent.label:
            yield e, P_LABEL, lit(ent.label)
        for x in ent.xrefs:
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


def mention_triples(pmid: str, source: str, mention: Mention, passage_text: str, kind: str) -> Iterator[Triple]:
    """One `Mention` as Web Annotations sharing one target with position and quote selectors.

    Each annotation has exactly one body; a compound name ("liver metastasis": MeSH metastasis plus
    UBERON liver) gives one annotation per grounding, all on the same target, so a query finds the
    parts of a compound by the target they share.
    """
    span = mention_iri(pmid, source, mention.passage, mention.start, mention.end)
    tgt, pos, quote = iri(span + "/target"), iri(span + "/pos"), iri(span + "/quote")
    passage = iri(passage_iri(pmid, source, mention.passage))
    curies = mention.curies
    sentence = mention.sentence
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


def sentence_iri(pmid: str, source: str, key: str, at: int | str) -> str:
    return iris.node(pmid, source, "sentence", key, at)


def sentence_triples(pmid: str, source: str, mentions: Iterable[Mention],
                     passage_texts: dict[str, str]) -> Iterator[Triple]:
    """One `kg:Sentence` per sentence of a passage that has grounded mentions, naming every entity they
    are grounded to.

    Why: "which articles name X and Y in one sentence" is the first step of the mechanism questions, and
    from the mentions it is a join of every mention of X with the other mentions of its sentence (about
    70,000 index lookups at 100,000 articles for "metastasis" and "liver"); from this summary it is one
    lookup per sentence naming X. The sentence's IRI carries its passage and its first offset in the
    passage's text, so it comes from content like every other node; its `kg:sentence` is the very literal
    its mentions carry, so a query can go from one to the other.
    """
    names: dict[tuple[str, str], dict[str, None]] = {}
    for m in mentions:
        if m.sentence:
            bodies = names.setdefault((m.passage, m.sentence), {})
            for curie in m.curies:
                bodies[entity_iri(curie)] = None
    for (key, sentence), bodies in names.items():
        at = passage_texts.get(key, "").find(sentence)
        s = iri(sentence_iri(pmid, source, key, at if at >= 0 else "x" + _digest(sentence)))
        yield s, P_TYPE, C_SENTENCE
        yield s, P_IN_SECTION, iri(passage_iri(pmid, source, key))
        yield s, P_SENTENCE, lit(sentence)
        for body in bodies:
            yield s, P_NAMES, iri(body)


C_SENTENCE, P_IN_SECTION, P_SENTENCE, P_NAMES = iri(KG.Sentence), iri(KG.inSection), iri(KG.sentence), iri(KG.names)


def _digest(text: str) -> str:
    """A stable short name for a sentence not found in its passage's text (never expected: the tagger
    cuts sentences out of that text), so that such a sentence still gets an IRI of its own."""
    import hashlib
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def tagger_triples() -> Iterator[Triple]:
    t = iri(tagger_iri())
    yield t, P_TYPE, iri(KG.Tagger)
    yield t, P_TYPE, iri("http://www.w3.org/ns/prov#SoftwareAgent")
    yield t, P_LABEL, lit(f"kg dictionary tagger {__version__}")
