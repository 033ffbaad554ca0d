"""`pathways-linking` (issue 12, part 4) on a small hand-built graph with known answers.

The graph is made by the same mapping functions ingest uses (`kg.rdf.mentions`, `kg.rdf.assertions`) from
sentences and spans written here, with no tagger in between, so each expected row follows from the
sentences below: which pathway shares a sentence (or an association) with which hub, in which paper.
"""

from __future__ import annotations

import pytest

from kg import iris, queries
from kg.errors import QueryError
from kg.rdf import assertions as ra, mentions as rm
from kg.rdf.nt import iri, quad_line
from kg.records import Cooccurrence, Entity, Mention, TextPassage
from kg.stores.oxigraph import OxigraphStore
from kg.vocabularies.ontologies import OntologyLoad, closure_lines

GO = "http://purl.obolibrary.org/obo/GO_"
REACT = "http://identifiers.org/reactome/"
CRC, CRC_ADENO, CRC_CARCINOMA, GASTRIC = "MONDO:0005575", "MONDO:0005008", "MONDO:0024331", "MONDO:0001056"
MET, LIVER, LUNG = "MESH:D009362", "UBERON:0002107", "UBERON:0002048"

# name -> (curies, type, label); a compound ("liver metastasis") has several curies on one span
ENTITIES = {
    "colorectal cancer": ((CRC,), "disease", "colorectal cancer"),
    "colorectal adenocarcinoma": ((CRC_ADENO,), "disease", "colorectal adenocarcinoma"),
    "gastric cancer": ((GASTRIC,), "disease", "gastric cancer"),
    "liver metastasis": ((MET, LIVER), "disease", "liver metastasis"),
    "metastasis": ((MET,), "disease", "Neoplasm Metastasis"),
    "lung": ((LUNG,), "anatomy", "lung"),
    "STAT3 signalling": (("GO:0007259",), "pathway", "receptor signaling pathway via JAK-STAT"),
    "PI3K/AKT signalling": (("REACTOME:R-HSA-2219528",), "pathway", "PI3K/AKT Signaling in Cancer"),
    "Wnt signalling": (("GO:0016055",), "pathway", "Wnt signaling pathway"),
    "Hedgehog signalling": (("GO:0007224",), "pathway", "smoothened signaling pathway"),
    "Notch signalling": (("GO:0007219",), "pathway", "Notch signaling pathway"),
    "TGF-beta signalling": (("GO:0007179",), "pathway", "transforming growth factor beta receptor signaling pathway"),
    "EMT": (("GO:0001837",), "process", "epithelial to mesenchymal transition"),
    "CXCR4": (("HGNC:2561",), "gene", "CXCR4"),
}
LABELS = {"MESH:D009362": "Neoplasm Metastasis", "UBERON:0002107": "liver"}


def graph(pmid: str, source: str, passages: list[tuple[str, str, list[str]]],
          cooccurrences: tuple[tuple[str, str, str], ...] = ()) -> list[str]:
    """N-Quads of one article graph: passages (key, section type, sentences); every ENTITIES name found in
    a sentence is a mention there. `cooccurrences` are (pathway name, disease name, sentence) associations
    as `kg.nlp.mine` makes them for a mechanism against the paper's topic disease."""
    g = iri(iris.article_graph(pmid, source))
    triples = list(rm.passage_triples(pmid, source, [TextPassage(k, kind, " ".join(ss)) for k, kind, ss in passages]))
    seen = {}
    spans = []
    for key, kind, sentences in passages:
        text = " ".join(sentences)
        offset = 0
        for sentence in sentences:
            for name, (curies, typ, label) in ENTITIES.items():
                at = sentence.find(name)
                if at < 0 or any(name != other and name in other and other in sentence for other in ENTITIES):
                    continue  # the longest name wins, as in the tagger ("metastasis" inside "liver metastasis")
                span = Mention(key, offset + at, offset + at + len(name), name, curies, sentence)
                triples += rm.mention_triples(pmid, source, span, text, kind)
                spans.append(span)
                for c in curies:
                    seen[c] = Entity(c, rm.entity_type(c, typ), LABELS.get(c, label))
            offset += len(sentence) + 1
    triples += rm.sentence_triples(pmid, source, spans, {k: " ".join(ss) for k, _, ss in passages})
    for pathway, disease, sentence in cooccurrences:
        for name in (pathway, disease):
            curies, typ, label = ENTITIES[name]
            seen[curies[0]] = Entity(curies[0], rm.entity_type(curies[0], typ), label)
        triples += ra.cooccurrence_triples(pmid, source, Cooccurrence(ENTITIES[pathway][0][0], ENTITIES[disease][0][0],
                                                                      ((sentence, "fig", ()),)))
    triples += rm.entity_triples(seen.values())
    return [quad_line(s, p, o, g) for s, p, o in triples]


