"""The article mapping: vocabularies, MeSH faithfulness, versions, deletions, round trips."""

from __future__ import annotations

import io
import os

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore
from pubmed_fixtures import article, delete_citation, document

PFX = """PREFIX kg: <https://w3id.org/oncokg/vocab/> PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX mesh: <http://id.nlm.nih.gov/mesh/>
PREFIX pubmed: <http://rdf.ncbi.nlm.nih.gov/pubmed/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture
def loaded(tmp_path):
    p = tmp_path / "a.xml"
    p.write_text(document(article("111")))
    store = OxigraphStore()
    ingest([str(p)], store)
    return store


def ask(store, body: str) -> bool:
    return bool(store.query(PFX + "ASK { GRAPH ?g { " + body + " } }"))


def test_article_identity_types_and_identifiers(loaded):
    assert ask(loaded, "pubmed:111 a fabio:JournalArticle ; fabio:hasPubMedId '111' ; prism:doi '10.1000/test.111' ; "
                       "dcterms:title 'A test article about colorectal cancer.'")
    assert ask(loaded, "pubmed:111 prism:publicationDate '2021-02-03'^^xsd:date")
    g = list(loaded.named_graphs())
    assert "https://w3id.org/oncokg/graph/pubmed/111" in g


def test_structured_abstract_keeps_labels_and_categories(loaded):
    assert ask(loaded, "pubmed:111 kg:abstractSection ?s . ?s kg:abstractLabel 'RESULTS' ; kg:nlmCategory 'RESULTS' ; "
                       "kg:position 2 ; kg:text 'HGF promotes metastasis.'")
    assert ask(loaded, "pubmed:111 dcterms:abstract 'BACKGROUND: Some background text. RESULTS: HGF promotes metastasis.'")


def test_authors_in_order_with_orcid_affiliation_and_collective(loaded):
    rows = list(loaded.query(PFX + """SELECT ?pos ?name WHERE { GRAPH ?g { pubmed:111 dcterms:creator ?a .
        ?a kg:authorPosition ?pos ; foaf:name ?name } } ORDER BY ?pos"""))
    assert [(r["pos"].value, r["name"].value) for r in rows] == [
        ("1", "Jane Doe"), ("2", "Rich Roe"), ("3", "The Test Consortium")]
    assert ask(loaded, "pubmed:111 dcterms:creator ?a . ?a kg:orcid <https://orcid.org/0000-0002-1825-0097> ; "
                       "kg:affiliation 'Dept A' ; a foaf:Person")
    assert ask(loaded, "pubmed:111 dcterms:creator ?a . ?a a foaf:Organization ; kg:collectiveName 'The Test Consortium'")


def test_family_name_key_is_the_lower_cased_family_name(loaded):
    # articles-by-author looks this key up instead of lower-casing every family name of the store
    rows = list(loaded.query(PFX + """SELECT ?fam ?key WHERE { GRAPH ?g { pubmed:111 dcterms:creator ?a .
        ?a foaf:familyName ?fam . OPTIONAL { ?a kg:familyNameKey ?key } } } ORDER BY ?fam"""))
    assert [(r["fam"].value, r["key"].value) for r in rows] == [("Doe", "doe"), ("Roe", "roe")]
    # a collective author has no family name, so no key
    assert not ask(loaded, "pubmed:111 dcterms:creator ?a . ?a a foaf:Organization ; kg:familyNameKey ?k")


def test_journal_by_nlm_id(loaded):
    assert ask(loaded, "pubmed:111 dcterms:isPartOf <https://w3id.org/oncokg/id/journal/nlm/9999999> . "
                       "<https://w3id.org/oncokg/id/journal/nlm/9999999> a fabio:Journal ; prism:issn '1234-5678' ; "
                       "kg:issnLinking '1234-5678' ; kg:medlineTA 'J Tests'")


def test_mesh_headings_faithful(loaded):
    # descriptor and pair IRIs as subject terms; primary where the descriptor or that qualifier is major
    assert ask(loaded, "pubmed:111 fabio:hasSubjectTerm mesh:D015179, mesh:D015179Q000473, mesh:D015179Q000188")
    assert ask(loaded, "pubmed:111 fabio:hasPrimarySubjectTerm mesh:D015179Q000473, mesh:D008113")
    assert not ask(loaded, "pubmed:111 fabio:hasPrimarySubjectTerm mesh:D015179")
    assert not ask(loaded, "pubmed:111 fabio:hasPrimarySubjectTerm mesh:D015179Q000188")
    # every flag on the heading node
    assert ask(loaded, "pubmed:111 kg:meshHeading ?h . ?h kg:descriptor mesh:D015179 ; kg:descriptorMajorTopic false ; "
                       "kg:qualifier ?q . ?q kg:qualifierTerm mesh:Q000473 ; kg:majorTopic true ; kg:pairTerm mesh:D015179Q000473")
    assert ask(loaded, "pubmed:111 kg:indexingMethod 'Curated' ; kg:citationStatus 'MEDLINE'")
    # never a multi-qualifier IRI
    iris = {q.object.value for q in loaded.quads() if isinstance(q.object, ox.NamedNode)}
    assert not [i for i in iris if i.startswith("http://id.nlm.nih.gov/mesh/") and i.count("Q") > 1]


def test_provenance_of_each_graph(loaded):
    assert ask(loaded, "<https://w3id.org/oncokg/graph/pubmed/111> a prov:Entity ; prov:wasDerivedFrom ?f ; "
                       "prov:generatedAtTime ?t ; kg:toolVersion ?v ; kg:sourceFile 'a.xml'")


@pytest.mark.parametrize("date,literal", [
    ("<Year>2021</Year><Month>Feb</Month>", "'2021-02'^^xsd:gYearMonth"),
    ("<Year>2021</Year><Season>Spring</Season>", "'2021'^^xsd:gYear"),
    ("<MedlineDate>1998 Dec-1999 Jan</MedlineDate>", "'1998'^^xsd:gYear"),
])
def test_dates_typed_by_precision(tmp_path, date, literal):
    p = tmp_path / "d.xml"
    p.write_text(document(article("5", date=date)))
    store = OxigraphStore()
    ingest([str(p)], store)
    assert ask(store, f"pubmed:5 prism:publicationDate {literal}")
    if "MedlineDate" in date:
        assert ask(store, "pubmed:5 kg:medlineDate '1998 Dec-1999 Jan'")


def test_newer_version_wins_and_older_is_skipped(tmp_path):
    store = OxigraphStore()
    p2 = tmp_path / "v2.xml"
    p2.write_text(document(article("7", version=2, title="Second version.")))
    p1 = tmp_path / "v1.xml"
    p1.write_text(document(article("7", version=1, title="First version.")))
    ingest([str(p2)], store)
    s = ingest([str(p1)], store)
    assert s.skipped_older == 1
    assert ask(store, "pubmed:7 dcterms:title 'Second version.'")
    assert not ask(store, "pubmed:7 dcterms:title 'First version.'")
    # both in one file: the higher version wins whatever the order
    p = tmp_path / "both.xml"
    p.write_text(document(article("8", version=2, title="Two."), article("8", version=1, title="One.")))
    ingest([str(p)], store)
    assert ask(store, "pubmed:8 dcterms:title 'Two.'") and not ask(store, "pubmed:8 dcterms:title 'One.'")


def test_reingest_is_idempotent_and_delete_citation_removes(tmp_path):
    p = tmp_path / "a.xml"
    p.write_text(document(article("1"), article("2"), article("3")))
    store = OxigraphStore()
    ingest([str(p)], store)
    n = len(store)
    ingest([str(p)], store)
    assert len(store) == n
    d = tmp_path / "del.xml"
    d.write_text(document(delete_citation("2", "3")))
    s = ingest([str(d)], store)
    assert s.deleted == 2
    graphs = set(store.named_graphs())
    assert "https://w3id.org/oncokg/graph/pubmed/1" in graphs
    assert not {"https://w3id.org/oncokg/graph/pubmed/2", "https://w3id.org/oncokg/graph/pubmed/3"} & graphs
    assert ask(store, "pubmed:2 a kg:DeletedCitation")
    assert store.deleted_count() == 2
    ingest([str(p)], store)  # re-adding clears the tombstones
    assert store.deleted_count() == 0


@pytest.mark.parametrize("fmt,rdf", [("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)])
def test_export_then_reparse_gives_the_same_dataset(tmp_path, fmt, rdf):
    p = tmp_path / "a.xml"
    p.write_text(document(article("1"), article("2")))
    st = tmp_path / "store"
    r = CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-validate", str(p)])
    assert r.exit_code == 0, r.output
    out = tmp_path / f"x.{fmt}"
    r = CliRunner().invoke(main, ["export", "--store", str(st), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    original = ox.Dataset(OxigraphStore(str(st)).quads())
    reparsed = ox.Dataset(ox.parse(path=str(out), format=rdf))
    assert len(original) > 100 and original == reparsed


def test_turtle_export_declares_prefixes_and_parses(tmp_path):
    p = tmp_path / "a.xml"
    p.write_text(document(article("1")))
    st = tmp_path / "store"
    CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-validate", str(p)])
    r = CliRunner().invoke(main, ["export", "--store", str(st), "--format", "ttl"])
    assert r.exit_code == 0
    assert "@prefix fabio: <http://purl.org/spar/fabio/>" in r.output
    triples = list(ox.parse(r.output.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(OxigraphStore(str(st)))


def test_stdin_ingest(tmp_path):
    r = CliRunner().invoke(main, ["ingest", "--store", str(tmp_path / "s"), "--no-validate", "-"],
                           input=document(article("42")))
    assert r.exit_code == 0, r.output
    assert "1 articles" in r.output


def test_fast_node_iris_equal_the_general_minting():
    from kg import iris
    from kg.rdf.article import _node_prefix
    for parts in [("mesh", 3), ("mesh", 3, 1), ("author", 12), ("abstract", 2), ("grant", 1), ("investigator", 9)]:
        assert _node_prefix("35246503") + "/".join(map(str, parts)) + ">" == "<" + iris.node("35246503", *parts) + ">"


def test_an_interrupted_batch_is_dropped_whole_on_the_next_open(tmp_path):
    """The on-disk store bulk-loads batches behind an intent log: graphs of a batch that never finished
    are removed when the store is next opened, so no article is ever half-stored."""
    import json

    p = tmp_path / "a.xml"
    p.write_text(document(article("1"), article("2")))
    path = str(tmp_path / "store")
    store = OxigraphStore(path)
    ingest([str(p)], store)
    g1, g2 = "https://w3id.org/oncokg/graph/pubmed/1", "https://w3id.org/oncokg/graph/pubmed/2"
    # simulate a crash in the middle of a batch that was rewriting article 2: half of its quads are gone
    # (two batches were in flight: one log per batch; the older kg-intent.json name is read too)
    quads = [q for q in store.quads() if q.graph_name.value == g2]
    for q in quads[: len(quads) // 2]:
        store.remove_quads([q])
    (tmp_path / "store" / "kg-intent-7.json").write_text(json.dumps({"graphs": [g2]}))
    (tmp_path / "store" / "kg-intent.json").write_text(json.dumps({"graphs": [g1]}))
    (tmp_path / "store" / "kg-intent-8.json.tmp").write_text("{")  # a log cut while being written
    del store
    reopened = OxigraphStore(path)
    assert sorted(reopened.recovered) == [g1, g2]
    graphs = set(reopened.named_graphs())
    assert g1 not in graphs and g2 not in graphs
    assert not [n for n in os.listdir(tmp_path / "store") if n.startswith("kg-intent")]
    ingest([str(p)], reopened)  # re-running the ingest restores them
    assert {g1, g2} <= set(reopened.named_graphs())


def test_jsonld_export_declares_prefixes_and_round_trips(tmp_path):
    import json

    p = tmp_path / "a.xml"
    p.write_text(document(article("1")))
    st = tmp_path / "store"
    CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-validate", "--no-nlp", str(p)])
    out = tmp_path / "x.jsonld"
    r = CliRunner().invoke(main, ["export", "--store", str(st), "--format", "jsonld", "-o", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["@context"]["fabio"] == "http://purl.org/spar/fabio/" and doc["@context"]["mesh"]
    reparsed = ox.Dataset(ox.parse(path=str(out), format=ox.RdfFormat.JSON_LD))
    assert reparsed == ox.Dataset(OxigraphStore(str(st)).quads())


@pytest.mark.parametrize("on_disk", [False, True])
@pytest.mark.parametrize("threads", [1, 2])
def test_versions_and_deletions_across_batches_written_in_the_background(tmp_path, on_disk, threads):
    """With one graph per batch, every comparison meets a batch still being written by the store thread."""
    store = OxigraphStore(str(tmp_path / "store") if on_disk else None)
    p = tmp_path / "mixed.xml"
    p.write_text(document(article("9", version=2, title="Two."), article("9", version=1, title="One."),
                          article("10"), article("11"), delete_citation("10")))
    s = ingest([str(p)], store, batch_size=1, write_threads=threads)
    assert (s.articles, s.skipped_older, s.deleted) == (3, 1, 1)
    assert ask(store, "pubmed:9 dcterms:title 'Two.'") and not ask(store, "pubmed:9 dcterms:title 'One.'")
    assert not ask(store, "pubmed:10 dcterms:title ?t") and ask(store, "pubmed:11 dcterms:title ?t")


def test_a_failed_background_write_stops_the_ingest_with_its_error(tmp_path, monkeypatch):
    from kg.errors import StoreError
    store = OxigraphStore(str(tmp_path / "store"))

    def broken(writes, **kwargs):
        raise StoreError("disk full (simulated)")

    monkeypatch.setattr(store, "replace_graphs", broken)
    p = tmp_path / "a.xml"
    p.write_text(document(article("1"), article("2")))
    with pytest.raises(StoreError, match="disk full"):
        ingest([str(p)], store, batch_size=1)


def test_a_repeated_value_is_one_triple_in_text_count_and_store(tmp_path):
    from kg.pipeline import article_nquads
    from kg.ingest import read_path
    p = tmp_path / "k.xml"
    kw = "<KeywordList Owner=\"NOTNLM\"><Keyword>liver</Keyword><Keyword>liver</Keyword></KeywordList>"
    p.write_text(document(article("12").replace("</MedlineCitation>", kw + "</MedlineCitation>")))
    rec = next(iter(read_path(str(p))))
    assert rec.keywords == ("liver", "liver")  # the reader keeps the record as it is
    _, text, n = article_nquads(rec, path=str(p), fmt="pubmed", generated="2026-01-01T00:00:00Z")
    lines = text.splitlines()
    assert len(lines) == n == len(set(lines))
    assert sum("prismstandard.org/namespaces/basic/2.0/keyword" in x for x in lines) == 1
    store = OxigraphStore()
    s = ingest([str(p)], store, nlp=False)
    assert s.triples == len(store)


def test_two_write_threads_store_what_one_does(tmp_path):
    recs = [article(str(i), title=f"Article {i}.") for i in range(1, 40)]
    recs += [article("5", version=2, title="Five, revised."), article("6", version=1, title="Six, older copy.")]
    p = tmp_path / "many.xml"
    p.write_text(document(*recs))
    dumps = []
    for threads in (1, 2):
        store = OxigraphStore(str(tmp_path / f"store{threads}"))
        ingest([str(p)], store, batch_size=3, write_threads=threads, nlp=False)
        dumps.append(sorted(str(q) for q in store.quads() if "generatedAtTime" not in str(q.predicate)))
    assert dumps[0] == dumps[1] and len(dumps[0]) > 500


_KILL_SCRIPT = r"""
import os, signal, sys
import pyoxigraph as ox
from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore

