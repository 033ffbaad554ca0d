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

The lexicon's matching tables (`Lexicon`: normalised key -> candidates; `default_lexicon`, cached) live in
`kg.nlp.index`; this module finds and grounds spans with them, and re-exports them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from .index import STOP_KEYS, Candidate, Concept, Lexicon, default_lexicon
from .normalize import TOKEN_RE, case_form, fold_greek, name_keys, singular, token_key

__all__ = ["MAX_TOKENS", "ONCOLOGY_RE", "PREFIX_ORDER", "STOP_KEYS", "TYPE_ORDER", "Candidate", "Concept", "Lexicon",
           "Mention", "Tagger", "default_lexicon", "gene_context"]

TYPE_ORDER = {t: i for i, t in enumerate(("pathway", "process", "component", "cell", "cellline", "disease", "gene",
                                          "family", "chemical", "anatomy", "organism"))}
# One entity per span: where several vocabularies name the same thing, the canonical one per type wins
# (the lexicon already folds MeSH diseases into MONDO and MeSH drugs into ChEBI; this settles the rest).
PREFIX_ORDER = {p: i for i, p in enumerate(("HGNC", "FPLX", "MONDO", "DOID", "CHEBI", "REACTOME", "GO", "CL",
                                            "cellosaurus", "EFO", "UBERON", "MESH"))}
# Words around a symbol that say it names a gene or its product ("APC gene", "expression of AR"): short
# or alias symbols, and lower-case ones, count only there.
_GENE_AFTER = re.compile(
    r"[\s\-]*(?:genes?|proteins?|mRNAs?|transcripts?|expression|over-?expression|knock-?down|knock-?out|"
    r"silencing|promoters?|mutations?|mutants?|variants?|alleles?|locus|loci|deletions?|amplification|"
    r"polymorphisms?|inhibitors?|phosphorylation|levels?|activity|activation|signal+ing|receptors?|kinases?|"
    r"siRNAs?|shRNAs?|knockout|status|copy number)\b", re.I)
_GENE_BEFORE = re.compile(
    r"(?:\b(?:expression|levels?|knock-?down|silencing|over-?expression|mutations?|inhibition|activation|"
    r"depletion|loss|deletion|amplification|phosphorylation) (?:of|in)|\bmutant|\bmutated|\bwild-type|"
    r"\bphospho-?|\bencoding|\bencodes|\bgenes?|\bproteins?|\bsi|\bsh|\banti-)\s*$", re.I)
MAX_TOKENS = 10
_JOINERS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013/'\u2019+]{0,3}$")  # used with match(text, pos, endpos)
ONCOLOGY_RE = re.compile(r"cancer|tumou?r|carcinoma|neoplas|oncolog|metasta|malignan|lymphoma|leuka?emia|"
                         r"sarcoma|melanoma|glioma|blastoma", re.I)
