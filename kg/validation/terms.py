"""Terms as N-Triples strings, and the values SHACL compares them by.

A term is its N-Triples text: "<iri>", "_:b", "\"lex\"", "\"lex\"@en", "\"lex\"^^<dt>". Keeping terms as
strings (not rdflib nodes) is what lets the compiled checker read kg's own N-Quads with string splits; this
module gives those strings their SHACL meaning (lexical forms, well-formedness, ordering).
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rdflib.term import Node


class Ordered(Protocol):
    """A value SHACL's order comparisons apply to: a number (Decimal or float), a date, a dateTime or a
    string. `ordered_value` pairs it with its kind; values of different kinds are never compared."""

    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...
    def __gt__(self, other: Any, /) -> bool: ...
    def __ge__(self, other: Any, /) -> bool: ...


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


def nt_term(node: Node) -> str:
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


def _datetime_value(term: str) -> tuple[str, bool, _dt.date] | None:
    """A date or dateTime literal as a comparable value (naive and aware values are kept apart)."""
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


def ordered_value(term: str) -> tuple[str, Ordered] | None:
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
