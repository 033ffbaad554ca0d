"""Text mining for `kg`: tag mentions, ground them, read mechanism assertions, as records.

The one entry point for the pipeline is `mine(record)`: a `kg.records.TextMining` record with the
record's passages, the entities its text names, each mention (span, groundings, sentence), the
assertions read from trigger sentences and the co-occurrences of mechanism entities with diseases.
Mapping those records to RDF is `kg.rdf.mechanisms`' job: this package never writes triples. A PubMed
`Article` is read from its title and abstract sections; a JATS `FullText` also from its body paragraphs
and captions.

>>> from kg.records import Article
>>> mined = mine(Article(pmid="1", title="Notch signalling in colorectal cancer"))
>>> sorted(e.curie for e in mined.entities)
['GO:0007219', 'MONDO:0005575']
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..prefixes import entity_iri, entity_type
from ..records import (Assertion, Cooccurrence, Entity, FullText, Mention, TextMining, TextPassage)

if TYPE_CHECKING:
    from .tagger import Concept, Tagger

MECHANISM_TYPES = frozenset({"pathway", "process", "gene", "family", "cell", "component", "chemical"})
# Too general to act on anything: "tumor" (neoplasm) and "cancer" as the subject of a mechanism, and any
# part of "tumor location", "tumor cell behaviour"; they may still be what a mechanism acts on ("cancer").
GENERIC_DISEASES = frozenset({"MONDO:0005070", "MONDO:0004992", "DOID:162", "MESH:D009369"})
_SETTING_BEFORE = re.compile(r"\b(?:in|among|within|from)\s+(?:\w+\s+)?$", re.I)
PARTICIPANT_TYPES = frozenset({"gene", "family", "chemical", "cell", "component"})


def passages_of(record: Any) -> list[TextPassage]:
    """Every passage of an `Article` or `FullText`, in order."""
    out: list[TextPassage] = []
    if getattr(record, "title", None):
        out.append(TextPassage("title", "title", record.title))
    abstract = getattr(record, "abstract", ()) or ()
    for n, sec in enumerate(abstract):
        if sec.text:
            key = "abstract" if len(abstract) == 1 else f"abstract-{n + 1}"
            out.append(TextPassage(key, "abstract", sec.text, sec.label))
    for p in getattr(record, "passages", ()) or ():
        out.append(TextPassage(p.key, p.kind, p.text, p.label))
    return out


def _split(curies: tuple[str, ...]) -> tuple[list[str], str | None]:
    """Main groundings of a concept and its anatomical context (the UBERON part of a compound name)."""
    anatomy = [c for c in curies if c.startswith("UBERON:")]
    main = [c for c in curies if not c.startswith("UBERON:")]
    if not main:
        return list(curies), None
    return main, anatomy[0] if anatomy else None


def mine(record: Any, *, tagger: Any = None, source: str | None = None) -> TextMining | None:
    """The mentions, entities, assertions and co-occurrences of one record's text (None: no PMID)."""
    from .relations import relations, sentences

    pmid = record.pmid
    if not pmid:
        return None
    source = source or ("pmc" if isinstance(record, FullText) else "pubmed")
    passages = passages_of(record)
    if not passages:
        return TextMining(pmid, source, ())
    tagger = tagger or _default_tagger()
    found = [m for m in tagger.tag_document([(p.key, p.text) for p in passages]) if _groundable(m.concept)]
    if not found:
        return TextMining(pmid, source, tuple(passages))
    info = {p.key: (p.kind, p.text) for p in passages}
    by_passage = defaultdict(list)
    for m in found:
        by_passage[m.passage].append(m)
    entities: dict[str, Entity] = {}
    for m in found:
        for c in m.concept.curies:
            if c not in entities:
                # A compound ("liver metastasis": MeSH metastasis + UBERON liver) labels each part by its own name.
                label = tagger.lexicon.labels.get(c) or m.concept.label
                entities[c] = Entity(c, entity_type(c, m.concept.type), label, tagger.lexicon.xrefs.get(c, ()))

    def etype(curie: str) -> str:
        return entities[curie].type

    mentions: list[Mention] = []
    assertions: list[Assertion] = []
    topic = {c for m in by_passage.get("title", ()) for c in _split(m.concept.curies)[0] if etype(c) == "disease"}
    # (subject, object) -> [(sentence, section type, spans of the mentions that co-occur)]
    cooc: dict[tuple[str, str], list[tuple[str, str, tuple[tuple[str, int, int], ...]]]] = defaultdict(list)
    for key, ms in by_passage.items():
        kind, text = info[key]
        for sent in sentences(text):
            in_sent = [m for m in ms if sent[0] <= m.start and m.end <= sent[1]]
            sent_text = text[sent[0]:sent[1]]
            mentions.extend(Mention(m.passage, m.start, m.end, m.text, m.concept.curies, sent_text) for m in in_sent)
            for rel in relations(text, in_sent, sent):
                if not _participants_ok(rel, text, etype):
                    continue
                s_main, _ = _split(rel.subject.concept.curies)
                o_main, o_anat = _split(rel.object.concept.curies)
                for s in s_main[:2]:
                    for o in o_main[:2]:
                        if s != o:
                            assertions.append(Assertion(
                                s, o, rel.trigger.predicate, rel.trigger.assoc_predicate, rel.trigger.direction,
                                rel.polarity, rel.relation_type, rel.trigger_text, rel.negated, rel.hedged,
                                rel.subject.passage, kind, sent[0], sent[1], sent_text, o_anat))
            where: dict[str, tuple[str, int, int]] = {}
            for m in in_sent:
                for c in _split(m.concept.curies)[0]:
                    where.setdefault(c, (m.passage, m.start, m.end))
            curies = set(where)
            diseases = {c for c in curies if etype(c) == "disease"} | topic
            for x in curies:
                tx = etype(x)
                if tx in MECHANISM_TYPES:
                    for d in diseases:
                        if d != x:
                            cooc[(x, d)].append((sent_text, kind, (where[x],) + ((where[d],) if d in where else ())))
                if tx in PARTICIPANT_TYPES:
                    for y in curies:
                        if y != x and etype(y) in ("pathway", "process"):
                            cooc[(x, y)].append((sent_text, kind, (where[x], where[y])))
    return TextMining(pmid, source, tuple(passages), tuple(entities.values()), tuple(mentions), tuple(assertions),
                      tuple(Cooccurrence(s, o, tuple(ev)) for (s, o), ev in sorted(cooc.items())))


