"""The tagger's matching tables: the lexicon indexed by normalised key (`Lexicon`), built once and cached.

`kg.nlp.lexicon` reads and writes concepts; this module turns them into what span search looks up: each
name's keys (`kg.nlp.normalize`) -> candidates ranked by name kind, with the case to respect and whether a
context is needed; the key prefixes that let the search stop early. Split from `kg.nlp.tagger` (which
re-exports it) so the index, whose code keys the on-disk cache, changes apart from the context rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

from . import lexicon as lx
from .normalize import case_form, key_prefixes, name_keys

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
                       "or", "or1", "or2", "hr", "ci", "rr", "sd", "se", "sem", "vs", "pcr", "auc", "roc",
                       # clinical and laboratory abbreviations that gene aliases spell ("MHC" is not myosin)
                       "mhc", "tnm", "ihc", "dfs", "pfs", "orr", "bmi", "mri", "icu", "qpcr", "elisa", "fish",
                       "facs", "ngs", "wgs", "wes", "ffpe", "ctdna", "cfdna"})


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
    weak: bool = False   # a gene alias of <= 4 characters or any name of <= 2: a gene context needed

def _case_sensitive(kind: str, name: str, source: str = "") -> bool:
    if kind in ("symbol", "wsymbol", "alias", "previous", "abbrev", "cellline"):
        return True
    cf = case_form(name)
    if kind in ("label", "synonym") and cf[1:].islower():
        return False  # headings in title case (MeSH's "Oxygen", "Pain") are the words "oxygen", "pain"
    return len(cf) <= 6 and any(ch.isupper() for ch in cf)


class Lexicon:
    """The in-memory index: key -> candidates, plus the key prefixes that allow early exit."""

    def __init__(self, concepts: Iterable[lx.Concept]) -> None:
        self.concepts: list[Concept] = []
        self.index: dict[str, list[Candidate]] = {}
        self.prefixes: set[str] = set()
        self.labels: dict[str, str] = {}  # CURIE -> label, from single-CURIE concepts (curated first)
        # CURIE -> the same thing's CURIEs in other vocabularies (mappings, never second groundings)
        self.xrefs: dict[str, tuple[str, ...]] = {}
        by_curie: dict[str, int] = {}
        for c in concepts:
            if c.xrefs:
                self.xrefs[c.curie] = tuple(dict.fromkeys(self.xrefs.get(c.curie, ()) + tuple(c.xrefs)))
            idx = by_curie.get(c.curie)
            if idx is None:
                idx = by_curie[c.curie] = len(self.concepts)
                self.concepts.append(Concept(tuple(c.curie.split("|")), c.type, c.label or c.curie, c.source))
            elif c.source == "curated" and self.concepts[idx].type != c.type:
                # The curated file is the project's word on what a term is in this literature.
                old = self.concepts[idx]
                self.concepts[idx] = Concept(old.curies, c.type, old.label, old.source)
            if c.label and "|" not in c.curie and (c.curie not in self.labels or c.source == "curated"):
                self.labels[c.curie] = c.label
            for kind, name in c.names:
                short = False
                if kind == "curated" and name.startswith("~"):
                    name, short = name[1:], True
                elif kind == "abbrev":
                    short = True
                rank = lx.KIND_RANK.get(kind, 5)
                cf = case_form(name)
                if cf.isdigit() or not cf:
                    continue  # "63", "141": numbers are never evidence of a gene
                cs = cf if _case_sensitive(kind, name, c.source) else None
                weak = (kind != "curated" and len(cf) <= 2) or (kind in ("alias", "previous") and len(cf) <= 4)
                cand = Candidate(idx, rank, cs, kind == "wsymbol", short, weak and not short)
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
    for src in (Path(__file__), *(Path(__file__).with_name(n) for n in ("normalize.py", "lexicon.py", "concepts.py",
                                                                        "lexicon_sources.py"))):
        h.update(src.read_bytes())  # the index is made by this code: a change to it reindexes
    for p in paths:
        h.update(str(p).encode() + b"\0" + p.read_bytes())
    cache = Path(os.environ.get("KG_CACHE", Path.home() / ".cache" / "kg")) / f"lexicon-{h.hexdigest()[:16]}.pickle"
    try:
        with open(cache, "rb") as f:
            lexicon: Lexicon = pickle.load(f)
            return lexicon
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


_INDEX_VERSION = "6"
