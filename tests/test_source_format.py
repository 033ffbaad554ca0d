"""Each graph's provenance names the ingestor that read its record (issue 14: a MEDLINE file used to say
"pubmed")."""

from __future__ import annotations

import pytest

from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore

CASES = [
    ("biopython/Entrez/pubmed2.xml", "pubmed"),
    ("biopython/Medline/pubmed_result1.txt", "medline"),
    ("seed/jats-35246503-excerpt.xml", "jats"),
    ("biored/Test.PubTator", "pubtator"),
    ("bc5cdr/CDR_sample.gold.BioC.xml", "bioc-xml"),
]
Q = """PREFIX kg: <https://w3id.org/oncokg/vocab/>
SELECT DISTINCT ?f WHERE { GRAPH ?g { ?g kg:sourceFormat ?f } }"""


@pytest.mark.shared
@pytest.mark.parametrize("rel,want", CASES, ids=[c[1] for c in CASES])
def test_provenance_names_the_reader(shared_data, rel, want):
    store = OxigraphStore()
    ingest([str(shared_data / rel)], store, nlp=False)
    assert {row["f"].value for row in store.query(Q)} == {want}
