"""The one IRI policy (kg.prefixes): every accepted form of an identifier gives one IRI."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

from kg import prefixes
from kg.errors import IdentifierError

MESH = "http://id.nlm.nih.gov/mesh/D015179"
CASES = [
    ("MESH:D015179", MESH), ("mesh:D015179", MESH), ("MeSH:D015179", MESH), ("D015179", MESH),
    ("identifiers.org/mesh/D015179", MESH), ("http://identifiers.org/mesh/D015179", MESH),
    ("https://identifiers.org/mesh/D015179", MESH), ("http://id.nlm.nih.gov/mesh/2024/D015179", MESH),
    ("https://id.nlm.nih.gov/mesh/D015179", MESH), (f"<{MESH}>", MESH),
    ("mesh:D008113Q000556", "http://id.nlm.nih.gov/mesh/D008113Q000556"),
    ("NCBIGene:7157", "http://identifiers.org/ncbigene/7157"),
    ("EntrezGene:7157", "http://identifiers.org/ncbigene/7157"),
    ("https://www.ncbi.nlm.nih.gov/gene/7157", "http://identifiers.org/ncbigene/7157"),
    ("HGNC:11998", "http://identifiers.org/hgnc/11998"), ("hgnc:HGNC:11998", "http://identifiers.org/hgnc/11998"),
    ("GO:0005634", "http://purl.obolibrary.org/obo/GO_0005634"),
    ("http://identifiers.org/GO:0005634", "http://purl.obolibrary.org/obo/GO_0005634"),
    ("CL:0000235", "http://purl.obolibrary.org/obo/CL_0000235"),
    ("UBERON:0000955", "http://purl.obolibrary.org/obo/UBERON_0000955"),
    ("MONDO:0005335", "http://purl.obolibrary.org/obo/MONDO_0005335"),
    ("DOID:9256", "http://purl.obolibrary.org/obo/DOID_9256"),
    ("NCIT:C4978", "http://purl.obolibrary.org/obo/NCIT_C4978"), ("NCI:C4978", "http://purl.obolibrary.org/obo/NCIT_C4978"),
    ("CHEBI:15377", "http://purl.obolibrary.org/obo/CHEBI_15377"),
    ("R-HSA-2219528", "http://identifiers.org/reactome/R-HSA-2219528"),
    ("Reactome:R-HSA-2219528", "http://identifiers.org/reactome/R-HSA-2219528"),
    ("https://reactome.org/content/detail/R-HSA-2219528", "http://identifiers.org/reactome/R-HSA-2219528"),
    ("pubmed:35246503", "http://rdf.ncbi.nlm.nih.gov/pubmed/35246503"),
    ("http://rdf.ncbi.nlm.nih.gov/pubmed/35246503", "http://rdf.ncbi.nlm.nih.gov/pubmed/35246503"),
]


def test_case_count():
    assert len(CASES) == 30


@pytest.mark.parametrize("value,expected", CASES)
def test_normalisation(value, expected):
    assert prefixes.parse_identifier(value) == expected


@pytest.mark.parametrize("value", ["FOO:123", "UMLS_CUI:C0009404", "MESH:XYZ", "MONDO:12", "", "http://exa mple/x"])
def test_unknown_or_malformed_is_a_clear_error(value):
    with pytest.raises(IdentifierError) as err:
        prefixes.parse_identifier(value)
    assert str(err.value)


def test_unknown_prefix_message_names_prefix_and_known_ones():
    with pytest.raises(IdentifierError, match=r"unknown prefix 'FOO'.*MONDO"):
        prefixes.parse_identifier("FOO:1")


def test_curie_and_canonical_check():
    assert prefixes.curie("http://identifiers.org/mesh/D015179") == "mesh:D015179"
    assert prefixes.curie("http://purl.obolibrary.org/obo/MONDO_0005335") == "MONDO:0005335"
    assert prefixes.is_canonical_mesh(MESH)
    assert not prefixes.is_canonical_mesh("http://id.nlm.nih.gov/mesh/2024/D015179")
    assert not prefixes.is_canonical_mesh("http://identifiers.org/mesh/D015179")
    assert prefixes.mesh_ui("MESH:D015179") == "D015179"


def test_doctests():
    assert doctest.testmod(prefixes).failed == 0


def test_bioregistry_never_loaded_at_start_up():
    code = ("import sys, kg.cli, kg.prefixes as p; p.parse_identifier('MONDO:0005335'); "
            "assert p.bioregistry_converter.cache_info().currsize == 0; "
            "assert 'bioregistry' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
    out = subprocess.run([sys.executable, "-c", "import sys, kg.prefixes; print('curies' in sys.modules)"],
                         capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