_CANCER_LABEL = re.compile(r"cancer|carcinoma|tumou?r|neoplasm|oma\b|leuka?emia|metasta", re.I)
_ABBREV_DEF = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-\u03b1-\u03c9]{1,9}?)(s?)\s*[);,]")


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of one passage grounded to a concept; offsets are Python string indices into the passage."""

    passage: str
    start: int
    end: int
    text: str
    concept: Concept
    via: str = "lexicon"      # "lexicon" or "abbreviation"


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


def _lower_symbol(c: Candidate, text_cf: str) -> bool:
    """A gene symbol of three or more letters written in lower case ("myc", "src")."""
    return (c.case is not None and c.rank <= 1 and not c.word and len(c.case) >= 3 and c.case.isupper()
            and text_cf.islower() and text_cf == c.case.lower())


def gene_context(text: str, start: int, end: int) -> bool:
    """Whether the words around text[start:end] say it names a gene or its product."""
    return bool(_GENE_AFTER.match(text, end) or _GENE_BEFORE.search(text, max(0, start - 40), start))


_PARTICIPANT_TYPES = frozenset({"gene", "family", "chemical"})
_PATHWAY_HINT = re.compile(r"signal|pathway|axis|axes|cascade", re.I)  # cheap test before the chain scan
_FUNCTION_WORDS = frozenset({"a", "an", "the", "and", "or", "but", "in", "of", "on", "at", "to", "by", "for", "as",
                             "is", "it", "be", "we", "with", "from", "that", "this", "not", "no", "its", "was"})
_CHAIN_JOIN = re.compile(r"\s*[/\-\u2010\u2011\u2013]\s*")
_PATHWAY_WORD = re.compile(r"[\s\-]*(?:signal+ing pathways?|signal+ing cascades?|signal+ing axis|signal+ing|"
                           r"signal transduction|pathways?|axis|axes|cascades?)\b", re.I)


def _minted_pathway(chain: Sequence[Mention]) -> Concept:
    """A pathway named after its participants when no vocabulary has it: "STAT3 signalling" is
    kgid:entity/pathway/HGNC_11364, labelled "STAT3 signaling"."""
    from urllib.parse import quote
    parts = [m for m in chain if m.concept.type != "pathway"]
    local = "-".join(quote(m.concept.curies[0].replace(":", "_"), safe="_.") for m in parts)
    label = "/".join(m.concept.label for m in parts) + " signaling"
    return Concept((f"kgid:entity/pathway/{local}",), "pathway", label, "kg")


class Tagger:
    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        # (span text, oncology context) -> grounded concepts: the same spans recur across abstracts.
        self._cache: dict[tuple[str, bool], list[tuple[Concept, bool]]] = {}
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
                    suppressed: set[str]) -> list[tuple[Candidate, bool]]:
        """The candidates a span may mean, each with whether it needs a gene context to count."""
        cf = case_form(span)
        if cf in suppressed:
            return []
        ok: list[tuple[Candidate, bool]] = []
        for c in cands:
            if _case_ok(c, cf) or _case_ok(c, cf[:-1] if cf.endswith("s") else cf):
                ok.append((c, c.weak))
            elif _lower_symbol(c, cf):
                ok.append((c, True))  # "myc", "src": a symbol in lower case, only where the text speaks of genes
        if not ok:
            return []
        concepts = self.lexicon.concepts
        strong = [x for x in ok if not x[0].short and not x[1]]
        shorts = [x for x in ok if x[0].short]
        if strong:
            ok = strong
        elif shorts and oncology:
            # A short oncology abbreviation ("HCC", "GC") outranks a gene alias spelled the same.
            ok = [x for x in shorts if concepts[x[0].concept].type != "disease"
                  or _CANCER_LABEL.search(concepts[x[0].concept].label)]
        else:
            ok = [x for x in ok if not x[0].short]
        if not ok:
            return []
        best = min(c.rank for c, _ in ok)
        ok = [x for x in ok if x[0].rank == best]
        top = min(TYPE_ORDER.get(concepts[c.concept].type, 99) for c, _ in ok)
        ok = [x for x in ok if TYPE_ORDER.get(concepts[x[0].concept].type, 99) == top]
        # One entity per span: the canonical vocabulary of the type, then the first-indexed concept.
        return [min(ok, key=lambda x: (PREFIX_ORDER.get(concepts[x[0].concept].curies[0].split(":", 1)[0], 50),
                                       x[0].concept))]

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
                first_word = infos[i][0] in _FUNCTION_WORDS
                for j in range(i, stop):
                    if j > i and not _JOINERS.match(text, spans[j - 1].end(), spans[j].start()):
                        break
                    if j == i + 1 and first_word and text[spans[i].end():spans[i].end() + 1].isspace():
                        break  # "but in" is not the chemical "butin": a name never starts with a function word
                    key, skey, _ = infos[j]
                    prev = acc
                    acc += key
                    cands = index.get(acc)
                    if skey is not None:
                        alt = index.get(prev + skey)  # "carcinomas": the singular's names count too
                        if alt:
                            cands = alt if cands is None else cands + alt
                    if cands:
                        span = text[spans[i].start():spans[j].end()]
                        ck = (span, oncology)
                        found = cache.get(ck) if not suppressed else None
                        if found is None:
                            ok = self._candidates(span, cands, oncology, suppressed)
                            found = [(self.lexicon.concepts[c.concept], weak) for c, weak in ok]
                            if not suppressed:
                                if len(cache) > 200_000:
                                    cache.clear()
                                cache[ck] = found
                        if found and (not all(w for _, w in found)
                                      or gene_context(text, spans[i].start(), spans[j].end())):
                            best = (j, [c for c, _ in found], "lexicon")
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
        if out and (_PATHWAY_HINT.search(text) or any(m.concept.type == "pathway" for m in out)):
            return self._pathway_chains(text, passage, out)
        return out

    def _pathway_chains(self, text: str, passage: str, ms: list[Mention]) -> list[Mention]:
        """"PI3K/Akt/mTOR pathway", "STAT3 signalling", "CXCL12/CXCR4 axis": participants joined by '/' or
        '-' and followed by a pathway word are one pathway mention. It is grounded to the vocabulary pathway
        the longest run of participants names ("PI3K/Akt" -> PI3K/AKT Signaling in Cancer), else to a pathway
        kg names after its participants (kgid:entity/pathway/...), so the text's pathway is never a gene."""
        out: list[Mention] = []
        i, n = 0, len(ms)
        while i < n:
            if ms[i].concept.type not in _PARTICIPANT_TYPES:
                out.append(ms[i])
                i += 1
                continue
            j = i
            while (j + 1 < n and ms[j + 1].concept.type in _PARTICIPANT_TYPES | {"pathway"}
                   and _CHAIN_JOIN.fullmatch(text, ms[j].end, ms[j + 1].start)
                   and ms[j].concept.type != "pathway"):
                j += 1
            chain = ms[i:j + 1]
            last = chain[-1]
            word = None if last.concept.type == "pathway" else _PATHWAY_WORD.match(text, last.end)
            if last.concept.type != "pathway" and word is None:
                out.extend(chain)
                i = j + 1
                continue
            end = word.end() if word is not None else last.end
            concept = self._chain_pathway(text, chain) or (last.concept if word is None else None)
            if concept is None:
                concept = _minted_pathway(chain)
            out.append(Mention(passage, chain[0].start, end, text[chain[0].start:end], concept, "pathway-chain"))
            i = j + 1
        return out

    def _chain_pathway(self, text: str, chain: list[Mention]) -> Concept | None:
        """The vocabulary pathway named by the longest run of the chain's participants, leftmost first."""
        parts = [m for m in chain if m.concept.type != "pathway"]
        index, concepts = self.lexicon.index, self.lexicon.concepts
        for size in range(len(parts), 0, -1):
            for k in range(len(parts) - size + 1):
                run = parts[k:k + size]
                names = {text[run[0].start:run[-1].end]}
                if size == 1:
                    names.add(run[0].concept.label)
                for name in names:
                    for key in name_keys(name + " signaling"):
                        hits = [concepts[c.concept] for c in index.get(key, ()) if concepts[c.concept].type == "pathway"]
                        if hits:
                            return min(hits, key=lambda c: PREFIX_ORDER.get(c.curies[0].split(":", 1)[0], 50))
        return None

    # -- a document -------------------------------------------------------------------------------
    def tag_document(self, passages: Sequence[tuple[str, str]]) -> list[Mention]:
        """Mentions of every (key, text) passage of one article, with in-text abbreviations applied."""
        oncology = any(ONCOLOGY_RE.search(t) for _, t in passages)
        first = [self.tag_text(t, k, oncology=oncology) for k, t in passages]
        self._regrounded: dict[tuple[str, int, int], Concept] = {}
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

    def _apply_abbreviations(self, key: str, text: str, ms: list[Mention], defined: dict[str, Concept],
                             suppressed: set[str]) -> list[Mention]:
        """The first pass's mentions with silenced short forms dropped and defined ones grounded."""
        out = [m for m in ms if case_form(m.text) not in suppressed]
        out = [Mention(m.passage, m.start, m.end, m.text, self._regrounded[(m.passage, m.start, m.end)], "abbreviation")
               if (m.passage, m.start, m.end) in self._regrounded else m for m in out]
        extra = []
        if defined:
            rx = re.compile(r"(?<![0-9A-Za-z\u0370-\u03ff])(?:" + "|".join(
                re.escape(f) for f in sorted(defined, key=len, reverse=True)) + r")s?(?![0-9A-Za-z\u0370-\u03ff])")
            for m in rx.finditer(text):
                t = m.group(0)
                cf = case_form(t)
                hit = defined.get(cf) or (defined.get(cf[:-1]) if cf.endswith("s") else None)
                gene = self._gene_forms.get(cf)
                if gene is not None and hit is not gene and gene_context(text, m.start(), m.end()):
                    hit = gene  # "APC mutations" after "familial adenomatous polyposis (FAP)": still the gene
                if hit is not None:
                    extra.append(Mention(key, m.start(), m.end(), t, hit, "abbreviation"))
        if extra:
            out = [m for m in out if not any(m.start < x.end and x.start < m.end for x in extra)] + extra
            out.sort(key=lambda m: m.start)
        return out

    def _abbreviations(self, passages: Sequence[tuple[str, str]],
                       mentions: Sequence[list[Mention]]) -> tuple[dict[str, Concept], set[str]]:
        """Short forms the text defines, "long form (SF)", bound to the long form's concept for the document.

        A short form is bound only when its letters appear in order in the long form, the first starting
        a word of it (Schwartz-Hearst), so "homolog B1 (BRAF)" binds nothing. A short form that is an
        approved gene symbol is bound to a long form of another type only when the definition is not
        followed by a gene word: "adenomatous polyposis coli (APC) gene" defines the gene, and its other
        mentions in a gene context stay the gene (`_apply_abbreviations`).
        """
        defined: dict[str, Concept] = {}
        suppressed: set[str] = set()
        self._gene_forms: dict[str, Concept] = {}
        for (_, text), ms in zip(passages, mentions):
            ends = {m.end: m for m in ms}
            for m in _ABBREV_DEF.finditer(text):
                sf = m.group(1)
                if not any(ch.isupper() for ch in sf):
                    continue
                before = text[:m.start()].rstrip()
                lf = ends.get(len(before))
                cf = case_form(sf)
                gene = self._symbol_gene(sf)
                if gene is not None and (lf is None or lf.concept.type not in ("gene", "family")):
                    self._gene_forms.setdefault(cf, gene)
                    if lf is not None and _GENE_AFTER.match(text, m.end()):
                        # "adenomatous polyposis coli (APC) gene": the long form names the gene too.
                        defined.setdefault(cf, gene)
                        self._regrounded[(lf.passage, lf.start, lf.end)] = gene
                        continue
                if (lf is not None and lf.text[:1].lower() == sf[:1].lower() and cf != case_form(lf.text)
                        and _letters_in_order(sf, lf.text)):
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

    def _symbol_gene(self, sf: str) -> Concept | None:
        """The gene whose approved symbol (or curated name) the short form is, written as the symbol is."""
        keys = name_keys(sf)
        if not keys:
            return None
        cf = case_form(sf)
        for c in self.lexicon.index.get(keys[0], ()):
            concept = self.lexicon.concepts[c.concept]
            if concept.type == "gene" and c.rank <= 1 and c.case is not None and c.case == cf:
                return concept
        return None


def _letters_in_order(short: str, long: str) -> bool:
    """Every letter and digit of the short form occurs in the long form in order (case folded)."""
    lo = fold_greek(long).lower()
    pos = 0
    for ch in fold_greek(short).lower():
        if not ch.isalnum():
            continue
        pos = lo.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True
