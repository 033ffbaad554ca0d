"""Scoring text mining the way the field does: document-level grounded P/R/F1 (issue 12).

BioCreative's normalisation tasks (BC5CDR's disease and chemical IDs, BioRED's entity IDs) score, per
document, the *set* of identifiers a system found against the set the annotators gave, micro-averaged
over the corpus: a concept named five times in an abstract counts once, and a right span with the wrong
ID is a miss. The functions here are pure (sets in, counts out) so that the benchmark scripts and any
user scoring their own lexicon against their own gold share one definition:

- `split_ids` reads a gold identifier cell (composites ``D058186|D017093``, ``1029,1030``; ``-`` none);
- `MappedPrediction` is one predicted concept as the alternatives it maps to in the gold namespace;
- `resolve` turns a document's predictions into the predicted ID set against that document's gold;
- `score` counts true/false positives and false negatives over documents into a `Counts`.

>>> gold = {"d1": {"D1", "D2"}, "d2": {"D3"}}
>>> pred = {"d1": resolve([MappedPrediction("MONDO:1", frozenset({"D1"}))], gold["d1"]), "d2": set()}
>>> c = score(gold, pred)
>>> (c.tp, c.fp, c.fn, round(c.f1, 3))
(1, 0, 2, 0.5)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

_ID_SEP = re.compile(r"[,|;]")
_NO_ID = frozenset({"", "-", "-1", "none", "null"})


def split_ids(identifier: str | None) -> tuple[str, ...]:
    """The identifiers of one gold annotation cell, composites split, "no ID" markers ('-', '') dropped.

    >>> split_ids("D058186|D017093"), split_ids("1029,1030"), split_ids("-"), split_ids(None)
    (('D058186', 'D017093'), ('1029', '1030'), (), ())
    """
    if not identifier:
        return ()
    return tuple(p for p in (x.strip() for x in _ID_SEP.split(identifier)) if p.lower() not in _NO_ID)


@dataclass(frozen=True, slots=True)
class Counts:
    """Micro-averaged counts; precision, recall and F1 are 0.0 (never a division error) when undefined."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class MappedPrediction:
    """One predicted grounding (`curie`, in the tagger's namespace) and the gold-namespace IDs it maps to.

    `ids` is empty when no mapping reaches the gold namespace: such a prediction is still a prediction,
    so it counts as a false positive under its own CURIE (a grounding the evaluation cannot credit is
    one a user of the graph cannot join to MeSH or NCBI Gene either).
    `any_member` marks a group (a FamPlex family mapped to its member genes): it is right for every
    gold member it covers, and one false positive if it covers none.
    """

    curie: str
    ids: frozenset[str]
    any_member: bool = False


def resolve(predictions: Iterable[MappedPrediction], gold: set[str]) -> set[str]:
    """The predicted ID set of one document, each prediction spent on the gold IDs it can match.

    A concept with several equivalents (MONDO -> two MeSH IDs) counts once: the gold IDs it hits, or else
    its smallest equivalent, so that one wrong concept is one false positive however many xrefs it has.
    A group (`any_member`) is credited with every gold member it covers.
    """
    out: set[str] = set()
    for p in predictions:
        if not p.ids:
            out.add(p.curie)
            continue
        hit = p.ids & gold
        if hit:
            out |= hit if p.any_member else {min(hit)}
        else:
            out.add(min(p.ids))
    return out


def score(gold: Mapping[str, set[str]], predicted: Mapping[str, set[str]]) -> Counts:
    """Micro counts over the documents of `gold` (a document missing from `predicted` predicted nothing)."""
    tp = fp = fn = 0
    for doc, g in gold.items():
        p = predicted.get(doc, set())
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    for doc, p in predicted.items():
        if doc not in gold:
            fp += len(p)
    return Counts(tp, fp, fn)


def errors(gold: Mapping[str, set[str]], predicted: Mapping[str, set[str]],
           texts: Mapping[tuple[str, str], str] | None = None) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """(false positives, false negatives) as Counters of (ID, text) over documents, most common first.

    `texts` maps (document, ID) to the text it was found or annotated as, for a reader deciding what to fix.
    """
    texts = texts or {}
    fps: Counter[tuple[str, str]] = Counter()
    fns: Counter[tuple[str, str]] = Counter()
    for doc in gold.keys() | predicted.keys():
        g, p = gold.get(doc, set()), predicted.get(doc, set())
        for i in p - g:
            fps[(i, texts.get((doc, i), ""))] += 1
        for i in g - p:
            fns[(i, texts.get((doc, i), ""))] += 1
    return fps, fns
