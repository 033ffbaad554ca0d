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
from .mentions import entity_iri, passage_iri, tagger_iri
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


def assertion_triples(pmid: str, source: str, rel, passage_text: str, kind: str,
                      subject_curie: str, object_curie: str, anatomy: str | None) -> Iterator[Triple]:
    """One trigger-based `Relation` between two groundings as a direct triple plus an Association."""
    s, o = iri(entity_iri(subject_curie)), iri(entity_iri(object_curie))
    direct = predicate_iri(rel.trigger.predicate)
    if not rel.negated:
        yield s, iri(direct), o
    a_iri = iris.node(pmid, source, "assertion",
                      _key(rel.subject.passage, str(rel.sentence[0]), subject_curie, rel.trigger.predicate, object_curie))
    a = iri(a_iri)
    sent = passage_text[rel.sentence[0]:rel.sentence[1]]
    yield a, P_TYPE, B["Association"]
    yield a, B["subject"], s
    yield a, B["predicate"], iri(predicate_iri(rel.trigger.assoc_predicate))
    yield a, B["object"], o
    if rel.trigger.direction in ("increased", "decreased"):
        yield a, B["object_direction_qualifier"], lit(rel.trigger.direction)
    if anatomy:
        yield a, B["anatomical_context_qualifier"], iri(entity_iri(anatomy))
    yield a, B["knowledge_level"], lit("knowledge_assertion")
    yield a, B["agent_type"], lit("text_mining_agent")
    yield a, B["negated"], boolean(rel.negated)
    yield a, iri(KG.negated), boolean(rel.negated)
    yield a, iri(KG.hedged), boolean(rel.hedged)
    polarity = {1: "positive", -1: "negative"}.get(rel.polarity, "neutral")
    yield a, iri(KG.polarity), lit(polarity)
    yield a, iri(KG.relationType), lit(rel.relation_type)
    yield a, iri(KG.trigger), lit(rel.trigger_text)
    conf = 0.5 if rel.hedged else 0.7
    yield a, iri(KG.confidence), typed(f"{conf:.2f}", XSD_DECIMAL)
    yield a, iri(KG.sentence), lit(sent)
    yield a, iri(KG.sectionType), lit(kind)
    yield a, B["supporting_text"], lit(sent)
    yield a, B["publications"], iri(iris.article(pmid))
    yield a, iri(PROV.wasAttributedTo), iri(tagger_iri())
    yield from _evidence(a_iri, pmid, source, rel.subject.passage, rel.sentence[0], rel.sentence[1], sent)


def cooccurrence_triples(pmid: str, source: str, subject_curie: str, object_curie: str,
                         evidence: list[tuple[str, str, list[str]]]) -> Iterator[Triple]:
    """One co-occurrence association per article and entity pair. `evidence` holds the places they occur
    together: (sentence, section type, the targets of the mentions there); the association points at
    those mention targets (their selectors are the evidence) and keeps the first sentence as text."""
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
