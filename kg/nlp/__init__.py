"""Text mining for `kg`: tag mentions, ground them, read mechanism assertions, all as RDF triples.

The one entry point for the ingest pipeline is `annotate(record)`: the triples (N-Triples term strings,
as `kg.rdf.nt` makes them) to add to the record's own article graph — passages, Web Annotation mentions,
entity types and labels, trigger-based assertions and text co-occurrences. A PubMed `Article` is read
from its title and abstract sections; a JATS `FullText` also from its body paragraphs and captions.

>>> from kg.records import Article
>>> triples = list(annotate(Article(pmid="1", title="Notch signalling in colorectal cancer")))
>>> any(o == "<http://purl.obolibrary.org/obo/GO_0007219>" for _, _, o in triples)
True
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

Triple = tuple[str, str, str]

MECHANISM_TYPES = frozenset({"pathway", "process", "gene", "family", "cell", "component", "chemical"})
PARTICIPANT_TYPES = frozenset({"gene", "family", "chemical", "cell", "component"})


def passages_of(record) -> list[tuple[str, str, str, str | None]]:
    """(key, section type, text, label) of every passage of an `Article` or `FullText`, in order."""
    out: list[tuple[str, str, str, str | None]] = []
    if getattr(record, "title", None):
        out.append(("title", "title", record.title, None))
    abstract = getattr(record, "abstract", ()) or ()
    for n, sec in enumerate(abstract):
        if sec.text:
            key = "abstract" if len(abstract) == 1 else f"abstract-{n + 1}"
            out.append((key, "abstract", sec.text, sec.label))
    for p in getattr(record, "passages", ()) or ():
        out.append((p.key, p.kind, p.text, p.label))
    return out


def _split(concept, type_of) -> tuple[list[str], str | None]:
    """Main groundings of a concept and its anatomical context (the UBERON part of a compound name)."""
    anatomy = [c for c in concept.curies if c.startswith("UBERON:")]
    main = [c for c in concept.curies if not c.startswith("UBERON:")]
    if not main:
        return list(concept.curies), None
    return main, anatomy[0] if anatomy else None


def annotate(record, *, tagger=None, source: str | None = None) -> Iterator[Triple]:
    """Triples of the mentions, entities, assertions and co-occurrences of one record's text."""
    from ..records import FullText
    from ..rdf import assertions as ra, mentions as rm
    from .relations import relations, sentences
    from .tagger import Tagger

    pmid = record.pmid
    if not pmid:
        return
    source = source or ("pmc" if isinstance(record, FullText) else "pubmed")
    passages = passages_of(record)
    if not passages:
        return
    tagger = tagger or _default_tagger()
    mentions = [m for m in tagger.tag_document([(k, t) for k, _, t, _ in passages]) if _groundable(m.concept)]
    yield from rm.tagger_triples()
    yield from rm.passage_triples(pmid, source, passages)
    if not mentions:
        return
    info = {k: (kind, text) for k, kind, text, _ in passages}
    by_passage = defaultdict(list)
    for m in mentions:
        by_passage[m.passage].append(m)
    seen_entities: dict[str, tuple[str, str, str]] = {}
    for m in mentions:
        for c in m.concept.curies:
            if c not in seen_entities:
                # A compound ("liver metastasis": MeSH metastasis + UBERON liver) labels each part by its own name.
                label = tagger.lexicon.labels.get(c) or m.concept.label
                seen_entities[c] = (c, rm.entity_type(c, m.concept.type), label)
    yield from rm.entity_triples(seen_entities.values(), tagger.lexicon.xrefs)

    def etype(curie: str) -> str:
        return seen_entities[curie][1]

    topic = {c for m in by_passage.get("title", ()) for c in _split(m.concept, etype)[0] if etype(c) == "disease"}
    # (subject, object) -> [(sentence, section type, target IRIs of the mentions that co-occur)]
    cooc: dict[tuple[str, str], list[tuple[str, str, list[str]]]] = defaultdict(list)
    for key, ms in by_passage.items():
        kind, text = info[key]
        for sent in sentences(text):
            in_sent = [m for m in ms if sent[0] <= m.start and m.end <= sent[1]]
            sent_text = text[sent[0]:sent[1]]
            for m in in_sent:
                yield from rm.mention_triples(pmid, source, m, text, kind, sent_text)
            for rel in relations(text, in_sent, sent):
                s_main, _ = _split(rel.subject.concept, etype)
                o_main, o_anat = _split(rel.object.concept, etype)
                for s in s_main[:2]:
                    for o in o_main[:2]:
                        if s != o:
                            yield from ra.assertion_triples(pmid, source, rel, text, kind, s, o, o_anat)
            where: dict[str, str] = {}
            for m in in_sent:
                for c in _split(m.concept, etype)[0]:
                    where.setdefault(c, rm.mention_iri(pmid, source, m.passage, m.start, m.end) + "/target")
            curies = set(where)
            diseases = {c for c in curies if etype(c) == "disease"} | topic
            for x in curies:
                tx = etype(x)
                if tx in MECHANISM_TYPES:
                    for d in diseases:
                        if d != x:
                            cooc[(x, d)].append((sent_text, kind, [where[x]] + ([where[d]] if d in where else [])))
                if tx in PARTICIPANT_TYPES:
                    for y in curies:
                        if y != x and etype(y) in ("pathway", "process"):
                            cooc[(x, y)].append((sent_text, kind, [where[x], where[y]]))
    for (s, o), ev in sorted(cooc.items()):
        yield from ra.cooccurrence_triples(pmid, source, s, o, ev)


_TAGGER = None
_BAD: set[str] = set()


def _groundable(concept) -> bool:
    """Every CURIE of the concept has an IRI under the project's IRI policy; a bad lexicon entry (a
    user's terms file, say) is logged once and skipped, never a reason to lose the article."""
    from ..rdf.mentions import entity_iri
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


def _default_tagger():
    global _TAGGER
    if _TAGGER is None:
        from .tagger import Tagger
        _TAGGER = Tagger()
    return _TAGGER
