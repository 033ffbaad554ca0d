"""A small SHACL-core engine, compiled from a shapes graph, fast enough to check every article in ingest.

Terms are N-Triples strings; a data graph is one named graph indexed as subject -> predicate -> objects
(`Data`); `ShapesGraph` compiles shapes into Python closures and evaluates focus nodes. What it
implements is `SUPPORTED`; shapes using anything else are refused (`ShapesError`). SPARQL-based
constraints are compiled here and run per batch by `kg.shapes`. Checked against pySHACL
(tests/test_shapes_equivalence.py) and the W3C SHACL core test suite (tests/test_shapes.py).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable, Iterator

from .errors import ShapesError


SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SEVERITIES = {SH + "Violation": "Violation", SH + "Warning": "Warning", SH + "Info": "Info"}

#: Constraint parameters the fast engine implements (all others are refused when shapes are compiled).
SUPPORTED = frozenset({
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "in", "hasValue",
    "node", "or", "and", "not", "xone", "equals", "disjoint", "lessThan", "lessThanOrEquals", "sparql",
})
_IGNORED = {"path", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "severity", "message",
            "property", "flags", "deactivated", "name", "description", "order", "group", "defaultValue",
            "declare", "prefixes"}

# ---- terms ------------------------------------------------------------------------------------------
# A term is its N-Triples text: "<iri>", "_:b", "\"lex\"", "\"lex\"@en", "\"lex\"^^<dt>".

_ESC = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)')
_ESC_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESC.sub(lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1
                    else _ESC_CHARS.get(m.group(1), m.group(1)), text)


def literal_parts(term: str) -> tuple[str, str, str | None]:
    """(lexical form, datatype IRI, language) of a literal term."""
    j = term.rfind('"')
    lex = _unescape(term[1:j])
    rest = term[j + 1:]
    if not rest:
        return lex, XSD_STRING, None
    if rest[0] == "@":
        return lex, RDF_LANGSTRING, rest[1:].lower()
    return lex, rest[3:-1], None


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def nt_term(node) -> str:
    """An rdflib node in this module's term form (N-Triples; xsd:string literals without datatype)."""
    from rdflib import BNode, Literal
    if isinstance(node, Literal):
        body = '"' + _escape(str(node)) + '"'
        if node.language:
            return body + "@" + node.language.lower()
        if node.datatype is not None and str(node.datatype) != XSD_STRING:
            return body + f"^^<{node.datatype}>"
        return body
    if isinstance(node, BNode):
        return "_:" + str(node)
    return f"<{node}>"


def term_string(term: str) -> str:
    """SPARQL STR(): the IRI, the lexical form, or the blank node label."""
    c = term[0]
    if c == "<":
        return term[1:-1]
    if c == '"':
        return literal_parts(term)[0]
    return term[2:]


# Lexical forms of the datatypes whose well-formedness sh:datatype checks (as rdflib does).
_TZ = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_LEXICAL = {
    "integer": re.compile(r"^[+-]?[0-9]+$"),
    "nonNegativeInteger": re.compile(r"^(\+?[0-9]+|-0+)$"),
    "positiveInteger": re.compile(r"^\+?0*[1-9][0-9]*$"),
    "decimal": re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    "boolean": re.compile(r"^(true|false|1|0)$"),
    "gYear": re.compile(rf"^{_YEAR}{_TZ}$"),
    "gYearMonth": re.compile(rf"^{_YEAR}-(0[1-9]|1[0-2]){_TZ}$"),
    "date": re.compile(rf"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}$"),
    "dateTime": re.compile(rf"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
                           rf"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?{_TZ}$"),
}
_INTEGER_RANGES = {  # XSD integer-derived types: (min, max), None for unbounded
    "integer": (None, None), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1),
    "byte": (-128, 127), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
_INTEGER_TYPES = {"integer", "nonNegativeInteger", "positiveInteger", "long", "int", "short", "byte",
                  "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt"}


def _valid_date(lex: str) -> bool:
    import datetime as _dt
    m = re.match(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})", lex)
    if not m:
        return False
    try:
        _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


def well_formed(lex: str, datatype: str) -> bool:
    if not datatype.startswith(XSD):
        return True
    local = datatype[len(XSD):]
    if local in _INTEGER_RANGES:
        if not _LEXICAL["integer"].match(lex):
            return False
        lo, hi = _INTEGER_RANGES[local]
        v = int(lex)
        return (lo is None or v >= lo) and (hi is None or v <= hi)
    rx = _LEXICAL.get(local)
    if rx is None:
        return True
    if not rx.match(lex):
        return False
    if local in ("date", "dateTime"):
        return _valid_date(lex)
    return True


