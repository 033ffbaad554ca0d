"""Name normalisation shared by the lexicon builder and the tagger.

A name and a span of text match when their *keys* are equal. The key folds the variation this
literature shows: case, hyphens/spaces/slashes between tokens ("c-MET", "cMET", "c MET"), Greek letters
written as symbols or words ("TGF-β", "TGF-beta", "TGFB"), British spellings ("signalling", "tumour") and a
final plural ("exosomes", "TAMs"). Because both sides go through the same functions, the folding never has
to be linguistically right, only consistent.

Case is folded in the key but kept in the *case form* (`case_form`), which the tagger compares for gene
symbols and short abbreviations, where case carries meaning ("MET" the gene, "met" the verb).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# One token: a run of letters (Latin or Greek) and digits. Everything else separates tokens.
TOKEN_RE = re.compile(r"[0-9A-Za-z\u0370-\u03ff\u00c0-\u024f]+")

_GREEK_CHARS = {"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "κ": "k", "λ": "l", "μ": "m",
                "θ": "th", "ω": "o", "σ": "s", "τ": "t", "ζ": "z", "η": "h", "ι": "i", "ν": "n",
                "ξ": "x", "π": "p", "ρ": "r", "φ": "f", "χ": "ch", "ψ": "ps"}
_GREEK_CHARS.update({k.upper(): v for k, v in list(_GREEK_CHARS.items())})
_GREEK_TRANS = str.maketrans(_GREEK_CHARS)
# Greek letters spelled out: folded to the same single letter as the symbol (TGF-beta == TGFβ == TGFB).
_GREEK_WORDS = re.compile(r"alpha|beta|gamma|delta|kappa|epsilon|lambda|theta|omega|sigma")
_GREEK_WORD_MAP = {"alpha": "a", "beta": "b", "gamma": "g", "delta": "d", "kappa": "k", "epsilon": "e",
                   "lambda": "l", "theta": "th", "omega": "o", "sigma": "s"}
# British -> American spellings common in oncology text (applied to lower-cased tokens).
_SPELLING = [("signalling", "signaling"), ("tumour", "tumor"), ("leukaem", "leukem"), ("anaem", "anem"),
             ("oesophag", "esophag"), ("oestrogen", "estrogen"), ("haemat", "hemat"), ("oedema", "edema"),
             ("metastases", "metastasis"), ("foetal", "fetal"), ("haemo", "hemo"), ("labelled", "labeled")]


def fold_greek(text: str) -> str:
    return text.translate(_GREEK_TRANS)


@functools.lru_cache(maxsize=1 << 18)  # running text repeats its tokens: memoising is the fast path
def token_key(token: str) -> str:
    """Case- and spelling-folded key of one token."""
    t = fold_greek(token).lower()
    if not t.isascii():
        t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    for a, b in _SPELLING:
        if a in t:
            t = t.replace(a, b)
    if len(t) > 3 and any(w in t for w in _GREEK_WORD_MAP):
        t = _GREEK_WORDS.sub(lambda m: _GREEK_WORD_MAP[m.group(0)], t)
    return t


@functools.lru_cache(maxsize=1 << 16)
def singular(token: str) -> str | None:
    """The token in the singular ("exosomes", "TAMs", "pathways", "carcinomas", "fistulae"), else None.

    Only a lower-case 's' is stripped, so gene symbols ending in 'S' (KRAS, NRAS) are never touched.
    """
    n = len(token)
    if n > 4 and token.endswith("ae") and token[:-2].islower():
        return token[:-1]  # "metastasae", "fistulae", "vertebrae"
    if n < 4 or token[-1] != "s":
        return None
    if token.endswith(("omas", "ias")) and n > 5:
        return token[:-1]  # "carcinomas", "melanomas", "leukemias", "neoplasias"
    if token.endswith(("ss", "us", "is", "as")) and not token[:-1].isupper():
        return None
    if token.endswith("ies") and n > 4:
        return token[:-3] + "y"
    return token[:-1]


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in TOKEN_RE.finditer(text)]


def key_of(toks: list[str]) -> str:
    """Concatenated token keys: separators vanish, so "c-MET", "c MET" and "cMET" share the key "cmet"."""
    return "".join(token_key(t) for t in toks)


def name_keys(name: str) -> list[str]:
    """The lookup keys of a lexicon name: its key, and the key with the last token singular."""
    toks = [t for _, _, t in tokens(name)]
    if not toks:
        return []
    keys = [key_of(toks)]
    s = singular(toks[-1])
    if s is not None:
        keys.append(key_of(toks[:-1] + [s]))
    return list(dict.fromkeys(keys))


# Places inside a token where text may put a separator the lexicon name does not have: "cMET" / "c-MET",
# "TGFbeta" / "TGF-beta", "NOTCH1" / "Notch 1".
_SUBSPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
                       r"|(?<=[A-Z]{2})(?=(?:alpha|beta|gamma|delta|kappa)\b)"
                       r"|(?<=[A-Za-z])(?=[\u0370-\u03ff])|(?<=[\u0370-\u03ff])(?=[A-Za-z0-9])")


def key_prefixes(name: str) -> set[str]:
    """Keys of the name's proper prefixes at every place a text could split it (for early exit in tagging)."""
    parts: list[str] = []
    for _, _, t in tokens(name):
        parts.extend(p for p in _SUBSPLIT.split(t) if p)
    out: set[str] = set()
    acc = ""
    for p in parts[:-1]:
        acc += token_key(p)
        out.add(acc)
    return out


@functools.lru_cache(maxsize=1 << 16)
def case_form(text: str) -> str:
    """Tokens joined without separators, Greek folded, case kept: "c-Met" -> "cMet", "TGF-β" -> "TGFb"."""
    return "".join(fold_greek(t) for _, _, t in tokens(text))
