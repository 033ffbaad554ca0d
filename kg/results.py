"""SPARQL result and RDF writers shared by the CLI (`kg sparql`, `kg query`) and `kg serve`.

One place decides how an answer is written, so the command line and the server give the same bytes for
the same query. The SPARQL formats (JSON, XML, CSV, TSV) and the RDF formats (Turtle, N-Triples, JSON-LD,
RDF/XML) are pyoxigraph's own serialisers; only the human table is written here.

The writers take what either store returns: pyoxigraph's `QuerySolutions`, `QueryBoolean` and
`QueryTriples` from the embedded store, and the same types (or `PagedSolutions`, an iterable with
`.variables`) from `kg.stores.sparql`. A SELECT answer that must be cut (`limit`), put in another column
order (`columns`) or counted is first taken into a list and handed back to pyoxigraph as a real
`QuerySolutions` (a VALUES query on an empty in-memory store), so every format still comes from its
serialiser and a cut answer is byte for byte the start of the whole one.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from dataclasses import dataclass
from typing import IO, Any, Iterable, Mapping, Sequence, cast

import pyoxigraph as ox

from .errors import QueryError

# --format names: SPARQL results for SELECT and ASK ...
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
# ... and RDF for CONSTRUCT and DESCRIBE (and `kg export`'s triple formats).
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
# What a graph answer is written as when asked for a SELECT format: the nearest RDF format, as Jena and
# Oxigraph server do for a JSON or XML Accept header on a CONSTRUCT. The table of a graph is Turtle.
GRAPH_ALIASES = {"table": "ttl", "json": "jsonld", "xml": "rdfxml"}
TABLE = "table"
CLI_FORMATS = (TABLE, *RESULT_FORMATS, *GRAPH_FORMATS)


# Media types and the --format name each asks for, for `kg serve`'s content negotiation (first = default).
RESULT_MEDIA_TYPES: tuple[tuple[str, str], ...] = (
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), ("application/json", "json"),
    ("application/xml", "xml"),
)
GRAPH_MEDIA_TYPES: tuple[tuple[str, str], ...] = (
    ("application/n-triples", "nt"), ("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"), ("text/plain", "nt"),
)


def media_type(fmt: str) -> str:
    """The Content-Type of a --format name (for `kg serve`)."""
    if fmt in RESULT_FORMATS:
        return RESULT_FORMATS[fmt].media_type
    return GRAPH_FORMATS[GRAPH_ALIASES.get(fmt, fmt)].media_type


@dataclass(frozen=True)
class Answer:
    """What a writer wrote: the kind of answer and how many rows or triples (None when streamed uncounted)."""

    kind: str  # "select", "boolean" or "graph"
    count: int | None


# ---- SELECT ---------------------------------------------------------------------------------------
def write_select(result: Iterable[Any], fmt: str, out: IO[bytes], *, prefixes: Mapping[str, str] | None = None,
                 columns: Sequence[str] | None = None, limit: int | None = None,
                 max_width: int | None = None) -> int | None:
    """Write the solutions of a SELECT in `fmt` (table, json, xml, csv, tsv); return the rows written.

    `columns` reorders the variables (it must name the same set); `limit` writes the first N rows only;
    `prefixes` shortens IRIs in the table; `max_width` bounds the table's width (None: no bound). Without
    `limit` or a new column order, a pyoxigraph answer is streamed straight into its serialiser (never
    held in memory) and the return value is None.
    """
    names = [v.value for v in result.variables]  # type: ignore[attr-defined]
    if columns is not None:
        if sorted(columns) != sorted(names):
            raise ValueError(f"columns {list(columns)} are not the answer's variables {names}")
        names = list(columns)
    if fmt == TABLE:
        rows = _rows(result, names, limit)
        out.write(table(names, rows, prefixes=prefixes, max_width=max_width).encode("utf-8"))
        return len(rows)
    qfmt = _result_format(fmt, "SELECT")
    streamable = (isinstance(result, ox.QuerySolutions) and limit is None
                  and names == [v.value for v in result.variables])
    if streamable and isinstance(result, ox.QuerySolutions):
        result.serialize(out, qfmt)
        return None
    rows = _rows(result, names, limit)
    solutions(names, rows).serialize(out, qfmt)
    return len(rows)


def _rows(result: Iterable[Any], names: Sequence[str], limit: int | None) -> list[list[Any]]:
    sols = result if limit is None else itertools.islice(result, max(limit, 0))
    return [[sol[n] for n in names] for sol in sols]


def solutions(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> ox.QuerySolutions:
    """A real pyoxigraph `QuerySolutions` with these variables and rows, in this order.

    Built by a VALUES query on an empty in-memory store: the terms are written by pyoxigraph (`str(term)`
    is their SPARQL form, escaped), so no value can change the query. Blank nodes cannot appear in VALUES;
    a row holding one is written as BINDs of BNODE("label") instead (the label is kept, as SPARQL results
    only promise blank nodes up to renaming).
    """
    head = " ".join(f"?{n}" for n in names)
    if not any(isinstance(t, ox.BlankNode) for r in rows for t in r):
        body = " ".join("(" + " ".join("UNDEF" if t is None else str(t) for t in r) + ")" for r in rows)
        text = f"SELECT {head or '*'} WHERE {{}} VALUES ({head}) {{ {body} }}"
    else:
        def group(k: int, r: Sequence[Any]) -> str:
            return "{ " + " ".join(
                f"BIND ({_bnode_expr(t)} AS ?{n})" for n, t in zip(names, r) if t is not None) + \
                f" BIND ({k} AS ?kg_row_) }}"
        union = _balanced_union([group(k, r) for k, r in enumerate(rows)]) or "{ FILTER (false) }"
        # UNION branches come back in no set order: the row number keeps the rows' own
        text = f"SELECT {head or '*'} WHERE {{ {union} }} ORDER BY ?kg_row_"
    return ox.Store().query(text)  # type: ignore[return-value]


def _balanced_union(groups: list[str]) -> str:
    """`{A} UNION {B} UNION ...` nested as a balanced tree: a flat chain of thousands of UNIONs is parsed
    and evaluated recursively, one level per branch, and overflows the stack (pyoxigraph crashed at 20,000
    rows); a balanced tree is log2(n) levels deep and gives the same rows in the same order."""
    if len(groups) <= 1:
        return groups[0] if groups else ""
    while len(groups) > 1:
        groups = ["{ " + " UNION ".join(groups[i:i + 2]) + " }" if i + 1 < len(groups) else groups[i]
                  for i in range(0, len(groups), 2)]
    return groups[0]


def _bnode_expr(t: Any) -> str:
    if isinstance(t, ox.BlankNode):
        return "BNODE(" + str(ox.Literal(t.value)) + ")"
    return str(t)


# ---- ASK ------------------------------------------------------------------------------------------
def write_boolean(result: ox.QueryBoolean | bool, fmt: str, out: IO[bytes]) -> None:
    """Write an ASK answer: `true`/`false` for the table, else pyoxigraph's SPARQL results."""
    if fmt == TABLE:
        out.write(b"true\n" if bool(result) else b"false\n")
        return
    qfmt = _result_format(fmt, "ASK")
    if not isinstance(result, ox.QueryBoolean):
        result = ox.Store().query("ASK {}" if result else "ASK { FILTER (false) }")  # type: ignore[assignment]
    result.serialize(out, qfmt)  # type: ignore[union-attr]


