"""Bad input: a clear error naming file, PMID and problem; the good records around it still load; the
exit code says something failed; no article is ever half-stored."""

from __future__ import annotations

import gzip

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore
from pubmed_fixtures import article, document


def _ingest(path):
    store = OxigraphStore()
    summary = ingest([str(path)], store)
    return store, summary


def _pmids(store) -> set[str]:
    q = "PREFIX fabio: <http://purl.org/spar/fabio/> SELECT ?p WHERE { GRAPH ?g { ?a fabio:hasPubMedId ?p } }"
    return {r["p"].value for r in store.query(q)}


def test_malformed_xml_in_the_middle_keeps_the_records_around_it(tmp_path):
    bad = article("222").replace("<ArticleTitle>", "<ArticleTitle><b>broken</ArticleTitle>")
    p = tmp_path / "mid.xml"
    p.write_text(document(article("111"), bad, article("333")))
    store, s = _ingest(p)
    assert _pmids(store) == {"111", "333"}
    assert s.rejected == 1
    err = s.errors[0]
    assert err.path == str(p) and err.pmid == "222" and "malformed XML" in err.problem


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    data = gzip.compress(document(*[article(str(i)) for i in range(100, 160)]).encode())
    p = tmp_path / "cut.xml.gz"
    p.write_bytes(data[: len(data) * 2 // 3])
    store, s = _ingest(p)
    got = _pmids(store)
    assert 0 < len(got) < 60
    assert s.rejected == 1
    assert "gzip stream is damaged" in s.errors[0].problem and f"{len(got)} records were read whole" in s.errors[0].problem
    # every stored article is whole: it has its title, its three authors and its MeSH headings
    q = """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX kg: <https://w3id.org/oncokg/vocab/>
    SELECT ?a (COUNT(DISTINCT ?au) AS ?n) (COUNT(DISTINCT ?h) AS ?m) WHERE { GRAPH ?g {
      ?a dcterms:title ?t ; dcterms:creator ?au ; kg:meshHeading ?h } } GROUP BY ?a"""
    rows = list(store.query(q))
    assert len(rows) == len(got)
    assert all(r["n"].value == "3" and r["m"].value == "3" for r in rows)


def test_unknown_root_is_named(tmp_path):
    p = tmp_path / "x.xml"
    p.write_text('<?xml version="1.0"?><records><record/></records>')
    _, s = _ingest(p)
    assert s.rejected == 1 and "unknown root element <records>" in s.errors[0].problem


def test_record_without_pmid(tmp_path):
    p = tmp_path / "nopmid.xml"
    p.write_text(document(article("111"), article("222").replace('<PMID Version="1">222</PMID>', "")))
    store, s = _ingest(p)
    assert _pmids(store) == {"111"}
    assert s.rejected == 1 and "no PMID" in s.errors[0].problem


@pytest.mark.parametrize("date,problem", [
    ("<Year>2021</Year><Month>Feb</Month><Day>30</Day>", "impossible date 2021-02-30"),
    ("<Year>2021</Year><Month>Foo</Month>", "impossible month"),
    ("<Year>20x1</Year>", "impossible year"),
])
def test_impossible_dates(tmp_path, date, problem):
    p = tmp_path / "date.xml"
    p.write_text(document(article("111"), article("222", date=date)))
    store, s = _ingest(p)
    assert _pmids(store) == {"111"}
    assert s.errors[0].pmid == "222" and problem in s.errors[0].problem


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xml"
    p.write_text("")
    _, s = _ingest(p)
    assert s.rejected == 1 and "empty" in s.errors[0].problem and s.errors[0].path == str(p)


def test_external_entity_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    doc = document(article("111"), article("222", title="Leak &xxe; here"))
    doc = doc.replace("<PubmedArticleSet>", f'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
                      "<PubmedArticleSet>", 1)
    p = tmp_path / "xxe.xml"
    p.write_text(doc)
    store, s = _ingest(p)
    assert _pmids(store) == {"111"}
    assert s.errors[0].pmid == "222" and "entity" in s.errors[0].problem
    dump = "".join(str(q) for q in store.quads())
    assert "TOP SECRET" not in dump


def test_entity_expansion_bomb_is_not_expanded(tmp_path):
    ents = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{"&a%d;" % (i - 1) * 10}">' for i in range(1, 10))
    doc = document(article("111"), article("222", title="&a9;"))
    doc = doc.replace("<PubmedArticleSet>", f"<!DOCTYPE PubmedArticleSet [{ents}]>\n<PubmedArticleSet>", 1)
    p = tmp_path / "bomb.xml"
    p.write_text(doc)
    store, s = _ingest(p)
    assert _pmids(store) == {"111"}
    assert s.rejected == 1 and s.errors[0].pmid == "222"


@pytest.mark.parametrize("nlp", [True, False], ids=["python-reader", "compiled-reader"])
def test_entity_in_an_attribute_is_not_expanded(tmp_path, nlp):
    """libxml2 keeps an entity reference in an attribute value, but lxml's get() would expand it: the record
    is rejected on both reading paths (`--no-nlp` takes the compiled one), its neighbours still load."""
    doc = document(article("111"), article("222"))
    head, sep, tail = doc.rpartition('<MedlineCitation Status="MEDLINE"')  # the second article's
    doc = head + '<MedlineCitation Status="&st;"' + tail
    assert sep and doc.index("&st;") > doc.index("<PMID")
    doc = doc.replace("<PubmedArticleSet>", '<!DOCTYPE PubmedArticleSet [<!ENTITY st "MEDLINE">]>\n'
                      "<PubmedArticleSet>", 1)
    p = tmp_path / "attr-entity.xml"
    p.write_text(doc)
    store = OxigraphStore()
    s = ingest([str(p)], store, nlp=nlp)
    assert _pmids(store) == {"111"}
    assert s.rejected == 1 and s.errors[0].pmid == "222" and "&st;" in s.errors[0].problem


def test_cli_exit_code_and_message(tmp_path):
    p = tmp_path / "date.xml"
    p.write_text(document(article("111"), article("222", date="<Year>2021</Year><Month>Feb</Month><Day>30</Day>")))
    rejects = tmp_path / "rejects.jsonl"
    r = CliRunner().invoke(main, ["ingest", "--store", str(tmp_path / "st"), "--no-validate",
                                  "--rejects", str(rejects), str(p)])
    assert r.exit_code == 1
    assert f"{p}" in r.output and "PMID 222" in r.output and "impossible date" in r.output
    assert '"pmid": "222"' in rejects.read_text()
    ok = CliRunner().invoke(main, ["ingest", "--store", str(tmp_path / "st2"), "--no-validate", str(tmp_path / "none.xml")])
    assert ok.exit_code == 2 and "no such file" in ok.output  # a usage error, before any store is made (issue 16)
    assert not (tmp_path / "st2").exists()


def test_folder_walk_skips_unrecognised_files_but_a_named_one_is_an_error(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "a.xml").write_text(document(article("111")))
    (d / "README.md").write_text("# notes about this corpus\n")
    store, s = _ingest(d)
    assert _pmids(store) == {"111"} and s.rejected == 0 and s.files == 1  # the README is not read
    _, s = _ingest(d / "README.md")
    assert s.rejected == 1 and "cannot tell the format" in s.errors[0].problem
