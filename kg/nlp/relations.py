"""Sentences, and mechanism assertions read from them by trigger words.

An assertion joins two mentions of one sentence through a trigger between them:

- increase: promotes, induces, activates, enhances, increases, up-regulates, drives, stimulates ...
- decrease: inhibits, suppresses, blocks, reduces, down-regulates, attenuates, prevents ...
- association: associated with, correlated with, linked to;
- involvement: involved in, participates in, plays a role in, contributes to, mediates;
- means: "A ... through/via/by B" makes B contribute to A's effect.

Negation ("did not promote", "no association") and hedging ("may", "might", "suggest", "potential")
are flags on the assertion, never a reason to drop it. Cheap by design: regular expressions over the
text between two mentions, no parser, so thousands of abstracts per second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .tagger import Mention

# A sentence ends at . ! ? followed by space and a capital/digit, unless the dot ends a known abbreviation.
_SENT_END = re.compile(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])")
_NO_SPLIT = re.compile(r"(?:\b(?:et al|e\.g|i\.e|vs|Fig|Figs|Ref|No|approx|ca|cf|Dr|St|Eq)|\b[A-Z])$")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`."""
    out = []
    start = 0
    for m in _SENT_END.finditer(text):
        if _NO_SPLIT.search(text[start:m.start()]):
            continue
        out.append((start, m.end()))
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text) and text[start:].strip():
        out.append((start, len(text.rstrip())))
    return out


@dataclass(frozen=True, slots=True)
class Trigger:
    direction: str       # increased | decreased | associated | involved | means
    predicate: str       # direct predicate (CURIE of RO or biolink)
    assoc_predicate: str  # the Association's biolink predicate


_TRIGGERS: list[tuple[str, Trigger]] = [
    (r"promot\w*|induc\w*|activat\w*|enhanc\w*|increas\w*|up-?regulat\w*|drives?|driving|driven|stimulat\w*|"
     r"facilitat\w*|trigger\w*|accelerat\w*|augment\w*|potentiat\w*",
     Trigger("increased", "RO:0002213", "biolink:affects")),
    (r"inhibit\w*|suppress\w*|block\w*|reduc\w*|decreas\w*|down-?regulat\w*|attenuat\w*|abrogat\w*|"
     r"impair\w*|prevent\w*|antagoni[sz]\w*|abolish\w*|repress\w*|target\w*",
     Trigger("decreased", "RO:0002212", "biolink:affects")),
    (r"associated with|correlated with|correlates with|linked (?:to|with)|related to|association (?:with|between)",
     Trigger("associated", "biolink:associated_with", "biolink:associated_with")),
    (r"involved in|participat\w* in|plays? (?:an? )?(?:\w+ )?roles? in|contribut\w* to|mediat\w*|"
     r"required for|essential for|implicated in|regulat\w*",
     Trigger("involved", "RO:0002326", "biolink:contributes_to")),
]
# One alternation, one search per mention pair: the leftmost trigger (closest to the subject) wins.
_TRIGGER_RE = re.compile("|".join(f"(?P<t{n}>\\b(?:{p})\\b)" for n, (p, _) in enumerate(_TRIGGERS)), re.I)
_TRIGGER_OF = {f"t{n}": t for n, (_, t) in enumerate(_TRIGGERS)}
_MEANS = re.compile(r"\b(?:through|via|by (?:activating|inducing|regulating|targeting)|in an? [\w-]+-dependent manner)\b",
                    re.I)
MEANS_TRIGGER = Trigger("means", "RO:0002326", "biolink:contributes_to")
_NEGATION = re.compile(r"\b(?:not|no|neither|nor|never|without|failed to|fails to|lack of|absence of|unable to)\b",
                       re.I)
_HEDGE = re.compile(r"\b(?:may|might|could|possibl\w*|potential\w*|suggest\w*|putative|likely|hypothes\w*|"
                    r"appears? to|seems? to|whether|unclear)\b", re.I)
_CLAUSE_BREAK = re.compile(r";|\bwhereas\b|\bwhile\b|\bbut\b|\bhowever\b", re.I)


@dataclass(frozen=True, slots=True)
class Relation:
    subject: Mention
    object: Mention
    trigger: Trigger
    trigger_text: str
    negated: bool
    hedged: bool
    sentence: tuple[int, int]


def relations(text: str, mentions: Sequence[Mention], sentence: tuple[int, int]) -> list[Relation]:
    """Trigger-based relations between neighbouring mentions of one sentence (subject first).

    Each pattern runs once over the sentence; pairs then look their triggers up by position.
    """
    s0, s1 = sentence
    ms = sorted((m for m in mentions if s0 <= m.start and m.end <= s1), key=lambda m: m.start)
    if len(ms) < 2:
        return []
    sent_text = text[s0:s1]
    triggers = [(m.start() + s0, m.end() + s0, _TRIGGER_OF[m.lastgroup], m.group(0))
                for m in _TRIGGER_RE.finditer(sent_text)]
    means = [(m.start() + s0, m.end() + s0, m.group(0)) for m in _MEANS.finditer(sent_text)]
    if not triggers and not means:
        return []
    breaks = [m.start() + s0 for m in _CLAUSE_BREAK.finditer(sent_text)]
    negations = [m.start() + s0 for m in _NEGATION.finditer(sent_text)]
    hedged = bool(_HEDGE.search(sent_text))
    out: list[Relation] = []
    for a_i, a in enumerate(ms):
        for b_i in range(a_i + 1, len(ms)):
            b = ms[b_i]
            if b.start < a.end or a.concept.curies == b.concept.curies:
                continue
            # Only neighbours: "A inhibits B in C" says nothing of A and C.
            if any(a.end <= x.start and x.end <= b.start for x in ms[a_i + 1:b_i]):
                break
            if b.start - a.end > 120 or any(a.end <= p < b.start for p in breaks):
                continue
            trig = next((t for t in triggers if a.end <= t[0] and t[1] <= b.start), None)
            if trig is not None:
                negated = any(a.start - 12 <= p < trig[0] for p in negations)
                out.append(Relation(a, b, trig[2], trig[3], negated, hedged, sentence))
                continue
            mm = next((x for x in means if a.end <= x[0] and x[1] <= b.start), None)
            if mm is not None and a_i > 0:
                # "X promotes Y via Z": Z (after the means word) contributes to Y (before it).
                out.append(Relation(b, a, MEANS_TRIGGER, mm[2], False, hedged, sentence))
    return out
