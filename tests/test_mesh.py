"""kg mesh load: NLM MeSH RDF, descriptor XML and tree-number tables into the MeSH graph, counted."""

from __future__ import annotations

import csv
import gzip
import re
import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import iris
from kg.vocabularies import mesh
from kg.errors import InputError
from kg.prefixes import is_canonical_mesh
from kg.stores.oxigraph import OxigraphStore

MESHV = "http://id.nlm.nih.gov/mesh/vocab#"


def count(store: OxigraphStore, where: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iris.MESH_GRAPH}> {{ {where} }} }}"
    return int(next(iter(store.query(q)))["n"].value)


def mesh_iris(store: OxigraphStore):
    for q in store.quads():
        for t in (q.subject, q.object):
            if isinstance(t, ox.NamedNode) and "mesh" in t.value.lower():
                yield t.value


def test_tree_number_table_counts(shared_data):
    path = shared_data / "dhimmel-mesh" / "tree-numbers.tsv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    store = OxigraphStore()
    load = mesh.load_mesh([str(path)], store)
    uis = {r["mesh_id"] for r in rows}
    assert len(rows) == 56341 and len(uis) == 27453
    assert len(load.descriptors) == len(uis)
    assert len(load.tree_numbers) == len(rows)
    assert count(store, f"?d a <{MESHV}Descriptor>") == len(uis)
    assert count(store, f"?d <{MESHV}treeNumber> ?t") == len(rows)
    # Every tree number not at the top of its tree has one parent.
    assert count(store, f"?t <{MESHV}parentTreeNumber> ?p") == sum(1 for r in rows if "." in r["mesh_tree_number"])
    ask = (f"ASK {{ GRAPH <{iris.MESH_GRAPH}> {{ <http://id.nlm.nih.gov/mesh/D008113> "
           f"<{MESHV}broaderDescriptor> <http://id.nlm.nih.gov/mesh/D008107> }} }}")  # Liver Neoplasms < Liver Diseases
    assert store.query(ask)


def test_descriptor_xml_counts(shared_data):
    path = shared_data / "hhs-meshrdf" / "desc-samples.xml"
    text = path.read_text(encoding="utf-8")
    store = OxigraphStore()
    load = mesh.load_mesh([str(path)], store)
    n_desc = len(re.findall(r"<DescriptorRecord[ >]", text))
    n_trees = len(re.findall(r"<TreeNumber>", text))
    n_quals = len(re.findall(r"<AllowableQualifier>", text))
    assert n_desc == 43
    assert len(load.descriptors) == n_desc and len(load.tree_numbers) == n_trees
    assert count(store, f"?d <{MESHV}identifier> ?i") == n_desc
    assert count(store, f"?d <{MESHV}treeNumber> ?t") == n_trees
    assert count(store, f"?d <{MESHV}allowableQualifier> ?q") == n_quals
    assert count(store, f"<http://id.nlm.nih.gov/mesh/D009369> a <{MESHV}TopicalDescriptor>") == 1
    assert count(store, '<http://id.nlm.nih.gov/mesh/D009369> <http://www.w3.org/2000/01/rdf-schema#label> "Neoplasms"@en') == 1