def _datetime_value(term: str):
    """A date or dateTime literal as a comparable value (naive and aware values are kept apart)."""
    import datetime as _dt
    lex, dt, _ = literal_parts(term)
    local = dt[len(XSD):] if dt.startswith(XSD) else ""
    if local not in ("date", "dateTime") or not well_formed(lex, dt):
        return None
    try:
        if local == "date":
            return ("date", lex.endswith("Z") or "+" in lex[10:] or "-" in lex[10:], _dt.date.fromisoformat(lex[:10]))
        v = _dt.datetime.fromisoformat(lex.replace("Z", "+00:00"))
        return ("dateTime", v.tzinfo is not None, v)
    except ValueError:
        return None


def ordered_value(term: str):
    """(kind, value) for ordering comparisons, or None when the term has no order."""
    if term[0] != '"':
        return None
    x = numeric_value(term)
    if x is not None:
        return ("number", x)
    d = _datetime_value(term)
    if d is not None:
        return (d[0] + ("+tz" if d[1] else ""), d[2])
    lex, dt, lang = literal_parts(term)
    if dt == XSD_STRING:
        return ("string", lex)
    return None


def numeric_value(term: str) -> Decimal | float | None:
    if term[0] != '"':
        return None
    lex, dt, _ = literal_parts(term)
    if not dt.startswith(XSD):
        return None
    local = dt[len(XSD):]
    try:
        if local in _INTEGER_TYPES or local in _INTEGER_RANGES or local == "decimal":
            return Decimal(lex.strip()) if well_formed(lex, dt) else None
        if local in ("float", "double"):
            return float(lex.strip().replace("INF", "inf"))
    except (InvalidOperation, ValueError):
        return None
    return None


# ---- data -------------------------------------------------------------------------------------------
_NQ_LINE = re.compile(r"^(<[^>\s]*>|_:\S+) (<[^>\s]*>) (.+) (<[^>]*>) \.$", re.M)


def parse_nquads(text: str) -> list[tuple[str, str, str]]:
    """Triples of an N-Quads text in one named graph. A fast path for `kg`'s own serializer (one space
    between terms, one line per quad); anything else goes through Oxigraph's parser."""
    found = _NQ_LINE.findall(text)
    if len(found) == text.count("\n") and text.endswith("\n"):
        return [(s, p, o) for s, p, o, _ in found]
    import pyoxigraph as ox
    return [(str(q.subject), str(q.predicate), str(q.object))
            for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)]


def _index(spo: dict[str, dict[str, list[str]]], s: str, p: str, o: str) -> None:
    """Add one triple to a subject -> predicate -> objects index (objects kept unique, in order)."""
    d = spo.get(s)
    if d is None:
        spo[s] = {p: [o]}
        return
    v = d.get(p)
    if v is None:
        d[p] = [o]
    elif o not in v:
        v.append(o)


