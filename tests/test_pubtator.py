"""PubTator text, BioC XML and BioC JSON import (issue 3): every shared file loads with exactly its own
counts of annotations and relations (counted here from the raw files, independently of the readers),
identifiers normalise to canonical IRIs, malformed lines are reported with file, line and PMID, and
`kg fetch --pubtator`'s fetcher works against a local server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner
from lxml import etree

from kg.ingest import INGESTORS, detect, read_path
from kg.pipeline import ingest
from kg.rdf.pubtator import entity_iris, predicate, pubtator_nquads
from kg.records import AnnotatedDocument, Rejected
from kg.stores.oxigraph import OxigraphStore

# (file under ../shared/data, format the content sniffing must pick, known bad line numbers)
CASES = [
    ("bc5cdr/CDR_sample.txt", "pubtator", ()),
    ("bc5cdr/CDR_sample.gold.BioC.xml", "bioc-xml", ()),
    ("biored/Test.PubTator", "pubtator", ()),
    ("biored/Test.BioC.XML", "bioc-xml", ()),
    ("bionlplab-bioc/tmVar.Normalization.txt", "pubtator", (120, 691)),
    ("bionlplab-bioc/everything.xml", "bioc-xml", ()),
    ("bionlplab-bioc/everything.json", "bioc-json", ()),
    ("ncbi-nlp-bioc-json/xml/abbr.xml", "bioc-xml", ()),
    ("ncbi-nlp-bioc-json/xml/collection.xml", "bioc-xml", ()),
    ("ncbi-nlp-bioc-json/json/abbr.json", "bioc-json", ()),
    ("ncbi-nlp-bioc-json/json/collection.json", "bioc-json", ()),
] + [(f"factoid-pubtator3/{n}", "bioc-json", ()) for n in (
    "10.1016_j.molcel.2016.11.034.json", "10.1016_j.molcel.2019.03.023.json", "10.1016_j.molcel.2019.04.005.json",
    "10.1016_j.molcel.2024.01.007.json", "10.1038_s41556-021-00642-9.json", "10.1126_scisignal.abf3535.json",
    "10.15252_embj.2023113616.json", "pubtator_8.json")]


def test_case_count():
    assert len(CASES) == 19  # a filter must not shrink the suite unnoticed


# ---- independent raw counts ------------------------------------------------------------------------

def raw_counts(path: Path, fmt: str, bad: tuple[int, ...]) -> tuple[int, int]:
    if fmt == "pubtator":
        anns = rels = 0
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            cols = line.split("\t")
            if n in bad or "|t|" in line[:20] or "|a|" in line[:20] or len(cols) < 2:
                continue
            if len(cols) >= 6 and cols[1].isdigit() and cols[2].isdigit():
                anns += 1
            elif len(cols) in (4, 5):
                rels += 1
        return anns, rels
    if fmt == "bioc-xml":
        root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
        return len(root.findall(".//annotation")), len(root.findall(".//relation"))
    data = json.loads(path.read_text(encoding="utf-8"))

    def walk(v):
        a = r = 0
        if isinstance(v, dict):
            a += len(v.get("annotations") or ())
            r += len(v.get("relations") or ())
            for k, x in v.items():
                if k not in ("annotations", "relations", "infons"):
                    da, dr = walk(x)
                    a, r = a + da, r + dr
        elif isinstance(v, list):
            for x in v:
                da, dr = walk(x)
                a, r = a + da, r + dr
        return a, r
    return walk(data)


def test_raw_counts_match_sources_md(shared_data):
    """The independent counter agrees with the numbers SOURCES.md states for the corpora."""
    assert raw_counts(shared_data / "bc5cdr/CDR_sample.txt", "pubtator", ()) == (502 + 423, 124)
    assert raw_counts(shared_data / "bc5cdr/CDR_sample.gold.BioC.xml", "bioc-xml", ()) == (945, 123)
    assert raw_counts(shared_data / "biored/Test.PubTator", "pubtator", ()) == (3535, 1163)
    assert raw_counts(shared_data / "biored/Test.BioC.XML", "bioc-xml", ()) == (3535, 1163)
    assert raw_counts(shared_data / "bionlplab-bioc/tmVar.Normalization.txt", "pubtator", (120,)) == (673, 0)
    assert raw_counts(shared_data / "ncbi-nlp-bioc-json/json/abbr.json", "bioc-json", ()) == (18, 9)


SPARQL_COUNTS = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX biolink: <https://w3id.org/biolink/vocab/>
SELECT (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?r) AS ?relations) WHERE {
  # one source annotation = one first target (a composite annotation is one oa:Annotation per identifier)
  { GRAPH ?g { ?a a oa:Annotation ; oa:hasTarget ?m FILTER(STRENDS(STR(?m), "/target/0")) } }
  UNION { GRAPH ?g { ?r a biolink:Association } }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/oncokg/graph/pubtator/"))
}"""


