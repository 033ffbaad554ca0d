"""Issue 12's quality measures: document-level grounded scoring (kg.nlp.evaluate) and the benchmarks'
gold reading, mapping and assertion sampling, on hand-made inputs whose P/R/F1 are worked out by hand."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from kg.nlp import lexicon as lx
from kg.nlp.evaluate import Counts, MappedPrediction, errors, resolve, score, split_ids
from kg.nlp.tagger import Lexicon, Tagger

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    """A benchmark script as a module (benchmarks/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


# -- kg.nlp.evaluate -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cell,ids", [
    ("D058186|D017093", ("D058186", "D017093")), ("1029,1030", ("1029", "1030")), ("-", ()), ("", ()),
    (None, ()), ("D008133", ("D008133",)), ("-1", ()), ("D001943, D010051", ("D001943", "D010051")),
])
def test_split_ids(cell, ids):
    assert split_ids(cell) == ids


def test_counts_known_values():
    c = Counts(tp=3, fp=1, fn=3)
    assert c.precision == 0.75 and c.recall == 0.5
    assert c.f1 == pytest.approx(0.6)  # 2 * 0.75 * 0.5 / 1.25
    assert Counts().f1 == 0.0 and Counts(fp=2).precision == 0.0 and Counts(fn=2).recall == 0.0
    assert Counts(1, 2, 3) + Counts(10, 20, 30) == Counts(11, 22, 33)


def test_score_is_micro_over_documents():
    gold = {"a": {"X", "Y"}, "b": {"Z"}, "c": set()}
    pred = {"a": {"X", "W"}, "b": {"Z"}, "c": {"V"}, "d": {"U"}}  # d has no gold entry: all false positives
    c = score(gold, pred)
    assert (c.tp, c.fp, c.fn) == (2, 3, 1)
    assert c.precision == pytest.approx(2 / 5) and c.recall == pytest.approx(2 / 3)
    assert c.f1 == pytest.approx(2 * 0.4 * (2 / 3) / (0.4 + 2 / 3))
    # a document counts each ID once, however many mentions: sets, not lists
    assert score({"a": {"X"}}, {"a": {"X"}}) == Counts(1, 0, 0)


def test_resolve_spends_each_prediction_once():
    gold = {"MESH:D1", "MESH:D2", "NCBIGene:1", "NCBIGene:2"}
    preds = [
        MappedPrediction("MONDO:1", frozenset({"MESH:D1", "MESH:D9"})),       # hits D1 through one of two xrefs
        MappedPrediction("MONDO:2", frozenset({"MESH:D7", "MESH:D8"})),       # wrong: one FP, the smaller ID
        MappedPrediction("CHEBI:5", frozenset()),                            # unmapped: FP under its own CURIE
        MappedPrediction("FPLX:F", frozenset({"NCBIGene:1", "NCBIGene:2", "NCBIGene:3"}), any_member=True),
        MappedPrediction("FPLX:G", frozenset({"NCBIGene:8", "NCBIGene:9"}), any_member=True),  # covers none
    ]
    got = resolve(preds, gold)
    assert got == {"MESH:D1", "MESH:D7", "CHEBI:5", "NCBIGene:1", "NCBIGene:2", "NCBIGene:8"}
    c = score({"d": gold}, {"d": got})
    assert (c.tp, c.fp, c.fn) == (3, 3, 1)  # D2 missed


def test_resolve_concept_with_two_gold_ids_counts_once():
    got = resolve([MappedPrediction("MONDO:1", frozenset({"MESH:D1", "MESH:D2"}))], {"MESH:D1", "MESH:D2"})
    assert got == {"MESH:D1"}


def test_errors_lists_fp_and_fn_with_texts():
    gold = {"a": {"X", "Y"}, "b": {"Y"}}
    pred = {"a": {"X", "W"}, "b": set()}
    fps, fns = errors(gold, pred, {("a", "W"): "w-text", ("a", "Y"): "y-a", ("b", "Y"): "y-b"})
    assert fps == {("W", "w-text"): 1}
    assert fns == {("Y", "y-a"): 1, ("Y", "y-b"): 1}


# -- benchmarks/bench_grounding.py -------------------------------------------------------------------------
PUBTATOR = (
    "1|t|BRCA1 and breast cancer\n"
    "1|a|Cisplatin and the MAPK family in tumours.\n"
    "1\t0\t5\tBRCA1\tGeneOrGeneProduct\t672\n"
    "1\t10\t23\tbreast cancer\tDiseaseOrPhenotypicFeature\tD001943\n"
    "1\t24\t33\tCisplatin\tChemicalEntity\tD002945\n"
    "1\t42\t46\tMAPK\tGeneOrGeneProduct\t5594,5595\n"
    "1\t57\t64\ttumours\tDiseaseOrPhenotypicFeature\t-\n"
    "\n"
)


