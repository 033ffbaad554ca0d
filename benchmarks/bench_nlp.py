"""Tagging quality and speed: precision/recall against BioRED and BC5CDR gold, and abstracts per second.

    python benchmarks/bench_nlp.py [--shared ../shared/data] [--repeat 5] [--json]

Quality: the gold mentions of genes, diseases and chemicals in the PubTator files of ../shared/data
(BioRED Test.PubTator, 100 abstracts; BC5CDR CDR_sample.txt, 50 abstracts) against the tagger's
mentions of the same types, matched by exact span and type ("strict") and by overlapping span and type
("lenient"). Grounding: of the gold disease and chemical mentions we found, the share whose groundings
include the gold MeSH ID, directly or through the lexicon's cross-references and MONDO's exact matches to
MeSH (../shared/data/mondo). Document-level grounded P/R/F1 is bench_grounding.py's.

Speed (CPU time of this process, so other load on the machine does not count): abstracts per second on one core for tagging plus relation extraction (sentences, triggers),
then for the whole of `kg.nlp.mine` and `kg.rdf.mechanisms` (the RDF triples too), over the same 150 abstracts repeated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # pubtator_gold, when loaded by path (tests)

GOLD_TYPES = {"GeneOrGeneProduct": "gene", "DiseaseOrPhenotypicFeature": "disease", "ChemicalEntity": "chemical",
              "Chemical": "chemical", "Disease": "disease"}
OUR_TYPES = {"gene": "gene", "family": "gene", "disease": "disease", "chemical": "chemical"}


def read_pubtator(path: Path) -> list[dict]:
    """Documents of a PubTator file (via kg.ingest): title, abstract, gold (start, end, type) spans and
    their raw identifiers."""
    from pubtator_gold import documents, title_and_abstract
    out = []
    for doc in documents(path, "bench_nlp"):
        title, abstract = title_and_abstract(doc)
        d: dict = {"pmid": doc.pmid, "title": title, "abstract": abstract, "gold": set()}
        for a in doc.annotations:
            t = GOLD_TYPES.get(a.type or "")
            if not t:
                continue
            for sp in a.spans:
                d["gold"].add((sp.start, sp.end, t))
                if a.identifier:
                    d.setdefault("ids", {})[(sp.start, sp.end, t)] = a.identifier
        out.append(d)
    return out


def predict(tagger, doc: dict) -> set[tuple[int, int, str]]:
    title, abstract = doc["title"], doc["abstract"]
    out = set()
    shift = {"t": 0, "a": len(title) + 1}
    doc["pred_ids"] = {}
    for m in tagger.tag_document([("t", title), ("a", abstract)]):
        t = OUR_TYPES.get(m.concept.type)
        if t:
            span = (m.start + shift[m.passage], m.end + shift[m.passage], t)
            out.add(span)
            doc["pred_ids"].setdefault(span, set()).update(m.concept.curies)
    return out


def mesh_equivalents(shared: Path, lexicon=None) -> dict[str, set[str]]:
    """CURIE -> MeSH UIs it is an exact match of: the lexicon's own cross-references (`Lexicon.xrefs`,
    which take ChEBI and MONDO back to MeSH) and MONDO's curated SSSOM file; MeSH CURIEs map to themselves."""
    out: dict[str, set[str]] = {}
    for c, xs in (getattr(lexicon, "xrefs", None) or {}).items():
        mesh = {x[5:] for x in xs if x.startswith("MESH:")}
        if mesh:
            out[c] = mesh
    f = shared / "mondo" / "mondo_exactmatch_mesh.sssom.tsv"
    if f.exists():
        for line in f.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 4 and parts[0].startswith("MONDO:") and parts[3].startswith("mesh:"):
                out.setdefault(parts[0], set()).add(parts[3][5:])
    return out


def grounding(docs: list[dict], equiv: dict[str, set[str]]) -> dict:
    """Of the gold disease/chemical mentions with a MeSH ID that we found (overlapping span, same type),
    the share whose groundings include that MeSH ID directly or through MONDO's exact matches."""
    res = {}
    for t in ("disease", "chemical"):
        found = right = 0
        for d in docs:
            for g, gid in d.get("ids", {}).items():
                if g[2] != t or not gid.startswith(("D", "C")) or "|" in gid or "," in gid:
                    continue
                over = [p for p in d["pred"] if p[2] == t and p[0] < g[1] and g[0] < p[1]]
                if not over:
                    continue
                found += 1
                ids = set()
                for p in over:
                    for c in d["pred_ids"].get(p, ()):
                        ids.add(c[5:] if c.startswith("MESH:") else "")
                        ids |= equiv.get(c, set())
                right += gid in ids
        if found:
            res[t] = {"found": found, "mesh_id_correct": round(right / found, 3)}
    return res


