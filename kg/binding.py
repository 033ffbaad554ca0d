"""Binding values into SPARQL text: the one place a query gets pre-bound terms, shared by the stores (which
bind `query(text, bindings)`) and `kg.queries` (which types the canned queries' parameters).

It sits below both so that a store never imports the canned-query layer (Store does not depend on Ask).
"""

from __future__ import annotations

import re
from typing import Mapping

from .errors import QueryError

_DECLARED = re.compile(r"(?m)^#\+\s*param:\s*([A-Za-z_]\w*)")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


PLACE_MARK = re.compile(r"(?m)^[ \t]*# kg:parameters(?P<separate>[ \t]+one-block-per-variable)?[ \t]*$")


def with_values(text: str, values: Mapping[str, object]) -> str:
    """The query with a VALUES block of the bound parameters opened first inside its WHERE clause.

    The terms are serialised by pyoxigraph (IRIs checked, literals escaped), so a value can never change
    the query's structure; this is the SPARQL-standard way to pre-bind variables and works on every
    server, unlike store-specific substitution APIs. Parameter variables used in FILTERs must therefore be
    tested in the group that holds the block or one enclosing it (a FILTER inside a nested GRAPH {} would
    not see them). A line `# kg:parameters` puts the block there instead of first in the WHERE clause:
    Oxigraph applies a parameter early only when the block sits beside the selective pattern (decision 0021).
    `# kg:parameters one-block-per-variable` writes one block per variable there (`VALUES ?a { x } VALUES
    ?b { y }`, for one row the same solutions): Virtuoso 7 refuses a literal of a many-variable block in a
    triple pattern (SP031) and takes it from a block of its own; Oxigraph plans some queries far worse
    with separate blocks (articles-by-mesh: 0.14 -> 55 s), so it is a query's choice, not the rule.
    """
    if not values:
        return text
    names = " ".join(f"?{k}" for k in values)
    row = " ".join(str(v) for v in values.values())
    marks = list(PLACE_MARK.finditer(text))
    if len(marks) > 1:
        raise QueryError("query marks more than one place for its parameters ('# kg:parameters')")
    if marks:
        mk = marks[0]
        block = (" ".join(f"VALUES ?{k} {{ {v} }}" for k, v in values.items()) if mk.group("separate")
                 else f"VALUES ({names}) {{ ({row}) }}")
        return f"{text[:mk.start()]}  {block}{text[mk.end():]}"
    m = _WHERE.search(_strip_comments(text))
    if not m:
        raise QueryError("query has no WHERE { ... } clause to bind parameters into")
    return f"{text[:m.end()]}\n  VALUES ({names}) {{ ({row}) }}{text[m.end():]}"


def _strip_comments(text: str) -> str:
    """Blank out # comments (same length) so a WHERE inside a comment is not matched."""
    return re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group(0)), text)


def declared_parameters(text: str) -> list[str]:
    """The variables a canned query declares in its `#+ param:` header lines (see `kg.queries`), so a
    store can pass the ones left unbound as UNDEF without knowing the canned-query format itself."""
    return _DECLARED.findall(text)


class _Undef:
    """The SPARQL VALUES keyword for 'no value', where `with_values` writes a term."""

    def __str__(self) -> str:
        return "UNDEF"


UNDEF = _Undef()