def _result_format(fmt: str, form: str) -> ox.QueryResultsFormat:
    try:
        return RESULT_FORMATS[fmt]
    except KeyError:
        raise QueryError(f"--format {fmt} is an RDF format for CONSTRUCT and DESCRIBE; a {form} answers in "
                         f"{', '.join((TABLE, *RESULT_FORMATS))}") from None


# ---- CONSTRUCT / DESCRIBE -------------------------------------------------------------------------
def write_graph(result: Iterable[ox.Triple], fmt: str, out: IO[bytes], *,
                prefixes: Mapping[str, str] | None = None, limit: int | None = None) -> int | None:
    """Write the triples of a CONSTRUCT or DESCRIBE in `fmt` (ttl, nt, jsonld, rdfxml; or table, json,
    xml, read as ttl, jsonld, rdfxml). Turtle and RDF/XML declare the `prefixes`; JSON-LD gets them as
    its @context (pyoxigraph's JSON-LD writer takes none, and full IRIs stay valid under a context).
    Returns the triples written when `limit` is given, else None."""
    name = GRAPH_ALIASES.get(fmt, fmt)
    if name not in GRAPH_FORMATS:
        raise QueryError(f"--format {fmt} is a SPARQL results format for SELECT and ASK; a CONSTRUCT or "
                         f"DESCRIBE answers in {', '.join(GRAPH_FORMATS)} (or table, json, xml)")
    rfmt = GRAPH_FORMATS[name]
    n: int | None = None
    if limit is not None:
        triples = list(itertools.islice(result, max(limit, 0)))
        n = len(triples)
        result = triples
    if rfmt == ox.RdfFormat.JSON_LD:
        expanded = json.loads(ox.serialize(result, None, rfmt) or b"[]")
        doc = {"@context": dict(prefixes or {}), "@graph": expanded}
        out.write(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
        return n
    use = dict(prefixes) if prefixes and rfmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    ox.serialize(result, out, rfmt, prefixes=use)
    return n


# ---- any answer -----------------------------------------------------------------------------------
def write_result(result: Any, fmt: str, out: IO[bytes], *, prefixes: Mapping[str, str] | None = None,
                 columns: Sequence[str] | None = None, limit: int | None = None, max_width: int | None = None,
                 count: bool = False) -> Answer:
    """Write whatever a query answered, by its kind; the one entry point of the CLI and `kg serve`.

    With `count`, the answer says at least whether it was empty (for the CLI's hint): `count` is the
    number of rows or triples where they were taken into a list anyway (table, `limit`, `columns`), else
    0 or None ("some"). A streamed answer is not held in memory for this: it is empty when it wrote as
    many bytes as the empty answer of the same variables and format would.
    """
    if isinstance(result, (ox.QueryBoolean, bool)):
        write_boolean(result, fmt, out)
        return Answer("boolean", 1 if bool(result) else 0)
    counter = _Counting(out) if count else None
    sink = cast(IO[bytes], counter) if counter is not None else out  # _Counting has the write and flush used
    if isinstance(result, ox.QueryTriples):
        n = write_graph(result, fmt, sink, prefixes=prefixes, limit=limit)
        if counter is not None and n is None:
            empty = io.BytesIO()
            write_graph([], fmt, empty, prefixes=prefixes)
            n = 0 if counter.written == len(empty.getvalue()) else None
        return Answer("graph", n)
    n = write_select(result, fmt, sink, prefixes=prefixes, columns=columns, limit=limit, max_width=max_width)
    if counter is not None and n is None:
        names = list(columns) if columns is not None else [v.value for v in result.variables]
        no_rows = solutions(names, []).serialize(format=_result_format(fmt, "SELECT")) or b""
        n = 0 if counter.written == len(no_rows) else None
    return Answer("select", n)


class _Counting:
    """A binary stream that counts what goes through it to `out`."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


# ---- the human table ------------------------------------------------------------------------------
MIN_CELL = 8  # no column is cut narrower than this (or its heading) to fit a narrow terminal


def table(names: Sequence[str], rows: Sequence[Sequence[Any]], *, prefixes: Mapping[str, str] | None = None,
          max_width: int | None = None) -> str:
    """Rows as an aligned text table: IRIs as prefixed names where a prefix fits, full cells unless the
    table is wider than `max_width`, when the widest columns are cut (with …) until it fits."""
    short = Shortener(prefixes or {})
    cells = [[short.cell(t) for t in r] for r in rows]
    widths = [max([len(n)] + [len(c[i]) for c in cells]) for i, n in enumerate(names)]
    if max_width is not None:
        widths = _fit(widths, [len(n) for n in names], max_width)
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for c in cells:
        lines.append("  ".join(_cut(x, w).ljust(w) for x, w in zip(c, widths)).rstrip())
    return "\n".join(lines) + "\n"


def _fit(widths: list[int], floors: list[int], max_width: int) -> list[int]:
    """Narrow the widest columns, one character at a time, until the row fits (or none can shrink)."""
    widths = list(widths)
    floors = [max(MIN_CELL, f) for f in floors]
    while sum(widths) + 2 * (len(widths) - 1) > max_width:
        i = max(range(len(widths)), key=lambda k: widths[k] - floors[k])
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
    return widths


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_LOCAL_OK = re.compile(r"^[A-Za-z0-9_][\w.\-/]*$")  # "/" too: a table is read, not parsed


class Shortener:
    """IRI -> prefixed name by the longest matching namespace, where the rest is a plain local name."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.spaces = sorted(((ns, p) for p, ns in prefixes.items() if ns), key=lambda x: -len(x[0]))

    def iri(self, value: str) -> str:
        for ns, p in self.spaces:
            if value.startswith(ns) and _LOCAL_OK.match(value[len(ns):]):
                return f"{p}:{value[len(ns):]}"
        return value

    def cell(self, term: Any) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Literal):
            return " ".join(term.value.split()) if "\n" in term.value or "\t" in term.value else term.value
        return str(term)