@pytest.mark.parametrize("rel,fmt,bad", CASES, ids=[c[0] for c in CASES])
def test_file_imports_with_its_counts(shared_data, rel, fmt, bad):
    path = shared_data / rel
    with open(path, "rb") as f:
        assert detect(str(path), f.read(4096)).name == fmt
    want_anns, want_rels = raw_counts(path, fmt, bad)
    recs = list(read_path(str(path)))
    docs = [r for r in recs if isinstance(r, AnnotatedDocument)]
    rejected = [r.error for r in recs if isinstance(r, Rejected)]
    assert sorted(e.line for e in rejected) == list(bad)
    assert sum(len(d.annotations) for d in docs) == want_anns
    assert sum(len(d.relations) for d in docs) == want_rels
    assert len({d.pmid for d in docs}) == len(docs)  # one graph per document, so store counts are comparable
    store = OxigraphStore()
    summary = ingest([str(path)], store)
    assert summary.documents == len(docs) and summary.articles == 0 and summary.rejected == len(bad)
    row = next(iter(store.query(SPARQL_COUNTS)))
    assert (int(row["mentions"].value), int(row["relations"].value)) == (want_anns, want_rels)


def test_malformed_tmvar_line_names_file_line_and_pmid(shared_data):
    path = str(shared_data / "bionlplab-bioc/tmVar.Normalization.txt")
    errors = [r.error for r in read_path(path) if isinstance(r, Rejected)]
    e = next(e for e in errors if e.line == 120)
    assert e.pmid == "18166824" and e.path == path
    assert "tmVar.Normalization.txt:120" in str(e) and "PMID 18166824" in str(e) and "'p|SUB|P|29|S'" in str(e)
    doc = next(r for r in read_path(path) if isinstance(r, AnnotatedDocument) and r.pmid == "18166824")
    assert len(doc.annotations) == 2  # the rest of the document still loads


# ---- identifiers and predicates ----------------------------------------------------------------------

def test_identifier_normalisation():
    assert entity_iris("D058186|D017093", "Disease") == ("http://id.nlm.nih.gov/mesh/D058186",
                                                         "http://id.nlm.nih.gov/mesh/D017093")
    assert entity_iris("MESH:D064129", "Disease") == ("http://id.nlm.nih.gov/mesh/D064129",)
    assert entity_iris("C027260", "Chemical") == ("http://id.nlm.nih.gov/mesh/C027260",)
    assert entity_iris("4792", "Gene") == ("http://identifiers.org/ncbigene/4792",)
    assert entity_iris("6331", "GeneOrGeneProduct") == ("http://identifiers.org/ncbigene/6331",)
    assert entity_iris("10090", "Species") == ("http://purl.obolibrary.org/obo/NCBITaxon_10090",)
    assert entity_iris("9606", "OrganismTaxon") == ("http://purl.obolibrary.org/obo/NCBITaxon_9606",)
    assert entity_iris("CVCL_2737", "CellLine") == ("http://identifiers.org/cellosaurus/CVCL_2737",)
    assert entity_iris("rs1799971", "SequenceVariant") == ("http://identifiers.org/dbsnp/rs1799971",)
    assert entity_iris("RSID:486907", "SNP") == ("http://identifiers.org/dbsnp/rs486907",)
    assert entity_iris("-1", "Chemical") == () and entity_iris("-", "ChemicalEntity") == () and entity_iris(None, "Gene") == ()
    v = entity_iris("tmVar:p|SUB|S|161|A;HGVS:p.S161A;VariantGroup:0;CorrespondingGene:64853", "Variant")
    assert v == ("https://w3id.org/oncokg/id/variant/ncbigene/64853/p%7CSUB%7CS%7C161%7CA",)
    assert entity_iris("p|SUB|V|1763|M", "SequenceVariant") == entity_iris("p|SUB|V|1763|M", "ProteinMutation")


