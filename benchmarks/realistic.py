"""Write a PubMed XML file of N baseline-shaped articles whose titles, abstracts and MeSH are real.

    python benchmarks/realistic.py -n 30000 -o .bench/realistic-30000-g1.xml.gz

The record skeleton (authors, affiliations, references, grants, dates, qualifiers...) comes from
`synthetic.record`, so sizes follow a real baseline file. What text mining and the canned queries look
at is real: each title and abstract is a real one (BioRED test set and BC5CDR sample in
../shared/data, plus the seed colorectal-cancer/liver-metastasis abstract in 1 of 50 records; 30% of
the records have their abstract, the others a title only), so the
mentions, assertions and co-occurrences are those `kg.nlp` finds in real abstracts; about a third of the
MeSH headings are real oncology descriptors (descendants of Neoplasms, C04, in the shipped MeSH
hierarchy), so an exploded `articles-by-mesh` has a real tree to walk; 1 in 200 records has a
"Zhou H" author. Deterministic for a given seed and `GENERATOR_VERSION` (bump it when the output
changes: stores built by `bench_queries.py` are keyed by it).
"""

from __future__ import annotations

import argparse
import gzip
import html
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from synthetic import record  # noqa: E402

GENERATOR_VERSION = 1
ABSTRACT_SHARE = 0.3
PUBTATOR_FILES = ("biored/Test.PubTator", "bc5cdr/CDR_sample.txt")
SEED = ROOT / "examples" / "pubmed-35246503.xml"


def real_abstracts(shared: Path = SHARED) -> list[tuple[str, str]]:
    """(title, abstract) of every abstract in the PubTator files of the shared data folder."""
    out = []
    for rel in PUBTATOR_FILES:
        path = shared / rel
        if not path.exists():
            raise SystemExit(f"{path} is missing: the realistic benchmark corpus needs ../shared/data")
        titles: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if "|t|" in line[:20]:
                pmid, _, title = line.split("|", 2)
                titles[pmid] = title
            elif "|a|" in line[:20]:
                pmid, _, abstract = line.split("|", 2)
                out.append((titles.get(pmid, ""), abstract))
    return out


def seed_abstract() -> tuple[str, str]:
    """The example article's title and abstract (markup stripped): colorectal cancer, liver metastasis."""
    text = SEED.read_text(encoding="utf-8")
    title = re.search(r"<ArticleTitle>(.*?)</ArticleTitle>", text, re.S).group(1)  # type: ignore[union-attr]
    parts = re.findall(r"<AbstractText[^>]*>(.*?)</AbstractText>", text, re.S)
    strip = lambda s: html.unescape(re.sub(r"<[^>]+>", "", s)).strip()  # noqa: E731
    return strip(title), " ".join(strip(p) for p in parts)


def oncology_descriptors() -> list[str]:
    """Descriptor UIs with a tree number under C04 (Neoplasms) in the shipped MeSH hierarchy, sorted."""
    from kg.vocabularies.mesh import SHIPPED
    tree = re.compile(r"^<http://id\.nlm\.nih\.gov/mesh/(D\d+)> <http://id\.nlm\.nih\.gov/mesh/vocab#treeNumber> "
                      r"<http://id\.nlm\.nih\.gov/mesh/C04[.>]")
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as f:
        return sorted({m.group(1) for line in f if (m := tree.match(line))})


_TITLE = re.compile(r"<ArticleTitle>.*?</ArticleTitle>", re.S)
_ABSTRACT = re.compile(r"<Abstract>.*?</Abstract>|(?=<AuthorList)", re.S)
_DESCRIPTOR = re.compile(r'<DescriptorName UI="(D\d+)"')
_FIRST_AUTHOR = re.compile(r"<LastName>[^<]*</LastName><ForeName>[^<]*</ForeName><Initials>[^<]*</Initials>")


def realistic_record(r: random.Random, pmid: int, texts: list[tuple[str, str]], seed: tuple[str, str],
                     onco: list[str]) -> str:
    rec = record(r, pmid)
    title, abstract = seed if r.random() < 0.02 else r.choice(texts)
    esc = lambda s: html.escape(s, quote=False)  # noqa: E731
    rec = _TITLE.sub(lambda _: f"<ArticleTitle>{esc(title)}</ArticleTitle>", rec, count=1)
    # A real abstract in ABSTRACT_SHARE of the records, none in the others: about 500 triples per article
    # with text mining, as in the 30,000 real baseline records of issue 15 (14.7 million triples).
    body = f"<Abstract><AbstractText>{esc(abstract)}</AbstractText></Abstract>" if r.random() < ABSTRACT_SHARE else ""
    rec = _ABSTRACT.sub(lambda _: body, rec, count=1)
    used: set[str] = set()

    def descriptor(m: re.Match[str]) -> str:
        ui = m.group(1)
        if r.random() < 0.35:
            ui = r.choice(onco)
        if ui in used:  # one heading per descriptor, as in PubMed
            ui = m.group(1)
        used.add(ui)
        return f'<DescriptorName UI="{ui}"'
    rec = _DESCRIPTOR.sub(descriptor, rec)
    if r.random() < 0.005:
        rec = _FIRST_AUTHOR.sub("<LastName>Zhou</LastName><ForeName>Hui</ForeName><Initials>H</Initials>", rec, count=1)
    return rec


def write(path: Path, n: int, seed: int = 20220304) -> Path:
    r = random.Random(seed)
    texts, sa, onco = real_abstracts(), seed_abstract(), oncology_descriptors()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
        for i in range(n):
            f.write(realistic_record(r, 30000000 + i, texts, sa, onco))
        f.write("</PubmedArticleSet>\n")
    tmp.rename(path)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=30000)
    ap.add_argument("-o", required=True)
    a = ap.parse_args()
    print(write(Path(a.o), a.n))
