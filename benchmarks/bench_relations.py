"""End-to-end relation quality: the real tagger plus `kg.nlp.relations` against BioRED Test's relations.

    python benchmarks/bench_relations.py [--shared ../shared/data] [--json] [--errors N]

For each of BioRED Test's 100 abstracts (../shared/data/biored/Test.PubTator) the tagger tags title and
abstract, `relations()` reads assertions sentence by sentence, and each assertion's subject and object
CURIEs are mapped to BioRED's identifiers through the lexicon's cross-references: NCBI Gene for genes,
MeSH for diseases and chemicals. Scored
per document as unordered identifier pairs, the way BioRED's relation task is scored end to end:

- untyped: the pair is a gold relation of the document;
- typed: the pair and its BioRED type (Association, Positive_Correlation, Negative_Correlation, Bind,
  ...) both match; a pair asserted with several types in one document takes the most frequent one.

Two recall ceilings put the figures in context: the share of gold pairs whose two entities the tagger
found anywhere in the document, and the share whose two entities it found in one sentence. Gold pairs
with an entity the tagger has no type for (sequence variants, species) count as misses.

BC5CDR's sample (../shared/data/bc5cdr/CDR_sample.txt) is scored the same way for chemical-disease
pairs against its chemical-induced-disease (CID) relations, untyped only (CID is its only type),
leaving out pairs typed Negative_Correlation (treatments, which CID does not annotate).

Cross-references come from the lexicon (`Lexicon.xrefs`: HGNC -> NCBI Gene, MONDO -> MeSH, ChEBI ->
MeSH ...); MeSH CURIEs are BioRED's own identifiers. Nothing is fitted to these files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # pubtator_gold, when loaded by path (tests)

ENTITY_TYPES = {"gene": "gene", "family": "gene", "disease": "disease", "chemical": "chemical"}


def read_pubtator(path: Path) -> list[dict]:
    """Documents of a PubTator file (via kg.ingest): title, abstract, {id: type} of its entities and its
    relations."""
    from pubtator_gold import documents, title_and_abstract
    out = []
    for doc in documents(path, "bench_relations"):
        title, abstract = title_and_abstract(doc)
        ids = {a.identifier: a.type for a in doc.annotations if a.identifier and a.identifier != "-"}
        rels = {frozenset((r.subject, r.object)): r.type for r in doc.relations}
        out.append({"pmid": doc.pmid, "title": title, "abstract": abstract, "ids": ids, "rels": rels})
    return out


def biored_ids(curie: str, xrefs: dict) -> set[str]:
    """BioRED's identifiers for one of our CURIEs: NCBI Gene numbers, MeSH UIs."""
    out = set()
    for c in {curie, *xrefs.get(curie, ())}:
        if c.startswith("NCBIGene:"):
            out.add(c[9:])
        elif c.upper().startswith("MESH:"):
            out.add(c[5:])
    return out


def predict(tagger, doc: dict, xrefs: dict) -> tuple[dict, set, set]:
    """({pair: Counter of types}, entity ids found, pairs co-occurring in a sentence) for one document."""
    from kg.nlp.relations import relations, sentences
    passages = [("t", doc["title"]), ("a", doc["abstract"])]
    ms = tagger.tag_document(passages)
    ids_of = {}
    found: set[str] = set()
    for m in ms:
        if m.concept.type in ENTITY_TYPES:
            ids_of[m] = {i for c in m.concept.curies for i in biored_ids(c, xrefs)}
            found |= ids_of[m]
    pairs: dict[frozenset, Counter] = defaultdict(Counter)
    cooc: set[frozenset] = set()
    for key, text in passages:
        pm = [m for m in ms if m.passage == key]
        for s in sentences(text):
            in_s = [m for m in pm if s[0] <= m.start and m.end <= s[1] and m in ids_of]
            for i, a in enumerate(in_s):
                for b in in_s[i + 1:]:
                    cooc.update(frozenset((x, y)) for x in ids_of[a] for y in ids_of[b] if x != y)
            for r in relations(text, pm, s):
                if r.subject.concept.type == r.object.concept.type == "disease":
                    continue  # BioRED annotates no disease-disease relations
                for x in ids_of.get(r.subject, ()):
                    for y in ids_of.get(r.object, ()):
                        if x != y:
                            pairs[frozenset((x, y))][r.relation_type] += 1
    return pairs, found, cooc


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return {"P": round(p, 3), "R": round(r, 3), "F1": round(2 * p * r / max(p + r, 1e-9), 3),
            "tp": tp, "predicted": n_pred, "gold": n_gold}


def _gold_key(doc: dict, ident: str) -> str:
    """Map an atomic identifier to the gold string that contains it ('5468,5469' style lists)."""
    atoms = doc.get("_atom")
    if atoms is None:
        atoms = doc["_atom"] = {a.strip(): g for g in doc["ids"] for a in g.replace(";", ",").split(",")}
    return atoms.get(ident, ident)


