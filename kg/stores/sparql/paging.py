"""Paging a SELECT that the server cuts short (Virtuoso's ResultSetMaxRows), and the one SPARQL tokenizer
of the project (`_tokens`, also used by `kg.results`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

import pyoxigraph as ox

from ...errors import QueryError

if TYPE_CHECKING:
    from email.message import Message

    from .store import SparqlStore

#: Rows per page when a server refused a query before announcing its cap (Virtuoso's default cap).
DEFAULT_PAGE = 10_000


# ---- paging a SELECT that the server cuts short ------------------------------------------------------
# Virtuoso cuts SELECT results at ResultSetMaxRows and says so only in the X-SPARQL-MaxRows header. The
# query is then asked again in pages, in one deterministic order:
#
#   PREFIX ...                                     (the user's prologue)
#   SELECT * FROM ...                              (the user's dataset clause, if any: not allowed inside)
#   WHERE { { SELECT ... WHERE { ... } GROUP BY ... HAVING ...
#             ORDER BY <the user's keys> ?v1 ?v2 ...   (every projected variable breaks ties)
#           } }                                    (a trailing VALUES goes into the WHERE group)
#   LIMIT n OFFSET m                               (the user's own LIMIT/OFFSET are paged within)
#
# The ORDER BY sits in the subquery and LIMIT/OFFSET outside: Virtuoso refuses ORDER BY with
# OFFSET + LIMIT beyond MaxSortedTopRows (10,000: error SR353) in one query, but not in this form, and it
# keeps the subquery's order (measured on Virtuoso 7.2; tests/test_sparql_paging.py). Without the
# tie-breaking variables, rows that tie on the user's keys changed places between pages and some were
# lost. Nothing is pasted in but the query's own parts (split at its top-level tokens), integers and the
# projected variable names the server sent back (checked to be variable names).

_TOKEN = re.compile(r"""
    (?P<string>'{3}(?:[^'\\]|\\.|'(?!''))*'{3}|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
   |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
   |(?P<comment>\#[^\n]*)
   |(?P<space>\s+)
   |(?P<word>[\w:.%$?\-]+)
   |(?P<other>.)
""", re.X | re.S)
_VARNAME = re.compile(r"^[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+$")


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of each token but spaces and comments."""
    out: list[tuple[str, str, int, int]] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup                      # every alternative is a named group: never None
        if kind is not None and kind not in ("space", "comment"):
            out.append((kind, m.group(), m.start(), m.end()))
    return out


def without_comments(text: str) -> str:
    """The query without its comments (and the blank lines they leave), strings and IRIs untouched.

    Why: the canned queries explain themselves in comments, which a server only has to read past, and
    Virtuoso 7 recompiles every query text longer than about 8 KB on each request: `pathways-linking`
    (10 KB with its comments, 5 KB without) took 23-31 s there each time against 5-12 s without them.
    """
    out: list[str] = []
    space: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "comment":
            continue
        if kind == "space":
            space.append(m.group())
            continue
        if space:
            run = "".join(space)
            space = []
            if out:  # none before the first token; one line break and the next line's indentation for
                # a run of lines (blank ones, and the lines of the comments removed), else the run itself
                out.append(run[run.rfind("\n"):] if "\n" in run else run)
        out.append(m.group())
    return "".join(out) + "\n"


@dataclass(frozen=True)
class PagePlan:
    prologue: str
    dataset: str
    inner: str
    offset: int = 0          # the user's OFFSET
    limit: int | None = None  # the user's LIMIT

    def text(self, offset: int, limit: int) -> str:
        return (f"{self.prologue}SELECT *{self.dataset} WHERE {{ {{\n{self.inner}\n}} }}\n"
                f"LIMIT {int(limit)} OFFSET {int(offset)}")


def page_query(text: str, variables: Sequence[str]) -> PagePlan:
    """Split a SELECT query at its top level and plan its pages (see the comment above)."""
    toks = _tokens(text)
    i = 0
    while i < len(toks) and toks[i][1].upper() in ("PREFIX", "BASE"):  # PREFIX p: <iri> / BASE <iri>
        i += 3 if toks[i][1].upper() == "PREFIX" else 2
    if i >= len(toks) or toks[i][1].upper() != "SELECT":
        raise QueryError("it is not a SELECT query")
    prologue = text[:toks[i][2]]
    select_at = i
    # The SELECT clause runs to the dataset clause, WHERE, or the group that opens the WHERE clause.
    depth = 0
    dataset: list[str] = []
    select_end = None
    while i < len(toks):
        kind, t, a, b = toks[i]
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif depth == 0 and kind == "word" and t.upper() == "FROM":
            select_end = a if select_end is None else select_end
            j = i + 1
            if j < len(toks) and toks[j][1].upper() == "NAMED":
                j += 1
            if j >= len(toks):
                raise QueryError("its FROM clause is cut short")
            dataset.append(text[a:toks[j][3]])
            i = j
        elif depth == 0 and kind == "word" and t.upper() == "WHERE":
            select_end = a if select_end is None else select_end
        elif depth == 0 and t == "{":
            break
        i += 1
    if i >= len(toks):
        raise QueryError("no WHERE { ... } group was found")
    select_clause = text[toks[select_at][2]:toks[i][2] if select_end is None else select_end]
    open_at, depth = i, 0
    while i < len(toks):
        if toks[i][1] == "{":
            depth += 1
        elif toks[i][1] == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    if i >= len(toks):
        raise QueryError("its WHERE group is not closed")
    group = text[toks[open_at][2]:toks[i][3]]
    # Solution modifiers and a trailing VALUES clause, at the top level.
    tail = toks[i + 1:]
    marks: dict[str, int] = {}
    depth = 0
    for k, (kind, t, a, b) in enumerate(tail):
        if t in ("(", "{"):
            depth += 1
        elif t in (")", "}"):
            depth -= 1
        elif depth == 0 and kind == "word" and t.upper() in ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
            if t.upper() in marks:
                raise QueryError(f"it has two {t.upper()} clauses")
            marks[t.upper()] = k
            if t.upper() == "VALUES":
                break
    values = text[tail[marks["VALUES"]][2]:] if "VALUES" in marks else ""

    def _int(key: str) -> int | None:
        if key not in marks:
            return None
        k = marks[key] + 1
        if k >= len(tail) or not tail[k][1].isdigit():
            raise QueryError(f"its {key} is not a whole number")
        return int(tail[k][1])

    limit, offset = _int("LIMIT"), _int("OFFSET")
    # where the GROUP BY / HAVING part ends: at ORDER, LIMIT, OFFSET or VALUES, whichever comes first
    stops = [marks[k] for k in ("ORDER", "LIMIT", "OFFSET", "VALUES") if k in marks]
    stop_at = tail[min(stops)][2] if stops else len(text)
    grouping = text[tail[0][2]:stop_at] if tail and (not stops or min(stops) > 0) else ""
    keys = ""
    if "ORDER" in marks:
        k = marks["ORDER"]
        if k + 1 >= len(tail) or tail[k + 1][1].upper() != "BY":
            raise QueryError("ORDER is not followed by BY")
        after = [marks[x] for x in ("LIMIT", "OFFSET", "VALUES") if x in marks and marks[x] > k]
        keys_end = tail[min(after)][2] if after else len(text)
        keys = text[tail[k + 1][3]:keys_end].strip()
    for v in variables:
        if not _VARNAME.match(v):
            raise QueryError(f"the server named a result variable {v!r}")
    # Each variable breaks ties by its kind first, then by itself: Virtuoso's order of a
    # variable mixing IRIs and literals is not the same from one page to the next (rows were lost).
    # A grouped query orders by the plain variables: Virtuoso refuses expressions over aggregates there.
    ties = " ".join(f"?{v}" if "GROUP" in marks else f"isLiteral(?{v}) isBlank(?{v}) ?{v}" for v in variables)
    order = " ".join(x for x in (keys, ties) if x)
    if not order and variables:
        raise QueryError("it projects no variables to order the pages by")
    if values:  # joined with the WHERE group either way; Virtuoso fails on VALUES after a subquery (SQ200)
        group = f"{group[:-1]}\n{values.strip()}\n}}"
    inner = f"{select_clause.strip()} WHERE {group}\n{grouping.strip()}" + (f"\nORDER BY {order}" if order else "")
    return PagePlan(prologue, "".join(f" {d}" for d in dataset), inner, offset or 0, limit)


class PagedSolutions:
    """The rows of a SELECT read page by page; iterated like pyoxigraph's `QuerySolutions` (once).

    The first page is read at once, so a server that refuses the paged form fails `query()` itself.
    """

    def __init__(self, store: "SparqlStore", plan: PagePlan, variables: Sequence[str], cap: int) -> None:
        self.variables = [ox.Variable(v) for v in variables]
        self.pages = 0
        self._store, self._plan, self._size = store, plan, max(1, cap)
        self._offset = plan.offset
        self._remaining = plan.limit
        self._next = self._fetch()

    def _fetch(self) -> list[ox.QuerySolution] | None:
        """The next page, or None after the last one."""
        while True:
            want = self._size if self._remaining is None else min(self._size, self._remaining)
            if want <= 0:
                return None
            rows, announced = self._store._page(self._plan, self._offset, want)
            if announced is not None and announced < want and len(rows) >= announced:
                self._size = announced  # the server cut the page itself: ask for smaller ones
                continue
            self.pages += 1
            self._offset += len(rows)
            if self._remaining is not None:
                self._remaining -= len(rows)
            if len(rows) < want:
                self._remaining = 0  # a short page is the last one
            return rows

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        while self._next is not None:
            rows, self._next = self._next, None
            yield from rows
            if rows:
                self._next = self._fetch()


def _max_rows(headers: Mapping[str, str] | Message) -> int | None:
    """The cap Virtuoso announces when it cut a SELECT (X-SPARQL-MaxRows), else None."""
    v = (headers.get("X-SPARQL-MaxRows") or "").strip()
    return int(v) if v.isdigit() and int(v) > 0 else None