def _participants_ok(rel: Any, text: str, etype: Any) -> bool:
    """Whether the two mentions of a relation can be what acts and what is acted on.

    Cell lines are where an experiment ran, never a participant; a generic "tumor"/"cancer" never acts
    (and "tumor" is never acted on: "tumor location"); a disease named as the setting ("X in colorectal
    cancer is associated with Y") is not the subject."""
    for m in (rel.subject, rel.object):
        if m.concept.type == "cellline" or any(etype(c) == "cellline" for c in m.concept.curies):
            return False
    subj = set(rel.subject.concept.curies)
    if subj & GENERIC_DISEASES or "MONDO:0005070" in rel.object.concept.curies:
        return False
    if rel.subject.concept.type == "disease" and _SETTING_BEFORE.search(text, max(0, rel.subject.start - 24),
                                                                         rel.subject.start):
        return False
    return True


_TAGGER: Tagger | None = None
_BAD: set[str] = set()


def _groundable(concept: Concept) -> bool:
    """Every CURIE of the concept has an IRI under the project's IRI policy; a bad lexicon entry (a
    user's terms file, say) is logged once and skipped, never a reason to lose the article."""
    ok = True
    for c in concept.curies:
        if c in _BAD:
            return False
        try:
            entity_iri(c)
        except Exception as exc:  # IdentifierError and friends
            import logging
            logging.getLogger(__name__).warning("lexicon entry %s has no valid IRI (%s); its mentions are skipped",
                                                c, exc)
            _BAD.add(c)
            ok = False
    return ok


def _default_tagger() -> Tagger:
    global _TAGGER
    if _TAGGER is None:
        from .tagger import Tagger
        _TAGGER = Tagger()
    return _TAGGER
