"""kg/vocab.py's own promises: `KG` lists exactly the terms ontology/kg.ttl declares, and closed namespaces
refuse a term they do not list."""

from __future__ import annotations

import pytest
import rdflib

from kg.resources import data_dir
from kg.vocab import FOAF, KG, KG_TERMS


def test_kg_terms_are_exactly_the_ontology_terms():
    g = rdflib.Graph().parse(data_dir("ontology") / "kg.ttl", format="turtle")
    base = str(KG)
    declared = {str(s)[len(base):] for s in g.subjects() if str(s).startswith(base) and str(s) != base}
    assert len(declared) > 50
    assert set(KG_TERMS) == declared
    assert len(KG_TERMS) == len(set(KG_TERMS))


def test_closed_namespace_raises_on_an_undeclared_term():
    assert KG.descriptorMajorTopic == "https://w3id.org/oncokg/vocab/descriptorMajorTopic"
    with pytest.raises(AttributeError, match="descriptorMajr"):
        KG.descriptorMajr
    assert FOAF["name"] == "http://xmlns.com/foaf/0.1/name"
    with pytest.raises(AttributeError):
        FOAF.title