def test_qualifier_and_supplementary_xml_never_fetch_the_dtd(shared_data):
    store = OxigraphStore()
    load = mesh.load_mesh([str(shared_data / "tipplerow-pubmed" / "mesh_qual_sample.xml"),
                           str(shared_data / "hhs-meshrdf" / "supp-samples.xml")], store)
    assert len(load.qualifiers) == 2
    assert len(load.supplementary) == len(re.findall(
        r"<SupplementalRecord[ >]", (shared_data / "hhs-meshrdf" / "supp-samples.xml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("gz", [False, True])
def test_mesh_rdf_ntriples(shared_data, tmp_path, gz):
    src = shared_data / "hhs-meshrdf" / "samples.nt"
    path = src
    if gz:
        path = tmp_path / "mesh.nt.gz"
        with open(src, "rb") as f, gzip.open(path, "wb") as out:
            shutil.copyfileobj(f, out)
    lines = [ln for ln in src.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    store = OxigraphStore()
    load = mesh.load_mesh([str(path)], store)
    original = {t for t in ox.parse(path=str(src), format=ox.RdfFormat.N_TRIPLES)}
    assert len(original) == len(lines) == 7001
    g = ox.NamedNode(iris.MESH_GRAPH)
    for t in original:  # every NLM triple is kept (these samples already use canonical IRIs)
        assert ox.Quad(t.subject, t.predicate, t.object, g) in store
    typed = {ln.split()[0] for ln in lines if re.search(r"vocab#(TopicalDescriptor|PublicationType|CheckTag|GeographicalDescriptor)>", ln)}
    assert len(load.descriptors) == len(typed) == 43
    assert count(store, f"?d <{MESHV}treeNumber> ?t") >= sum(1 for ln in lines if "vocab#treeNumber>" in ln)
    assert all(is_canonical_mesh(i) for i in mesh_iris(store))


def test_year_versioned_iris_are_canonicalised(tmp_path):
    p = tmp_path / "m.nt"
    p.write_text('<http://id.nlm.nih.gov/mesh/2024/D015179> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
                 f'<{MESHV}TopicalDescriptor> .\n'
                 f'<http://id.nlm.nih.gov/mesh/2024/D015179> <{MESHV}treeNumber> <http://id.nlm.nih.gov/mesh/2024/C04.588> .\n')
    store = OxigraphStore()
    mesh.load_mesh([str(p)], store)
    assert all(is_canonical_mesh(i) for i in mesh_iris(store))
    assert count(store, f"<http://id.nlm.nih.gov/mesh/D015179> <{MESHV}treeNumber> <http://id.nlm.nih.gov/mesh/C04.588>") == 1


def test_a_new_load_replaces_the_old_and_a_bad_file_changes_nothing(shared_data, tmp_path):
    store = OxigraphStore()
    mesh.load_mesh([str(shared_data / "hhs-meshrdf" / "desc-samples.xml")], store)
    assert count(store, f"?d <{MESHV}allowableQualifier> ?q") > 0
    small = tmp_path / "t.tsv"
    small.write_text("mesh_id\tmesh_name\tmesh_tree_number\nD009369\tNeoplasms\tC04\n"
                     "D009371\tNeoplasms by Site\tC04.588\n")
    mesh.load_mesh([str(small)], store)
    assert count(store, f"?d <{MESHV}allowableQualifier> ?q") == 0
    assert count(store, f"?d <{MESHV}broaderDescriptor> ?b") == 1
    before = len(store)
    bad = tmp_path / "bad.tsv"
    bad.write_text("mesh_id\tmesh_name\tmesh_tree_number\nD009369\tNeoplasms\tC04\nnot a row\n")
    with pytest.raises(InputError) as err:
        mesh.load_mesh([str(bad)], store)
    assert err.value.line == 3 and err.value.path == str(bad)
    assert len(store) == before


def test_shipped_hierarchy_equals_the_builder_output(shared_data):
    built = mesh.build_shipped_bytes(str(shared_data / "dhimmel-mesh" / "tree-numbers.tsv"))
    assert mesh.SHIPPED.exists(), "run: kg mesh build ../shared/data/dhimmel-mesh/tree-numbers.tsv"
    assert gzip.decompress(mesh.SHIPPED.read_bytes()) == gzip.decompress(built)
    assert mesh.SHIPPED.stat().st_size < 5_000_000


def test_shipped_hierarchy_loads_without_the_shared_data():
    store = OxigraphStore()
    assert mesh.ensure_mesh(store)
    assert count(store, f"?d <{MESHV}treeNumber> ?t") == 56341
    assert not mesh.ensure_mesh(store)


def test_cli_mesh_load(shared_data, tmp_path):
    from kg.cli import main

    r = CliRunner().invoke(main, ["mesh", "load", "--store", str(tmp_path / "s"),
                                  str(shared_data / "hhs-meshrdf" / "desc-samples.xml")])
    assert r.exit_code == 0, r.output
    assert "43 descriptors" in r.output
    r = CliRunner().invoke(main, ["mesh", "load", "--store", str(tmp_path / "s"), str(tmp_path / "nope.tsv")])
    assert r.exit_code != 0


def test_loading_writes_the_tree_closure_between_descriptors(tmp_path):
    # D1 C04, D2 C04.588 (and F01.100, under a tree number nobody owns), D3 C04.588.274, D4
    # C04.588.274.900 and E05.100 under D5 E05: every descriptor above one of a descriptor's tree numbers
    path = tmp_path / "trees.tsv"
    path.write_text("mesh_id\tmesh_name\tmesh_tree_number\n"
                    "D000001\tOne\tC04\nD000002\tTwo\tC04.588\nD000002\tTwo\tF01.100\n"
                    "D000003\tThree\tC04.588.274\nD000004\tFour\tC04.588.274.900\nD000004\tFour\tE05.100\n"
                    "D000005\tFive\tE05\n", encoding="utf-8")
    store = OxigraphStore()
    mesh.load_mesh([str(path)], store)
    rows = store.query(f"SELECT ?d ?a WHERE {{ GRAPH <{iris.MESH_GRAPH}> {{ ?d <https://w3id.org/oncokg/vocab/"
                       "meshAncestor> ?a } }")
    pairs = {(r["d"].value[-1], r["a"].value[-1]) for r in rows}
    assert pairs == {("2", "1"), ("3", "2"), ("3", "1"), ("4", "3"), ("4", "2"), ("4", "1"), ("4", "5")}
    # the shipped file stays the hierarchy only: the closure is written at load time
    assert not any("meshAncestor" in line for line in mesh.mesh_ntriples([str(path)])[0])


def test_shipped_closure_puts_colorectal_neoplasms_under_neoplasms():
    store = OxigraphStore()
    mesh.load_shipped(store)
    assert store.query("ASK { GRAPH ?g { <http://id.nlm.nih.gov/mesh/D015179> "
                       "<https://w3id.org/oncokg/vocab/meshAncestor> <http://id.nlm.nih.gov/mesh/D009369> } }")