store_path, xml, flush_seconds, kill_at = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
OxigraphStore.FLUSH_SECONDS = flush_seconds
store = OxigraphStore(store_path)
real_load, calls = store._load, [0]

def load(data, *, bulk):
    calls[0] += 1
    if calls[0] == kill_at:  # half of this batch lands, then the process dies without any clean-up
        lines = data.splitlines(keepends=True)
        real_load(b"".join(lines[: len(lines) // 2]), bulk=bulk)
        os.kill(os.getpid(), signal.SIGKILL)
    real_load(data, bulk=bulk)

store._load = load
ingest([xml], store, batch_size=10, nlp=False)
"""


@pytest.mark.parametrize("flush_seconds,kill_at", [(1e9, 4), (0.0, 4)], ids=["no-flush-yet", "flushed-before"])
def test_sigkill_mid_ingest_leaves_whole_articles_and_a_rerun_restores_all(tmp_path, flush_seconds, kill_at):
    """Ingest defers RocksDB flushes: a batch's intent log stays until a flush covers it. Killed with
    SIGKILL in the middle of a batch, the store on reopening holds only whole articles (every graph it
    keeps has exactly its clean triple count), drops the unflushed batches whole and names them, and
    a re-run gives the same store as a clean ingest."""
    import subprocess
    import sys

    xml = tmp_path / "many.xml"
    xml.write_text(document(*(article(str(1000 + i)) for i in range(60))))
    clean = OxigraphStore(str(tmp_path / "clean"))
    ingest([str(xml)], clean, batch_size=10, nlp=False)

    def counts(st):
        q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return {r["g"].value: int(r["n"].value) for r in st.query(q)}

    want = counts(clean)
    assert len(want) == 60
    path = str(tmp_path / "store")
    r = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, path, str(xml), str(flush_seconds), str(kill_at)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == -9, r.stderr
    assert [n for n in os.listdir(path) if n.startswith("kg-intent")], "the kill left no intent log"
    reopened = OxigraphStore(path)
    got = counts(reopened)
    assert all(got[g] == want[g] for g in got), "a half-written article survived the crash"
    dropped = set(reopened.recovered)
    assert set(got) <= set(want) and not set(got) & dropped
    if flush_seconds == 0.0:  # every earlier batch was flushed: only the batch being written is dropped
        assert len(got) == 30 and len(dropped) == 10
    else:  # nothing flushed yet: the four batches written so far are dropped whole
        assert got == {} and len(dropped) == 40
    ingest([str(xml)], reopened, batch_size=10, nlp=False)
    assert counts(reopened) == want
    assert not [n for n in os.listdir(path) if n.startswith("kg-intent")]


def test_sentence_summaries_name_exactly_what_their_mentions_name(tmp_path):
    """Each kg:Sentence (issue 15) is the summary of the mentions of one sentence of one passage: it names
    exactly the entities they are grounded to, carries their sentence literal, sits in their passage, and
    every mention with a sentence has one. Checked on real abstracts through the tagger, so the summary
    cannot drift from the mentions the queries used to join."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parent / "data" / "crc-metastasis-pathways.xml"
    store = OxigraphStore(str(tmp_path / "s"))
    ingest([str(fixture)], store)
    prefix = "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX kg: <https://w3id.org/oncokg/vocab/> "
    from_mentions = {(str(r["g"]), str(r["p"]), str(r["t"]), str(r["e"])) for r in store.query(
        prefix + "SELECT ?g ?p ?t ?e WHERE { GRAPH ?g { ?m a kg:Mention ; oa:hasBody ?e ; kg:inSection ?p ; "
                 "kg:sentence ?t } }", {})}
    summaries = list(store.query(
        prefix + "SELECT ?g ?s ?p ?t ?e WHERE { GRAPH ?g { ?s a kg:Sentence ; kg:inSection ?p ; kg:sentence ?t ; "
                 "kg:names ?e } }", {}))
    from_summaries = {(str(r["g"]), str(r["p"]), str(r["t"]), str(r["e"])) for r in summaries}
    assert len(from_mentions) > 50
    assert from_summaries == from_mentions
    # one node per sentence of a passage, its IRI from the passage and the sentence's offset in its text
    nodes = {(str(r["g"]), str(r["p"]), str(r["t"])): str(r["s"]) for r in summaries}
    assert len(set(nodes.values())) == len(nodes)
    assert all("/sentence/" in s and s.rsplit("/", 1)[1].rstrip(">").isdigit() for s in nodes.values())