PAPERS = [
    # 1: CRC liver metastasis; STAT3 signalling in two sentences of one paper; EMT beside the disease
    graph("1", "pubmed", [("title", "title", ["STAT3 signalling drives liver metastasis of colorectal cancer."]),
                          ("abstract", "abstract", ["Blocking STAT3 signalling reduced liver metastasis in mice.",
                                                    "EMT was frequent in colorectal cancer."])]),
    # 2: a subclass of CRC only (colorectal adenocarcinoma); PI3K/AKT beside the metastasis; Wnt through CXCR4
    graph("2", "pubmed", [("title", "title", ["PI3K/AKT signalling and liver metastasis of colorectal adenocarcinoma."]),
                          ("abstract", "abstract", ["Wnt signalling induced CXCR4 in tumour cells.",
                                                    "CXCR4 marked liver metastasis."])]),
    # 3: gastric cancer: Hedgehog beside liver metastasis of another cancer
    graph("3", "pubmed", [("title", "title", ["Hedgehog signalling promotes liver metastasis of gastric cancer."])]),
    # 4: CRC lung metastasis, the outcome and the organ as separate spans of one sentence
    graph("4", "pubmed", [("title", "title", ["EMT and Notch signalling drive metastasis to the lung in colorectal cancer."])]),
    # 5: CRC liver metastasis, its PubMed record and its PMC full text (one article: counts once)
    graph("5", "pubmed", [("title", "title", ["STAT3 signalling in colorectal cancer liver metastasis."])]),
    graph("5", "pmc", [("F2", "fig", ["STAT3 signalling in colorectal cancer and liver metastasis."])]),
    # 6: CRC liver metastasis; TGF-beta only in a caption, linked through the topic co-occurrence
    graph("6", "pubmed", [("title", "title", ["Notes on liver metastasis of colorectal cancer."]),
                          ("F1", "fig", ["TGF-beta signalling at a glance."])],
          cooccurrences=(("TGF-beta signalling", "colorectal cancer", "TGF-beta signalling at a glance."),)),
    # 7: TGF-beta only in a caption of a CRC liver paper, without any association: no link
    graph("7", "pubmed", [("title", "title", ["Notes on liver metastasis of colorectal cancer."]),
                          ("F1", "fig", ["Notch signalling at a glance."])]),
]


def _ontology_slice() -> list[str]:
    """colorectal adenocarcinoma -> colorectal carcinoma -> colorectal cancer, as `kg ontology load` writes
    it: the rdfs:subClassOf edges and their closure (kg:ancestorClass), in the ontology's graph."""
    load = OntologyLoad("mondo-slice", iris.ontology_graph("mondo-slice"), "hand-made")
    for a, b in ((CRC_ADENO, CRC_CARCINOMA), (CRC_CARCINOMA, CRC)):
        load.add_parent(rm.entity_iri(a), rm.entity_iri(b))
    return [line.removesuffix(" .\n") + f" <{load.graph}> .\n" for line in load.lines + closure_lines(load)]


ONTOLOGY = _ontology_slice()


def build(with_ontology: bool) -> OxigraphStore:
    store = OxigraphStore()
    lines = [line for paper in PAPERS for line in paper] + (ONTOLOGY if with_ontology else [])
    store.load_quads("".join(lines).encode())
    return store


@pytest.fixture(scope="module")
def plain():
    return build(False)


@pytest.fixture(scope="module")
def with_ontology():
    return build(True)


def table(store, **params) -> dict[str, tuple]:
    out = {}
    for r in queries.run(store, "pathways-linking", params):
        out[r["label"].value] = (r["kind"].value, int(r["articles"].value), r["evidence"].value, r["path"].value)
    return out


