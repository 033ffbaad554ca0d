"""kg link: SSSOM tables into the mappings graph, as SSSOM/RDF says; malformed tables load nothing."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from kg import iris
from kg.vocabularies import sssom
from kg.errors import InputError
from kg.stores.oxigraph import OxigraphStore

SKOS = "http://www.w3.org/2004/02/skos/core#"
TABLES = ["mondo_exactmatch_mesh.sssom.tsv", "mondo_exactmatch_ncit.sssom.tsv", "mondo_exactmatch_doid.sssom.tsv",
          "mondo_hasdbxref_oncotree.sssom.tsv"]

SMALL = """# curie_map:
#   MONDO: http://purl.obolibrary.org/obo/MONDO_
#   mesh: http://identifiers.org/mesh/
#   orcid: https://orcid.org/
# license: https://creativecommons.org/publicdomain/zero/1.0/
# mapping_set_id: https://example.org/sets/small
# subject_source: infores:mondo
subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\tauthor_id
MONDO:0005335\tskos:exactMatch\tmesh:D015179\tsemapv:ManualMappingCuration\t0.95\torcid:0000-0002-1825-0097
MONDO:0002691\tskos:closeMatch\tmesh:D008113\tsemapv:LexicalMatching\t0.5\t
"""


def data_rows(path) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        body = [ln for ln in f if not ln.startswith("#")]
    return sum(1 for _ in csv.DictReader(body, delimiter="\t"))


def count(store, where: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iris.MAPPINGS_GRAPH}> {{ {where} }} }}"
    return int(next(iter(store.query(q)))["n"].value)


def test_mondo_tables_load_with_their_own_counts(shared_data):
    store = OxigraphStore()
    total = 0
    for name in TABLES:
        path = shared_data / "mondo" / name
        n = data_rows(path)
        (table,) = sssom.load_tables([str(path)], store)
        assert table.mappings == n, name
        total += n
    assert total == 8181 + 7304 + 11966 + 558
    assert count(store, "?m a <http://www.w3.org/2002/07/owl#Axiom>") == total
    assert count(store, "?set a <https://w3id.org/sssom/MappingSet>") == 4
    # the MeSH object lands on NLM's canonical IRI, though the table declares identifiers.org
    assert count(store, f"<http://purl.obolibrary.org/obo/MONDO_0005335> <{SKOS}exactMatch> "
                        "<http://id.nlm.nih.gov/mesh/D015179>") == 1
    assert count(store, "?s ?p <http://identifiers.org/mesh/D015179>") == 0
    # justification and propagated source on each mapping record
    assert count(store, "?m <https://w3id.org/sssom/mapping_justification> "
                        "<https://w3id.org/semapv/vocab/ManualMappingCuration>") == total
    assert count(store, "?m a <http://www.w3.org/2002/07/owl#Axiom> ; <https://w3id.org/sssom/subject_source> "
                        "<https://w3id.org/information-resource-registry/mondo>") == total
    # loading a table again replaces its set: same size
    before = len(store)
    sssom.load_tables([str(shared_data / "mondo" / TABLES[0])], store)
    assert len(store) == before


def test_confidence_author_and_replacement(tmp_path):
    p = tmp_path / "small.sssom.tsv"
    p.write_text(SMALL, encoding="utf-8")
    store = OxigraphStore()
    sssom.load_tables([str(p)], store)
    assert count(store, '?m <https://w3id.org/sssom/confidence> ?c FILTER (?c = 0.95)') == 1
    assert count(store, "?m <http://purl.org/pav/authoredBy> <https://orcid.org/0000-0002-1825-0097>") == 1
    assert count(store, f"?s <{SKOS}closeMatch> <http://id.nlm.nih.gov/mesh/D008113>") == 1
    # a newer version of the table without the second row removes that mapping
    p.write_text(SMALL.rsplit("MONDO:0002691", 1)[0], encoding="utf-8")
    sssom.load_tables([str(p)], store)
    assert count(store, f"?s <{SKOS}closeMatch> ?o") == 0
    assert count(store, "?m a <http://www.w3.org/2002/07/owl#Axiom>") == 1


@pytest.mark.parametrize("broken,line,message", [
    (SMALL.replace("\t0.5\t", "\t0.5\textra\t"), 10, "fields"),
    (SMALL.replace("0.95", "1.7"), 9, "confidence"),
    (SMALL.replace("mesh:D008113", "nope:D008113"), 10, "prefix"),
    (SMALL.replace("mapping_justification\t", "justification\t"), 8, "mapping_justification"),
    (SMALL.replace("# license:", "#   : : [bad"), None, "YAML"),
])
def test_malformed_table_names_file_and_line_and_loads_nothing(tmp_path, broken, line, message):
    p = tmp_path / "broken.sssom.tsv"
    p.write_text(broken, encoding="utf-8")
    store = OxigraphStore()
    with pytest.raises(InputError) as err:
        sssom.load_tables([str(p)], store)
    assert err.value.path == str(p)
    if line:
        assert err.value.line == line
    assert message in str(err.value)
    assert len(store) == 0


def test_cli_link(tmp_path, shared_data):
    from kg.cli import main

    p = tmp_path / "bad.sssom.tsv"
    p.write_text(SMALL.replace("\t0.5\t", "\t0.5\tx\t"), encoding="utf-8")
    r = CliRunner().invoke(main, ["link", "--store", str(tmp_path / "s"), str(p)])
    assert r.exit_code == 1 and f"{p}:10" in r.output
    r = CliRunner().invoke(main, ["link", "--store", str(tmp_path / "s"),
                                  str(shared_data / "mondo" / "mondo_exactmatch_mesh.sssom.tsv")])
    assert r.exit_code == 0 and "8181 mappings" in r.output
