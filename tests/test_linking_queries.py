"""Acceptance (issue 7): exploded MeSH queries, MONDO terms to MeSH-indexed articles, canonical IRIs.

The expected answers are computed independently of kg: PubMed XML read with lxml, descendants read from
the tree-number table by tree-number prefix.
"""

from __future__ import annotations

import csv
import gzip
import io

import pytest
from lxml import etree

from kg import binding, queries
from kg.vocabularies import mesh, ontologies, sssom
from kg.pipeline import ingest
from kg.prefixes import is_canonical_mesh
from kg.stores.oxigraph import OxigraphStore

FILES = ["fatcat/pubmedsample_2019.xml.gz", "tipplerow-pubmed/29355075.xml", "tipplerow-pubmed/31400583.xml",
         "tipplerow-pubmed/pubmed20n0001.xml.gz", "tipplerow-pubmed/pubmed20n0002.xml.gz",
         "biopython/Entrez/pubmed1.xml", "biopython/Entrez/pubmed2.xml", "biopython/Entrez/pubmed4.xml"]
ROOTS = ["D009369", "D015179", "D009371", "D002318", "D006801", "D005260", "D008297"]


def indexed_descriptors(paths) -> dict[str, set[str]]:
    """PMID -> descriptor UIs, in document order, DeleteCitation applied (as PubMed's files mean it)."""
    out: dict[str, set[str]] = {}
    for path in paths:
        data = gzip.open(path).read() if str(path).endswith(".gz") else open(path, "rb").read()
        for _, el in etree.iterparse(io.BytesIO(data), events=("end",), tag=("PubmedArticle", "DeleteCitation"),
                                     load_dtd=False, no_network=True, resolve_entities=False):
            if el.tag == "PubmedArticle":
                pmid = el.findtext("MedlineCitation/PMID").strip()
                out[pmid] = {d.get("UI") for d in el.findall(
                    "MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName") if d.get("UI")}
            else:
                for p in el.findall("PMID"):
                    out.pop(p.text.strip(), None)
    return out


