"""JATS ingest, and the six mechanism queries on small graphs with known answers (issue 3 acceptance)."""

from __future__ import annotations

import io

import pytest

from kg import queries
from kg.ingest import INGESTORS, read_path
from kg.ingest import jats
from kg.nlp import lexicon as lx
from kg.nlp.tagger import Lexicon, Tagger
from kg.records import FullText, Rejected
from kg.stores.oxigraph import OxigraphStore

GO = "http://purl.obolibrary.org/obo/GO_"

JATS = b"""<?xml version="1.0"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 20210610//EN" "JATS-archivearticle1-3.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
<front><article-meta>
  <article-id pub-id-type="pmid">%(pmid)s</article-id><article-id pub-id-type="pmc">PMC%(pmid)s</article-id>
  <title-group><article-title>%(title)s</article-title></title-group>
  <abstract><p>%(abstract)s</p></abstract>
  <kwd-group><kwd>liver metastasis</kwd></kwd-group>
</article-meta></front>
<body>
  <sec sec-type="results"><title>Results</title><p>%(body)s</p>
    <fig id="F1"><label>Figure 1</label><caption><p>%(caption)s</p></caption></fig></sec>
</body></article>"""


def jats_doc(pmid, title, abstract, body, caption):
    return JATS % {b"pmid": pmid.encode(), b"title": title.encode(), b"abstract": abstract.encode(),
                   b"body": body.encode(), b"caption": caption.encode()}


@pytest.fixture(scope="module")
def tagger():
    return Tagger(Lexicon(lx.curated(lx.curated_path())))


def test_jats_is_registered_and_sniffed():
    assert "jats" in INGESTORS
    assert jats.sniff(jats_doc("1", "t", "a", "b", "c")[:4096])
    assert not jats.sniff(b"<?xml version='1.0'?><PubmedArticleSet><PubmedArticle>")


def test_jats_record_sections_and_captions():
    (ft,) = list(jats.read(io.BytesIO(jats_doc("7", "T", "Abstract text.", "Body text.", "Caption text.")), "x"))
    assert isinstance(ft, FullText) and ft.pmid == "7" and ft.pmcid == "PMC7"
    assert [(p.key, p.kind, p.text) for p in ft.passages] == [("sec1-p1", "results", "Body text."),
                                                              ("F1", "fig", "Caption text.")] or \
        [(p.kind, p.text) for p in ft.passages] == [("results", "Body text."), ("fig", "Caption text.")]
    assert ft.keywords == ("liver metastasis",)


def test_jats_without_pmid_and_malformed():
    bad = jats_doc("1", "t", "a", "b", "c").replace(b'<article-id pub-id-type="pmid">1</article-id>', b"")
    (r,) = list(jats.read(io.BytesIO(bad), "x.nxml"))
    assert isinstance(r, Rejected) and "PMID" in str(r.error)
    recs = list(jats.read(io.BytesIO(b"<article><front><article-meta>"), "y.nxml"))
    assert isinstance(recs[-1], Rejected)


def test_seed_jats_excerpt(shared_data):
    (ft,) = list(read_path(str(shared_data / "seed" / "jats-35246503-excerpt.xml")))
    assert ft.pmid == "35246503" and ft.doi == "10.1038/s41392-022-00922-2"
    assert [p.key for p in ft.passages] == [f"Fig{i}" for i in range(1, 8)]
    assert all(p.kind == "fig" for p in ft.passages)


def load(store, tagger, docs):
    import kg.nlp as nlp
    from kg.rdf.fulltext import fulltext_nquads
    from kg.stores.oxigraph import GraphWrite
    old = nlp._TAGGER
    nlp._TAGGER = tagger
    try:
        writes = []
        for d in docs:
            (ft,) = list(jats.read(io.BytesIO(d), "mem.nxml"))
            graph, text, _ = fulltext_nquads(ft, path="mem.nxml", generated="2024-01-01T00:00:00Z")
            writes.append(GraphWrite(graph, text))
        store.replace_graphs(writes)
    finally:
        nlp._TAGGER = old
    return store


@pytest.fixture(scope="module")
def mech(tagger):
    """Three articles: two about colorectal liver metastasis, one about gastric cancer."""
    docs = [
        jats_doc("101", "Notch signalling drives colorectal liver metastasis",
                 "Colorectal cancer (CRC) spreads to the liver. Crizotinib inhibits the HGF/c-MET pathway in CRC.",
                 "NOTCH1 is involved in the Notch pathway. TAMs promote liver metastasis.",
                 "Schematic of the Notch pathway in CRC liver metastasis"),
        jats_doc("102", "HGF/c-MET signalling in colorectal liver metastasis",
                 "HGF and MET are involved in the HGF/c-MET pathway. Cabozantinib blocks HGF/c-MET signaling.",
                 "Exosomes and macrophages shape the niche.",
                 "The Notch pathway and the TGF-beta pathway in liver metastasis of colorectal cancer"),
        jats_doc("103", "Gastric cancer and the Wnt/beta-catenin pathway",
                 "The Wnt/beta-catenin pathway is associated with gastric cancer.", "Nothing here.", "None."),
    ]
    return load(OxigraphStore(), tagger, docs)