@pytest.fixture(scope="module")
def small_tagger():
    concepts = [
        lx.Concept("HGNC:1100", "gene", "BRCA1", "hgnc", [("symbol", "BRCA1")]),
        lx.Concept("HGNC:11998", "gene", "TP53", "hgnc", [("symbol", "TP53")]),
        lx.Concept("MONDO:0007254", "disease", "breast cancer", "mondo", [("label", "breast cancer")]),
        lx.Concept("CHEBI:27899", "chemical", "cisplatin", "chebi", [("label", "cisplatin")]),
        lx.Concept("FPLX:MAPK", "family", "MAPK", "famplex", [("family", "MAPK")]),
    ]
    return Tagger(Lexicon(concepts))


def _maps(bg, families=True):
    xrefs = {"HGNC:1100": {"NCBIGene:672", "UniProt:P38398"}, "MONDO:0007254": {"MESH:D001943"},
             "HGNC:11998": {"NCBIGene:7157"}, "HGNC:6871": {"NCBIGene:5594"}, "HGNC:6877": {"NCBIGene:5595"}}
    fams = {"FPLX:MAPK": {"HGNC:6871", "HGNC:6877"}} if families else {}
    return bg.Maps(xrefs, fams, ["test"])


def test_read_gold_splits_composites_and_drops_no_id(tmp_path):
    bg = _load("bench_grounding")
    f = tmp_path / "t.pubtator"
    f.write_text(PUBTATOR)
    (doc,) = bg.read_gold(f)
    assert doc["pmid"] == "1" and doc["title"] == "BRCA1 and breast cancer"
    assert doc["gold"]["gene"] == {"NCBIGene:672", "NCBIGene:5594", "NCBIGene:5595"}
    assert doc["gold"]["disease"] == {"MESH:D001943"}  # the '-' of "tumours" is ignored
    assert doc["gold"]["chemical"] == {"MESH:D002945"}


def test_grounded_scores_by_type_with_and_without_families(tmp_path, small_tagger):
    bg = _load("bench_grounding")
    f = tmp_path / "t.pubtator"
    f.write_text(PUBTATOR)
    docs = bg.read_gold(f)
    res = bg.evaluate(small_tagger, _maps(bg), docs, top=5)
    # genes alone: BRCA1 right; the MAPK family is left out, its two gold genes missed
    assert (res["gene"]["tp"], res["gene"]["fp"], res["gene"]["fn"]) == (1, 0, 2)
    assert res["gene"]["P"] == 1.0 and res["gene"]["R"] == pytest.approx(0.333, abs=1e-3)
    # with families: MAPK covers both gold members
    assert (res["gene+family"]["tp"], res["gene+family"]["fp"], res["gene+family"]["fn"]) == (3, 0, 0)
    # disease through MONDO -> MeSH
    assert (res["disease"]["tp"], res["disease"]["fp"], res["disease"]["fn"]) == (1, 0, 0)
    # cisplatin's ChEBI ID has no MeSH mapping here: one unmapped false positive and one miss
    assert (res["chemical"]["tp"], res["chemical"]["fp"], res["chemical"]["fn"]) == (0, 1, 1)
    assert res["chemical"]["unmapped_predicted"] == 1
    assert res["chemical"]["top_fp"] == [["CHEBI:27899", "Cisplatin = CHEBI:27899", 1]]
    assert res["chemical"]["top_fn"] == [["MESH:D002945", "Cisplatin", 1]]
    # the family's members are reachable only through the family
    assert res["gene"]["reachable"] == pytest.approx(1 / 3, abs=1e-3)
    assert res["gene+family"]["reachable"] == 1.0


def test_non_human_genes_are_out_of_reach_and_left_out_of_the_human_diagnostic(tmp_path, small_tagger):
    bg = _load("bench_grounding")
    title, abstract = "TP53 knockout mice", "Mouse TP53 and human BRCA1."
    f = tmp_path / "m.pubtator"
    f.write_text(f"2|t|{title}\n2|a|{abstract}\n"
                 "2\t0\t4\tTP53\tGeneOrGeneProduct\t22059\n"          # the mouse gene, twice
                 "2\t25\t29\tTP53\tGeneOrGeneProduct\t22059\n"
                 "2\t40\t45\tBRCA1\tGeneOrGeneProduct\t672\n\n")     # a human one
    docs = bg.read_gold(f)
    assert (title + " " + abstract)[25:29] == "TP53" and (title + " " + abstract)[40:45] == "BRCA1"
    res = bg.evaluate(small_tagger, _maps(bg), docs, top=5)
    # our human TP53 (NCBIGene:7157) where BioRED has the mouse gene: one false positive, one miss
    assert (res["gene"]["tp"], res["gene"]["fp"], res["gene"]["fn"]) == (1, 1, 1)
    assert res["gene"]["error_classes"] == {"missed: out of reach": 1,
                                            "false positive: at a gold mention of an out-of-reach ID": 1}
    # the diagnostic leaves the mouse gene and our mentions on it out
    assert res["gene (human)"] == {"gold_ids": 1, "P": 1.0, "R": 1.0, "F1": 1.0, "tp": 1, "fp": 0, "fn": 0}