def tree_table(path) -> dict[str, list[str]]:
    trees: dict[str, list[str]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            trees.setdefault(row["mesh_id"], []).append(row["mesh_tree_number"])
    return trees


def descendants_or_self(root: str, trees: dict[str, list[str]]) -> set[str]:
    tops = trees.get(root, [])
    return {root} | {d for d, ts in trees.items() if any(t == r or t.startswith(r + ".") for t in ts for r in tops)}


@pytest.fixture(scope="module")
def world(shared_data):
    store = OxigraphStore()
    paths = [shared_data / f for f in FILES]
    summary = ingest([str(p) for p in paths], store)
    rejected = {e.pmid for e in summary.errors if e.pmid}
    expected_index = {p: ds for p, ds in indexed_descriptors(paths).items() if p not in rejected}
    mesh.load_mesh([str(shared_data / "dhimmel-mesh" / "tree-numbers.tsv")], store)
    sssom.load_tables([str(shared_data / "mondo" / n) for n in
                       ("mondo_exactmatch_mesh.sssom.tsv", "mondo_exactmatch_doid.sssom.tsv",
                        "mondo_exactmatch_ncit.sssom.tsv")], store)
    ontologies.load_ontology(str(shared_data / "disease-ontology" / "DO_cancer_slim.obo"), store)
    return store, expected_index, tree_table(shared_data / "dhimmel-mesh" / "tree-numbers.tsv")


def pmids(rows) -> set[str]:
    return {r["pmid"].value for r in rows}


@pytest.mark.parametrize("root", ROOTS)
def test_exploded_query_returns_exactly_the_descendants_articles(world, root):
    store, index, trees = world
    wanted = descendants_or_self(root, trees)
    expected = {p for p, ds in index.items() if ds & wanted}
    got = pmids(queries.run(store, "articles-by-mesh", {"mesh": root}))
    assert got == expected
    self_only = {p for p, ds in index.items() if root in ds}
    assert pmids(queries.run(store, "articles-by-mesh", {"mesh": f"MESH:{root}", "explode": "false"})) == self_only


def test_neoplasms_explode_finds_articles_not_indexed_with_neoplasms_itself(world):
    store, index, trees = world
    exploded = pmids(queries.run(store, "articles-by-mesh", {"mesh": "D009369"}))
    plain = pmids(queries.run(store, "articles-by-mesh", {"mesh": "D009369", "explode": "false"}))
    assert plain < exploded
    assert {"29355075", "31400583", "27797938"} <= exploded - plain  # colorectal, pancreatic neoplasms


def test_mondo_term_finds_mesh_indexed_articles_and_says_how(world):
    store, index, trees = world
    wanted = descendants_or_self("D015179", trees)
    expected = {p for p, ds in index.items() if ds & wanted}
    assert expected >= {"29355075", "31400583"}
    rows = list(queries.run(store, "articles-by-term", {"term": "MONDO:0005335"}))
    assert pmids(rows) == expected
    assert {r["path"].value for r in rows} == {"mapping"}
    # MONDO:0005575 has no MeSH row; it maps to DOID:9256, whose DO entry cross-references MESH:D015179
    rows = list(queries.run(store, "articles-by-term", {"term": "http://purl.obolibrary.org/obo/MONDO_0005575"}))
    assert pmids(rows) == expected
    assert {(r["path"].value, r["via"].value) for r in rows} == {
        ("mapping+xref", "http://purl.obolibrary.org/obo/DOID_9256")}


def test_a_chain_of_mappings_and_xrefs_is_followed(world):
    store, index, trees = world
    wanted = descendants_or_self("D015179", trees)
    expected = {p for p, ds in index.items() if ds & wanted}
    # NCIT:C4978 (colorectal cancer) has no MeSH mapping: NCIT -> MONDO:0005575 -> DOID:9256 -> xref D015179
    rows = list(queries.run(store, "articles-by-term", {"term": "NCIT:C4978"}))
    assert pmids(rows) == expected
    assert ("mapping+mapping+xref", "http://purl.obolibrary.org/obo/DOID_9256") in {
        (r["path"].value, r["via"].value) for r in rows}


def test_no_exported_iri_uses_a_non_canonical_mesh_form(world):
    store = world[0]
    out = io.BytesIO()
    store.export(out, "nq")
    bad = set()
    import pyoxigraph as ox
    for q in ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS):
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode) and not is_canonical_mesh(t.value):
                bad.add(t.value)
            if isinstance(t, ox.NamedNode) and t.value.startswith(("https://www.ncbi.nlm.nih.gov/gene/",
                                                                   "https://identifiers.org/ncbigene/")):
                bad.add(t.value)
    assert not bad, sorted(bad)[:10]


def test_unknown_prefix_in_a_query_parameter_is_a_clear_error(world):
    from kg.errors import QueryError
    with pytest.raises(QueryError, match="unknown prefix 'FOO'"):
        list(queries.run(world[0], "articles-by-term", {"term": "FOO:1"}))


FEDERATED = ["federated-mesh-labels", "federated-uniprot-gene", "federated-wikidata-disease"]
SAMPLE = {"iri": "http://rdf.ncbi.nlm.nih.gov/pubmed/35246503", "term": "NCBIGene:7157", "mesh": "D015179"}


@pytest.mark.parametrize("name", FEDERATED)
def test_federated_examples_parse_and_bind_their_parameters(name):
    """Syntax and bound parameters only: never run against the network."""
    from rdflib.plugins.sparql import prepareQuery

    q = queries.load(name)
    assert "SERVICE <https://" in q.text and q.params
    values = queries.bindings(q, {p.name: SAMPLE[p.type] for p in q.params if p.required})
    text = binding.with_values(q.text, values)
    prepareQuery(text)
    for p in q.params:
        assert f"?{p.name}" in q.text.split("WHERE", 1)[1]  # the parameter is used by the query body
        assert f"?{p.name}" in text.split("VALUES", 1)[1].split("}", 1)[0]