def rows(store, name, params, *cols):
    return [tuple(r[c].value if r[c] is not None else None for c in cols) for r in queries.run(store, name, params)]


def test_pathways_linking_ranked(mech):
    got = rows(mech, "pathways-linking", {}, "pathway", "ontology", "articles")
    assert got[0] == (GO + "0007219", "GO", "2")  # Notch: both CRLM articles
    assert {g[0] for g in got} == {GO + "0007219", GO + "0048012", GO + "0007179"}  # never Wnt (gastric)
    ev = {r["pathway"].value: r["evidence"].value for r in queries.run(mech, "pathways-linking", {})}
    assert ev[GO + "0007179"] == "The Notch pathway and the TGF-beta pathway in liver metastasis of colorectal cancer"


def test_pathways_linking_other_disease(mech):
    got = rows(mech, "pathways-linking", {"disease": "MONDO:0001056"}, "pathway")
    assert got == []  # no gastric-cancer article mentions liver metastasis


def test_genes_in_pathway_evidence(mech):
    got = rows(mech, "genes-in-pathway-evidence", {"pathway": "GO:0048012"}, "gene", "articles")
    assert ("http://identifiers.org/hgnc/4893", "1") in got and ("http://identifiers.org/hgnc/7029", "1") in got
    notch = rows(mech, "genes-in-pathway-evidence", {"pathway": "GO:0007219"}, "gene")
    assert notch == [("http://identifiers.org/hgnc/7881",)]


def test_drugs_for_pathway(mech):
    got = dict(rows(mech, "drugs-for-pathway", {}, "drug", "directions"))
    assert "decreased" in got["http://purl.obolibrary.org/obo/CHEBI_64310"].split(",")   # crizotinib inhibits
    assert "decreased" in got["http://purl.obolibrary.org/obo/CHEBI_72317"].split(",")   # cabozantinib blocks


def test_evidence_all_sentences(mech):
    got = rows(mech, "evidence", {"subject": "CHEBI:64310", "object": "GO:0048012"}, "pmid", "predicate", "sentence")
    assert ("101", "https://w3id.org/biolink/vocab/affects",
            "Crizotinib inhibits the HGF/c-MET pathway in CRC.") in got


def test_cell_types_in_mechanism(mech):
    got = rows(mech, "cell-types-in-mechanism", {}, "cell", "articles")
    assert ("http://id.nlm.nih.gov/mesh/D000084582", "1") in got       # TAMs, article 101
    # One entity per span: "TAMs" is MeSH's tumour-associated macrophage only (no second CL body), so
    # macrophages (CL) are named by article 102 alone.
    assert ("http://purl.obolibrary.org/obo/CL_0000235", "1") in got


def test_entities_of_article(mech):
    got = {r["entity"].value: r["type"].value for r in queries.run(mech, "entities-of-article", {"pmid": "102"})}
    assert got["http://purl.obolibrary.org/obo/GO_0070062"] == "CellularComponent"
    assert got["http://purl.obolibrary.org/obo/CL_0000235"] == "Cell"


@pytest.mark.shared
def test_seed_acceptance(shared_data):
    """From the seed's PubMed record and JATS excerpt alone: the three pathways with GO IRIs and their
    figure captions as evidence; TAMs and exosomes among the article's entities."""
    from kg.pipeline import ingest
    store = OxigraphStore()
    ingest([str(shared_data / "seed")], store)
    got = {r["pathway"].value: (r["ontology"].value, r["evidence"].value)
           for r in queries.run(store, "pathways-linking", {})}
    assert got[GO + "0048012"] == ("GO", "HGF/c\u2010MET signaling pathways and its role in cellular activity")
    assert got[GO + "0007219"] == ("GO", "Schematic illustration of Notch pathway regulatory mechanisms")
    assert got[GO + "0007179"] == ("GO", "Schematic illustration of TGF-\u03b2 pathway regulatory mechanisms")
    ents = {r["entity"].value: r["type"].value for r in queries.run(store, "entities-of-article", {"pmid": "35246503"})}
    assert ents["http://id.nlm.nih.gov/mesh/D000084582"] == "Cell"                  # tumour-associated macrophages
    assert ents["http://purl.obolibrary.org/obo/GO_0070062"] == "CellularComponent"  # exosomes
