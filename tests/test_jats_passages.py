"""JATS passage keys come from each section's position (issue 12, part 5), and every real JATS file in
../shared/data loads with text mining on and validates, as `kg ingest` runs it.

Before the fix, sibling `<sec>` elements without an id shared one key, so their passages shared one IRI
and the shapes rejected the whole article ("offsets do not match"): the mentions' offsets pointed into
several texts under one passage node.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from kg.ingest import jats
from kg.pipeline import ingest
from kg.rdf.mentions import passage_iri
from kg.records import FullText
from kg.validation import ingest_validator
from kg.stores.oxigraph import OxigraphStore

# A constructed article (our own words): sections without ids, siblings and nested; a figure without an
# id in the body and one in the floats-group; two tables that repeat one id; a caption id that looks
# like a positional key.
SIBLINGS = b"""<?xml version="1.0"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
<front><article-meta><article-id pub-id-type="pmid">424242</article-id>
<title-group><article-title>STAT3 signalling in colorectal liver metastasis</article-title></title-group>
<abstract><p>Colorectal cancer spreads to the liver.</p></abstract></article-meta></front>
<body>
<p>A paragraph before any section names colorectal cancer.</p>
<sec><title>Introduction</title><p>Colorectal cancer often spreads to the liver.</p><p>STAT3 is a transcription factor.</p></sec>
<sec><title>Methods</title><p>We stained STAT3 in liver metastasis samples.</p>
  <sec><title>Mice</title><p>Mice received colorectal cancer cells.</p></sec>
  <sec><title>Staining</title><p>Sections were stained for STAT3 in the liver.</p>
    <fig><caption><p>STAT3 in liver metastasis.</p></caption></fig></sec></sec>
<sec><title>Results</title><p>STAT3 signalling was active in liver metastasis of colorectal cancer.</p>
  <table-wrap id="T1"><caption><p>STAT3 staining in colorectal cancer.</p></caption></table-wrap>
  <table-wrap id="T1"><caption><p>Liver metastasis by site.</p></caption></table-wrap>
  <fig id="sec1-p1"><caption><p>Colorectal cancer cells in the liver.</p></caption></fig></sec>
</body>
<floats-group><fig><caption><p>EMT in liver metastasis of colorectal cancer.</p></caption></fig></floats-group>
</article>
"""


def test_passage_keys_follow_section_positions_and_are_unique():
    (ft,) = list(jats.read(io.BytesIO(SIBLINGS), "siblings.nxml"))
    assert isinstance(ft, FullText)
    assert [(p.key, p.kind) for p in ft.passages] == [
        ("body-p1", "body"), ("sec1-p1", "intro"), ("sec1-p2", "intro"), ("sec2-p1", "methods"),
        ("sec2.1-p1", "methods"), ("sec2.2-p1", "methods"), ("fig1", "fig"), ("sec3-p1", "results"),
        ("T1", "table"), ("T1-2", "table"), ("sec1-p1-2", "fig"), ("fig3", "fig")]


def test_stable_across_reads():
    keys = [[p.key for p in next(iter(jats.read(io.BytesIO(SIBLINGS), "x"))).passages] for _ in range(2)]
    assert keys[0] == keys[1]


def ingest_validated(paths: list[str]) -> tuple[OxigraphStore, object]:
    """As `kg ingest` does it: text mining on, the ingest validator rejecting non-conforming records."""
    store = OxigraphStore()
    validator = ingest_validator(store)
    try:
        summary = ingest(paths, store, validator=validator, nlp=True)
    finally:
        validator.close()
    return store, summary


def passage_count(store, pmid: str) -> int:
    q = f"""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ GRAPH <https://w3id.org/oncokg/graph/pmc/{pmid}> {{
              ?p a <https://w3id.org/oncokg/vocab/Passage> }} }}"""
    return int(next(iter(store.query(q)))["n"].value)


def test_sibling_sections_load_and_validate_with_text_mining(tmp_path):
    path = tmp_path / "siblings.nxml"
    path.write_bytes(SIBLINGS)
    store, summary = ingest_validated([str(path)])
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    assert summary.documents == 1
    # title + abstract + the twelve body and caption passages, each its own node
    assert passage_count(store, "424242") == 14
    # each passage node holds exactly its own text, so every mention's offsets point into the right one
    (ft,) = list(jats.read(io.BytesIO(SIBLINGS), "siblings.nxml"))
    for p in ft.passages:
        texts = [r["t"].value for r in store.query(
            "SELECT ?p ?t WHERE { GRAPH ?g { ?p <https://w3id.org/oncokg/vocab/text> ?t } }",
            {"p": NamedNode(passage_iri("424242", "pmc", p.key))})]
        assert texts == [p.text], p.key
    # and text mining ran in the sibling sections: every passage names STAT3, the liver or colorectal cancer
    with_mentions = store.query("""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g {
        ?m <https://w3id.org/oncokg/vocab/inSection> ?p } }""")
    assert int(next(iter(with_mentions))["n"].value) == 14


def real_jats_files(root: Path) -> list[Path]:
    """Every file under ../shared/data that the JATS reader recognises."""
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix.lower() in (".xml", ".nxml") and jats.sniff(p.read_bytes()[:4096]):
            out.append(p)
    return out


@pytest.mark.shared
def test_every_real_jats_file_loads_with_text_mining_and_validates(shared_data):
    files = real_jats_files(shared_data)
    assert files, "no JATS file found under ../shared/data"
    store, summary = ingest_validated([str(p) for p in files])
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    assert summary.documents == len(files)
    for p in files:
        (ft,) = list(jats.read(io.BytesIO(p.read_bytes()), str(p)))
        extra = 1 + len(ft.abstract) if ft.title else len(ft.abstract)
        assert passage_count(store, ft.pmid) == len(ft.passages) + extra, p.name
    # text mining ran: the seed's figure captions name pathways
    n = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?m <http://www.w3.org/ns/oa#hasBody> ?e } }")
    assert int(next(iter(n))["n"].value) > 0