STAT3, EMT = "receptor signaling pathway via JAK-STAT", "epithelial to mesenchymal transition"
PI3K, WNT, TGFB = "PI3K/AKT Signaling in Cancer", "Wnt signaling pathway", \
    "transforming growth factor beta receptor signaling pathway"


def test_default_liver_without_ontology(plain):
    got = table(plain)
    assert set(got) == {STAT3, EMT, TGFB}  # never Hedgehog (gastric), Notch (lung, or a caption alone)
    # papers 1 and 5: two sentences of paper 1 and the two graphs of paper 5 count once each
    assert got[STAT3][:2] == ("pathway", 2)
    # a sentence naming the metastasis beats one naming only the disease; captions win ties
    assert got[STAT3][2] == "STAT3 signalling in colorectal cancer and liver metastasis."
    assert got[STAT3][3] == f"{STAT3} -> neoplasm metastasis (liver)"
    assert got[EMT] == ("process", 1, "EMT was frequent in colorectal cancer.", f"{EMT} -> colorectal cancer")
    assert got[TGFB] == ("pathway", 1, "TGF-beta signalling at a glance.", f"{TGFB} -> colorectal cancer")


def test_rows_are_ordered_by_distinct_pmids(plain):
    counts = [int(r["articles"].value) for r in queries.run(plain, "pathways-linking", {})]
    assert counts == sorted(counts, reverse=True) and counts[0] == 2


def test_processes_can_be_left_out(plain):
    assert set(table(plain, processes="false")) == {STAT3, TGFB}


def test_a_subclass_counts_with_a_loaded_ontology(with_ontology):
    got = table(with_ontology)
    assert set(got) == {STAT3, EMT, TGFB, PI3K, WNT}
    assert got[PI3K][:2] == ("pathway", 1)
    assert got[PI3K][3] == f"{PI3K} -> neoplasm metastasis (liver)"
    # Wnt never shares a sentence with a hub: it reaches the metastasis through CXCR4
    assert got[WNT] == ("pathway", 1, "Wnt signalling induced CXCR4 in tumour cells.",
                        f"{WNT} -> CXCR4 -> neoplasm metastasis (liver)")
    # the subclass itself as the disease: paper 2 only
    assert set(table(with_ontology, disease=CRC_ADENO)) == {PI3K, WNT}


def test_a_cooccurrence_with_a_subclass_counts_with_a_loaded_ontology():
    """The association branch reaches the disease through the ontology as the sentence branch does: a paper
    whose figure links Wnt to colorectal adenocarcinoma (a co-occurrence only) counts for colorectal cancer
    when the ontology says adenocarcinoma is a kind of it, and not without the ontology."""
    extra = graph("8", "pubmed", [("title", "title", ["Notes on liver metastasis of colorectal adenocarcinoma."]),
                                  ("F1", "fig", ["Wnt signalling at a glance."])],
                  cooccurrences=(("Wnt signalling", "colorectal adenocarcinoma", "Wnt signalling at a glance."),))
    counts = {}
    for with_ontology in (False, True):
        store = OxigraphStore()
        lines = [line for paper in PAPERS + [extra] for line in paper] + (ONTOLOGY if with_ontology else [])
        store.load_quads("".join(lines).encode())
        counts[with_ontology] = table(store).get(WNT, (None, 0))[1]
    assert counts == {False: 0, True: 2}  # paper 2 through CXCR4, paper 8 through the co-occurrence


def test_lung_site(plain):
    got = table(plain, site="UBERON:0002048")
    assert set(got) == {"Notch signaling pathway", EMT}
    assert got["Notch signaling pathway"][1:] == (
        1, "EMT and Notch signalling drive metastasis to the lung in colorectal cancer.",
        "Notch signaling pathway -> neoplasm metastasis (lung)")


def test_another_disease(plain):
    got = table(plain, disease="MONDO:0001056")
    assert set(got) == {"smoothened signaling pathway"}  # the gastric paper's Hedgehog, and nothing of CRC


def test_a_site_no_paper_names_and_a_malformed_one(plain):
    assert table(plain, site="UBERON:0000948") == {}  # heart
    with pytest.raises(QueryError, match="not a valid UBERON identifier"):
        table(plain, site="UBERON:0002048> } } #")
