"""SHACL constraint components as checks, and the quick check that says "conforms" without building reports.

A check's `run(data, focus, values, emit)` appends (value, component local name) per failure."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Callable, SupportsFloat, cast

from .data import Data
from .model import Check, CheckRun, Emit, Shape, ValueOk
from .terms import RDF_LANGSTRING, XSD_STRING, literal_parts, ordered_value, term_string, well_formed

if TYPE_CHECKING:
    from rdflib.term import Node

    from .compile import ShapesGraph


def _on_empty(run: CheckRun) -> Check:
    """A check that can fail when the path has no values (counts, sh:hasValue, sh:equals)."""
    return Check(run, on_empty=True)



# ---- the quick check -----------------------------------------------------------------------------------
_MEMO_MAX = 20_000   # values remembered per shape; then the memory starts again (it stays bounded)
_MEMO_LEN = 200      # longer values (abstracts, passages) are checked each time rather than remembered


def quick_check(shp: Shape) -> tuple[int, int, Callable[[Data, str, list[str]], bool] | None]:
    """(lo, hi, quick): the number of values is within [lo, hi] and quick(data, focus, values) is True
    (or quick is None) exactly when `shp.checks` would report nothing, at less cost: the cardinality bounds
    are compared once, each value is judged by the components' predicates without building reports, and a
    value that passed the value-only ones (datatype, node kind, pattern, range, length, sh:in) is
    remembered, because most values repeat across articles (flags, positions, MeSH and class IRIs).
    When it says no, the checks themselves run to give the results."""
    counts = [c.count for c in shp.checks if c.count is not None]
    lo = max((a for a, _ in counts if a is not None), default=0)
    hi = min((b for _, b in counts if b is not None), default=sys.maxsize)
    local = [c.ok for c in shp.checks if c.ok is not None and c.local]
    per_value = [c.ok for c in shp.checks if c.ok is not None and not c.local]
    other = [c.run for c in shp.checks if c.ok is None and c.count is None]
    if not local and not per_value and not other:
        return lo, hi, None
    good: set[str] = set()

    def quick(data: Data, focus: str, values: list[str]) -> bool:
        for v in values:
            if local and v not in good:
                for ok in local:
                    if not ok(data, v):
                        return False
                if len(v) <= _MEMO_LEN:
                    if len(good) >= _MEMO_MAX:
                        good.clear()
                    good.add(v)
            for ok in per_value:
                if not ok(data, v):
                    return False
        if other:
            fails: Emit = []
            for run in other:
                run(data, focus, values, fails)
                if fails:
                    return False
        return True
    return lo, hi, quick


# ---- constraint components ---------------------------------------------------------------------------
# Most components judge each value on its own: they are built by `_per_value` from a predicate
# ok(data, value), which the quick check calls directly.
def _per_value(comp: str, ok: ValueOk, *, local: bool) -> Check:
    """The check that reports each value failing `ok` under component `comp`. `local`: ok looks at the
    value alone, never at the data, so its verdict may be remembered."""
    def check(data: Data, focus: str, values: list[str], emit: Emit) -> None:
        for v in values:
            if not ok(data, v):
                emit.append((v, comp))
    return Check(check, ok=ok, local=local)


def _class_check(c: str) -> Check:
    return _per_value("Class", lambda data, v: v[0] != '"' and data.has_class(v, c), local=False)


def _datatype_check(dt: str) -> Check:
    if dt == XSD_STRING:
        typed = "^^<" + XSD_STRING + ">"
        return _per_value("Datatype", lambda data, v: v[0] == '"' and (v[-1] == '"' or v.endswith(typed)),
                          local=True)
    if dt == RDF_LANGSTRING:
        return _per_value("Datatype", lambda data, v: v[0] == '"' and v[-1] != '"' and "@" in v[v.rfind('"'):],
                          local=True)
    suffix = f"^^<{dt}>"
    return _per_value("Datatype", lambda data, v: v[0] == '"' and v.endswith(suffix)
                      and well_formed(literal_parts(v)[0], dt), local=True)


_KINDS = {
    "IRI": "<", "BlankNode": "_", "Literal": '"', "BlankNodeOrIRI": "<_", "BlankNodeOrLiteral": '_"',
    "IRIOrLiteral": '<"',
}


def _nodekind_check(kind: str) -> Check:
    allowed = _KINDS[kind]
    return _per_value("NodeKind", lambda data, v: v[0] in allowed, local=True)


def _count_check(lo: int | None, hi: int | None) -> Check:
    def check(data: Data, focus: str, values: list[str], emit: Emit) -> None:
        n = len(values)
        if lo is not None and n < lo:
            emit.append((None, "MinCount"))
        if hi is not None and n > hi:
            emit.append((None, "MaxCount"))
    return Check(check, on_empty=True, count=(lo, hi))      # the bounds, for quick_check


def _range_check(name: str, op: str, bound: str) -> Check:
    b = ordered_value(bound)

    def ok(data: Data, v: str) -> bool:
        x = ordered_value(v)
        if x is None or b is None or x[0] != b[0]:
            return False
        try:
            return {"ge": x[1] >= b[1], "le": x[1] <= b[1], "gt": x[1] > b[1], "lt": x[1] < b[1]}[op]
        except TypeError:     # only numbers of two kinds (Decimal, float) can get here
            xf, bf = float(cast(SupportsFloat, x[1])), float(cast(SupportsFloat, b[1]))
            return {"ge": xf >= bf, "le": xf <= bf, "gt": xf > bf, "lt": xf < bf}[op]
    return _per_value(name[0].upper() + name[1:], ok, local=True)


def _length_check(comp: str, lo: int | None, hi: int | None) -> Check:
    def ok(data: Data, v: str) -> bool:
        if v[0] == "_":
            return False
        n = len(term_string(v))
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    return _per_value(comp, ok, local=True)


def _pattern_check(pattern: str, flags: str) -> Check:
    f = 0
    for ch in flags:
        f |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(ch, 0)
    search = re.compile(pattern, f).search

    def ok(data: Data, v: str) -> bool:
        if v[0] == "<":
            return search(v[1:-1]) is not None      # term_string of an IRI, without the call
        return v[0] != "_" and search(term_string(v)) is not None
    return _per_value("Pattern", ok, local=True)


def _in_check(allowed: frozenset[str]) -> Check:
    return _per_value("In", lambda data, v: v in allowed, local=True)


def _has_value_check(value: str) -> Check:
    def check(data: Data, focus: str, values: list[str], emit: Emit) -> None:
        if value not in values:
            emit.append((None, "HasValue"))
    return _on_empty(check)


def _node_check(sg: ShapesGraph, node: Node) -> Check:
    return _per_value("Node", lambda data, v: sg.evaluate(sg.shape(node), data, v, None), local=False)


def _not_check(sg: ShapesGraph, node: Node) -> Check:
    return _per_value("Not", lambda data, v: not sg.evaluate(sg.shape(node), data, v, None), local=False)


def _logic_check(sg: ShapesGraph, comp: str, members: list[Node]) -> Check:
    inner: list[Shape] = []

    def conforms(shape: Shape, data: Data, v: str) -> bool:
        if shape.path is None and not shape.properties and not shape.sparql and not shape.deactivated:
            # a plain node-level shape: its quick check is exact (see quick_check)
            return shape.lo <= 1 <= shape.hi and (shape.quick is None or shape.quick(data, v, [v]))
        return sg.evaluate(shape, data, v, None)

    def ok(data: Data, v: str) -> bool:
        if not inner:
            inner.extend(sg.shape(m) for m in members)
        if comp == "Or":
            return any(conforms(s, data, v) for s in inner)
        n = sum(1 for s in inner if conforms(s, data, v))
        return n == len(inner) if comp == "And" else n == 1
    return _per_value(comp, ok, local=False)


def _compare(a: str, b: str) -> int | None:
    """-1/0/1 when both terms have a common order (numbers, dates, plain strings), None when incomparable."""
    x, y = ordered_value(a), ordered_value(b)
    if x is None or y is None or x[0] != y[0]:
        return None
    try:
        return (x[1] > y[1]) - (x[1] < y[1])
    except TypeError:
        return None


def _pair_check(name: str, other: str) -> Check:
    comp = name[0].upper() + name[1:]

    def check(data: Data, focus: str, values: list[str], emit: Emit) -> None:
        others = data.objects(focus, other)
        if name == "equals":
            for v in values:
                if v not in others:
                    emit.append((v, comp))
            for o in others:
                if o not in values:
                    emit.append((o, comp))
        elif name == "disjoint":
            for v in values:
                if v in others:
                    emit.append((v, comp))
        else:
            for v in values:
                for o in others:
                    c = _compare(v, o)
                    if c is None or c > 0 or (c == 0 and name == "lessThan"):
                        emit.append((v, comp))
    return _on_empty(check)
