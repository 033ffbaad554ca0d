"""Result formats (issue 13, part 4): every format of every query form parses back with pyoxigraph or rdflib
and equals the embedded store's answer; the CLI's SPARQL results are pyoxigraph's own bytes.

The store is built from the bundled examples/ (real PubMed records and the seed paper), as a user's is.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.query import Result

from kg import results
from kg.cli import main
from kg.errors import QueryError
from kg.stores.oxigraph import OxigraphStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SELECT = """PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?article ?pmid ?title WHERE { GRAPH ?g { ?article fabio:hasPubMedId ?pmid ; dcterms:title ?title } }
ORDER BY ?pmid"""
# A typed literal, a language-free string and an unbound cell: the three shapes CSV and TSV write differently.
SELECT_MIXED = """PREFIX kg: <https://w3id.org/oncokg/vocab/>
SELECT ?h ?name ?major ?missing WHERE { GRAPH ?g { ?h kg:descriptorName ?name ; kg:descriptorMajorTopic ?major } }
ORDER BY ?h LIMIT 40"""
ASK_TRUE = "PREFIX fabio: <http://purl.org/spar/fabio/> ASK { GRAPH ?g { ?a fabio:hasPubMedId \"35246503\" } }"
ASK_FALSE = "PREFIX fabio: <http://purl.org/spar/fabio/> ASK { GRAPH ?g { ?a fabio:hasPubMedId \"1\" } }"
CONSTRUCT = """PREFIX kg: <https://w3id.org/oncokg/vocab/>
CONSTRUCT { ?h kg:descriptor ?d ; kg:descriptorName ?n } WHERE { GRAPH ?g { ?h kg:descriptor ?d ; kg:descriptorName ?n } }"""
# DESCRIBE reads the default graph: FROM names the article's graph as the default one.
DESCRIBE = """DESCRIBE ?a FROM <https://w3id.org/oncokg/graph/pubmed/29355075>
WHERE { ?a <http://purl.org/spar/fabio/hasPubMedId> "29355075" }"""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("results") / "kg-store")
    r = CliRunner().invoke(main, ["ingest", "--store", path, str(EXAMPLES)])
    assert r.exit_code == 0, r.output
    return path


@pytest.fixture(scope="module")
def store(store_path):
    return OxigraphStore(store_path, read_only=True)


def kg(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows_of(solutions) -> list[tuple]:
    names = [v.value for v in solutions.variables]
    return [tuple(s[n] for n in names) for s in solutions]


# ---- SELECT ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", [SELECT, SELECT_MIXED])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_is_pyoxigraphs_own_serialisation(store, store_path, query, fmt):
    r = kg("sparql", "--store", store_path, "--format", fmt, query)
    assert r.exit_code == 0, r.output
    expected = store.query(query).serialize(format=results.RESULT_FORMATS[fmt])
    assert r.stdout_bytes == expected
    assert len(rows_of(store.query(query))) > 1  # the case tests something


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_parses_back_to_the_stores_answer(store, store_path, fmt):
    r = kg("sparql", "--store", store_path, "--format", fmt, SELECT_MIXED)
    parsed = ox.parse_query_results(r.stdout_bytes, results.RESULT_FORMATS[fmt])
    assert [v.value for v in parsed.variables] == ["h", "name", "major", "missing"]
    assert rows_of(parsed) == rows_of(store.query(SELECT_MIXED))


def test_select_csv_parses_with_rdflib_to_the_stores_values(store, store_path):
    r = kg("sparql", "--store", store_path, "--format", "csv", SELECT)
    parsed = Result.parse(io.BytesIO(r.stdout_bytes), format="csv")
    got = [tuple(str(row[v]) for v in parsed.vars) for row in parsed]
    assert got == [tuple(t.value for t in row) for row in rows_of(store.query(SELECT))]


def test_select_star_columns_in_the_querys_order(store_path):
    q = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3"
    r = kg("sparql", "--store", store_path, "--format", "tsv", q)
    assert r.stdout.splitlines()[0] == "?g\t?s\t?p\t?o"  # pyoxigraph alone says ?g ?o ?p ?s
    r = kg("sparql", "--store", store_path, "--format", "csv", "SELECT ?p ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")
    assert r.stdout.splitlines()[0] == "p,s"  # an explicit projection keeps its own order


def test_limit_is_the_start_of_the_whole_answer(store, store_path):
    whole = kg("sparql", "--store", store_path, "--format", "tsv", SELECT_MIXED).stdout.splitlines()
    cut = kg("sparql", "--store", store_path, "--format", "tsv", "--limit", "5", SELECT_MIXED).stdout.splitlines()
    assert len(whole) > 6 and cut == whole[:6]
    cut = kg("sparql", "--store", store_path, "--format", "json", "--limit", "5", SELECT_MIXED).stdout_bytes
    assert len(json.loads(cut)["results"]["bindings"]) == 5


def test_query_command_writes_the_same_bytes_as_sparql(store, store_path):
    from kg import queries

    q = queries.load("articles-by-author")
    bound = queries.bindings(q, {"family": "Zhou"})
    r = kg("query", "articles-by-author", "--store", store_path, "-p", "family=Zhou", "--format", "xml")
    assert r.exit_code == 0 and r.stdout_bytes == store.query(q.text, bound).serialize(format=ox.QueryResultsFormat.XML)


# ---- ASK ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("query,answer", [(ASK_TRUE, True), (ASK_FALSE, False)])
def test_ask_honours_format(store, store_path, fmt, query, answer):
    r = kg("sparql", "--store", store_path, "--format", fmt, query)
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == store.query(query).serialize(format=results.RESULT_FORMATS[fmt])
    if fmt in ("json", "xml"):
        assert bool(ox.parse_query_results(r.stdout_bytes, results.RESULT_FORMATS[fmt])) is answer
        assert Result.parse(io.BytesIO(r.stdout_bytes), format=fmt).askAnswer is answer
    else:  # the SPARQL CSV/TSV specs define no boolean form: pyoxigraph writes the word
        assert r.stdout == ("true" if answer else "false")


def test_ask_json_is_sparql_json(store_path):
    r = kg("sparql", "--store", store_path, "--format", "json", ASK_TRUE)
    assert json.loads(r.stdout) == {"head": {}, "boolean": True}


# ---- CONSTRUCT / DESCRIBE ---------------------------------------------------------------------------
GRAPH_PARSERS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                 "rdfxml": ox.RdfFormat.RDF_XML}


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdfxml", "table", "json", "xml"])
def test_graph_answers_honour_format_and_parse_back(store, store_path, query, fmt):
    r = kg("sparql", "--store", store_path, "--format", fmt, query)
    assert r.exit_code == 0, r.output
    expected = set(store.query(query))
    assert len(expected) > 5
    name = results.GRAPH_ALIASES.get(fmt, fmt)
    got = {q.triple for q in ox.parse(r.stdout_bytes, GRAPH_PARSERS[name])}
    assert got == expected
    rdflib_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[name]
    assert len(rdflib.Graph().parse(data=r.stdout_bytes, format=rdflib_format)) == len(expected)


def test_turtle_answer_uses_the_project_prefixes(store_path):
    r = kg("sparql", "--store", store_path, "--format", "ttl", CONSTRUCT)
    assert "@prefix mesh: <http://id.nlm.nih.gov/mesh/> ." in r.stdout and " mesh:D015179 " in r.stdout + " "


def test_a_results_format_for_the_wrong_form_is_a_usage_error(store_path):
    r = kg("sparql", "--store", store_path, "--format", "ttl", SELECT)
    assert r.exit_code == 2 and "a SELECT answers in table, json, xml, csv, tsv" in r.stderr
    r = kg("sparql", "--store", store_path, "--format", "csv", CONSTRUCT)
    assert r.exit_code == 2 and "CONSTRUCT or DESCRIBE answers in ttl" in r.stderr


# ---- the table ------------------------------------------------------------------------------------
def test_table_has_prefixed_names_and_whole_cells(store_path):
    r = kg("sparql", "--store", store_path, SELECT)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["article", "pmid", "title"]
    assert any(line.startswith("pubmed:29355075 ") for line in lines)
    title = ("Durable Clinical Benefit With Nivolumab Plus Ipilimumab in DNA Mismatch Repair-Deficient/"
             "Microsatellite Instability-High Metastatic Colorectal Cancer.")
    assert title in r.stdout  # 139 characters: no longer cut at 60
    assert "(4 rows)" in r.stderr


def test_max_width_cuts_the_widest_cells(store_path):
    r = kg("query", "articles-by-author", "--store", store_path, "-p", "family=Zhou", "--max-width", "80")
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" in r.stdout
    assert "pubmed:35246503" in r.stdout and "Hui Zhou" in r.stdout  # the narrow columns keep their text
    whole = kg("query", "articles-by-author", "--store", store_path, "-p", "family=Zhou").stdout
    assert "…" not in whole and max(len(line) for line in whole.splitlines()) > 80


def test_table_fit_shrinks_the_widest_and_keeps_a_floor():
    w = results._fit([50, 3, 40], [7, 3, 5], 40)
    assert sum(w) + 2 * 2 == 40 and w[1] == 3 and abs(w[0] - w[2]) <= 1  # the narrow column is left whole
    assert results._fit([50, 50], [30, 4], 40) == [30, results.MIN_CELL]  # both down to their floors
    assert results._fit([50, 50], [30, 30], 40) == [30, 30]  # headings are never cut: wider than asked


def test_shortener_uses_the_longest_namespace():
    s = results.Shortener({"obo": "http://purl.obolibrary.org/obo/", "go": "http://purl.obolibrary.org/obo/GO_"})
    assert s.iri("http://purl.obolibrary.org/obo/GO_0007219") == "go:0007219"
    assert s.iri("http://example.org/x y") == "http://example.org/x y"


# ---- the hint -------------------------------------------------------------------------------------
def test_hint_when_a_query_without_graph_finds_nothing(store_path):
    r = kg("sparql", "--store", store_path, "SELECT * WHERE { ?s ?p ?o }")
    assert r.exit_code == 0 and "(0 rows)" in r.stderr and "GRAPH ?g" in r.stderr
    assert r.stdout.splitlines()[0].split() == ["s", "p", "o"]  # the query's order, not o p s
    r = kg("sparql", "--store", store_path, "--format", "json", "SELECT * WHERE { ?s ?p ?o }")
    assert "hint" in r.stderr and json.loads(r.stdout)["results"]["bindings"] == []
    r = kg("sparql", "--store", store_path, "SELECT * WHERE { GRAPH ?g { ?s <http://example.org/none> ?o } }")
    assert "(0 rows)" in r.stderr and "hint" not in r.stderr  # a GRAPH query that finds nothing is just empty


# ---- the writer on its own (the kg serve side, and what kg.stores.sparql returns) -------------------
class Rows:
    """The shape of `kg.stores.sparql.PagedSolutions`: `variables` and an iterator over solutions."""

    def __init__(self, solutions) -> None:
        self.variables = solutions.variables
        self._rows = list(solutions)

    def __iter__(self):
        return iter(self._rows)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_write_select_on_paged_rows_equals_pyoxigraph(store, fmt):
    out = io.BytesIO()
    n = results.write_select(Rows(store.query(SELECT_MIXED)), fmt, out)
    assert n == len(rows_of(store.query(SELECT_MIXED)))
    assert out.getvalue() == store.query(SELECT_MIXED).serialize(format=results.RESULT_FORMATS[fmt])


def test_write_select_from_parsed_server_xml_equals_the_local_answer(store):
    xml = store.query(SELECT).serialize(format=ox.QueryResultsFormat.XML)
    out = io.BytesIO()
    results.write_result(ox.parse_query_results(xml, ox.QueryResultsFormat.XML), "json", out)
    assert out.getvalue() == store.query(SELECT).serialize(format=ox.QueryResultsFormat.JSON)


def test_blank_nodes_survive_a_rebuilt_answer():
    q = ox.Store().query('SELECT ?b ?x WHERE { BIND (BNODE("n1") AS ?b) BIND ("v" AS ?x) }')
    out = io.BytesIO()
    results.write_select(q, "json", out, columns=["x", "b"])
    got = json.loads(out.getvalue())
    assert got["head"]["vars"] == ["x", "b"]
    assert got["results"]["bindings"][0]["b"]["type"] == "bnode"
    assert got["results"]["bindings"][0]["x"] == {"type": "literal", "value": "v"}


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_count_tells_an_empty_streamed_answer(store, fmt):
    empty = "SELECT ?s WHERE { GRAPH ?g { ?s <http://example.org/none> ?o } }"
    out = io.BytesIO()
    assert results.write_result(store.query(empty), fmt, out, count=True).count == 0
    assert out.getvalue() == (results.solutions(["s"], []).serialize(format=results.RESULT_FORMATS[fmt])
                              if fmt != "table" else b"s\n-\n")
    some = results.write_result(store.query(SELECT), fmt, io.BytesIO(), count=True).count
    assert some == (4 if fmt == "table" else None)  # a table is counted; a stream only known not empty
    assert results.write_result(store.query(CONSTRUCT), "ttl", io.BytesIO(), count=True).count is None
    assert results.write_result(store.query(CONSTRUCT.replace("?h kg:descriptor ?d ;", "?h kg:nothing ?d ;")),
                                "ttl", io.BytesIO(), count=True).count == 0


def test_columns_must_name_the_answers_variables(store):
    with pytest.raises(ValueError):
        results.write_select(store.query(SELECT), "json", io.BytesIO(), columns=["article", "nope", "title"])


def test_write_graph_refuses_a_results_format():
    with pytest.raises(QueryError):
        results.write_graph([], "csv", io.BytesIO())


def test_media_types():
    assert results.media_type("json") == "application/sparql-results+json"
    assert results.media_type("rdfxml") == "application/rdf+xml"
    assert results.media_type("ttl") == "text/turtle"
    for mt, fmt in results.RESULT_MEDIA_TYPES + results.GRAPH_MEDIA_TYPES:  # each names a known format
        assert results.media_type(fmt).split(";")[0] in (mt, "application/sparql-results+json",
                                                         "application/sparql-results+xml", "application/n-triples")


# ---- export ---------------------------------------------------------------------------------------
def test_export_rdfxml_is_the_union_of_the_graphs(store_path, tmp_path):
    out = tmp_path / "g.rdf"
    r = kg("export", "--store", store_path, "--format", "rdfxml", "-o", str(out))
    assert r.exit_code == 0, r.output
    union = {q.triple for q in OxigraphStore(store_path, read_only=True).quads()}
    got = {q.triple for q in ox.parse(path=str(out), format=ox.RdfFormat.RDF_XML)}
    assert got == union and len(union) > 1000
    assert 'xmlns:mesh="http://id.nlm.nih.gov/mesh/"' in out.read_text(encoding="utf-8")[:4000]


def test_cli_format_choices_are_the_writers():
    from kg.commands import core  # keeps its own copy so `kg --help` need not import pyoxigraph

    assert core.RESULT_FORMATS == results.CLI_FORMATS


def test_large_answers_with_blank_nodes_are_rebuilt_in_order():
    """A PagedSolutions answer with blank nodes is rebuilt as a UNION; a flat chain of 20,000 UNIONs crashed
    pyoxigraph (stack overflow). Run in a child process so a crash fails this test, not the whole run."""
    import subprocess
    import sys
    code = ("import pyoxigraph as ox\nfrom kg.results import solutions\n"
            "rows = [[ox.BlankNode(f'b{i}'), ox.Literal(str(i))] for i in range(20000)]\n"
            "got = [s['b'].value for s in solutions(['a', 'b'], rows)]\n"
            "assert got == [str(i) for i in range(20000)], got[:5]\nprint('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (r.returncode, r.stderr[-500:])
