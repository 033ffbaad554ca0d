"""Where the parameters' VALUES block goes (`# kg:parameters`, decision 0021), and that it stays a binding."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import queries
from kg.errors import QueryError

TEXT = """SELECT ?x WHERE {
  ?a ?b ?c .
  {
    # kg:parameters
    ?x ?p ?name
  }
}"""


def test_block_goes_where_marked():
    out = queries.with_values(TEXT, {"name": ox.Literal('a "quoted" }) value')})
    lines = out.splitlines()
    assert lines[1] == "  ?a ?b ?c ."  # not first in the WHERE clause
    assert lines[3].strip() == 'VALUES (?name) { ("a \\"quoted\\" }) value") }'
    assert "# kg:parameters" not in out
    ox.Store().query(out)  # still one well-formed query: the value could not change its structure


def test_without_mark_block_opens_where():
    out = queries.with_values(TEXT.replace("    # kg:parameters\n", ""), {"name": ox.Literal("v")})
    assert out.splitlines()[1].strip() == 'VALUES (?name) { ("v") }'


def test_a_mark_can_ask_for_one_block_per_variable():
    """`# kg:parameters one-block-per-variable`: each variable in a VALUES block of its own (Virtuoso 7
    refuses a literal of a many-variable block in a triple pattern), the same solutions as one block."""
    text = TEXT.replace("# kg:parameters", "# kg:parameters one-block-per-variable")
    values = {"name": ox.Literal("v"), "other": ox.NamedNode("http://ex.org/o")}
    out = queries.with_values(text, values)
    assert out.splitlines()[3].strip() == 'VALUES ?name { "v" } VALUES ?other { <http://ex.org/o> }'
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex.org/s"), ox.NamedNode("http://ex.org/p"), ox.Literal("v")))
    q = "SELECT ?name ?other WHERE {\n  # kg:parameters one-block-per-variable\n  ?s ?p ?name\n}"
    one = "SELECT ?name ?other WHERE {\n  # kg:parameters\n  ?s ?p ?name\n}"
    rows = [[(str(r["name"]), str(r["other"])) for r in store.query(queries.with_values(t, values))] for t in (q, one)]
    assert rows[0] == rows[1] == [('"v"', "<http://ex.org/o>")]


def test_two_marks_are_an_error():
    with pytest.raises(QueryError, match="more than one place"):
        queries.with_values(TEXT.replace("?a ?b ?c .", "# kg:parameters\n  ?a ?b ?c ."), {"name": ox.Literal("v")})


def test_marked_queries_bind_in_one_place():
    marked = [q for q in queries.list_queries() if queries.PLACE_MARK.search(q.text)]
    assert {q.name for q in marked} >= {"articles-by-author", "entities-of-article"}
    for q in marked:
        sample = {"string": "1", "pmid": "35246503"}
        bound = queries.bindings(q, {p.name: sample.get(p.type, "D009369") for p in q.params if p.required})
        text = queries.with_values(q.text, bound)
        # one line holds the block (or the blocks, one per variable): bound in one place
        assert len([line for line in text.splitlines() if line.lstrip().startswith("VALUES ")]) == 1, q.name
        ox.Store().query(text)  # parses and runs on an empty store
