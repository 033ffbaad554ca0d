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
        assert text.count("VALUES (") == 1, q.name
        ox.Store().query(text)  # parses and runs on an empty store