@pytest.mark.parametrize("rtype,pred", [
    ("Association", "associated_with"), ("Positive_Correlation", "positively_correlated_with"),
    ("Negative_Correlation", "negatively_correlated_with"), ("Bind", "directly_physically_interacts_with"),
    ("Drug_Interaction", "physically_interacts_with"), ("Cotreatment", "related_to"), ("Comparison", "related_to"),
    ("Conversion", "related_to"), ("CID", "causes"), ("ABBR", "related_to")])
def test_relation_types_map_to_biolink(rtype, pred):
    assert predicate(rtype) == "https://w3id.org/biolink/vocab/" + pred


def _graph(doc: AnnotatedDocument):
    import pyoxigraph as ox

    graph, text, n = pubtator_nquads(doc, path="x", generated="2025-01-01T00:00:00Z")
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.N_QUADS)
    assert len(store) == n
    return graph, store


def test_pubtator3_json_shape(shared_data):
    path = str(shared_data / "factoid-pubtator3/10.1016_j.molcel.2019.04.005.json")
    doc = next(r for r in read_path(path) if isinstance(r, AnnotatedDocument))
    assert doc.pmid == "31053471"
    graph, store = _graph(doc)
    assert graph == "https://w3id.org/oncokg/graph/pubtator/31053471"
    q = """PREFIX biolink: <https://w3id.org/biolink/vocab/> PREFIX kg: <https://w3id.org/oncokg/vocab/>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?s ?o ?c ?who WHERE { GRAPH ?g { ?a a biolink:Association ; biolink:subject ?s ; biolink:object ?o ;
      biolink:original_predicate "Bind" ; biolink:predicate biolink:directly_physically_interacts_with ;
      kg:confidence ?c ; prov:wasAttributedTo ?who . ?s biolink:directly_physically_interacts_with ?o } }"""
    rows = {(r["s"].value, r["o"].value, r["c"].value) for r in store.query(q)}
    assert ("http://identifiers.org/ncbigene/29126", "http://identifiers.org/ncbigene/54918", "0.9528") in rows
    q = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX kg: <https://w3id.org/oncokg/vocab/>
    SELECT ?body ?start ?end ?exact ?src WHERE { GRAPH ?g { ?m a oa:Annotation ; oa:hasBody ?body ;
      kg:matchedText "PD-L1" ; oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?p, ?x .
      ?p oa:start ?start ; oa:end ?end . ?x oa:exact ?exact } } LIMIT 1"""
    row = next(iter(store.query(q)))
    assert row["body"].value == "http://identifiers.org/ncbigene/29126"
    assert row["src"].value == "http://rdf.ncbi.nlm.nih.gov/pubmed/31053471"
    assert row["exact"].value == "PD-L1" and int(row["end"].value) - int(row["start"].value) == 5


def test_composite_and_discontinuous_mentions(shared_data):
    path = str(shared_data / "bc5cdr/CDR_sample.gold.BioC.xml")
    doc = next(r for r in read_path(path) if isinstance(r, AnnotatedDocument) and r.pmid == "3403780")
    _, store = _graph(doc)
    q = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX kg: <https://w3id.org/oncokg/vocab/>
    SELECT (COUNT(DISTINCT ?b) AS ?bodies) (COUNT(DISTINCT ?t) AS ?targets) WHERE { GRAPH ?g {
      ?m kg:matchedText ?text ; oa:hasBody ?b ; oa:hasTarget ?t } } GROUP BY ?text ORDER BY ?text"""
    got = {}
    for text in ("renal and hepatic failure", "renal failure"):
        qq = q.replace("?m kg:matchedText ?text", f'?m kg:matchedText "{text}"').replace(" GROUP BY ?text ORDER BY ?text", "")
        row = next(iter(store.query(qq)))
        got[text] = (int(row["bodies"].value), int(row["targets"].value))
    assert got == {"renal and hepatic failure": (2, 1), "renal failure": (1, 2)}
    # ... and each annotation has one body: the composite is two annotations on one target
    most = """PREFIX oa: <http://www.w3.org/ns/oa#> SELECT (MAX(?n) AS ?most) WHERE {
      { SELECT ?m (COUNT(?b) AS ?n) WHERE { GRAPH ?g { ?m oa:hasBody ?b } } GROUP BY ?m } }"""
    assert int(next(iter(store.query(most)))["most"].value) == 1


