"""Assertion precision on a seeded sample of the colorectal-cancer abstracts in ../shared/data (issue 12).

    python benchmarks/bench_assertions.py [--shared ../shared/data] [--n 50] [--seed 12]
                                          [--verdicts benchmarks/data/assertion-verdicts.tsv] [--judge] [--json]

1. Reads every record of ../shared/data through the project's own readers (`kg.ingest.read_paths`) and
   keeps the colorectal-cancer abstracts: title or abstract naming colorectal / colon / rectal cancer
   (CRC, HNPCC, Lynch syndrome, colorectal liver metastasis) or a MeSH heading for colorectal, colonic
   or rectal neoplasms. One record per PMID (PubMed/MEDLINE first), title and abstract only.
2. Runs the pipeline's own text mining (`kg.nlp.mine`, mapped by `kg.rdf.mechanisms`) and reads back
   every trigger assertion it wrote (the `biolink:Association`s that are not `kg:TextCooccurrence`):
   subject and object CURIEs, predicate, direction, negation, trigger and evidence sentence. Reading the
   RDF rather than calling the relation extractor keeps this figure about what the graph says.
3. Draws `--n` of them with a fixed seed (all of them, said so, when there are fewer), looks each up in
   the verdicts file by its key (pmid, subject, object, relation, sha1 of the sentence) and prints the
   precision over the judged ones, and the unjudged ones (`--judge` prints them laid out for judging and
   a TSV row to fill in). benchmarks/data/README.md gives the judging rule.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERDICTS = ROOT / "benchmarks" / "data" / "assertion-verdicts.tsv"
KEY_COLUMNS = ("pmid", "subject", "object", "relation", "sentence_sha1")
CRC_TEXT = re.compile(r"colorectal|\bcolon(?:ic)?\b[^.]{0,20}(?:cancer|carcinoma|neoplas|tumou?r)|"
                      r"\brect(?:al|um)\b[^.]{0,20}(?:cancer|carcinoma|neoplas|tumou?r)|\bCRC\b|\bHNPCC\b|"
                      r"Lynch syndrome", re.I)
CRC_MESH = re.compile(r"^(?:Colorectal Neoplasms|Colonic Neoplasms|Rectal Neoplasms)")


@dataclass(frozen=True, slots=True)
class Assertion:
    """One trigger assertion as the graph states it, with what a judge needs to read it."""

    pmid: str
    subject: str          # CURIE
    object: str           # CURIE
    relation: str         # biolink predicate[/direction][/negated], e.g. "affects/increased"
    sentence: str
    trigger: str
    hedged: bool
    subject_label: str
    object_label: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.pmid, self.subject, self.object, self.relation, sentence_sha1(self.sentence))


def sentence_sha1(sentence: str) -> str:
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:16]


# -- the colorectal-cancer abstracts -----------------------------------------------------------------------
def is_crc(title: str, abstract: str, mesh: list[str]) -> bool:
    return bool(CRC_TEXT.search(title) or CRC_TEXT.search(abstract) or any(CRC_MESH.match(m) for m in mesh))


def crc_articles(shared: Path) -> tuple[list, dict[str, int]]:
    """The CRC abstracts of `shared` as `Article`s (title + abstract), one per PMID; and read counts."""
    from kg.ingest import read_paths
    from kg.records import AbstractSection, AnnotatedDocument, Article, FullText, Rejected
    found: dict[str, tuple[int, str, object]] = {}  # pmid -> (preference, path, article)
    counts = {"records": 0, "rejected": 0}
    for path, rec in read_paths([str(shared)]):
        counts["records"] += 1
        if isinstance(rec, Rejected):
            counts["rejected"] += 1
            continue
        if isinstance(rec, (Article, FullText)) and rec.pmid:
            title = rec.title or ""
            abstract = tuple(s for s in rec.abstract if s.text)
            mesh = [h.descriptor_name for h in getattr(rec, "mesh_headings", ())]
            pref = 0 if isinstance(rec, Article) else 1
        elif isinstance(rec, AnnotatedDocument) and rec.passages:
            title = next((p.text for p in rec.passages if p.section == "title"), rec.passages[0].text)
            abstract = tuple(AbstractSection(p.text) for p in rec.passages
                             if p.text and p.text != title and p.section in (None, "abstract"))
            mesh, pref = [], 2
        else:
            continue
        if not abstract or not is_crc(title, " ".join(s.text for s in abstract), mesh):
            continue
        if rec.pmid not in found or (pref, path) < found[rec.pmid][:2]:
            found[rec.pmid] = (pref, path, Article(pmid=rec.pmid, title=title, abstract=abstract))
    counts["crc_abstracts"] = len(found)
    return [found[p][2] for p in sorted(found, key=int)], counts


# -- the assertions the pipeline writes --------------------------------------------------------------------
def assertions(article, tagger) -> list[Assertion]:
    """The trigger assertions the pipeline writes for one article, read back from its triples."""
    from rdflib import Graph, Namespace, RDF, RDFS, URIRef
    from kg.nlp import mine
    from kg.prefixes import entity_iri
    from kg.rdf.mechanisms import mechanism_triples
    from kg.vocab import BIOLINK, KG
    mined = mine(article, tagger=tagger)
    triples = list(mechanism_triples(mined))
    g = Graph()
    g.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in triples), format="nt")
    curie_of: dict[URIRef, str] = {URIRef(entity_iri(e.curie)): e.curie for e in (mined.entities if mined else ())}
    B, K = Namespace(BIOLINK), Namespace(KG)
    out = []
    for a in set(g.subjects(RDF.type, B.Association)):
        if (a, RDF.type, K.TextCooccurrence) in g:
            continue
        s, o = g.value(a, B.subject), g.value(a, B.object)
        pred = str(g.value(a, B.predicate)).rsplit("/", 1)[-1]
        direction = g.value(a, B.object_direction_qualifier)
        negated = bool(g.value(a, K.negated).toPython())
        relation = pred + (f"/{direction}" if direction else "") + ("/negated" if negated else "")
        out.append(Assertion(article.pmid, curie_of.get(s, str(s)), curie_of.get(o, str(o)), relation,
                             str(g.value(a, K.sentence)), str(g.value(a, K.trigger)),
                             bool(g.value(a, K.hedged).toPython()),
                             str(g.value(s, RDFS.label) or ""), str(g.value(o, RDFS.label) or "")))
    return sorted(out, key=lambda x: x.key)


def draw(pool: list[Assertion], n: int, seed: int) -> list[Assertion]:
    """`n` assertions drawn with `seed` from the pool in key order (all of them when there are fewer)."""
    unique = sorted({a.key: a for a in pool}.values(), key=lambda a: a.key)
    if len(unique) <= n:
        return unique
    return sorted(random.Random(seed).sample(unique, n), key=lambda a: a.key)


# -- verdicts ----------------------------------------------------------------------------------------------
def read_verdicts(path: Path) -> dict[tuple[str, ...], tuple[str, str]]:
    """key -> (verdict, reason) from the TSV; '#' lines are comments, the first other line the header."""
    out: dict[tuple[str, ...], tuple[str, str]] = {}
    if not path.exists():
        return out
    header = None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            missing = [c for c in (*KEY_COLUMNS, "verdict", "reason") if c not in header]
            if missing:
                raise SystemExit(f"{path}: header lacks {', '.join(missing)}")
            continue
        row = dict(zip(header, cols))
        verdict = row.get("verdict", "")
        if verdict not in ("correct", "wrong"):
            raise SystemExit(f"{path}:{n}: verdict must be 'correct' or 'wrong', not {verdict!r}")
        out[tuple(row[c] for c in KEY_COLUMNS)] = (verdict, row.get("reason", ""))
    return out


def precision(sample: list[Assertion], verdicts: dict) -> tuple[int, int, list[Assertion]]:
    """(correct, judged, unjudged assertions) of the sample."""
    correct = judged = 0
    unjudged = []
    for a in sample:
        v = verdicts.get(a.key)
        if v is None:
            unjudged.append(a)
        else:
            judged += 1
            correct += v[0] == "correct"
    return correct, judged, unjudged


def judge_layout(a: Assertion) -> str:
    flags = ", ".join(f for f, on in (("hedged", a.hedged),) if on)
    return (f"PMID {a.pmid}: {a.subject} ({a.subject_label})  --{a.relation}-->  {a.object} ({a.object_label})"
            f"   trigger '{a.trigger}'{' [' + flags + ']' if flags else ''}\n"
            f"  {a.sentence}\n"
            f"  row: {chr(9).join(a.key)}\t<correct|wrong>\t<reason>\n")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--verdicts", type=Path, default=VERDICTS)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--judge", action="store_true", help="print the unjudged sample laid out for judging")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import logging
    logging.disable(logging.WARNING)  # the readers' notes on the other files of ../shared/data
    from kg.nlp.tagger import Tagger, default_lexicon
    tagger = Tagger(default_lexicon())
    articles, counts = crc_articles(args.shared)
    pool = [a for art in articles for a in assertions(art, tagger)]
    sample = draw(pool, args.n, args.seed)
    verdicts = read_verdicts(args.verdicts)
    correct, judged, unjudged = precision(sample, verdicts)
    report = {**counts, "pmids": [a.pmid for a in articles], "assertions": len({a.key for a in pool}),
              "sample": len(sample), "seed": args.seed,
              "judged": judged, "correct": correct,
              "precision": round(correct / judged, 3) if judged else None,
              "unjudged": [asdict(a) | {"key": list(a.key)} for a in unjudged]}
    if args.json:
        print(json.dumps(report, indent=1))
        return report
    print(f"colorectal-cancer abstracts in {args.shared}: {counts['crc_abstracts']} "
          f"(of {counts['records']:,} records read, {counts['rejected']} rejected)")
    print(f"  PMIDs: {' '.join(a.pmid for a in articles)}")
    print(f"trigger assertions the pipeline writes for them: {report['assertions']}")
    if len(sample) < args.n:
        print(f"fewer than {args.n} assertions: the sample is all {len(sample)} of them")
    else:
        print(f"sample: {len(sample)} drawn with seed {args.seed}")
    if judged:
        print(f"assertion precision: {report['precision']:.3f} ({correct} correct of {judged} judged; "
              f"target 0.85, {'met' if correct / judged >= 0.85 else 'not met'}); verdicts in "
              f"{args.verdicts.relative_to(ROOT) if args.verdicts.is_relative_to(ROOT) else args.verdicts}")
        by: dict[str, list[int]] = {}
        for a in sample:
            v = verdicts.get(a.key)
            if v is not None:
                c = by.setdefault(a.relation.split("/")[0], [0, 0])
                c[0] += v[0] == "correct"
                c[1] += 1
        print("  by predicate: " + "; ".join(f"{k} {c}/{n}" for k, (c, n) in sorted(by.items())))
    else:
        print("assertion precision: none of the sample is judged yet")
    if unjudged:
        print(f"{len(unjudged)} of the sample unjudged (the extractor or tagger changed?): "
              f"`python benchmarks/bench_assertions.py --judge` lays them out")
        for a in unjudged:
            print(judge_layout(a) if args.judge else f"  {chr(9).join(a.key)}")
    return report


if __name__ == "__main__":
    main()