def score(docs: list[dict], tagger, xrefs: dict, errors: int = 0) -> dict:
    tp = tp_typed = n_pred = n_gold = 0
    doc_ceiling = sent_ceiling = pred_known = 0
    fps, fns = [], []
    t0 = time.process_time()
    for d in docs:
        raw, found, cooc = predict(tagger, d, xrefs)
        pred: dict[frozenset, str] = {}
        for pair, types in raw.items():
            key = frozenset(_gold_key(d, i) for i in pair)
            if len(key) == 2:
                pred.setdefault(key, types.most_common(1)[0][0])
        gold = d["rels"]
        found = {_gold_key(d, i) for i in found}
        cooc = {frozenset(_gold_key(d, i) for i in p) for p in cooc}
        n_pred += len(pred)
        n_gold += len(gold)
        for pair, typ in pred.items():
            known = all(i in d["ids"] for i in pair)
            pred_known += known
            if pair in gold:
                tp += 1
                tp_typed += gold[pair] == typ
            else:
                fps.append((d["pmid"], sorted(pair), typ))
        for pair in gold:
            doc_ceiling += pair <= found
            sent_ceiling += pair in cooc
            if pair not in pred:
                fns.append((d["pmid"], sorted(pair), gold[pair]))
    secs = time.process_time() - t0
    out = {"abstracts": len(docs), "untyped": prf(tp, n_pred, n_gold), "typed": prf(tp_typed, n_pred, n_gold),
           # precision over predicted pairs whose two identifiers BioRED annotates in the document: the
           # relation reader's own errors, without those of tagging and identifier mapping
           "precision_annotated_entities": round(tp / max(pred_known, 1), 3),
           "recall_of_sentence_ceiling": round(tp / max(sent_ceiling, 1), 3),
           "recall_ceiling_document": round(doc_ceiling / max(n_gold, 1), 3),
           "recall_ceiling_sentence": round(sent_ceiling / max(n_gold, 1), 3),
           "abstracts_per_s_incl_tagging": round(len(docs) / max(secs, 1e-9))}
    if errors:
        out["false_positives"] = fps[:errors]
        out["false_negatives"] = fns[:errors]
    return out


def read_cdr(path: Path) -> list[dict]:
    """BC5CDR documents with their CID pairs as 'Positive_Correlation'-free untyped gold."""
    docs = read_pubtator(path)
    for d in docs:
        d["rels"] = {k: "CID" for k, v in d["rels"].items() if v == "CID"}
    return docs


def score_cdr(docs: list[dict], tagger, xrefs: dict) -> dict:
    """Chemical-disease pairs only (BC5CDR annotates nothing else), untyped; pairs we type as
    Negative_Correlation (a drug treating a disease) are no chemical-induced-disease claims and left out."""
    tp = n_pred = n_gold = 0
    for d in docs:
        raw, _, _ = predict(tagger, d, xrefs)
        kinds = d["ids"]
        pred = set()
        for pair, types in raw.items():
            if types.most_common(1)[0][0] == "Negative_Correlation":
                continue  # a treatment, not a chemical-induced disease claim
            key = frozenset(_gold_key(d, i) for i in pair)
            if len(key) == 2 and {kinds.get(i, "") for i in key} == {"Chemical", "Disease"}:
                pred.add(key)
        tp += len(pred & set(d["rels"]))
        n_pred += len(pred)
        n_gold += len(d["rels"])
    return {"abstracts": len(docs), "untyped_chemical_disease": prf(tp, n_pred, n_gold)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--errors", type=int, default=0, help="list this many false positives and negatives")
    args = ap.parse_args(argv)
    from kg.nlp.tagger import Tagger, default_lexicon
    tagger = Tagger(default_lexicon())
    xrefs = getattr(tagger.lexicon, "xrefs", None) or {}
    if not xrefs:
        print("the lexicon has no cross-references (Lexicon.xrefs): rebuild it with `kg lexicon build`; "
              "without them no gene maps to NCBI Gene and the figures would mean nothing", file=sys.stderr)
        return {"error": "no cross-references"}
    report: dict = {"xref_entries": len(xrefs)}
    biored = args.shared / "biored" / "Test.PubTator"
    cdr = args.shared / "bc5cdr" / "CDR_sample.txt"
    report["BioRED Test"] = score(read_pubtator(biored), tagger, xrefs, args.errors) if biored.exists() else "missing"
    report["BC5CDR sample"] = score_cdr(read_cdr(cdr), tagger, xrefs) if cdr.exists() else "missing"
    if args.json:
        print(json.dumps(report, indent=1, default=list))
        return report
    print(f"cross-references from the lexicon ({report['xref_entries']:,} CURIEs)")
    r = report["BioRED Test"]
    if isinstance(r, dict):
        print(f"BioRED Test ({r['abstracts']} abstracts), document-level unordered pairs:")
        for k in ("untyped", "typed"):
            s = r[k]
            print(f"  {k:8s} P {s['P']:.3f} R {s['R']:.3f} F1 {s['F1']:.3f}  "
                  f"({s['tp']} right of {s['predicted']} predicted, {s['gold']} gold)")
        print(f"  relation reading alone: P {r['precision_annotated_entities']:.3f} on pairs of entities BioRED "
              f"annotates in the document; R {r['recall_of_sentence_ceiling']:.3f} of the gold pairs the tagger "
              f"finds in one sentence")
        print(f"  recall ceilings: both entities tagged in the document {r['recall_ceiling_document']:.3f}, "
              f"in one sentence {r['recall_ceiling_sentence']:.3f}; "
              f"{r['abstracts_per_s_incl_tagging']} abstracts/s (tagging + relations + scoring)")
        for k in ("false_positives", "false_negatives"):
            for e in r.get(k, ()):
                print(f"  {k[:-1]}: {e}")
    else:
        print(f"BioRED Test: {r}")
    c = report["BC5CDR sample"]
    if isinstance(c, dict):
        s = c["untyped_chemical_disease"]
        print(f"BC5CDR sample ({c['abstracts']} abstracts), chemical-disease pairs vs CID: P {s['P']:.3f} "
              f"R {s['R']:.3f} F1 {s['F1']:.3f} ({s['tp']} right of {s['predicted']} predicted, {s['gold']} gold)")
    else:
        print(f"BC5CDR sample: {c}")
    return report


if __name__ == "__main__":
    main()
