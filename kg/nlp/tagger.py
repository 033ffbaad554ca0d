"""A fast dictionary tagger: longest match of normalised token spans against the lexicon.

How a span becomes a mention:
1. Keys (`kg.nlp.normalize`) fold case, separators, Greek letters, British spelling and plurals, so
   "HGF/c-MET signalling pathways" finds "HGF/c-MET signaling pathway" and "TAMs" finds "TAM".
2. Case matters where it carries meaning: symbols and short upper-case names match only the same case
   or all capitals ("MET" and "Met" for MET, never "met"); a symbol that is an English word only in capitals.
3. Short ambiguous aliases (``~GC`` in the curated file, short upper-case synonyms of ontologies) are kept
   only in an oncology text and only for cancer concepts ("GC" = gastric cancer, never gonorrhoea), or
   where the text defines them.
4. Abbreviations defined in the text, "colorectal liver metastasis (CRLM)", bind the short form to the long
   form's concepts for the whole document; a short form defined as something the lexicon does not know
   ("gene cluster (GC)") silences the lexicon's meaning of it in that document.
Among candidates for one span the best-ranked name kind wins (curated > label/symbol > synonym >
previous symbol > alias), then the type order in `TYPE_ORDER`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from . import lexicon as lx
from .normalize import TOKEN_RE, case_form, key_prefixes, name_keys, singular, token_key

TYPE_ORDER = {t: i for i, t in enumerate(("pathway", "process", "component", "cell", "disease", "gene", "family",
                                          "chemical", "anatomy", "organism"))}
MAX_TOKENS = 10
_JOINERS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013/'\u2019+]{0,3}$")  # used with match(text, pos, endpos)
ONCOLOGY_RE = re.compile(r"cancer|tumou?r|carcinoma|neoplas|oncolog|metasta|malignan|lymphoma|leuka?emia|"
                         r"sarcoma|melanoma|glioma|blastoma", re.I)
_CANCER_LABEL = re.compile(r"cancer|carcinoma|tumou?r|neoplasm|oma\b|leuka?emia|metasta", re.I)
# Names too generic to be evidence of anything ("cells" is CL:0000000, "disease" MONDO:0000001).
STOP_KEYS = frozenset({"cell", "cells", "disease", "diseases", "protein", "proteins", "gene", "genes", "syndrome",
                       "signaling", "binding", "expression", "growth", "death", "development", "behavior",
                       "response", "transport", "localization", "secretion", "activity", "complex",
                       "regulation", "membrane", "region", "component", "function", "lesion", "patient",
                       "patients", "control", "age", "disorder", "disorders", "genetic", "common", "rare",
                       "inherited", "familial", "hereditary", "congenital", "complete", "rich", "men", "face",
                       "soft", "fed", "can", "dna", "rna", "mrna", "drug", "drugs", "nucleotide", "aminoacid",
                       "aminoacids", "water", "growthfactor", "growthfactors", "sterile", "skin", "acid", "acids",
                       "injury", "acquired",
                       # statistics and methods, never the gene or family they spell: odds/hazard ratios ...
                       "or", "or1", "or2", "hr", "ci", "rr", "sd", "se", "sem", "vs", "pcr", "auc", "roc"})
_ABBREV_DEF = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-\u03b1-\u03c9]{1,9}?)(s?)\s*[);,]")


@dataclass(frozen=True, slots=True)
class Concept:
    """A lexicon concept as the tagger sees it: one or more CURIEs (compound names), a type and a label."""

    curies: tuple[str, ...]
    type: str
    label: str
    source: str


class Candidate(NamedTuple):
    concept: int
    rank: int
    case: str | None     # the case form to respect, None when case does not matter
    word: bool           # a symbol that is an English word: capitals only
    short: bool          # a short ambiguous alias: context needed


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of one passage grounded to a concept; offsets are Python string indices into the passage."""

    passage: str
    start: int
    end: int
    text: str
    concept: Concept
    via: str = "lexicon"      # "lexicon" or "abbreviation"


