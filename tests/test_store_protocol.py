"""One Store interface: the vocabulary loaders write through `kg.stores.base.Store` only, so a real SPARQL
server (Oxigraph server on 127.0.0.1) ends up with the same graphs as the embedded store.

The server test is marked `server` and skips when the oxigraph binary is absent (scripts/install-servers.sh).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import iris
from kg.errors import StoreError
from kg.stores import STORES, open_store
from kg.stores.base import Store
from kg.stores.oxigraph import OxigraphStore
from kg.vocabularies import mesh, ontologies, sssom
from servers import oxigraph_server  # noqa: F401 - fixture

ONCOTREE = "mondo/mondo_hasdbxref_oncotree.sssom.tsv"


def _table_head(src, out, rows: int) -> None:
    """The SSSOM table's metadata and column header with only its first `rows` mapping rows."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    meta = [ln for ln in lines if ln.startswith("#")]
    table = [ln for ln in lines if not ln.startswith("#")]
    out.write_text("".join(meta + table[:1 + rows]), encoding="utf-8")


def _load_vocabularies(store: Store, shared_data, tables) -> None:
    mesh.load_mesh([str(shared_data / "hhs-meshrdf" / "samples.nt")], store)
    ontologies.load_ontology(str(shared_data / "disease-ontology" / "DO_cancer_slim.obo"), store)
    for table in tables:
        sssom.load_tables([str(table)], store)


def _graph(store: Store, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads(graph=graph)}


def test_both_stores_are_opened_through_the_registry_and_satisfy_the_protocol():
    embedded = STORES["oxigraph"](None)
    remote = open_store("sparql", "http://127.0.0.1:9/sparql")
    assert isinstance(embedded, Store) and isinstance(remote, Store)
    assert type(embedded).__name__ == "OxigraphStore" and type(remote).__name__ == "SparqlStore"
    with pytest.raises(StoreError, match="no store kind 'fuseki'; known: oxigraph, sparql"):
        open_store("fuseki", "http://127.0.0.1:9/sparql")


def test_replace_graph_checks_every_line_before_touching_the_graph():
    store = OxigraphStore()
    g = "https://w3id.org/oncokg/graph/test"
    store.replace_graph(g, ["<http://a/1> <http://p/1> \"one\" .\n"])
    with pytest.raises(StoreError, match="internal error: generated N-Triples for <https://w3id.org/oncokg/graph/test"):
        store.replace_graph(g, ["<http://a/2> <http://p/1> \"two\" .\n", "<http://a/3> not a triple .\n"])
    assert _graph(store, g) == {("<http://a/1>", "<http://p/1>", '"one"')}
    store.add_triples(g, ["<http://a/2> <http://p/1> \"two\" .\n"])
    assert len(_graph(store, g)) == 2
    store.remove_quads(store.quads(ox.NamedNode("http://a/1"), None, None, g))
    assert _graph(store, g) == {("<http://a/2>", "<http://p/1>", '"two"')}
    assert store.has_graph(g) and g in set(store.named_graphs())


@pytest.mark.server
def test_vocabularies_on_a_sparql_server_equal_the_embedded_store(oxigraph_server, shared_data, tmp_path):  # noqa: F811
    full = shared_data / ONCOTREE
    small = tmp_path / "oncotree-head.sssom.tsv"
    _table_head(full, small, 100)
    embedded = OxigraphStore()
    remote = STORES["sparql"](oxigraph_server.query_url, update_endpoint=oxigraph_server.update_url)
    # The full table, then a cut version of the same mapping set: the second load must remove the
    # mappings the first one wrote and the cut table no longer has (kg.vocabularies.sssom.remove_set).
    _load_vocabularies(embedded, shared_data, [full])
    _load_vocabularies(remote, shared_data, [full])
    full_mappings = _graph(embedded, iris.MAPPINGS_GRAPH)
    assert _graph(remote, iris.MAPPINGS_GRAPH) == full_mappings
    for store in (embedded, remote):
        sssom.load_tables([str(small)], store)
    cut = _graph(embedded, iris.MAPPINGS_GRAPH)
    assert len(cut) < len(full_mappings)
    assert _graph(remote, iris.MAPPINGS_GRAPH) == cut
    graphs = sorted(embedded.named_graphs())
    assert sorted(remote.named_graphs()) == graphs
    assert iris.MESH_GRAPH in graphs and len(graphs) == 3
    for g in graphs:
        assert _graph(remote, g) == _graph(embedded, g), g
    assert len(_graph(embedded, iris.MESH_GRAPH)) >= 7001  # every triple of NLM's sample, plus derived ones
    assert mesh.ensure_mesh(remote) is False  # the server has a MeSH graph: nothing is loaded again
