"""kg ontology load: OBO, OWL/Turtle and Reactome lists, counted against the files."""

from __future__ import annotations

import re

from click.testing import CliRunner

from kg import iris
from kg.vocabularies import ontologies
from kg.stores.oxigraph import OxigraphStore


def count(store, graph: str, where: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ {where} }} }}"
    return int(next(iter(store.query(q)))["n"].value)


def obo_counts(text: str) -> dict[str, int]:
    terms = [s for s in re.split(r"\n(?=\[)", text) if s.startswith("[Term]")]
    return {"classes": len(terms),
            "names": sum(len(re.findall(r"(?m)^name: ", t)) for t in terms),
            "synonyms": sum(len(re.findall(r"(?m)^synonym: ", t)) for t in terms),
            "is_a": sum(len(re.findall(r"(?m)^is_a: ", t)) for t in terms),
            "xrefs": sum(len(re.findall(r"(?m)^xref: ", t)) for t in terms),
            "mesh_xrefs": sum(len(re.findall(r"(?m)^xref: MESH:", t)) for t in terms)}


def test_disease_ontology_counts_and_mesh_xrefs(shared_data):
    path = shared_data / "disease-ontology" / "DO_cancer_slim.obo"
    expected = obo_counts(path.read_text(encoding="utf-8"))
    assert expected["classes"] == 730 and expected["mesh_xrefs"] == 305  # 331 "MESH:" strings, 305 of them xref lines
    store = OxigraphStore()
    load = ontologies.load_ontology(str(path), store)
    g = iris.ontology_graph("DO_cancer_slim")
    assert load.graph == g
    assert (load.classes, load.labels, load.synonyms, load.parents, load.xrefs) == (
        expected["classes"], expected["names"], expected["synonyms"], expected["is_a"], expected["xrefs"])
    assert count(store, g, "?c a <http://www.w3.org/2002/07/owl#Class>") == expected["classes"]
    assert count(store, g, "?c <https://w3id.org/oncokg/vocab/xref> ?m "
                           "FILTER STRSTARTS(STR(?m), 'http://id.nlm.nih.gov/mesh/')") == expected["mesh_xrefs"]
    assert count(store, g, "<http://purl.obolibrary.org/obo/DOID_9256> <https://w3id.org/oncokg/vocab/xref> "
                           "<http://id.nlm.nih.gov/mesh/D015179>") == 1
    assert count(store, g, "<http://purl.obolibrary.org/obo/DOID_9256> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                           "<http://purl.obolibrary.org/obo/DOID_3119>") == 1


def test_cell_ontology_and_go_counts(shared_data):
    store = OxigraphStore()
    for rel in ("cell-ontology/cl-basic.obo", "oak-go-nucleus/go-nucleus.obo"):
        path = shared_data / rel
        expected = obo_counts(path.read_text(encoding="utf-8"))
        load = ontologies.load_ontology(str(path), store)
        assert (load.classes, load.labels, load.synonyms, load.parents) == (
            expected["classes"], expected["names"], expected["synonyms"], expected["is_a"]), rel
    assert count(store, iris.ontology_graph("cl-basic"),
                 '<http://purl.obolibrary.org/obo/CL_0000235> <http://www.w3.org/2000/01/rdf-schema#label> "macrophage"') == 1


def pairs(store, graph: str, path: str) -> set[tuple[str, str]]:
    q = f"SELECT ?c ?a WHERE {{ GRAPH <{graph}> {{ ?c {path} ?a }} }}"
    return {(r["c"].value, r["a"].value) for r in store.query(q)}


def test_subclass_closure_equals_the_transitive_path(shared_data):
    """kg:ancestorClass, written at load, holds exactly the pairs SPARQL's rdfs:subClassOf+ finds in the
    loaded graph (Oxigraph's own evaluation of the path), for OBO and OWL inputs; never a class above itself."""
    store = OxigraphStore()
    for rel, name in (("cell-ontology/cl-basic.obo", "cl"), ("oak-go-nucleus/go-nucleus.owl.ttl", "go-owl"),
                      ("disease-ontology/DO_cancer_slim.obo", "do")):
        load = ontologies.load_ontology(str(shared_data / rel), store, name=name)
        g = iris.ontology_graph(name)
        closure = pairs(store, g, "<https://w3id.org/oncokg/vocab/ancestorClass>")
        assert closure == pairs(store, g, "<http://www.w3.org/2000/01/rdf-schema#subClassOf>+"), rel
        assert load.ancestors == len(closure) > load.parents, rel
        assert not any(c == a for c, a in closure)


def test_subclass_closure_of_a_cycle_and_shared_parents():
    """A faulty file's cycle ends (each class gets the others, not itself); a diamond is counted once."""
    closure = ontologies.ancestor_map({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": {"e"}, "e": {"d"},
                                       "x": {"a"}})
    assert closure == {"a": {"b", "c", "d", "e"}, "b": {"d", "e"}, "c": {"d", "e"}, "d": {"e"}, "e": {"d"},
                       "x": {"a", "b", "c", "d", "e"}}


def test_owl_turtle(shared_data):
    path = shared_data / "oak-go-nucleus" / "go-nucleus.owl.ttl"
    store = OxigraphStore()
    load = ontologies.load_ontology(str(path), store, name="go-nucleus-owl")
    g = iris.ontology_graph("go-nucleus-owl")
    assert load.classes > 170
    assert count(store, g, '<http://purl.obolibrary.org/obo/GO_0005634> <http://www.w3.org/2000/01/rdf-schema#label> "nucleus"') == 1
    assert count(store, g, "<http://purl.obolibrary.org/obo/GO_0005634> <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?p") >= 1


def test_reactome_pathway_list(shared_data):
    path = shared_data / "reactome" / "ReactomePathways.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [ln for ln in lines if ln.startswith("R-")]
    store = OxigraphStore()
    load = ontologies.load_ontology(str(path), store)
    assert load.classes == len(rows)
    assert count(store, iris.ontology_graph("ReactomePathways"),
                 '<http://identifiers.org/reactome/R-HSA-2219528> <http://www.w3.org/2000/01/rdf-schema#label> ?l') == 1


def test_reload_replaces_and_cli(shared_data, tmp_path):
    from kg.cli import main

    store_dir = str(tmp_path / "s")
    path = str(shared_data / "disease-ontology" / "DO_cancer_slim.obo")
    for _ in range(2):
        r = CliRunner().invoke(main, ["ontology", "load", "--store", store_dir, path])
        assert r.exit_code == 0 and "730 classes" in r.output
    store = OxigraphStore(store_dir)
    assert count(store, iris.ontology_graph("DO_cancer_slim"), "?c a <http://www.w3.org/2002/07/owl#Class>") == 730