class Data:
    """One data graph, indexed for the lookups SHACL needs."""

    __slots__ = ("spo", "_inv", "_subclasses")

    def __init__(self, triples: Iterable[tuple[str, str, str]], keep: frozenset[str] | None = None) -> None:
        """`keep`: the only predicates worth indexing (those the shapes can look at); None keeps all."""
        spo: dict[str, dict[str, list[str]]] = {}
        for s, p, o in triples:
            if keep is None or p in keep:
                _index(spo, s, p, o)
        self.spo = spo
        self._inv: dict[str, dict[str, list[str]]] = {}
        self._subclasses: dict[str, set[str]] = {}

    @classmethod
    def from_nquads(cls, graph: str, text: str, keep: frozenset[str] | None = None,
                    inverse: frozenset[str] = frozenset()) -> "Data":
        """One named graph's N-Quads. Fast path for kg's own serializer (single spaces, every line in
        `graph`, a subject's triples together): two str.split calls per line, the subject looked up once per
        run of lines (measured: a regex, or splitting on the graph suffix, were slower); anything else
        goes through Oxigraph's parser. `inverse`: predicates whose object -> subjects index is built on
        the way (rdf:type, inverse paths), cheaper than one more pass over the graph each."""
        suffix = f" <{graph}> ."
        n = len(suffix)
        known: frozenset[str] | set[str] = keep if keep is not None else set()  # predicates known well formed
        if keep is not None:
            inverse = inverse & keep
        inv: dict[str, dict[str, list[str]]] = {p: {} for p in inverse}
        spo: dict[str, dict[str, list[str]]] = {}
        last: str | None = None                     # the subject of the previous line, and its index
        d: dict[str, list[str]] = {}
        try:
            for line in text.split("\n"):
                if not line:
                    continue
                s, p, rest = line.split(" ", 2)
                if not rest.endswith(suffix):
                    raise ValueError(line)
                if p not in known:
                    if p[0] != "<" or p[-1] != ">" or s[0] not in "<_":
                        raise ValueError(line)
                    if keep is not None:
                        continue
                    known.add(p)
                if s != last:
                    if s[0] not in "<_":
                        raise ValueError(line)
                    d = spo.get(s)
                    if d is None:
                        d = spo[s] = {}
                    last = s
                o = rest[:-n]
                v = d.get(p)
                if v is None:
                    d[p] = [o]
                elif o not in v:
                    v.append(o)
                else:
                    continue                # a repeated triple
                if p in inverse:
                    subjects = inv[p].get(o)
                    if subjects is None:
                        inv[p][o] = [s]
                    else:
                        subjects.append(s)
        except (ValueError, IndexError):
            return cls(parse_nquads(text), keep)
        data = cls((), keep)
        data.spo = spo
        data._inv = inv
        return data

    def objects(self, s: str, p: str) -> list[str]:
        d = self.spo.get(s)
        return d.get(p, []) if d else []

    def inverse(self, p: str) -> dict[str, list[str]]:
        inv = self._inv.get(p)
        if inv is None:
            inv = defaultdict(list)
            for s, d in self.spo.items():
                for o in d.get(p, ()):
                    inv[o].append(s)
            self._inv[p] = inv = dict(inv)
        return inv

    def subjects(self, p: str, o: str) -> list[str]:
        return self.inverse(p).get(o, [])

    def subjects_of(self, p: str) -> list[str]:
        return [s for s, d in self.spo.items() if p in d]

    def objects_of(self, p: str) -> list[str]:
        return list(self.inverse(p))

    def subclasses(self, c: str) -> set[str]:
        """c and every class below it by rdfs:subClassOf in the data graph."""
        got = self._subclasses.get(c)
        if got is None:
            got = {c}
            inv = self.inverse(RDFS_SUBCLASS)
            if inv:
                todo = [c]
                while todo:
                    for sub in inv.get(todo.pop(), ()):
                        if sub not in got:
                            got.add(sub)
                            todo.append(sub)
            self._subclasses[c] = got
        return got

    def instances(self, c: str) -> list[str]:
        inv = self.inverse(RDF_TYPE)
        if not self.inverse(RDFS_SUBCLASS):      # the usual data graph: no class hierarchy of its own
            return inv.get(c, _EMPTY)
        classes = self.subclasses(c)
        if len(classes) == 1:
            return inv.get(c, _EMPTY)
        return list(dict.fromkeys(x for k in classes for x in inv.get(k, ())))

    def has_class(self, node: str, c: str) -> bool:
        types = self.objects(node, RDF_TYPE)
        if not types:
            return False
        if c in types:
            return True
        if not self.inverse(RDFS_SUBCLASS):
            return False
        classes = self.subclasses(c)
        return len(classes) > 1 and any(t in classes for t in types)

    def triples(self) -> Iterator[tuple[str, str, str]]:
        for s, d in self.spo.items():
            for p, os_ in d.items():
                for o in os_:
                    yield s, p, o


