"""Mechanism assertions and text co-occurrences as Biolink associations, with evidence and PROV-O.

A trigger-based assertion gives two things:

- a direct triple for simple queries, ``<subject> <RO/biolink predicate> <object>`` (left out when the
  sentence negates it), and
- a reified ``biolink:Association``: ``biolink:subject``, ``biolink:predicate``, ``biolink:object``,
  qualifiers (``biolink:object_direction_qualifier``; ``biolink:anatomical_context_qualifier`` for a
  compound such as "liver metastasis"), ``biolink:knowledge_level`` "knowledge_assertion",
  ``biolink:agent_type`` "text_mining_agent", ``kg:confidence``, ``kg:negated``, ``kg:hedged``,
  ``kg:polarity`` (the sign of the subject's effect on the object), ``kg:relationType`` (BioRED's
  Positive_Correlation, Negative_Correlation, Association, Bind, Cotreatment or Drug_Interaction), ``kg:trigger``, the evidence sentence (``kg:sentence``, ``biolink:supporting_text``
  and an ``oa:SpecificResource`` with the same selectors as mentions), ``biolink:publications`` the
  article, and ``prov:wasGeneratedBy`` / ``prov:wasAttributedTo`` / ``prov:wasDerivedFrom``.

Co-mentions in one sentence or caption of a paper, and mechanism entities against the paper's topic
diseases (those named in its title), give ``kg:TextCooccurrence`` associations with the predicate
``biolink:occurs_together_in_literature_with`` and knowledge level "not_provided": weaker, ranked by
how many articles support them (the queries count them). Their evidence is ``prov:wasDerivedFrom`` the
targets of the co-occurring mentions, whose selectors say where, plus the first sentence as text.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from .. import iris
from ..vocab import BIOLINK, KG, OA, PROV, RDF
from ..records import Assertion, Cooccurrence
from ..prefixes import entity_iri
from .mentions import mention_iri, passage_iri, tagger_iri
from .nt import XSD_DECIMAL, boolean, integer, iri, lit, typed

Triple = tuple[str, str, str]

P_TYPE = iri(RDF.type)
B = {n: iri(BIOLINK + n) for n in (
    "Association", "subject", "predicate", "object", "knowledge_level", "agent_type", "publications",
    "supporting_text", "negated", "object_direction_qualifier", "anatomical_context_qualifier",
    "occurs_together_in_literature_with", "affects", "associated_with", "contributes_to")}
_CURIE_PRED = {"RO:0002213": "http://purl.obolibrary.org/obo/RO_0002213",
               "RO:0002212": "http://purl.obolibrary.org/obo/RO_0002212",
               "RO:0002326": "http://purl.obolibrary.org/obo/RO_0002326"}


def predicate_iri(curie: str) -> str:
    if curie.startswith("biolink:"):
        return BIOLINK + curie.split(":", 1)[1]
    return _CURIE_PRED[curie]


def _key(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def _evidence(node: str, pmid: str, source: str, passage: str, start: int, end: int, text: str) -> Iterator[Triple]:
    ev = iri(node + "/evidence")
    pos, quote = iri(node + "/evidence/pos"), iri(node + "/evidence/quote")
    n = iri(node)
    yield n, iri(PROV.wasDerivedFrom), ev
    yield ev, P_TYPE, iri(OA.SpecificResource)
    yield ev, iri(OA.hasSource), iri(passage_iri(pmid, source, passage))
    yield ev, iri(OA.hasSelector), pos
    yield ev, iri(OA.hasSelector), quote
    yield pos, P_TYPE, iri(OA.TextPositionSelector)
    yield pos, iri(OA.start), integer(start)
    yield pos, iri(OA.end), integer(end)
    yield quote, P_TYPE, iri(OA.TextQuoteSelector)
    yield quote, iri(OA.exact), lit(text)


def assertion_triples(pmid: str, source: str, a_rec: Assertion) -> Iterator[Triple]:
    """One trigger-based `Assertion` as a direct triple (unless negated) plus a reified Association."""
    s, o = iri(entity_iri(a_rec.subject)), iri(entity_iri(a_rec.object))
    if not a_rec.negated:
        yield s, iri(predicate_iri(a_rec.predicate)), o
    a_iri = iris.node(pmid, source, "assertion",
                      _key(a_rec.passage, str(a_rec.sentence_start), a_rec.subject, a_rec.predicate, a_rec.object))
    a = iri(a_iri)
    sent = a_rec.sentence
    yield a, P_TYPE, B["Association"]
    yield a, B["subject"], s
    yield a, B["predicate"], iri(predicate_iri(a_rec.association_predicate))
    yield a, B["object"], o
    if a_rec.direction in ("increased", "decreased"):
        yield a, B["object_direction_qualifier"], lit(a_rec.direction)
    if a_rec.anatomy:
        yield a, B["anatomical_context_qualifier"], iri(entity_iri(a_rec.anatomy))
    yield a, B["knowledge_level"], lit("knowledge_assertion")
    yield a, B["agent_type"], lit("text_mining_agent")
    yield a, B["negated"], boolean(a_rec.negated)
    yield a, iri(KG.negated), boolean(a_rec.negated)
    yield a, iri(KG.hedged), boolean(a_rec.hedged)
    yield a, iri(KG.polarity), lit({1: "positive", -1: "negative"}.get(a_rec.polarity, "neutral"))
    yield a, iri(KG.relationType), lit(a_rec.relation_type)
    yield a, iri(KG.trigger), lit(a_rec.trigger)
    conf = 0.5 if a_rec.hedged else 0.7
    yield a, iri(KG.confidence), typed(f"{conf:.2f}", XSD_DECIMAL)
    yield a, iri(KG.sentence), lit(sent)
    yield a, iri(KG.sectionType), lit(a_rec.kind)
    yield a, B["supporting_text"], lit(sent)
    yield a, B["publications"], iri(iris.article(pmid))
    yield a, iri(PROV.wasAttributedTo), iri(tagger_iri())
    yield from _evidence(a_iri, pmid, source, a_rec.passage, a_rec.sentence_start, a_rec.sentence_end, sent)


def cooccurrence_triples(pmid: str, source: str, c: Cooccurrence) -> Iterator[Triple]:
    """One co-occurrence association per article and entity pair. Its evidence holds the places they
    occur together: (sentence, section type, the spans of the mentions there); the association points at
    those mentions' targets (their selectors are the evidence) and keeps the first sentence as text."""
    subject_curie, object_curie = c.subject, c.object
    evidence = [(sent, kind, [mention_iri(pmid, source, *span) + "/target" for span in spans])
                for sent, kind, spans in c.evidence]
    a_iri = iris.node(pmid, source, "cooccurrence", _key(subject_curie, object_curie))
    a = iri(a_iri)
    yield a, P_TYPE, B["Association"]
    yield a, P_TYPE, iri(KG.TextCooccurrence)
    yield a, B["subject"], iri(entity_iri(subject_curie))
    yield a, B["predicate"], B["occurs_together_in_literature_with"]
    yield a, B["object"], iri(entity_iri(object_curie))
    yield a, B["knowledge_level"], lit("not_provided")
    yield a, B["agent_type"], lit("text_mining_agent")
    yield a, B["publications"], iri(iris.article(pmid))
    yield a, iri(PROV.wasAttributedTo), iri(tagger_iri())
    sent, kind, _ = evidence[0]
    yield a, iri(KG.sentence), lit(sent)
    yield a, iri(KG.sectionType), lit(kind)
    seen: set[str] = set()
    for _, _, targets in evidence[:3]:
        for t in targets:
            if t not in seen:
                seen.add(t)
                yield a, iri(PROV.wasDerivedFrom), iri(t)
