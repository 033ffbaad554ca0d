"""Each canned query on a small graph with a known answer; headers parse; parameters are bound safely."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import binding, iris, queries
from kg.cli import main
from kg.errors import QueryError
from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore
from kg.vocab import KG
from pubmed_fixtures import article, document

NO_MESH = "<MeshHeadingList/>"
LIVER_ONLY = ('<MeshHeadingList><MeshHeading><DescriptorName UI="D008113" MajorTopicYN="N">Liver Neoplasms'
              '</DescriptorName><QualifierName UI="Q000473" MajorTopicYN="N">pathology</QualifierName></MeshHeading>'
              '<MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading></MeshHeadingList>')
RETRACTED = ('<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn"><RefSource>J Tests 2022</RefSource>'
             '<PMID Version="1">900</PMID></CommentsCorrections></CommentsCorrectionsList>')
SMITH = '<Author ValidYN="Y"><LastName>Smith</LastName><ForeName>Anna</ForeName><Initials>A</Initials></Author>'
SMITH_B = '<Author ValidYN="Y"><LastName>SMITH</LastName><ForeName>Bob</ForeName><Initials>B</Initials></Author>'


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("q")
    p = d / "small.xml"
    p.write_text(document(
        article("1"),                                   # CRC(pathology*, drug therapy), Liver Neoplasms*, Humans
        article("2", mesh=LIVER_ONLY, authors=SMITH),   # Liver Neoplasms/pathology, Humans
        article("3", mesh=NO_MESH, authors=SMITH_B, extra_medline=RETRACTED),
        article("4", mesh=NO_MESH, pubtypes='<PublicationType UI="D016441">Retracted Publication</PublicationType>'),
    ))
    store = OxigraphStore()
    ingest([str(p)], store)
    return store


def col(results, name="pmid") -> list[str]:
    return [r[name].value for r in results]


CASES = [
    ("articles-by-mesh", {"mesh": "D015179"}, "pmid", ["1"]),
    ("articles-by-mesh", {"mesh": "MESH:D008113"}, "pmid", ["1", "2"]),
    ("articles-by-mesh", {"mesh": "http://id.nlm.nih.gov/mesh/D008113", "major": "true"}, "pmid", ["1"]),
    ("articles-by-mesh", {"mesh": "D015179", "qualifier": "Q000473", "major": "true"}, "pmid", ["1"]),
    ("articles-by-mesh", {"mesh": "D015179", "qualifier": "Q000188", "major": "true"}, "pmid", []),
    ("articles-by-mesh", {"mesh": "D008113", "qualifier": "Q000473"}, "pmid", ["2"]),
    ("mesh-cooccurring", {"mesh": "D008113"}, "articles", ["2", "1"]),
    ("articles-by-author", {"family": "smith"}, "pmid", ["2", "3"]),
    ("articles-by-author", {"family": "Smith", "given": "b"}, "pmid", ["3"]),
    ("articles-by-author", {"family": "Doe", "given": "J"}, "pmid", ["1", "4"]),
    ("retracted-articles", {}, "pmid", ["3", "4"]),
]


@pytest.mark.parametrize("name,params,column,expected", CASES)
def test_canned_query_known_answer(small, name, params, column, expected):
    got = col(queries.run(small, name, params), column)
    assert sorted(got) == sorted(expected) if column == "pmid" else got == expected


def test_cooccurring_names_and_order(small):
    rows = list(queries.run(small, "mesh-cooccurring", {"mesh": "D008113"}))
    assert [(r["name"].value, r["articles"].value) for r in rows] == [("Humans", "2"), ("Colorectal Neoplasms", "1")]


def test_every_query_file_has_a_header_and_parses():
    qs = queries.list_queries()
    assert {"articles-by-mesh", "mesh-cooccurring", "articles-by-author", "retracted-articles"} <= {q.name for q in qs}
    store = OxigraphStore()
    for q in qs:
        assert q.summary
        for p in q.params:
            assert p.type in queries.PARAM_TYPES and p.description
        if "SERVICE" not in q.text:  # federated examples are tested for syntax elsewhere, never run
            store.query(q.text, {})  # parses and runs on an empty store


def test_values_are_bound_not_pasted(small):
    # an injection attempt is just a string that matches nothing
    evil = 'x")) } UNION { GRAPH ?g { ?s ?p ?o } } #'
    assert list(queries.run(small, "articles-by-author", {"family": evil})) == []
    text = binding.with_values(queries.load("articles-by-author").text,
                               queries.bindings(queries.load("articles-by-author"), {"family": evil}))
    # the value and its derived key (lower-cased) are escaped literals, each in its own VALUES block (the
    # query's mark asks for one block per variable)
    assert 'VALUES ?family { "x\\")) } UNION { GRAPH ?g { ?s ?p ?o } } #" } VALUES ?familyKey { "x\\")) } union { graph ?g { ?s ?p ?o } } #" }' in text


def test_parameter_errors_are_clear():
    with pytest.raises(QueryError, match="needs --param mesh"):
        queries.bindings(queries.load("articles-by-mesh"), {})
    with pytest.raises(QueryError, match="has no parameter 'foo'"):
        queries.bindings(queries.load("articles-by-mesh"), {"mesh": "D1", "foo": "1"})
    with pytest.raises(QueryError, match="no canned query named"):
        queries.load("nope")
    with pytest.raises(QueryError, match="major"):
        queries.bindings(queries.load("articles-by-mesh"), {"mesh": "D015179", "major": "maybe"})


def test_cli_query_formats(small, tmp_path):
    p = tmp_path / "a.xml"
    p.write_text(document(article("1")))
    st = str(tmp_path / "s")
    CliRunner().invoke(main, ["ingest", "--store", st, "--no-validate", str(p)])
    r = CliRunner().invoke(main, ["query", "articles-by-mesh", "--store", st, "-p", "mesh=D015179", "--format", "csv"])
    assert r.exit_code == 0 and r.stdout.splitlines()[0] == "article,pmid,title,date,descriptorName"
    assert r.stdout.splitlines()[1].startswith("http://rdf.ncbi.nlm.nih.gov/pubmed/1,1,")
    r = CliRunner().invoke(main, ["query", "articles-by-mesh", "--store", st, "-p", "mesh=D015179", "--format", "json"])
    assert json.loads(r.stdout)["results"]["bindings"][0]["article"] == {
        "type": "uri", "value": "http://rdf.ncbi.nlm.nih.gov/pubmed/1"}
    r = CliRunner().invoke(main, ["query", "articles-by-mesh", "--store", st, "-p", "mesh=FOO:1"])
    assert r.exit_code == 2 and "kg: error:" in r.output
    r = CliRunner().invoke(main, ["sparql", "--store", st, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                  "--format", "tsv"])
    assert r.exit_code == 0 and r.stdout.splitlines()[0] == "?n"  # SPARQL 1.1 TSV names its variables
    r = CliRunner().invoke(main, ["queries"])
    assert "articles-by-mesh" in r.output and "--param mesh=<mesh>" in r.output


def test_every_command_has_complete_help():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for name, cmd in main.commands.items():
        h = CliRunner().invoke(main, [name, "--help"])
        assert h.exit_code == 0 and (cmd.help or "").strip(), name


def test_console_script_resolves():
    import tomllib
    from importlib import import_module
    from pathlib import Path
    scripts = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]["scripts"]
    for target in scripts.values():
        mod, func = target.split(":")
        assert callable(getattr(import_module(mod), func))


def test_cli_explodes_with_the_shipped_mesh_hierarchy(tmp_path):
    """A query never writes the MeSH vocabulary into the store (issue 16): without it, the query says how to
    load it; after `kg mesh load` it climbs the tree."""
    p = tmp_path / "a.xml"
    p.write_text(document(article("1"), article("2", mesh=NO_MESH)))
    st = str(tmp_path / "s")
    CliRunner().invoke(main, ["ingest", "--store", st, "--no-validate", "--no-nlp", str(p)])
    # Neoplasms (D009369): article 1 is indexed only with its descendants Colorectal and Liver Neoplasms
    query = ["query", "articles-by-mesh", "--store", st, "-p", "mesh=D009369", "--format", "csv"]
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0, r.output
    assert "no MeSH hierarchy" in r.stderr and "kg mesh load" in r.stderr
    assert r.stdout.splitlines()[1:] == []  # nothing indexed with D009369 itself
    assert not OxigraphStore(st, read_only=True).has_graph(iris.MESH_GRAPH)  # the query wrote nothing
    r = CliRunner().invoke(main, ["mesh", "load", "--store", st])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0, r.output
    assert "no MeSH hierarchy" not in r.stderr
    rows = [line.split(",") for line in r.stdout.splitlines()[1:]]
    assert {row[1] for row in rows} == {"1"}  # one row per matching heading of the article
    assert sorted(row[-1] for row in rows) == ["Colorectal Neoplasms", "Liver Neoplasms"]
    r = CliRunner().invoke(main, ["query", "articles-by-mesh", "--store", st, "-p", "mesh=D009369",
                                  "-p", "explode=false", "--format", "csv"])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 1


def test_retracted_article_with_notice_and_type_is_listed_once(tmp_path):
    # PubMed gives a retracted article both the RetractionIn notice and the Retracted Publication type
    both = article("5", mesh=NO_MESH, extra_medline=RETRACTED,
                   pubtypes='<PublicationType UI="D016441">Retracted Publication</PublicationType>')
    p = tmp_path / "both.xml"
    p.write_text(document(both))
    store = OxigraphStore()
    ingest([str(p)], store)
    rows = list(queries.run(store, "retracted-articles"))
    assert [(r["pmid"].value, r["retractionNotice"].value) for r in rows] == [
        ("5", "http://rdf.ncbi.nlm.nih.gov/pubmed/900")]


@pytest.mark.parametrize("value", ["1 OR 1=1", "1 2", "01", "x1", "", "1234567890123", "1\"} UNION {?s ?p ?o"])
def test_a_pmid_parameter_that_is_not_a_pmid_is_a_usage_error(tmp_path, value):
    """`entities-of-article -p 'pmid=1 OR 1=1'` used to leave the article unbound and list every article's
    entities (issue 16): a value that is not a PMID is refused before any store is opened (exit 2)."""
    r = CliRunner().invoke(main, ["query", "entities-of-article", "--store", str(tmp_path / "none"),
                                  "-p", f"pmid={value}"])
    assert r.exit_code == 2, r.output
    assert "parameter pmid" in r.stderr and "is not a PMID" in r.stderr
    assert not (tmp_path / "none").exists()


def test_a_pmid_parameter_binds_only_its_article(tmp_path):
    store = OxigraphStore()
    p = tmp_path / "a.xml"
    p.write_text(document(article("1"), article("2")))
    ingest([str(p)], store)
    q = queries.load("entities-of-article")
    assert queries.bindings(q, {"pmid": " 2 "})["pmid"].value == "2"


def test_derived_variables_are_bound_from_their_parameter(tmp_path):
    # a key is the value lower-cased as the mapping writes kg:familyNameKey; the article IRI is the
    # PMID's, as kg.iris mints it
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: s\n#+ param: family string required  F\n#+ param: given string  G\n"
                    "#+ derive: familyKey lower family\n#+ derive: givenKey lower given\nSELECT * WHERE { }\n")
    author = queries.bindings(queries.parse_query_file(path), {"family": "ÖZTÜRK"})
    assert author == {"family": ox.Literal("ÖZTÜRK"), "familyKey": ox.Literal("öztürk")}
    article = queries.bindings(queries.load("entities-of-article"), {"pmid": " 35246503 "})
    assert article["article"] == ox.NamedNode("http://rdf.ncbi.nlm.nih.gov/pubmed/35246503")


def test_a_malformed_derive_line_is_an_error(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: s\n#+ param: x string required  X\n#+ derive: y upper x\nSELECT * WHERE { }\n")
    with pytest.raises(QueryError, match="malformed '#\\+ derive:' line"):
        queries.parse_query_file(path)
    path.write_text("#+ summary: s\n#+ derive: y lower x\n#+ param: x string required  X\nSELECT * WHERE { }\n")
    with pytest.raises(QueryError, match="declared above it"):
        queries.parse_query_file(path)


def _remove_every(store_path: str, predicate: str) -> int:
    """Take every quad with `predicate` out of the store, as a store written by an older kg lacks them."""
    store = OxigraphStore(store_path)
    quads = [ox.Quad(r["s"], ox.NamedNode(predicate), r["o"], r["g"])
             for r in store.query(f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }}", {})]
    store.remove_quads(quads)
    return len(quads)


def test_cli_warns_when_the_mesh_hierarchy_lacks_the_tree_closure(tmp_path):
    """articles-by-mesh explodes through kg:meshAncestor, which `kg mesh load` writes since issue 15: a
    store whose MeSH graph was loaded before holds the tree but not the closure, and explode would quietly
    find the descriptor itself only, so the query says to load it again; after that it climbs the tree."""
    p = tmp_path / "a.xml"
    p.write_text(document(article("1")))
    st = str(tmp_path / "s")
    CliRunner().invoke(main, ["ingest", "--store", st, "--no-validate", "--no-nlp", str(p)])
    assert CliRunner().invoke(main, ["mesh", "load", "--store", st]).exit_code == 0
    assert _remove_every(st, str(KG.meshAncestor))  # what an older load did not write: such a store
    query = ["query", "articles-by-mesh", "--store", st, "-p", "mesh=D009369", "--format", "csv"]
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0, r.output
    assert "without the tree closure" in r.stderr and "kg mesh load" in r.stderr
    assert r.stdout.splitlines()[1:] == []
    assert CliRunner().invoke(main, ["mesh", "load", "--store", st]).exit_code == 0
    r = CliRunner().invoke(main, query)
    assert "tree closure" not in r.stderr
    assert {line.split(",")[1] for line in r.stdout.splitlines()[1:]} == {"1"}


def test_cli_warns_when_the_text_lacks_the_sentence_summaries(tmp_path):
    """pathways-linking starts from the kg:Sentence summaries the mapping writes since issue 15: on a store
    mined before, the query would quietly find no pathway, so it says to ingest again; after that the
    pathways are back."""
    fixture = Path(__file__).resolve().parent / "data" / "crc-metastasis-pathways.xml"
    st = str(tmp_path / "s")
    ingest_args = ["ingest", "--store", st, "--no-validate", str(fixture)]
    assert CliRunner().invoke(main, ingest_args).exit_code == 0
    query = ["query", "pathways-linking", "--store", st, "--format", "csv"]
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0 and "sentence summary" not in r.stderr
    found = r.stdout.splitlines()[1:]
    assert found
    assert _remove_every(st, str(KG.names))  # what an older ingest wrote: mentions without the summary
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0
    assert "sentence summary" in r.stderr and "kg ingest" in r.stderr
    assert r.stdout.splitlines()[1:] == []
    assert CliRunner().invoke(main, ingest_args).exit_code == 0
    r = CliRunner().invoke(main, query)
    assert "sentence summary" not in r.stderr and r.stdout.splitlines()[1:] == found


def test_subclasses_at_any_depth_come_from_the_closure_ontology_load_writes(tmp_path):
    """pathways-linking finds the subclasses of the disease through kg:ancestorClass, the closure `kg
    ontology load` writes: asked for a class two levels above colorectal cancer, it answers as for colorectal
    cancer itself. On ontologies loaded without the closure (an older kg) it says to load them again."""
    fixture = Path(__file__).resolve().parent / "data" / "crc-metastasis-pathways.xml"
    st = str(tmp_path / "s")
    assert CliRunner().invoke(main, ["ingest", "--store", st, "--no-validate", str(fixture)]).exit_code == 0
    obo = tmp_path / "slice.obo"
    obo.write_text("format-version: 1.2\n\n[Term]\nid: MONDO:0005575\nname: colorectal cancer\nis_a: EX:0000001\n\n"
                   "[Term]\nid: EX:0000001\nname: middle\nis_a: EX:0000002\n\n[Term]\nid: EX:0000002\nname: top\n")
    query = ["query", "pathways-linking", "--store", st, "--format", "csv"]
    crc = CliRunner().invoke(main, query).stdout.splitlines()[1:]
    assert crc
    top = [*query, "-p", "disease=http://purl.obolibrary.org/obo/EX_0000002"]
    assert CliRunner().invoke(main, top).stdout.splitlines()[1:] == []  # no ontology: nothing is below the top
    r = CliRunner().invoke(main, ["ontology", "load", "--store", st, str(obo)])
    assert r.exit_code == 0 and "2 parents (3 ancestor pairs)" in r.stderr, r.output
    r = CliRunner().invoke(main, top)
    assert r.exit_code == 0 and "subclass closure" not in r.stderr
    assert r.stdout.splitlines()[1:] == crc
    assert _remove_every(st, str(KG.ancestorClass))  # what an older `kg ontology load` wrote
    r = CliRunner().invoke(main, top)
    assert "subclass closure" in r.stderr and "kg ontology load" in r.stderr
    assert r.stdout.splitlines()[1:] == []
    assert CliRunner().invoke(main, ["ontology", "load", "--store", st, str(obo)]).exit_code == 0
    r = CliRunner().invoke(main, top)
    assert "subclass closure" not in r.stderr and r.stdout.splitlines()[1:] == crc


def test_cli_warns_when_authors_lack_the_family_name_key(tmp_path):
    """articles-by-author matches on kg:familyNameKey, which the mapping writes since issue 15: on a store
    ingested before, the query would quietly find nobody, so it says to ingest again; after that it finds
    the author."""
    p = tmp_path / "a.xml"
    p.write_text(document(article("1")))
    st = str(tmp_path / "s")
    assert CliRunner().invoke(main, ["ingest", "--store", st, "--no-validate", "--no-nlp", str(p)]).exit_code == 0
    query = ["query", "articles-by-author", "--store", st, "-p", "family=DOE", "--format", "csv"]
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0 and "family-name key" not in r.stderr
    found = r.stdout.splitlines()[1:]
    assert found and {line.split(",")[1] for line in found} == {"1"}  # case-insensitive match
    assert _remove_every(st, str(KG.familyNameKey))  # what an older ingest wrote: names without the key
    r = CliRunner().invoke(main, query)
    assert r.exit_code == 0
    assert "family-name key" in r.stderr and "kg ingest" in r.stderr
    assert r.stdout.splitlines()[1:] == []
    assert CliRunner().invoke(main, ["ingest", "--store", st, "--no-validate", "--no-nlp", str(p)]).exit_code == 0
    r = CliRunner().invoke(main, query)
    assert "family-name key" not in r.stderr and r.stdout.splitlines()[1:] == found
