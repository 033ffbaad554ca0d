"""A `TextMining` record (what kg.nlp read from an article's text) to the triples of the article's graph:
passages, entities, Web Annotation mentions, the sentences they sit in, trigger assertions and co-occurrences.

>>> from kg.nlp import mine
>>> from kg.records import Article
>>> triples = list(mechanism_triples(mine(Article(pmid="1", title="Notch signalling in colorectal cancer"))))
>>> any(o == "<http://purl.obolibrary.org/obo/GO_0007219>" for _, _, o in triples)
True
"""

from __future__ import annotations

from typing import Iterator

from ..records import TextMining
from .assertions import assertion_triples, cooccurrence_triples
from .mentions import entity_triples, mention_triples, passage_triples, sentence_triples, tagger_triples

Triple = tuple[str, str, str]


def mechanism_triples(mining: TextMining | None) -> Iterator[Triple]:
    """The triples of one record's text mining (nothing for None: a record without a PMID)."""
    if mining is None or not mining.passages:
        return
    pmid, source = mining.pmid, mining.source
    yield from tagger_triples()
    yield from passage_triples(pmid, source, mining.passages)
    if not mining.mentions:
        return
    yield from entity_triples(mining.entities)
    info = {p.key: (p.kind, p.text) for p in mining.passages}
    for m in mining.mentions:
        kind, text = info[m.passage]
        yield from mention_triples(pmid, source, m, text, kind)
    yield from sentence_triples(pmid, source, mining.mentions, {k: text for k, (_, text) in info.items()})
    for a in mining.assertions:
        yield from assertion_triples(pmid, source, a)
    for c in mining.cooccurrences:
        yield from cooccurrence_triples(pmid, source, c)