def test_reimport_is_identical(shared_data):
    path = str(shared_data / "biored/Test.PubTator")
    a = [pubtator_nquads(r, path=path, generated="t")[1] for r in read_path(path) if isinstance(r, AnnotatedDocument)]
    b = [pubtator_nquads(r, path=path, generated="t")[1] for r in read_path(path) if isinstance(r, AnnotatedDocument)]
    assert a == b and "_:" not in "".join(a)


def test_formats_registered():
    assert {"pubtator", "bioc-xml", "bioc-json"} <= set(INGESTORS)


def test_bad_inputs_are_reported(tmp_path):
    p = tmp_path / "bad.pubtator"
    p.write_text("123|t|A title.\n123|a|An abstract.\n123\t0\tx\tA\tGene\t1\n123\tAssociation\t1\n\n", encoding="utf-8")
    recs = list(read_path(str(p)))
    errs = [r.error for r in recs if isinstance(r, Rejected)]
    assert [e.line for e in errs] == [3, 4] and all(e.pmid == "123" for e in errs)
    j = tmp_path / "bad.biocjson"
    j.write_text('{"documents": [{"id": "PMC1", "passages": []}]}', encoding="utf-8")
    errs = [r.error for r in read_path(str(j)) if isinstance(r, Rejected)]
    assert len(errs) == 1 and "not a PMID" in errs[0].problem


# ---- kg fetch --pubtator ---------------------------------------------------------------------------

@pytest.fixture
def pubtator_server(shared_data):
    docs = {}
    for f in sorted((shared_data / "factoid-pubtator3").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        docs[str(d["pmid"])] = d
    state = {"calls": [], "fail_next": 1}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urlparse(self.path)
            state["calls"].append(self.path)
            if state["fail_next"]:
                state["fail_next"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            if u.path != "/pubtator3-api/publications/export/biocjson":
                self.send_response(404)
                self.end_headers()
                return
            pmids = parse_qs(u.query)["pmids"][0].split(",")
            body = json.dumps({"PubTator3": [docs[p] for p in pmids if p in docs]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/pubtator3-api/", state, docs
    srv.shutdown()


def test_fetch_pubtator_batches_retries_and_imports(pubtator_server, tmp_path, shared_data):
    from kg.ingest.pubtator_fetch import fetch

    url, state, docs = pubtator_server
    pmids = sorted(docs) + ["1"]  # PMID 1 is unknown to the server: its batch comes back empty
    files = fetch(pmids, cache=tmp_path / "pt", base_url=url, batch_size=3, sleep=0.0)
    assert len(state["calls"]) == 1 + 3  # one 503 retried, then 3 batches (3 + 3 + 3 PMIDs)
    assert len(files) == 3 and all(f.suffix == ".biocjson" for f in files)
    again = fetch(pmids, cache=tmp_path / "pt", base_url=url, batch_size=3, sleep=0.0)
    assert again == files and len(state["calls"]) == 4  # the cache answers
    store = OxigraphStore()
    summary = ingest([str(f) for f in files], store)
    assert summary.documents == len(docs) and summary.rejected == 0
    want = [0, 0]
    for f in sorted((shared_data / "factoid-pubtator3").glob("*.json")):
        a, r = raw_counts(f, "bioc-json", ())
        want[0] += a
        want[1] += r
    row = next(iter(store.query(SPARQL_COUNTS)))
    assert [int(row["mentions"].value), int(row["relations"].value)] == want


def test_fetch_pubtator_option_is_wired():
    from kg.cli import main

    r = CliRunner().invoke(main, ["fetch", "--help"])
    assert r.exit_code == 0 and "--pubtator" in r.output and "--pubtator-url" in r.output