GO_HGF = "http://purl.obolibrary.org/obo/GO_0048012"
REACTOME_MET = "http://identifiers.org/reactome/R-HSA-6806834"
MINED = f"""
<urn:kg:test:a1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/biolink/vocab/Association> <https://w3id.org/oncokg/graph/pubmed/1> .
<urn:kg:test:a1> <https://w3id.org/biolink/vocab/subject> <http://identifiers.org/hgnc/7029> <https://w3id.org/oncokg/graph/pubmed/1> .
<urn:kg:test:a1> <https://w3id.org/biolink/vocab/object> <{GO_HGF}> <https://w3id.org/oncokg/graph/pubmed/1> .
<urn:kg:test:a1> <https://w3id.org/biolink/vocab/publications> <http://rdf.ncbi.nlm.nih.gov/pubmed/1> <https://w3id.org/oncokg/graph/pubmed/1> .
<urn:kg:test:a1> <https://w3id.org/oncokg/vocab/sentence> "MET drives HGF signalling." <https://w3id.org/oncokg/graph/pubmed/1> .
<http://identifiers.org/hgnc/7029> <https://w3id.org/oncokg/vocab/entityType> <https://w3id.org/biolink/vocab/Gene> <https://w3id.org/oncokg/graph/pubmed/1> .
<urn:kg:test:a2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/biolink/vocab/Association> <https://w3id.org/oncokg/graph/pubmed/2> .
<urn:kg:test:a2> <https://w3id.org/biolink/vocab/subject> <http://purl.obolibrary.org/obo/CHEBI_72317> <https://w3id.org/oncokg/graph/pubmed/2> .
<urn:kg:test:a2> <https://w3id.org/biolink/vocab/object> <{GO_HGF}> <https://w3id.org/oncokg/graph/pubmed/2> .
<urn:kg:test:a2> <https://w3id.org/biolink/vocab/publications> <http://rdf.ncbi.nlm.nih.gov/pubmed/2> <https://w3id.org/oncokg/graph/pubmed/2> .
<urn:kg:test:a2> <https://w3id.org/oncokg/vocab/sentence> "Crizotinib inhibits HGF signalling." <https://w3id.org/oncokg/graph/pubmed/2> .
<http://purl.obolibrary.org/obo/CHEBI_72317> <https://w3id.org/oncokg/vocab/entityType> <https://w3id.org/biolink/vocab/ChemicalEntity> <https://w3id.org/oncokg/graph/pubmed/2> .
"""


def test_a_go_pathway_is_reachable_from_its_reactome_equivalent(tmp_path):
    store = OxigraphStore()
    store.load_quads(MINED.encode())
    for name, col in (("genes-in-pathway-evidence", "gene"), ("drugs-for-pathway", "drug")):
        # without a mapping: found by its GO IRI only
        assert len(list(queries.run(store, name, {"pathway": "GO:0048012"}))) == 1
        assert list(queries.run(store, name, {"pathway": REACTOME_MET})) == []
    table = tmp_path / "go-reactome.sssom.tsv"
    table.write_text("# curie_map:\n#   GO: http://purl.obolibrary.org/obo/GO_\n"
                     "#   REACT: http://identifiers.org/reactome/\n#   skos: http://www.w3.org/2004/02/skos/core#\n"
                     "# mapping_set_id: https://example.org/test-go-reactome\n# license: https://creativecommons.org/publicdomain/zero/1.0/\n"
                     "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
                     "GO:0048012\tskos:exactMatch\tREACT:R-HSA-6806834\tsemapv:ManualMappingCuration\n")
    sssom.load_tables([str(table)], store)
    for name, col, want in (("genes-in-pathway-evidence", "gene", "http://identifiers.org/hgnc/7029"),
                            ("drugs-for-pathway", "drug", "http://purl.obolibrary.org/obo/CHEBI_72317")):
        rows = list(queries.run(store, name, {"pathway": REACTOME_MET}))
        assert [r[col].value for r in rows] == [want]
        rows = list(queries.run(store, name, {"pathway": "GO:0048012"}))
        assert [r[col].value for r in rows] == [want]  # the direct route is not doubled
