"""`kg load` reads the embedded store graph by graph: Oxigraph's own serialisation must give exactly the
lines (and so the digests the checkpoint compares) that formatting each quad gives."""

from __future__ import annotations

from kg.load import make_graph, store_graphs
from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore
from pubmed_fixtures import article, document

TRICKY = 'Quotes "q", a back\\\\slash, tab\there, \u00e9t\u00e9 \u03b2-catenin \U0001F9EC and a line\nbreak'


def test_store_graphs_equal_formatting_each_quad(tmp_path):
    p = tmp_path / "a.xml"
    p.write_text(document(article("1", title=TRICKY), article("2")), encoding="utf-8")
    store = OxigraphStore(str(tmp_path / "store"))
    ingest([str(p), "examples/"], store)
    got = list(store_graphs(store))
    assert len(got) >= 3
    for g in got:
        want = make_graph(g.iri, store.quads(graph=g.iri))
        assert (g.lines, g.digest) == (want.lines, want.digest), g.iri
    title = [line for g in got for line in g.lines if "Quotes" in line]
    assert title and '\\"q\\"' in title[0] and "\\\\" in title[0] and "\U0001F9EC" in title[0], title