def score(docs: list[dict], tagger) -> dict:
    res = {}
    for t in ("gene", "disease", "chemical", "all"):
        tp_s = fp_s = fn_s = 0
        tp_l_pred = tp_l_gold = n_pred = n_gold = 0
        for d in docs:
            gold = {g for g in d["gold"] if t == "all" or g[2] == t}
            pred = {p for p in d["pred"] if t == "all" or p[2] == t}
            if not gold and t != "all" and not any(g[2] == t for g in d["gold"]):
                # types the corpus does not annotate (BC5CDR has no genes) are not scored
                pass
            tp_s += len(gold & pred)
            fp_s += len(pred - gold)
            fn_s += len(gold - pred)
            n_pred += len(pred)
            n_gold += len(gold)
            tp_l_pred += sum(1 for p in pred if any(g[2] == p[2] and g[0] < p[1] and p[0] < g[1] for g in gold))
            tp_l_gold += sum(1 for g in gold if any(g[2] == p[2] and g[0] < p[1] and p[0] < g[1] for p in pred))
        if n_gold == 0:
            continue
        p_s = tp_s / max(tp_s + fp_s, 1)
        r_s = tp_s / max(tp_s + fn_s, 1)
        p_l = tp_l_pred / max(n_pred, 1)
        r_l = tp_l_gold / max(n_gold, 1)
        res[t] = {"gold": n_gold, "predicted": n_pred,
                  "strict": {"P": round(p_s, 3), "R": round(r_s, 3), "F1": round(2 * p_s * r_s / max(p_s + r_s, 1e-9), 3)},
                  "lenient": {"P": round(p_l, 3), "R": round(r_l, 3), "F1": round(2 * p_l * r_l / max(p_l + r_l, 1e-9), 3)}}
    return res


def speed(tagger, docs: list[dict], repeat: int) -> dict:
    from kg.nlp import mine
    from kg.rdf.mechanisms import mechanism_triples
    from kg.nlp.relations import relations, sentences
    from kg.records import AbstractSection, Article
    def one_pass(tg) -> None:
        for d in docs:
            passages = [("t", d["title"]), ("a", d["abstract"])]
            ms = tg.tag_document(passages)
            for key, text in passages:
                pm = [m for m in ms if m.passage == key]
                for s in sentences(text):
                    relations(text, pm, s)

    from kg.nlp.tagger import Tagger
    t0 = time.process_time()
    one_pass(Tagger(tagger.lexicon))  # cold: empty token and span caches
    cold_rate = len(docs) / (time.process_time() - t0)
    t0 = time.process_time()
    n = 0
    for _ in range(repeat):
        for d in docs:
            passages = [("t", d["title"]), ("a", d["abstract"])]
            ms = tagger.tag_document(passages)
            for key, text in passages:
                pm = [m for m in ms if m.passage == key]
                for s in sentences(text):
                    relations(text, pm, s)
            n += 1
    tag_rate = n / (time.process_time() - t0)
    arts = [Article(pmid=d["pmid"], title=d["title"], abstract=(AbstractSection(d["abstract"]),)) for d in docs]
    t0 = time.process_time()
    n = triples = 0
    for _ in range(repeat):
        for a in arts:
            triples += sum(1 for _ in mechanism_triples(mine(a, tagger=tagger)))
            n += 1
    rdf_rate = n / (time.process_time() - t0)
    return {"tag_and_relations_abstracts_per_s": round(tag_rate), "cold_first_pass_abstracts_per_s": round(cold_rate), "annotate_rdf_abstracts_per_s": round(rdf_rate),
            "triples_per_abstract": round(triples / max(n, 1), 1)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from kg.nlp.tagger import Tagger, default_lexicon
    t0 = time.process_time()
    tagger = Tagger(default_lexicon())
    load_s = time.process_time() - t0
    corpora = {"BioRED Test": args.shared / "biored" / "Test.PubTator",
               "BC5CDR sample": args.shared / "bc5cdr" / "CDR_sample.txt"}
    report: dict = {"lexicon_concepts": len(tagger.lexicon), "lexicon_load_s": round(load_s, 2)}
    all_docs = []
    for name, path in corpora.items():
        if not path.exists():
            report[name] = "missing"
            continue
        docs = read_pubtator(path)
        for d in docs:
            d["pred"] = predict(tagger, d)
        report[name] = {"abstracts": len(docs), **score(docs, tagger),
                        "grounding": grounding(docs, mesh_equivalents(args.shared, tagger.lexicon))}
        all_docs.extend(docs)
    report["speed"] = speed(tagger, all_docs, args.repeat)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"lexicon: {report['lexicon_concepts']} concepts, loaded in {report['lexicon_load_s']} s")
        for name in corpora:
            r = report[name]
            if not isinstance(r, dict):
                print(f"{name}: {r}")
                continue
            print(f"{name} ({r['abstracts']} abstracts)")
            for t in ("gene", "disease", "chemical", "all"):
                if t in r:
                    s, l_ = r[t]["strict"], r[t]["lenient"]
                    print(f"  {t:9s} gold {r[t]['gold']:5d} pred {r[t]['predicted']:5d}  strict P {s['P']:.3f} "
                          f"R {s['R']:.3f} F1 {s['F1']:.3f}   lenient P {l_['P']:.3f} R {l_['R']:.3f} F1 {l_['F1']:.3f}")
            for t, g in r.get("grounding", {}).items():
                print(f"  grounding {t}: MeSH ID right for {g['mesh_id_correct']:.3f} of {g['found']} found mentions")
        sp = report["speed"]
        print(f"speed (1 core, CPU time): {sp['tag_and_relations_abstracts_per_s']} abstracts/s tagging + relations "
              f"(first pass with cold caches: {sp['cold_first_pass_abstracts_per_s']}/s); "
              f"{sp['annotate_rdf_abstracts_per_s']} abstracts/s with RDF ({sp['triples_per_abstract']} triples each)")
    return report


if __name__ == "__main__":
    main()