def test_maps_prefer_lexicon_xrefs_when_present(small_tagger, tmp_path):
    bg = _load("bench_grounding")
    lexicon = Lexicon([lx.Concept("CHEBI:27899", "chemical", "cisplatin", "chebi", [("label", "cisplatin")],
                                  xrefs=["MESH:D002945", "CAS:15663-27-1"])])
    maps = bg.load_maps(lexicon, tmp_path, "auto")
    assert maps.to_gold("CHEBI:27899", "MESH:") == {"MESH:D002945"}
    assert maps.sources[0].startswith("lexicon cross-references")
    assert maps.to_gold("MESH:D1", "MESH:") == {"MESH:D1"}  # MeSH IDs are their own
    # a lexicon without xrefs falls back to the offline maps, and says so
    assert "no xrefs" in bg.load_maps(small_tagger.lexicon, tmp_path, "auto").sources[0]
    with pytest.raises(SystemExit) as exc:
        bg.load_maps(small_tagger.lexicon, tmp_path, "lexicon")
    assert exc.value.code == 2


# -- benchmarks/bench_assertions.py ------------------------------------------------------------------------
def _assertion(ba, n: int):
    return ba.Assertion(str(n), "HGNC:1", "MONDO:2", "associated_with", f"sentence {n}.", "associated with",
                        False, "A", "B")


def test_draw_is_seeded_and_uses_all_when_short():
    ba = _load("bench_assertions")
    pool = [_assertion(ba, n) for n in range(100)]
    first, again = ba.draw(pool, 50, 12), ba.draw(list(reversed(pool)), 50, 12)
    assert len(first) == 50 and first == again  # the pool's order does not matter, the seed does
    assert ba.draw(pool, 50, 13) != first
    assert ba.draw(pool[:7] + pool[:7], 50, 12) == sorted(pool[:7], key=lambda a: a.key)  # duplicates once


def test_verdicts_give_precision_and_unjudged(tmp_path):
    ba = _load("bench_assertions")
    sample = [_assertion(ba, n) for n in range(4)]
    rows = ["# judging rule: see README", "\t".join((*ba.KEY_COLUMNS, "verdict", "reason"))]
    rows += ["\t".join((*sample[0].key, "correct", "states it")), "\t".join((*sample[1].key, "correct", "ok")),
             "\t".join((*sample[2].key, "wrong", "trigger from another clause"))]
    f = tmp_path / "v.tsv"
    f.write_text("\n".join(rows) + "\n")
    correct, judged, unjudged = ba.precision(sample, ba.read_verdicts(f))
    assert (correct, judged, unjudged) == (2, 3, [sample[3]])


def test_verdicts_reject_an_unknown_verdict(tmp_path):
    ba = _load("bench_assertions")
    f = tmp_path / "v.tsv"
    f.write_text("\t".join((*ba.KEY_COLUMNS, "verdict", "reason")) + "\n1\ta\tb\tr\tx\tmaybe\t?\n")
    with pytest.raises(SystemExit, match="verdict must be"):
        ba.read_verdicts(f)


@pytest.mark.parametrize("title,abstract,mesh,crc", [
    ("Colorectal liver metastasis", "", [], True),
    ("A study", "Patients with colon adenocarcinoma were treated.", [], True),
    ("A study", "Rectal cancer surgery.", [], True),
    ("A study", "Hereditary non-polyposis (HNPCC) families.", [], True),
    ("A study", "Gastric cancer only.", ["Stomach Neoplasms"], False),
    ("A study", "Nothing here.", ["Colonic Neoplasms/genetics"], True),
    ("A study", "The colon was resected for diverticulitis.", [], False),
])
def test_crc_selection(title, abstract, mesh, crc):
    assert _load("bench_assertions").is_crc(title, abstract, mesh) is crc


def test_assertions_are_read_back_from_the_mined_triples():
    ba = _load("bench_assertions")
    from kg.records import AbstractSection, Article
    concepts = list(lx.curated(lx.curated_path())) + [
        lx.Concept("HGNC:11553", "gene", "TAGLN", "hgnc", [("symbol", "TAGLN"), ("label", "transgelin")])]
    tagger = Tagger(Lexicon(concepts))
    art = Article(pmid="99", title="Transgelin in colorectal cancer",
                  abstract=(AbstractSection("Transgelin promotes epithelial-mesenchymal transition in colorectal "
                                            "cancer cells."),))
    got = ba.assertions(art, tagger)
    hit = [a for a in got if a.subject == "HGNC:11553" and a.object == "GO:0001837"]
    assert hit and hit[0].relation == "affects/increased" and hit[0].trigger == "promotes"
    assert hit[0].sentence.startswith("Transgelin promotes") and not hit[0].hedged
    assert hit[0].key[4] == ba.sentence_sha1(hit[0].sentence)
