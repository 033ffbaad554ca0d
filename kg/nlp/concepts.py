"""The lexicon's data model and its bundle file: `Concept` (one ontology term, its ranked names and
cross-references), folding equivalent concepts into one, and the compact bundled file the tagger loads.

Split from the vocabulary readers (`kg.nlp.lexicon_sources`) because the bundle format is what tagging
depends on at run time, while the readers run only in `kg lexicon build`. `kg.nlp.lexicon` re-exports both.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

TYPES = ("gene", "family", "pathway", "process", "component", "cell", "cellline", "disease", "chemical",
         "anatomy", "organism")
# Lower rank wins when one name could mean several concepts.
KIND_RANK = {"curated": 0, "label": 1, "symbol": 1, "wsymbol": 1, "family": 1, "grounding": 1, "synonym": 2,
             "abbrev": 2, "previous": 3, "alias": 4}


@dataclass
class Concept:
    curie: str
    type: str
    label: str
    source: str
    names: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)
    # The same thing in other vocabularies (HGNC -> NCBIGene/UniProt, MONDO -> MeSH/DOID/NCIT, CHEBI -> MeSH):
    # mappings of the one canonical CURIE, never second groundings of a span.
    xrefs: list[str] = field(default_factory=list)

    def xref(self, curie: str | None) -> None:
        if curie and curie != self.curie and curie not in self.xrefs:
            self.xrefs.append(curie)

    def add(self, kind: str, name: str | None) -> None:
        if name:
            name = " ".join(name.split())
            if name and (kind, name) not in self.names:
                self.names.append((kind, name))


# ---- file helpers ------------------------------------------------------------------------------

def _open_text(path: str | Path) -> IO[str]:
    p = str(path)
    if p.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8")
    return open(p, encoding="utf-8")


def read_words(path: str | Path) -> frozenset[str]:
    """A plain word list (one word a line, e.g. Debian's /usr/share/dict/american-english), lower-cased."""
    with _open_text(path) as f:
        return frozenset(w.strip().lower() for w in f if w.strip() and "'" not in w)


def _is_word(name: str, words: frozenset[str]) -> bool:
    return name.lower() in words

# ---- one canonical CURIE per thing ---------------------------------------------------------------

def one_to_one(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """other CURIE -> canonical CURIE for the pairs where each side maps to exactly one of the other."""
    fwd: dict[str, set[str]] = {}
    back: dict[str, set[str]] = {}
    for canon, other in pairs:
        fwd.setdefault(other, set()).add(canon)
        back.setdefault(canon, set()).add(other)
    return {o: next(iter(cs)) for o, cs in fwd.items() if len(cs) == 1 and len(back[next(iter(cs))]) == 1}


def merge_equivalents(concepts: Iterable[Concept], canonical_of: dict[str, str]) -> Iterator[Concept]:
    """Fold each concept whose CURIE has a canonical equivalent (MeSH disease -> MONDO, MeSH chemical ->
    ChEBI, DOID -> MONDO) into that concept: its names join the canonical one's, its CURIE becomes a
    cross-reference. So a span grounds to one entity, and the other vocabularies stay reachable as mappings.
    A concept whose canonical equivalent is absent, or of another type, is kept as it is."""
    items = list(concepts)
    by_curie = {c.curie: c for c in items}
    folded: set[str] = set()
    for c in items:
        target = by_curie.get(canonical_of.get(c.curie, ""))
        if target is None or target is c or target.type != c.type:
            continue
        for kind, name in c.names:
            target.add("synonym" if kind == "label" else kind, name)
        target.xref(c.curie)
        for x in c.xrefs:
            target.xref(x)
        folded.add(c.curie)
    for c in items:
        if c.curie not in folded:
            yield c


# ---- bundle ------------------------------------------------------------------------------------

def write_bundle(concepts: Iterable[Concept], path: str | Path) -> dict[str, int]:
    """Write the compact lexicon (deterministic: sorted, gzip without a timestamp); returns counts by type."""
    merged: dict[str, Concept] = {}
    for c in concepts:
        cur = merged.get(c.curie)
        if cur is None:
            merged[c.curie] = c
        else:
            if not cur.label and c.label:
                cur.label, cur.type = c.label, c.type
            for kind, nm in c.names:
                cur.add(kind, nm)
            for x in c.xrefs:
                cur.xref(x)
    counts: dict[str, int] = {}
    lines = []
    for curie in sorted(merged):
        c = merged[curie]
        if not c.names:
            continue
        counts[c.type] = counts.get(c.type, 0) + 1
        fields = ([c.curie, c.type, c.source, c.label] + [f"{k}:{n}" for k, n in c.names]
                  + [f"xref:{x}" for x in sorted(c.xrefs)])
        lines.append("\t".join(f.replace("\t", " ") for f in fields) + "\n")
    data = "".join(lines).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)
    return counts


def read_bundle(path: str | Path) -> Iterator[Concept]:
    with _open_text(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            c = Concept(parts[0], parts[1], parts[3], parts[2])
            for field_ in parts[4:]:
                kind, _, nm = field_.partition(":")
                if kind == "xref":
                    c.xrefs.append(nm)
                else:
                    c.names.append((kind, nm))
            yield c


def bundled_path() -> Path:
    from ..resources import package_data
    return package_data("lexicon", "oncology.tsv.gz")


def curated_path() -> Path:
    from ..resources import data_dir
    return data_dir("ontology") / "oncology-terms.tsv"
