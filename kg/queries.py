"""Canned SPARQL questions: `queries/NAME.rq` files, each with a small header, run with bound parameters.

Header lines (in the style of grlc) at the top of each file::

    #+ summary: Articles indexed with a MeSH descriptor
    #+ param: mesh mesh required  The descriptor (D015179, MESH:D015179 or its IRI)
    #+ param: major bool default=false  Only headings where it is a major topic

A parameter NAME is the SPARQL variable ?NAME. Values are parsed by type into RDF terms and bound by a
VALUES block (decision 0003), never pasted into the query text. An optional parameter left out stays
unbound: the query tests it with BOUND().

Where the VALUES block goes matters for speed (decision 0021): Oxigraph does not treat a one-row VALUES
as constants, so a FILTER or BIND that uses a parameter is only applied early when the block sits in the
same group as the selective pattern. A query marks that place with a line `# kg:parameters`; without
the mark the block opens the WHERE clause. `# kg:parameters one-block-per-variable` writes one VALUES
block per variable there: Virtuoso 7 accepts a bound literal in a triple pattern only from a block of its
own, and Oxigraph plans some other queries worse that way, so each query chooses (decision 0021).

A query may also declare variables derived from a parameter, bound in the same VALUES block:

    #+ derive: familyKey lower family      ?familyKey is ?family lower-cased (Python str.lower)
    #+ derive: article article pmid        ?article is the article IRI of the PMID ?pmid (kg.iris.article)

Why: a value computed inside the query (BIND, or a FILTER comparing a function of it) is joined last by
Oxigraph, after the store was scanned (decision 0021); computed here, it is a term the store looks up in
its index. The functions are a fixed table (DERIVE), so a header cannot run arbitrary code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from .binding import PLACE_MARK, with_values  # noqa: F401  (binding lives below the stores; re-exported here)
from .errors import IdentifierError, QueryError
from .resources import data_dir
from .vocab import XSD

if TYPE_CHECKING:
    from .stores.base import Store

PARAM_TYPES = ("iri", "mesh", "term", "pmid", "string", "int", "bool")
_PMID = re.compile(r"^[1-9][0-9]{0,11}$")  # ASCII digits, no leading zero, at most 12 (as the readers accept)
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    default: str | None = None
    required: bool = False


@dataclass(frozen=True)
class Derived:
    """A variable bound from a parameter's value by one of the DERIVE functions (`#+ derive:` lines)."""
    name: str
    function: str
    source: str


@dataclass(frozen=True)
class Query:
    name: str
    summary: str
    params: tuple[Param, ...]
    text: str
    path: Path
    derived: tuple[Derived, ...] = ()

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise QueryError(f"query {self.name!r} has no parameter {name!r}; "
                         f"it takes: {', '.join(p.name for p in self.params) or 'none'}")


def _parse_param(spec: str, path: Path) -> Param:
    m = re.match(r"^(\w+)\s+(\w+)((?:\s+(?:required|default=\S*))*)\s*(.*)$", spec)
    if not m or m.group(2) not in PARAM_TYPES:
        raise QueryError(f"{path}: malformed '#+ param:' line {spec!r}; expected "
                         f"'NAME TYPE [required|default=VALUE] description', TYPE in {PARAM_TYPES}")
    flags = m.group(3).split()
    default = next((f.split("=", 1)[1] for f in flags if f.startswith("default=")), None)
    return Param(m.group(1), m.group(2), m.group(4).strip(), default, "required" in flags)


def _lower(term: ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    """The value lower-cased as the mapping writes kg:familyNameKey (str.lower), a plain literal."""
    return ox.Literal(term.value.lower())


def _article(term: ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    """The article IRI of a PMID (already checked by the `pmid` type), as the mapping mints it."""
    from . import iris
    return ox.NamedNode(iris.article(term.value))


DERIVE = {"lower": _lower, "article": _article}


def _parse_derived(spec: str, path: Path, params: list[Param]) -> Derived:
    m = re.match(r"^(\w+)\s+(\w+)\s+(\w+)\s*$", spec)
    if not m or m.group(2) not in DERIVE or m.group(3) not in {p.name for p in params}:
        raise QueryError(f"{path}: malformed '#+ derive:' line {spec!r}; expected 'NAME FUNCTION PARAMETER' "
                         f"with FUNCTION in {tuple(DERIVE)} and a parameter declared above it")
    return Derived(m.group(1), m.group(2), m.group(3))


def parse_query_file(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    summary = ""
    params: list[Param] = []
    derived: list[Derived] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            if line.strip() and not line.startswith("#"):
                break
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "summary":
            summary = value
        elif key == "param":
            params.append(_parse_param(value, path))
        elif key == "derive":
            derived.append(_parse_derived(value, path, params))
    if not summary:
        raise QueryError(f"{path}: no '#+ summary:' line")
    return Query(path.stem, summary, tuple(params), text, path, tuple(derived))


def queries_dir() -> Path:
    return data_dir("queries")


def list_queries() -> list[Query]:
    return [parse_query_file(p) for p in sorted(queries_dir().glob("*.rq"))]


def load(name: str) -> Query:
    path = queries_dir() / f"{name}.rq"
    if not re.match(r"^[\w.-]+$", name) or not path.exists():
        known = ", ".join(q.name for q in list_queries())
        raise QueryError(f"no canned query named {name!r}; known queries: {known}")
    return parse_query_file(path)


def parse_identifier(value: str, *, kind: str) -> str:
    """A user identifier to an IRI: bare MeSH UI, CURIE or IRI, through the one IRI policy (`kg.prefixes`)."""
    from . import prefixes  # curies; imported lazily so `kg --help` stays fast
    return prefixes.parse_identifier(value.strip(), default_prefix="mesh" if kind == "mesh" else None)


def to_term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    t = param.type
    try:
        if t in ("iri", "mesh", "term"):
            return ox.NamedNode(parse_identifier(value, kind=t))
        if t == "pmid":
            # Checked here because a query builds an IRI from it: a value that is not a PMID would make
            # IRI(CONCAT(...)) fail, leave the article unbound and match every article.
            v = value.strip()
            if not _PMID.match(v):
                raise ValueError(f"{value!r} is not a PMID (a positive number of at most 12 digits)")
            return ox.Literal(v)
        if t == "int":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if t == "bool":
            v = value.strip().lower()
            if v not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError(f"{value!r} is not true or false")
            return ox.Literal("true" if v in ("true", "yes", "1") else "false",
                              datatype=ox.NamedNode(XSD + "boolean"))
        return ox.Literal(value)
    except (ValueError, IdentifierError) as exc:
        raise QueryError(f"parameter {param.name} ({t}): {exc}") from exc


def bindings(query: Query, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Typed terms for the given values plus defaults; missing required parameters are an error."""
    for k in values:
        query.param(k)  # unknown names fail loudly
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in query.params:
        raw = values.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise QueryError(f"query {query.name!r} needs --param {p.name}=... ({p.description})")
            continue
        out[p.name] = to_term(p, raw)
    for d in query.derived:  # after the parameters, so the VALUES block starts with them
        if d.source in out:
            out[d.name] = DERIVE[d.function](out[d.source])
    return out


def run(store: Store, name: str, values: dict[str, str] | None = None) -> Any:
    """Canned query `name` with `values` bound; the answer is whatever `Store.query` gives (pyoxigraph's
    result objects)."""
    q = load(name)
    return store.query(q.text, bindings(q, values or {}))