# ---- column order ---------------------------------------------------------------------------------
_VAR = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)")


def query_order(text: str, names: Sequence[str]) -> list[str]:
    """The answer's columns in the query's order. pyoxigraph keeps an explicit projection's order but
    sorts the variables of `SELECT *` by name (`o p s`); for those this is the order in which the query
    first names them, as SPARQL users expect. Variables the text never names keep their place at the end.

    Strings, IRIs and comments are skipped, so `"?x"` in a literal does not count.
    """
    from .stores.sparql.paging import _tokens  # the one SPARQL tokenizer of the project

    toks = _tokens(text)
    at = next((i for i, t in enumerate(toks) if t[0] == "word" and t[1].upper() == "SELECT"), None)
    if at is None:
        return list(names)
    nxt = [t[1] for t in toks[at + 1:at + 3]]
    if not (nxt[:1] == ["*"] or (nxt[:1] and nxt[0].upper() in ("DISTINCT", "REDUCED") and nxt[1:] == ["*"])):
        return list(names)
    seen: list[str] = []
    wanted = set(names)
    for kind, tok, _a, _b in toks:
        if kind != "word":
            continue
        for m in _VAR.finditer(tok):
            v = m.group(1)
            if v in wanted and v not in seen:
                seen.append(v)
    return seen + [n for n in names if n not in seen]


def default_prefixes() -> dict[str, str]:
    """The project's prefix map: its vocabularies and the IRI policy's prefixes (MeSH, GO, HGNC, ...)."""
    from .stores.oxigraph import export_prefixes

    return export_prefixes()


def has_graph_pattern(text: str) -> bool:
    """Whether the query names a GRAPH pattern or a dataset (FROM): without either it reads only the
    default graph, which `kg` leaves empty (article data lives in named graphs)."""
    from .stores.sparql.paging import _tokens

    return any(kind == "word" and tok.upper() in ("GRAPH", "FROM") for kind, tok, _a, _b in _tokens(text))