def _case_sensitive(kind: str, name: str) -> bool:
    if kind in ("symbol", "wsymbol", "alias", "previous", "abbrev"):
        return True
    cf = case_form(name)
    return len(cf) <= 6 and any(ch.isupper() for ch in cf)


class Lexicon:
    """The in-memory index: key -> candidates, plus the key prefixes that allow early exit."""

    def __init__(self, concepts: Iterable[lx.Concept]) -> None:
        self.concepts: list[Concept] = []
        self.index: dict[str, list[Candidate]] = {}
        self.prefixes: set[str] = set()
        self.labels: dict[str, str] = {}  # CURIE -> label, from single-CURIE concepts (curated first)
        by_curie: dict[str, int] = {}
        for c in concepts:
            idx = by_curie.get(c.curie)
            if idx is None:
                idx = by_curie[c.curie] = len(self.concepts)
                self.concepts.append(Concept(tuple(c.curie.split("|")), c.type, c.label or c.curie, c.source))
            if c.label and "|" not in c.curie and (c.curie not in self.labels or c.source == "curated"):
                self.labels[c.curie] = c.label
            for kind, name in c.names:
                short = False
                if kind == "curated" and name.startswith("~"):
                    name, short = name[1:], True
                elif kind == "abbrev":
                    short = True
                rank = lx.KIND_RANK.get(kind, 5)
                cs = case_form(name) if _case_sensitive(kind, name) else None
                cand = Candidate(idx, rank, cs, kind == "wsymbol", short)
                for key in name_keys(name):
                    if not key or key in STOP_KEYS:
                        continue
                    lst = self.index.setdefault(key, [])
                    for n_, x in enumerate(lst):
                        if x.concept == idx and x.case == cs:
                            if cand.rank < x.rank:  # a curated name outranks the same name from an ontology
                                lst[n_] = cand
                            break
                    else:
                        lst.append(cand)
                self.prefixes.update(key_prefixes(name))

    def __len__(self) -> int:
        return len(self.concepts)

    @classmethod
    def from_files(cls, *paths: str | Path) -> "Lexicon":
        concepts: list[lx.Concept] = []
        for p in paths:
            p = str(p)
            concepts.extend(lx.read_bundle(p) if p.endswith(".tsv.gz") and "oncology-terms" not in p
                            else lx.curated(p))
        return cls(concepts)


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The bundled lexicon plus the curated terms (and $KG_TERMS files, ':'-separated), built once.

    Indexing 120,000 concepts takes seconds, so the index is cached as a pickle under ~/.cache/kg (or
    $KG_CACHE), keyed by a hash of the input files: a changed terms file rebuilds it.
    """
    import hashlib
    import os
    import pickle
    paths: list[Path] = []
    if lx.bundled_path().exists():
        paths.append(lx.bundled_path())
    paths.append(lx.curated_path())
    paths.extend(Path(p) for p in os.environ.get("KG_TERMS", "").split(os.pathsep) if p)
    h = hashlib.sha256(_INDEX_VERSION.encode())
    for p in paths:
        h.update(str(p).encode() + b"\0" + p.read_bytes())
    cache = Path(os.environ.get("KG_CACHE", Path.home() / ".cache" / "kg")) / f"lexicon-{h.hexdigest()[:16]}.pickle"
    try:
        with open(cache, "rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError):
        pass
    lex = Lexicon.from_files(*paths)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(lex, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:  # a read-only home: index again next time
        pass
    return lex


_INDEX_VERSION = "5"


@functools.lru_cache(maxsize=1 << 16)
def _singular_key(token: str) -> str | None:
    s = singular(token)
    return token_key(s) if s is not None else None


def _case_ok(c: Candidate, text_cf: str) -> bool:
    if c.case is None:
        return True
    if text_cf == c.case:
        return True
    if c.word:
        return False
    if text_cf.isupper() and text_cf == c.case.upper():
        return True
    if len(c.case) < 4 or not c.case.isupper():
        return False
    # "Notch1" for NOTCH1, "Smad4" for SMAD4: a capital first letter, rest as the symbol in lower case;
    # "PPARa", "TNFa": the symbol with a Greek-letter suffix written in lower case.
    return ((text_cf[:1].isupper() and text_cf[1:] == c.case[1:].lower())
            or (text_cf[:-1].isupper() and text_cf.upper() == c.case))


class Tagger:
    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        # (span text, oncology context) -> grounded concepts: the same spans recur across abstracts.
        self._cache: dict[tuple[str, bool], list[Concept]] = {}
        self._tokens: dict[str, tuple[str, str | None, bool]] = {}

    # -- one passage ------------------------------------------------------------------------------
    def _token_info(self, token: str) -> tuple[str, str | None, bool]:
        """(key, singular key, can start a name) of one token, cached per tagger."""
        k, sk = token_key(token), _singular_key(token)
        index = self.lexicon.index
        x = (k, sk, k in index or k in self.lexicon.prefixes or (sk is not None and sk in index))
        if len(self._tokens) > 500_000:
            self._tokens.clear()
        self._tokens[token] = x
        return x

    def _candidates(self, span: str, cands: list[Candidate], oncology: bool,
                    suppressed: set[str]) -> list[Candidate]:
        cf = case_form(span)
        if cf in suppressed:
            return []
        ok = [c for c in cands if _case_ok(c, cf) or _case_ok(c, cf[:-1] if cf.endswith("s") else cf)]
        if not ok:
            return []
        if any(c.short for c in ok):
            concepts = self.lexicon.concepts
            long_ = [c for c in ok if not c.short]
            if long_:
                ok = long_
            elif not oncology:
                return []
            else:
                ok = [c for c in ok if concepts[c.concept].type != "disease"
                      or _CANCER_LABEL.search(concepts[c.concept].label)]
        if not ok:
            return []
        best = min(c.rank for c in ok)
        ok = [c for c in ok if c.rank == best]
        concepts = self.lexicon.concepts
        top = min(TYPE_ORDER.get(concepts[c.concept].type, 99) for c in ok)
        return [c for c in ok if TYPE_ORDER.get(concepts[c.concept].type, 99) == top]

    def tag_text(self, text: str, passage: str = "text", *, oncology: bool | None = None,
                 defined: dict[str, Concept] | None = None, suppressed: set[str] | None = None) -> list[Mention]:
        """Mentions in one passage, longest match first, left to right, never overlapping."""
        if oncology is None:
            oncology = bool(ONCOLOGY_RE.search(text))
        suppressed = suppressed or set()
        defined = defined or {}
        spans = list(TOKEN_RE.finditer(text))
        info = self._tokens
        infos = [info[t] if t in info else self._token_info(t) for t in TOKEN_RE.findall(text)]
        index, prefixes = self.lexicon.index, self.lexicon.prefixes
        cache = self._cache
        out: list[Mention] = []
        n = len(infos)
        i = 0
        while i < n:
            if not infos[i][2] and not defined:
                i += 1
                continue
            best: tuple[int, list[Concept], str] | None = None
            if defined:
                cf = case_form(spans[i].group(0))
                hit = defined.get(cf) or (defined.get(cf[:-1]) if cf.endswith("s") else None)
                if hit is not None:
                    best = (i, [hit], "abbreviation")
            if best is None:
                acc = ""
                stop = n if n < i + MAX_TOKENS else i + MAX_TOKENS
                for j in range(i, stop):
                    if j > i and not _JOINERS.match(text, spans[j - 1].end(), spans[j].start()):
                        break
                    key, skey, _ = infos[j]
                    prev = acc
                    acc += key
                    cands = index.get(acc)
                    if cands is None and skey is not None:
                        cands = index.get(prev + skey)
                    if cands:
                        span = text[spans[i].start():spans[j].end()]
                        ck = (span, oncology)
                        found = cache.get(ck) if not suppressed else None
                        if found is None:
                            ok = self._candidates(span, cands, oncology, suppressed)
                            found = [self.lexicon.concepts[c.concept] for c in ok]
                            if not suppressed:
                                if len(cache) > 200_000:
                                    cache.clear()
                                cache[ck] = found
                        if found:
                            best = (j, found, "lexicon")
                    if acc not in prefixes:
                        break
            if best is None:
                i += 1
                continue
            j, concepts, via = best
            start, end = spans[i].start(), spans[j].end()
            seen: set[tuple[str, ...]] = set()
            for c in concepts:
                if c.curies not in seen:
                    seen.add(c.curies)
                    out.append(Mention(passage, start, end, text[start:end], c, via))
            i = j + 1
        return out

    # -- a document -------------------------------------------------------------------------------
    def tag_document(self, passages: Sequence[tuple[str, str]]) -> list[Mention]:
        """Mentions of every (key, text) passage of one article, with in-text abbreviations applied."""
        oncology = any(ONCOLOGY_RE.search(t) for _, t in passages)
        first = [self.tag_text(t, k, oncology=oncology) for k, t in passages]
        defined, suppressed = self._abbreviations(passages, first)
        if not defined and not suppressed:
            return [m for ms in first for m in ms]
        out: list[Mention] = []
        forms = list(defined) + list(suppressed)
        for (k, t), ms in zip(passages, first):
            if any(f in t for f in forms):  # only passages that use a defined short form change
                out.extend(self._apply_abbreviations(k, t, ms, defined, suppressed))
            else:
                out.extend(ms)
        return out

    @staticmethod
    def _apply_abbreviations(key: str, text: str, ms: list[Mention], defined: dict[str, Concept],
                             suppressed: set[str]) -> list[Mention]:
        """The first pass's mentions with silenced short forms dropped and defined ones grounded."""
        out = [m for m in ms if case_form(m.text) not in suppressed]
        extra = []
        if defined:
            rx = re.compile(r"(?<![0-9A-Za-z\u0370-\u03ff])(?:" + "|".join(
                re.escape(f) for f in sorted(defined, key=len, reverse=True)) + r")s?(?![0-9A-Za-z\u0370-\u03ff])")
            for m in rx.finditer(text):
                t = m.group(0)
                cf = case_form(t)
                hit = defined.get(cf) or (defined.get(cf[:-1]) if cf.endswith("s") else None)
                if hit is not None:
                    extra.append(Mention(key, m.start(), m.end(), t, hit, "abbreviation"))
        if extra:
            out = [m for m in out if not any(m.start < x.end and x.start < m.end for x in extra)] + extra
            out.sort(key=lambda m: m.start)
        return out

    def _abbreviations(self, passages: Sequence[tuple[str, str]],
                       mentions: Sequence[list[Mention]]) -> tuple[dict[str, Concept], set[str]]:
        defined: dict[str, Concept] = {}
        suppressed: set[str] = set()
        for (_, text), ms in zip(passages, mentions):
            ends = {m.end: m for m in ms}
            for m in _ABBREV_DEF.finditer(text):
                sf = m.group(1)
                if not any(ch.isupper() for ch in sf):
                    continue
                before = text[:m.start()].rstrip()
                lf = ends.get(len(before))
                cf = case_form(sf)
                if lf is not None and lf.text[:1].lower() == sf[:1].lower() and cf != case_form(lf.text):
                    defined.setdefault(cf, lf.concept)
                elif lf is None and cf not in defined:
                    words = before.split()[-len(sf) - 1:]
                    # Schwartz-Hearst style check: the short form's first letter starts a preceding word.
                    # Only a short ambiguous alias is silenced, never a gene symbol or a curated name.
                    cands = self.lexicon.index.get(name_keys(sf)[0]) if name_keys(sf) else None
                    if (cands and all(c.short for c in cands)
                            and any(w[:1].lower() == sf[:1].lower() for w in words)):
                        suppressed.add(cf)
        return defined, suppressed - set(defined)