# ---- paths ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Path_:
    kind: str            # "pred", "inverse", "alt", "seq", "zeroOrMore", "oneOrMore", "zeroOrOne"
    pred: str = ""
    parts: tuple["Path_", ...] = ()

    def render(self) -> str:
        if self.kind == "pred":
            return self.pred
        if self.kind == "inverse":
            return "^" + self.parts[0].render()
        if self.kind == "alt":
            return "(" + "|".join(p.render() for p in self.parts) + ")"
        if self.kind == "seq":
            return "(" + "/".join(p.render() for p in self.parts) + ")"
        return self.parts[0].render() + {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[self.kind]

    def values(self, data: Data, node: str) -> list[str]:
        k = self.kind
        if k == "pred":
            return data.objects(node, self.pred)
        if k == "inverse":
            inner = self.parts[0]
            if inner.kind == "pred":
                return data.subjects(inner.pred, node)
            return [s for s in _all_nodes(data) if node in inner.values(data, s)]
        if k == "alt":
            return list(dict.fromkeys(v for p in self.parts for v in p.values(data, node)))
        if k == "seq":
            cur = [node]
            for p in self.parts:
                cur = list(dict.fromkeys(v for n in cur for v in p.values(data, n)))
            return cur
        inner = self.parts[0]
        if k == "zeroOrOne":
            return list(dict.fromkeys([node] + inner.values(data, node)))
        seen: dict[str, None] = {node: None} if k == "zeroOrMore" else {}
        todo = list(inner.values(data, node))      # a copy: values() may return the index's own list
        while todo:
            n = todo.pop()
            if n not in seen:
                seen[n] = None
                todo.extend(inner.values(data, n))
        return list(seen)


def path_getter(path: Path_) -> Callable[[Data, str], list[str]]:
    """`path.values` specialised for the paths shapes mostly use (a predicate, its inverse, alternatives
    of predicates): no recursion and no copies where the index's own list will do."""
    if path.kind == "pred":
        pred = path.pred

        def objects(data: Data, node: str) -> list[str]:
            d = data.spo.get(node)
            return d.get(pred, _EMPTY) if d else _EMPTY
        return objects
    if path.kind == "inverse" and path.parts[0].kind == "pred":
        inner = path.parts[0].pred
        return lambda data, node: data.inverse(inner).get(node, _EMPTY)
    if path.kind == "alt" and all(p.kind == "pred" for p in path.parts):
        preds = tuple(p.pred for p in path.parts)

        def alternatives(data: Data, node: str) -> list[str]:
            d = data.spo.get(node)
            if not d:
                return _EMPTY
            found = [d[p] for p in preds if p in d]
            if len(found) < 2:
                return found[0] if found else _EMPTY
            return list(dict.fromkeys(v for vs in found for v in vs))
        return alternatives
    return path.values


def _all_nodes(data: Data) -> list[str]:
    nodes = dict.fromkeys(data.spo)
    for _, _, o in data.triples():
        nodes[o] = None
    return list(nodes)


# ---- compiled shapes ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    """One SHACL validation result, plus the graph and PMID it belongs to."""

    focus: str
    path: str | None
    value: str | None
    shape: str
    component: str
    severity: str
    message: str
    graph: str | None = None
    pmid: str | None = None

    def key(self) -> tuple:
        """What pySHACL and this engine must agree on (tests/test_shapes_equivalence.py)."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity, self.message)


@dataclass
class Shape:
    node: object                       # rdflib node of the shape (identity)
    name: str                          # N-Triples form for reports
    path: Path_ | None = None
    targets_class: list[str] = field(default_factory=list)
    targets_node: list[str] = field(default_factory=list)
    targets_subjects_of: list[str] = field(default_factory=list)
    targets_objects_of: list[str] = field(default_factory=list)
    checks: list[Callable] = field(default_factory=list)
    properties: list["Shape"] = field(default_factory=list)
    sparql: list["SparqlConstraint"] = field(default_factory=list)
    severity: str = "Violation"
    message: str | None = None
    deactivated: bool = False
    path_text: str | None = None
    empty_checks: list[Callable] = field(default_factory=list)   # the checks that can fail with no values
    inline_pred: str | None = None     # set when the shape is a plain-predicate property shape (fast path)
    leaf: bool = False                 # a property shape with no nested shapes of its own (fast path)
    getter: Callable[[Data, str], list[str]] | None = None        # compiled `path.values`
    # the quick check (`quick_check`): value counts within [lo, hi] and quick(values) mean "conforms"
    lo: int = 0
    hi: int = sys.maxsize
    quick: Callable[[Data, str, list[str]], bool] | None = None
    plan: list[tuple] | None = None    # per property shape, what the evaluation loop needs (`_plan`)
    single_class: str | None = None    # the class, when instances of one class are all the targets

    @property
    def has_targets(self) -> bool:
        return bool(self.targets_class or self.targets_node or self.targets_subjects_of or self.targets_objects_of)


@dataclass
class SparqlConstraint:
    shape: Shape
    node: object
    query: str
    predicates: frozenset[str] | None   # predicates the query can match; None: any
    severity: str
    message: str | None
    native: "NativeSparql | None" = None   # the same query answered in Python, when one is registered

    def result(self, focus: str, value: str | None, path: str | None = None) -> Result:
        """The validation result of one solution (focus, ?value, ?path) of the query."""
        return Result(focus, path, value, self.shape.name, SH + "SPARQLConstraintComponent", self.severity,
                      self.message or "SPARQL constraint")


@dataclass(frozen=True)
class NativeSparql:
    """A Python function that gives, for one data graph and focus node, the ?value of every solution of a
    known SPARQL constraint (`select`, with `prefixes` bound as given), or None when it cannot be sure
    (an unusual term), so the query itself must run. It replaces loading each batch into a SPARQL store.

    `context_predicates`: predicates it also reads from the context; any other predicate it reads must not
    occur in the context (the store would join it), otherwise the query runs."""

    select: str
    prefixes: dict[str, str]
    run: Callable[["Data", str, "Data"], list[str] | None]
    context_predicates: frozenset[str] = frozenset()

    def matches(self, select: str, prefixes: dict[str, str]) -> bool:
        return " ".join(select.split()) == " ".join(self.select.split()) \
            and all(prefixes.get(k) == v for k, v in self.prefixes.items())


class Context:
    """Read-only triples that SPARQL constraints see beside each data graph (for kg: the MeSH vocabulary's
    allowable qualifiers), indexed once rather than per batch."""

    def __init__(self, triples: Iterable[tuple[str, str, str]] = ()) -> None:
        self.triples = list(triples)
        self.data = Data(self.triples)
        self.predicates = frozenset(p for _, p, _ in self.triples)


Emit = list  # failures: (value, component local name)
_EMPTY: list[str] = []   # shared "no values"; never mutated


def _on_empty(check):
    """Mark a check that can fail when the path has no values (counts, sh:hasValue, sh:equals)."""
    check.on_empty = True
    return check


class ShapesGraph:
    """A compiled shapes graph: `validate(data)` gives the results pySHACL would give."""

    def __init__(self, graph, native: Iterable[NativeSparql] = ()) -> None:
        """`native`: Python answers to known SPARQL constraints (see `NativeSparql`)."""
        self.graph = graph
        self.native = list(native)
        self._cache: dict[object, Shape] = {}
        self.shapes: list[Shape] = []
        self._compile()
        self.sparql = [c for s in self._cache.values() for c in s.sparql]
        self.predicates = self._predicates()
        self.inverse_predicates = self._inverse_predicates()
        self.sparql_predicates = _union([c.predicates for c in self.sparql]) if self.sparql else None

    def _predicates(self) -> frozenset[str] | None:
        """Every predicate a shape can read (paths anywhere, targets, pair constraints, SPARQL), so data
        indexes can skip the rest; None when some path needs every triple."""
        from rdflib import URIRef
        g = self.graph
        found = {RDF_TYPE, RDFS_SUBCLASS}

        def walk(path: Path_) -> bool:
            if path.kind == "pred":
                found.add(path.pred)
                return True
            if path.kind == "inverse" and path.parts[0].kind != "pred":
                return False
            return all(walk(p) for p in path.parts)
        for node in set(g.objects(None, URIRef(SH + "path"))):
            if not walk(self._path(node)):
                return None
        for name in ("targetSubjectsOf", "targetObjectsOf", "equals", "disjoint", "lessThan", "lessThanOrEquals"):
            found.update(nt_term(o) for o in g.objects(None, URIRef(SH + name)))
        for c in self.sparql:
            if c.predicates is None:
                return None
            found.update(c.predicates)
        return frozenset(found)

    def _inverse_predicates(self) -> frozenset[str]:
        """The predicates evaluation looks up from the object side (classes, inverse paths, objects-of
        targets): `Data.from_nquads` indexes them while parsing."""
        from rdflib import URIRef
        g = self.graph
        found = {RDF_TYPE, RDFS_SUBCLASS}

        def walk(path: Path_) -> None:
            if path.kind == "inverse" and path.parts[0].kind == "pred":
                found.add(path.parts[0].pred)
            for part in path.parts:
                walk(part)
        for node in set(g.objects(None, URIRef(SH + "path"))):
            walk(self._path(node))
        found.update(nt_term(o) for o in g.objects(None, URIRef(SH + "targetObjectsOf")))
        return frozenset(found)

    # -- compilation --------------------------------------------------------------------------------
    def _compile(self) -> None:
        from rdflib import RDF, RDFS, URIRef
        g = self.graph
        sh = lambda n: URIRef(SH + n)  # noqa: E731
        roots: dict[object, None] = {}
        for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for s in g.subjects(sh(p), None):
                roots[s] = None
        for s in g.subjects(RDF.type, sh("NodeShape")):
            if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g:
                roots[s] = None
        for s in g.subjects(RDF.type, sh("PropertyShape")):
            if any(g.value(s, sh(t)) is not None for t in ("targetClass", "targetNode", "targetSubjectsOf",
                                                            "targetObjectsOf")):
                roots[s] = None
        self.shapes = [self.shape(s) for s in roots]
        self.targeted = [s for s in self.shapes if s.has_targets and not s.deactivated]

    def shape(self, node) -> Shape:
        got = self._cache.get(node)
        if got is not None:
            return got
        from rdflib import RDF, RDFS, URIRef, Literal
        g = self.graph
        sh = lambda n: URIRef(SH + n)  # noqa: E731
        shp = Shape(node=node, name=nt_term(node))
        self._cache[node] = shp
        path = g.value(node, sh("path"))
        if path is not None:
            shp.path = self._path(path)
            shp.path_text = shp.path.render()
        shp.targets_class = [nt_term(t) for t in g.objects(node, sh("targetClass"))]
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g:
            shp.targets_class.append(nt_term(node))
        shp.targets_node = [nt_term(t) for t in g.objects(node, sh("targetNode"))]
        shp.targets_subjects_of = [nt_term(t) for t in g.objects(node, sh("targetSubjectsOf"))]
        shp.targets_objects_of = [nt_term(t) for t in g.objects(node, sh("targetObjectsOf"))]
        if len(shp.targets_class) == 1 and not (shp.targets_node or shp.targets_subjects_of
                                                or shp.targets_objects_of):
            shp.single_class = shp.targets_class[0]
        sev = g.value(node, sh("severity"))
        shp.severity = str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"
        msgs = sorted(g.objects(node, sh("message")), key=str)
        shp.message = str(msgs[0]) if msgs else None
        shp.deactivated = bool(g.value(node, sh("deactivated")) == Literal(True))
        used = {str(p)[len(SH):] for p in g.predicates(node, None) if str(p).startswith(SH)}
        unknown = used - SUPPORTED - _IGNORED - {"qualifiedMinCount", "qualifiedMaxCount"} - {"languageIn", "uniqueLang"}
        if unknown or used & {"qualifiedValueShape", "closed", "languageIn", "uniqueLang"}:
            bad = sorted(unknown | (used & {"qualifiedValueShape", "closed", "languageIn", "uniqueLang"}))
            raise ShapesError(f"shape {nt_term(node)} uses SHACL features the fast validator does not implement: "
                              + ", ".join("sh:" + b for b in bad))
        for prop in g.objects(node, sh("property")):
            shp.properties.append(self.shape(prop))
        self._checks(shp, used)
        for c in g.objects(node, sh("sparql")):
            if g.value(c, sh("deactivated")) == Literal(True):
                continue
            shp.sparql.append(self._sparql(shp, c))
        shp.empty_checks = [c for c in shp.checks if getattr(c, "on_empty", False)]
        shp.lo, shp.hi, shp.quick = quick_check(shp)
        if shp.path is not None:
            shp.getter = path_getter(shp.path)
            shp.leaf = not shp.properties and not shp.sparql and not shp.deactivated
            if shp.leaf and shp.path.kind == "pred":
                shp.inline_pred = shp.path.pred
        return shp

    def _path(self, node) -> Path_:
        from rdflib import URIRef, BNode
        from rdflib.collection import Collection
        g = self.graph
        sh = lambda n: URIRef(SH + n)  # noqa: E731
        if isinstance(node, URIRef):
            return Path_("pred", nt_term(node))
        if (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), None) in g:
            return Path_("seq", parts=tuple(self._path(x) for x in Collection(g, node)))
        for kind in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            inner = g.value(node, sh(kind))
            if inner is not None:
                name = {"inversePath": "inverse"}.get(kind, kind[:-4])
                return Path_(name, parts=(self._path(inner),))
        alt = g.value(node, sh("alternativePath"))
        if alt is not None:
            return Path_("alt", parts=tuple(self._path(x) for x in Collection(g, alt)))
        raise ShapesError(f"unsupported property path {node!r}")

    def _list(self, node) -> list:
        from rdflib.collection import Collection
        return list(Collection(self.graph, node))

    def _checks(self, shp: Shape, used: set[str]) -> None:
        from rdflib import URIRef
        g = self.graph
        node = shp.node
        sh = lambda n: URIRef(SH + n)  # noqa: E731
        add = shp.checks.append
        for c in g.objects(node, sh("class")):
            add(_class_check(nt_term(c)))
        for d in g.objects(node, sh("datatype")):
            add(_datatype_check(str(d)))
        for k in g.objects(node, sh("nodeKind")):
            add(_nodekind_check(str(k)[len(SH):]))
        for v in g.objects(node, sh("minCount")):
            add(_count_check(int(v), None))
        for v in g.objects(node, sh("maxCount")):
            add(_count_check(None, int(v)))
        for name, op in (("minInclusive", "ge"), ("maxInclusive", "le"), ("minExclusive", "gt"),
                         ("maxExclusive", "lt")):
            for v in g.objects(node, sh(name)):
                add(_range_check(name, op, nt_term(v)))
        for v in g.objects(node, sh("minLength")):
            add(_length_check("MinLength", int(v), None))
        for v in g.objects(node, sh("maxLength")):
            add(_length_check("MaxLength", None, int(v)))
        for v in g.objects(node, sh("pattern")):
            flags = g.value(node, sh("flags"))
            add(_pattern_check(str(v), str(flags) if flags is not None else ""))
        for v in g.objects(node, sh("in")):
            add(_in_check(frozenset(nt_term(x) for x in self._list(v))))
        for v in g.objects(node, sh("hasValue")):
            add(_has_value_check(nt_term(v)))
        for v in g.objects(node, sh("node")):
            add(_node_check(self, v))
        for v in g.objects(node, sh("not")):
            add(_not_check(self, v))
        for v in g.objects(node, sh("and")):
            add(_logic_check(self, "And", self._list(v)))
        for v in g.objects(node, sh("or")):
            add(_logic_check(self, "Or", self._list(v)))
        for v in g.objects(node, sh("xone")):
            add(_logic_check(self, "Xone", self._list(v)))
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for v in g.objects(node, sh(name)):
                add(_pair_check(name, nt_term(v)))

    def _sparql(self, shp: Shape, c) -> SparqlConstraint:
        from rdflib import URIRef
        g = self.graph
        sh = lambda n: URIRef(SH + n)  # noqa: E731
        select = g.value(c, sh("select"))
        if select is None:
            raise ShapesError(f"SPARQL constraint of {shp.name} has no sh:select")
        prefixes: dict[str, str] = {}
        for pnode in g.objects(c, sh("prefixes")):
            for decl in g.objects(pnode, sh("declare")):
                prefixes[str(g.value(decl, sh("prefix")))] = str(g.value(decl, sh("namespace")))
        head = "".join(f"PREFIX {k}: <{v}>\n" for k, v in sorted(prefixes.items()))
        query = head + str(select)
        sev = g.value(shp.node, sh("severity"))   # severity belongs to the shape, never to the constraint node
        msgs = sorted(g.objects(c, sh("message")), key=str) or sorted(g.objects(shp.node, sh("message")), key=str)
        native = next((n for n in self.native if n.matches(str(select), prefixes)), None)
        return SparqlConstraint(shape=shp, node=c, query=query, predicates=_query_predicates(str(select), prefixes),
                                severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
                                message=str(msgs[0]) if msgs else None, native=native)

    def sparql_native(self, data: Data, context: Context) -> tuple[list[Result], list[tuple[int, str]]]:
        """The SPARQL constraints on one data graph that Python can answer, and the (constraint index,
        focus node) pairs it cannot: those need the query itself (`kg.shapes` runs it per batch)."""
        results: list[Result] = []
        deferred: list[tuple[int, str]] = []
        for i, c in enumerate(self.sparql):
            if c.shape.deactivated:
                continue
            foci = self.focus_nodes(c.shape, data)
            if not foci:
                continue
            native = c.native
            extra = context.predicates - native.context_predicates if native is not None else frozenset()
            if native is None or (extra and (c.predicates is None or not extra.isdisjoint(c.predicates))):
                deferred.extend((i, f) for f in foci)
                continue
            for f in foci:
                values = native.run(data, f, context.data)
                if values is None:
                    deferred.append((i, f))
                else:
                    results.extend(c.result(f, v) for v in values)
        return results, deferred

    # -- evaluation ---------------------------------------------------------------------------------
    def focus_nodes(self, shp: Shape, data: Data) -> list[str]:
        """The shape's focus nodes, each once. Usually one target yields them all (a class's instances):
        then that list itself, not a merged copy."""
        if shp.single_class is not None:
            return data.instances(shp.single_class)
        found = [data.instances(c) for c in shp.targets_class]
        found.extend([n] for n in shp.targets_node)
        found.extend(data.subjects_of(p) for p in shp.targets_subjects_of)
        found.extend(data.objects_of(p) for p in shp.targets_objects_of)
        found = [f for f in found if f]
        if len(found) < 2:
            return found[0] if found else _EMPTY
        return list(dict.fromkeys(n for f in found for n in f))

    def evaluate(self, shp: Shape, data: Data, focus: str, out: list[Result] | None) -> bool:
        """Check one focus node; append results to `out` (None: stop at the first failure). True if it conforms."""
        if shp.deactivated:
            return True
        path = shp.path
        values = [focus] if path is None else shp.getter(data, focus)
        n = len(values)
        ok = (shp.lo <= n <= shp.hi and (shp.quick is None or shp.quick(data, focus, values))) \
            or self._run_checks(shp, data, focus, values, out)
        if not ok and out is None:
            return False
        if shp.properties:
            plan = shp.plan if shp.plan is not None else self._plan(shp)
            spo = data.spo
            for v in ([focus] if path is None else values):
                d = spo.get(v)
                for pred, getter, lo, hi, quick, prop in plan:
                    # the common case, inlined: a property shape without shapes of its own, that conforms
                    if pred is not None:
                        vals = d.get(pred, _EMPTY) if d else _EMPTY
                    elif getter is not None:
                        vals = getter(data, v)
                    else:
                        if not self.evaluate(prop, data, v, out):
                            ok = False
                            if out is None:
                                return False
                        continue
                    n = len(vals)
                    if lo <= n <= hi and (quick is None or quick(data, v, vals)):
                        continue
                    if not self._run_checks(prop, data, v, vals, out):
                        ok = False
                        if out is None:
                            return False
        if shp.sparql and out is None:
            # nested SPARQL constraints (inside sh:node / sh:or) would need the batch store: refused
            raise ShapesError(f"{shp.name}: SPARQL constraints are supported on targeted shapes only")
        return ok

    @staticmethod
    def _plan(shp: Shape) -> list[tuple]:
        """(predicate, getter, lo, hi, quick, shape) per property shape: the predicate of a plain-predicate
        leaf, else the getter of another leaf, else neither (evaluated in full). Built on first use, when
        every property shape is compiled."""
        shp.plan = [(p.inline_pred, p.getter if p.leaf else None, p.lo, p.hi, p.quick, p) for p in shp.properties]
        return shp.plan

    def _run_checks(self, shp: Shape, data: Data, focus: str, values: list[str], out: list[Result] | None) -> bool:
        """The shape's own constraints (not its property shapes), one by one in order, reporting each
        failure; True if none fails. Only run when the quick check cannot say the values conform."""
        checks = shp.checks if values else shp.empty_checks
        fails: list[tuple[str | None, str]] = []
        for check in checks:
            check(data, focus, values, fails)
            if fails and out is None:
                return False
        if not fails:
            return True
        self._report(shp, focus, fails, out)
        return False

    @staticmethod
    def _report(shp: Shape, focus: str, fails, out) -> None:
        for value, comp in fails:
            out.append(Result(focus, shp.path_text, value, shp.name, SH + comp + "ConstraintComponent",
                              shp.severity, shp.message or comp))

    def validate(self, data: Data, *, graph: str | None = None) -> list[Result]:
        out: list[Result] = []
        for shp in self.targeted:
            for f in self.focus_nodes(shp, data):
                self.evaluate(shp, data, f, out)
        return out


def _union(sets):
    if any(x is None for x in sets):
        return None
    return frozenset().union(*sets)


def _query_predicates(select: str, prefixes: dict[str, str]) -> frozenset[str] | None:
    """The constant predicates a SPARQL constraint mentions, so a batch store need only hold those.
    None (load everything) when the query may use a variable predicate or a negated property set."""
    body = re.sub(r'"[^"]*"', '""', select)
    body = body[body.find("{"):]                       # the patterns, not the SELECT clause
    if re.search(r"[?$]\w+\s+[?$]\w+\s+\S", body) or "!" in re.sub(r"!=|!BOUND|!\(", "", body):
        return None
    found = {m for m in re.findall(r"<[^>\s]+>", body)}
    for pre, local in re.findall(r"\b([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", body):
        if pre in prefixes:
            found.add(f"<{prefixes[pre]}{local}>")
    if re.search(r"(?<![\w:?$])a(?![\w:])|rdf:type", body):
        found.add(RDF_TYPE)
    return frozenset(found)


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
    counts = [c.count for c in shp.checks if hasattr(c, "count")]
    lo = max((a for a, _ in counts if a is not None), default=0)
    hi = min((b for _, b in counts if b is not None), default=sys.maxsize)
    local = [c.ok for c in shp.checks if hasattr(c, "ok") and c.local]
    per_value = [c.ok for c in shp.checks if hasattr(c, "ok") and not c.local]
    other = [c for c in shp.checks if not hasattr(c, "ok") and not hasattr(c, "count")]
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
            fails: list = []
            for c in other:
                c(data, focus, values, fails)
                if fails:
                    return False
        return True
    return lo, hi, quick


# ---- constraint components ---------------------------------------------------------------------------
# Most components judge each value on its own: they are built by `_per_value` from a predicate
# ok(data, value), which the quick check calls directly.
def _per_value(comp: str, ok: Callable[[Data, str], bool], *, local: bool):
    """The check that reports each value failing `ok` under component `comp`. `local`: ok looks at the
    value alone, never at the data, so its verdict may be remembered."""
    def check(data: Data, focus: str, values: list[str], emit: Emit) -> None:
        for v in values:
            if not ok(data, v):
                emit.append((v, comp))
    check.ok = ok
    check.local = local
    return check


def _class_check(c: str):
    return _per_value("Class", lambda data, v: v[0] != '"' and data.has_class(v, c), local=False)


def _datatype_check(dt: str):
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


def _nodekind_check(kind: str):
    allowed = _KINDS[kind]
    return _per_value("NodeKind", lambda data, v: v[0] in allowed, local=True)


def _count_check(lo: int | None, hi: int | None):
    @_on_empty
    def check(data, focus, values, emit):
        n = len(values)
        if lo is not None and n < lo:
            emit.append((None, "MinCount"))
        if hi is not None and n > hi:
            emit.append((None, "MaxCount"))
    check.count = (lo, hi)      # the bounds, for quick_check
    return check


def _range_check(name: str, op: str, bound: str):
    b = ordered_value(bound)

    def ok(data: Data, v: str) -> bool:
        x = ordered_value(v)
        if x is None or b is None or x[0] != b[0]:
            return False
        try:
            return {"ge": x[1] >= b[1], "le": x[1] <= b[1], "gt": x[1] > b[1], "lt": x[1] < b[1]}[op]
        except TypeError:
            return {"ge": float(x[1]) >= float(b[1]), "le": float(x[1]) <= float(b[1]),
                    "gt": float(x[1]) > float(b[1]), "lt": float(x[1]) < float(b[1])}[op]
    return _per_value(name[0].upper() + name[1:], ok, local=True)


def _length_check(comp: str, lo: int | None, hi: int | None):
    def ok(data: Data, v: str) -> bool:
        if v[0] == "_":
            return False
        n = len(term_string(v))
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    return _per_value(comp, ok, local=True)


def _pattern_check(pattern: str, flags: str):
    f = 0
    for ch in flags:
        f |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(ch, 0)
    search = re.compile(pattern, f).search

    def ok(data: Data, v: str) -> bool:
        if v[0] == "<":
            return search(v[1:-1]) is not None      # term_string of an IRI, without the call
        return v[0] != "_" and search(term_string(v)) is not None
    return _per_value("Pattern", ok, local=True)


def _in_check(allowed: frozenset[str]):
    return _per_value("In", lambda data, v: v in allowed, local=True)


def _has_value_check(value: str):
    @_on_empty
    def check(data, focus, values, emit):
        if value not in values:
            emit.append((None, "HasValue"))
    return check


def _node_check(sg: ShapesGraph, node):
    return _per_value("Node", lambda data, v: sg.evaluate(sg.shape(node), data, v, None), local=False)


def _not_check(sg: ShapesGraph, node):
    return _per_value("Not", lambda data, v: not sg.evaluate(sg.shape(node), data, v, None), local=False)


def _logic_check(sg: ShapesGraph, comp: str, members: list):
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


def _pair_check(name: str, other: str):
    comp = name[0].upper() + name[1:]

    @_on_empty
    def check(data, focus, values, emit):
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
    return check
