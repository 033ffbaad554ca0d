"""Sentences, and mechanism assertions read from them: who acts on whom, in which direction, typed as BioRED.

An assertion joins two entity mentions of one sentence. Cheap by design (regular expressions over the
text between and just around two mentions, no parser), so thousands of abstracts per second. The rules:

- Triggers are verbs (promotes, induced, inhibiting, binds, is associated with ...) or a nominalisation
  followed by "of" ("activation of Y"); nouns such as promoter, target, receptor, regulation are never
  triggers, so "the BRCA1 promoter" and "the Wnt target CD44" assert nothing.
- Direction: "X activates Y" makes X the subject; the passive ("Y is activated by X", "Y, activated by
  X"), the nominal passive ("activation of Y by X") and compounds ("X-induced Y", "X-mediated",
  "X-dependent", "X-driven") make the agent X the subject.
- Polarity is the sign of the subject's effect on the object: the trigger's sign (activates +1,
  inhibits -1), flipped once for a subject that is switched off ("knockdown / inhibition / blockade /
  deletion / loss / silencing / inhibitors of X", "X knockdown", "X-deficient") and once for an object
  that is ("X induced loss of Y"). "Knockdown of X reduced Y" is -1 x -1 = +1: X's effect on Y is
  positive, which is what BioRED calls a Positive_Correlation of X and Y. Neutral triggers (associated
  with, regulates, involved in) have polarity 0; binding has polarity 0 and type Bind.
- Relation types comparable with BioRED: Positive_Correlation (polarity +1), Negative_Correlation (-1),
  Bind, Cotreatment ("X plus Y", "combination of X and Y"), Drug_Interaction (two chemicals that
  interact), Association (everything else; "X treats Y" is -1: a drug lowers its disease). Two of BioRED's
  conventions for entity types override the sign: a chemical "associated with" a disease is
  Positive_Correlation (drug-induced), a gene that "causes" a disease or raises its risk, or whose
  mutations or polymorphisms go with one, is Association (its variants are meant).
- Coordination carries a relation on: "X inhibits A, B and C" gives three assertions, "A and B induce
  C" two; "Z reversed X-induced Y" relates Z to the compound's head Y too. Otherwise only neighbouring
  mentions relate: "X inhibits Y in Z" says nothing of X and Z.
- Negation ("did not promote", "no association") and hedging ("may", "suggest") are flags on the
  assertion, never a reason to drop it.
- One assertion per entity pair per sentence (the first, i.e. the closest reading, wins); mentions of
  one span grounded to several concepts relate as one entity, each concept pair once.

The patterns and triggers themselves live in `kg.nlp.triggers` (re-exported here); this module splits
sentences and pairs mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .tagger import Mention
from .triggers import (ASSOCIATED, BOUND, DECREASED, INCREASED, INVOLVED, MAX_GAP, MEANS_TRIGGER, RELATION_TYPES,
                       Trigger, _AIM, _AND, _AND_VERB, _APPOSITION, _ARTICLE, _BETWEEN, _BY, _CLAUSE_BREAK,
                       _COMBINATION_BEFORE, _COMPOUND, _CONTEXT_WORD, _COORD, _COPULA, _COTREAT_GAP, _GENETIC_AFTER,
                       _GENETIC_BEFORE, _HEDGE, _INVOLVED, _IN_CONTEXT, _IN_DISEASE, _IN_WITH, _LAST_AND, _LC,
                       _LEVEL_OF, _MEANS, _NEGATION, _NOMINAL_BY, _NOUN_AFTER, _OFF_AFTER, _OFF_BEFORE, _ROLE_AFTER,
                       _ROLE_BETWEEN, _SIGN, _THERAPY_FOR, _TRIGGER_RE, _WITH, _adverb_sign, _biored_type,
                       _level_sign, _lower, _typed)

__all__ = ["ASSOCIATED", "BOUND", "DECREASED", "INCREASED", "INVOLVED", "MAX_GAP", "MEANS_TRIGGER", "RELATION_TYPES",
           "Relation", "Trigger", "relations", "sentences"]

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
class Relation:
    """One assertion: `subject` acts on `object` through `trigger_text`.

    `polarity` is the sign of the subject's effect on the object (+1 raises it, -1 lowers it, 0 neither
    or not said), after subject and object modifiers ("knockdown of X") are taken into account; the
    `trigger` is the one that sign gives (INCREASED for +1, DECREASED for -1). `relation_type` is the
    BioRED relation type of the pair: mostly the sign's, but BioRED's conventions for some entity type
    pairs can override it (module docstring). `negated` and `hedged` flag the sentence's stance.
    """

    subject: Mention
    object: Mention
    trigger: Trigger
    trigger_text: str
    negated: bool
    hedged: bool
    sentence: tuple[int, int]
    polarity: int = 0
    relation_type: str = "Association"


@dataclass(frozen=True, slots=True)
class _Reading:
    """How two neighbouring mentions relate: who is the subject, the trigger span and its sign."""

    forward: bool        # subject is the earlier mention
    start: int           # trigger span, absolute offsets
    end: int
    sign: int
    kind: str            # signed | assoc | involved | bind


class _Scan:
    """Every pattern run once over one sentence; pairs look their matches up by position."""

    __slots__ = ("text", "triggers", "off_ends", "between_ends", "breaks")

    def __init__(self, text: str, low: str, s0: int, lo: int, hi: int) -> None:
        # `low` is the sentence lower-cased, same length: case-folded patterns run several times faster.
        # Only low[lo:hi] can matter: from a little before the first mention to the start of the last.
        self.text = text
        # (start, end, group) of every trigger, in order
        self.triggers = [(m.start() + s0, m.end() + s0, m.lastgroup or "assoc")
                         for m in _LC[_TRIGGER_RE].finditer(low, lo, hi)]
        self.off_ends = {m.end() + s0: m.start() + s0 for m in _LC[_OFF_BEFORE].finditer(low, lo, hi)}
        self.between_ends = {m.end() + s0: (m.start() + s0, m) for m in _LC[_BETWEEN].finditer(low, lo, hi)}
        self.breaks = [m.start() + s0 for m in _LC[_CLAUSE_BREAK].finditer(low, lo, hi)]

    def off_start(self, pos: int) -> int:
        """Where the switch-off phrase ending at `pos` starts."""
        return self.off_ends[pos]

    def subject_off(self, m: Mention) -> bool:
        """The subject is switched off: "knockdown of X", "X knockdown", "X-deficient"."""
        return m.start in self.off_ends or bool(_OFF_AFTER.match(self.text, m.end, m.end + 25))


def _drug_role(text: str, a: Mention, b: Mention, gap: str) -> _Reading | None:
    """ "the EGFR inhibitor gefitinib" and "gefitinib, an EGFR inhibitor": the drug acts on the gene."""
    if a.concept.type == "gene" and b.concept.type == "chemical":
        m = _ROLE_BETWEEN.match(gap)
        if m is None:
            return None
        forward, start = False, a.end + m.start()
    elif a.concept.type == "chemical" and b.concept.type == "gene" and _APPOSITION.match(gap):
        m = _ROLE_AFTER.match(text, b.end, b.end + 20)
        if m is None:
            return None
        forward, start = True, m.start()
    else:
        return None
    sign = -1 if m.group("neg") else 1 if m.group("pos") else 0
    return _Reading(forward, start, start + len(m.group(0).rstrip(", ")), sign, "signed" if sign else "assoc")


def _read(scan: _Scan, a: Mention, b: Mention) -> _Reading | None:
    """The relation between neighbouring mentions a (first) and b, if the text between says one."""
    text = scan.text
    if b.start - a.end > MAX_GAP or any(a.end <= p < b.start for p in scan.breaks):
        return None
    gap = text[a.end:b.start]
    c = _COMPOUND.match(gap)
    if c is not None:
        kind = "assoc" if c.group("assoc") else "signed"
        sign = 1 if c.group("inc") else -1 if c.group("dec") else 0
        head = _TRIGGER_RE.search(c.group("rest"))
        if head is not None:
            # "X-induced decrease in Y": the head noun carries the sign on
            hs = _SIGN[head.lastgroup or "assoc"]
            if not (sign and hs):
                return None
            sign *= hs
        return _Reading(True, a.end + c.start(), a.end + c.start("rest"), sign, kind)
    # "association between X and Y", "interaction of X with Y"
    found = scan.between_ends.get(a.start)
    if found is not None and _AND.match(gap) and (found[1].group("btw") or not _LAST_AND.match(gap)):
        # "between X and Y", "interaction of X with Y"; in "effect of X and Y on Z" the "and" is a list
        return _between_reading(found[0], a.start, found[1])
    if {a.concept.type, b.concept.type} == {"gene", "disease"} and len(gap) <= 100:
        gene = a if a.concept.type == "gene" else b
        ga = _GENETIC_AFTER.match(text, gene.end, gene.end + 30)
        gb = None if ga else _GENETIC_BEFORE.search(text, max(0, gene.start - 40), gene.start)
        genetic = ga or gb
        if genetic and (any(a.end <= t[0] and t[1] <= b.start for t in scan.triggers) or _IN_WITH.search(gap)):
            # BioRED's type for a gene's variants and a disease is Association, whatever the verb
            span = genetic.span()
            return _Reading(gene is a, span[0], span[1], 0, "assoc")
        lv = _LEVEL_OF.search(text, max(0, a.start - 40), a.start) if gene is a else None
        if lv is not None and _IN_DISEASE.match(gap):
            # "increased expression of X in Y": Y goes with more X (read as Y raising X, as "X is increased in Y")
            sign = 1 if lv.group("inc") or lv.group("over") else -1 if lv.group("dec") else 0
            return _Reading(False, lv.start(), lv.end(), sign, "signed" if sign else "assoc")
    if a.concept.type == b.concept.type == "chemical":
        ct = _COTREAT_GAP.match(gap)
        if ct is None and _LAST_AND.match(gap):
            ct = _COMBINATION_BEFORE.search(text, max(0, a.start - 40), a.start)
        if ct is not None:
            start = ct.start() + (a.end if ct.re is _COTREAT_GAP else 0)
            return _Reading(True, start, start + len(ct.group(0).strip()), 0, "cotreat")
    if a.concept.type == "chemical" and b.concept.type == "disease":
        th = _THERAPY_FOR.match(gap)
        if th is not None:
            # "X therapy for Y", "X treatment in patients with Y": a drug lowers its disease
            return _Reading(True, a.end + th.start(), a.end + th.end(), -1, "signed")
    role = _drug_role(text, a, b, gap)
    if role is not None:
        return role
    for ts, te, g in scan.triggers:
        if ts < a.end:
            # nominal passive: "activation of Y by X"
            if g[0] == "n" and a.start - 8 <= te <= a.start and _ARTICLE.fullmatch(text, te, a.start) \
                    and _NOMINAL_BY.fullmatch(gap):
                return _Reading(False, ts, te, _SIGN[g], "assoc" if g == "nassoc" else "signed")
            continue
        if te > b.start:
            break
        word = text[ts:te]
        if _AND_VERB.search(text, max(a.end, ts - 20), ts):
            return None  # "Z reversed X and decreased Y": the verb's subject is Z, not X
        rest = text[te:b.start]
        if g in ("inc", "dec"):
            if _NOUN_AFTER.match(rest) and not word.lower().endswith(("ed", "ing", "en")):
                continue  # "an increase in Y", "a cause of Y": a noun, not a verb
            if word[:5].lower() == "treat" and _WITH.match(rest):
                if a.concept.type == "disease" and b.concept.type == "chemical":
                    return _Reading(False, ts, te, -1, "signed")  # "patients with Y treated with X"
                continue  # "mice were treated with X": no action of a on b
            if word.lower() == "lower":
                continue  # "lower levels"
        kind = {"bind": "bind", "assoc": "assoc", "nassoc": "assoc"}.get(g, "signed")
        if kind == "assoc" and _INVOLVED.match(word):
            kind = "involved"
        if g == "rinc":
            return _Reading(False, ts, te, 1, kind)
        if g[0] != "n" and _BY.match(rest):
            # passive: "Y is activated by X", "Y, induced by X", "Y was reduced in cells by X"
            return _Reading(False, ts, te, _SIGN[g], kind)
        if g in ("inc", "dec") and _COPULA.search(text, max(a.end, ts - 30), ts):
            # "Y was increased in Z": Z (a condition, a treatment) raises Y; "Y was increased and
            # Z ..." without a context says nothing of the two
            if _IN_CONTEXT.match(rest):
                return _Reading(False, ts, te, _SIGN[g], kind)
            return None
        return _Reading(True, ts, te, _SIGN[g], kind)
    return None


def _between_list(text: str, slots: list[list[Mention]], coord: list[bool], i: int, start: int, bw: re.Match[str],
                  readings: dict[tuple[int, int], _Reading]) -> None:
    """ "association between A, B, C and Y": each of A, B, C with Y (the last after the final "and"),
    and "effect of A and B on Y": A and B with Y."""
    n = len(slots)
    k = i
    while k < n - 1 and coord[k]:
        k += 1
    if k < n - 1 and _AND.match(text[slots[k][0].end:slots[k + 1][0].start]) and not coord[k]:
        firsts, other = range(i, k + 1), k + 1
    elif k > i and bw.group("btw") and _LAST_AND.match(text[slots[k - 1][0].end:slots[k][0].start]):
        firsts, other = range(i, k), k
    else:
        return
    r = _between_reading(start, slots[i][0].start, bw)
    for f in firsts:
        readings.setdefault((f, other), r)


def _between_reading(start: int, end: int, bw: re.Match[str]) -> _Reading:
    kind = "bind" if bw.group("bind") else "assoc"
    sign = 1 if bw.group("pos") else -1 if bw.group("neg") else 0
    return _Reading(True, start, end, sign, "signed" if sign else kind)


def _list_start(coord: list[bool], k: int) -> int:
    """The first slot of the list slot k belongs to ("A, B and C": A)."""
    while k > 0 and coord[k - 1]:
        k -= 1
    return k


def relations(text: str, mentions: Sequence[Mention], sentence: tuple[int, int]) -> list[Relation]:
    """Assertions between the mentions of one sentence of `text` (see the module docstring for the rules)."""
    s0, s1 = sentence
    ms = sorted((m for m in mentions if s0 <= m.start and m.end <= s1), key=lambda m: (m.start, -m.end))
    if len(ms) < 2:
        return []
    # Slots: one per span; mentions of one span (one entity grounded several ways) share it.
    slots: list[list[Mention]] = []
    for m in ms:
        if slots and m.start < slots[-1][0].end:
            if (m.start, m.end) == (slots[-1][0].start, slots[-1][0].end):
                slots[-1].append(m)
            continue  # a nested or overlapping span: the longer, earlier one stands
        slots.append([m])
    if len(slots) < 2:
        return []
    sent_text = text[s0:s1]
    low = _lower(sent_text)
    if _AIM.search(low):
        return []  # "we assessed whether X was associated with Y": a question asked, nothing stated
    n = len(slots)
    readings: dict[tuple[int, int], _Reading] = {}
    scan = _Scan(text, low, s0, max(0, slots[0][0].start - s0 - 60), slots[-1][0].start - s0)
    if not scan.triggers and not scan.between_ends and "-" not in sent_text and "\u2010" not in sent_text \
            and "\u2011" not in sent_text and not _LC[_MEANS].search(low) \
            and not _LC[_CONTEXT_WORD].search(low):
        return []
    hedged = bool(_LC[_HEDGE].search(low))
    negations = [m.start() + s0 for m in _LC[_NEGATION].finditer(low)]
    coord = [bool(_COORD.match(text[slots[i][0].end:slots[i + 1][0].start])) for i in range(n - 1)]
    for i in range(n - 1):
        found = scan.between_ends.get(slots[i][0].start)
        if found is not None:
            _between_list(text, slots, coord, i, found[0], found[1], readings)
        r = _read(scan, slots[i][0], slots[i + 1][0])
        if r is not None:
            readings.setdefault((i, i + 1), r)
    # "Z reversed X-induced Y": Z acts on the head Y of the compound as well as on its modifier X
    for i in range(n - 2):
        r, head = readings.get((i, i + 1)), readings.get((i + 1, i + 2))
        if r is not None and r.forward and head is not None and head.forward and head.start == slots[i + 1][0].end:
            readings.setdefault((i, i + 2), r)
    # Coordination: "X inhibits A, B and C" (object list) and "A and B induce C" (subject list).
    # A list member takes its modifiers from the member the trigger touches: "knockdown of A and B".
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for (i, j), r in list(readings.items()):
        k = j
        while k < n - 1 and coord[k]:
            if (i, k + 1) not in readings:
                readings[(i, k + 1)], origin[(i, k + 1)] = r, (i, j)
            k += 1
        k = i
        while k > 0 and coord[k - 1]:
            if (k - 1, j) not in readings:
                readings[(k - 1, j)], origin[(k - 1, j)] = r, (i, j)
            k -= 1
    out: list[Relation] = []
    seen: set[tuple[object, ...]] = set()
    for (i, j), r in sorted(readings.items()):
        a, b = slots[i][0], slots[j][0]
        oi, oj = origin.get((i, j), (i, j))
        # subj/obj name the mentions whose modifiers count; the assertion joins a and b
        subj, obj = (slots[oi][0], slots[oj][0]) if r.forward else (slots[oj][0], slots[oi][0])
        # a modifier before a list holds for all of it: "knockdown of A and B", "loss of A and B"
        s_first = slots[_list_start(coord, oi if r.forward else oj)][0]
        o_first = slots[_list_start(coord, oj if r.forward else oi)][0]
        sign, kind = r.sign, r.kind
        if sign:
            if scan.subject_off(subj) or (s_first is not subj and s_first.start in scan.off_ends):
                sign = -sign
            # an object switched off after the trigger: "X induced loss of Y"
            if any(m.start in scan.off_ends and scan.off_start(m.start) >= r.end for m in {obj, o_first}):
                sign = -sign
        elif r.kind == "assoc":
            # "positively correlated with"; "upregulation of X is associated with Y", "Y is associated
            # with decreased X expression": a level change of either side signs a neutral association
            sign = _adverb_sign(text, r.start) or _level_sign(text, subj, s0) * (_level_sign(text, obj, s0) or 1)
            if not sign:
                sign = _level_sign(text, obj, s0)
            if sign:
                kind = "signed"
        trigger, rtype = _typed(sign, kind)
        rtype = _biored_type(rtype, a.concept.type, b.concept.type, text[r.start:b.start])
        first = min(a.start, r.start)
        negated = any(first - 12 <= p < r.start for p in negations)
        tt = text[r.start:r.end]
        for sm in (slots[i] if r.forward else slots[j]):
            for om in (slots[j] if r.forward else slots[i]):
                key = (sm.concept.curies, om.concept.curies)
                if sm.concept.curies == om.concept.curies or key in seen or key[::-1] in seen:
                    continue
                seen.add(key)
                out.append(Relation(sm, om, trigger, tt, negated, hedged, sentence, sign, rtype))
    # "X promotes Y via Z": Z (after the means word) contributes to Y (before it).
    for i in range(1, n - 1):
        a, b = slots[i][0], slots[i + 1][0]
        gap = text[a.end:b.start]
        mm = _MEANS.search(gap)
        if mm is None or (i, i + 1) in readings or len(gap) > MAX_GAP:
            continue
        for sm in slots[i + 1]:
            for om in slots[i]:
                key = (sm.concept.curies, om.concept.curies)
                if sm.concept.curies == om.concept.curies or key in seen or key[::-1] in seen:
                    continue
                seen.add(key)
                out.append(Relation(sm, om, MEANS_TRIGGER, mm.group(0), False, hedged, sentence, 0, "Association"))
    return out
