"""kg's own SPARQL constraints answered in Python ("native mirrors"), keyed by the IRI of the shape.

Each mirror gives, per graph and focus node, exactly the ?value solutions of one `sh:select` in shapes/*.ttl,
read with the context as pySHACL sees it. The query text itself is read from the .ttl only; a mirror is
pinned to it by a digest, so editing the query without editing its mirror makes the mirror stand aside (the
query itself then runs, correct but slow) and tests/test_shapes.py says so. tests/test_shapes.py compares
the mirrors with the queries on edge cases. See docs/decisions/0023-validation-package-and-engines.md.
"""

from __future__ import annotations

from typing import Iterator

from ..vocab import KG, MESHV, OA
from .data import Data
from .model import NativeSparql
from .terms import XSD, XSD_STRING, literal_parts, term_string


def _nt(iri: str) -> str:
    return f"<{iri}>"


_HEADING, _DESCRIPTOR, _QUALIFIER = _nt(KG.meshHeading), _nt(KG.descriptor), _nt(KG.qualifier)
_QUALIFIER_TERM, _PAIR_TERM, _TEXT = _nt(KG.qualifierTerm), _nt(KG.pairTerm), _nt(KG.text)
_ALLOWABLE = _nt(MESHV.allowableQualifier)
_SELECTOR, _SOURCE, _START, _END, _EXACT = (_nt(OA.hasSelector), _nt(OA.hasSource), _nt(OA.start), _nt(OA.end),
                                            _nt(OA.exact))


def _qualifiers(data: Data, focus: str) -> Iterator[tuple[str, str, str]]:
    """(?descriptor, ?qualifier, ?value) of the pattern both MeSH pair queries share:
    $this kg:meshHeading ?heading . ?heading kg:qualifier ?assignment ; kg:descriptor ?descriptor .
    ?assignment kg:pairTerm ?value ; kg:qualifierTerm ?qualifier ."""
    spo = data.spo
    for heading in data.objects(focus, _HEADING):
        h = spo.get(heading)
        if not h or _DESCRIPTOR not in h or _QUALIFIER not in h:
            continue
        for assignment in h[_QUALIFIER]:
            a = spo.get(assignment)
            if not a or _PAIR_TERM not in a or _QUALIFIER_TERM not in a:
                continue
            for descriptor in h[_DESCRIPTOR]:
                for qualifier in a[_QUALIFIER_TERM]:
                    for value in a[_PAIR_TERM]:
                        yield descriptor, qualifier, value


def _sparql_str(term: str) -> str | None:
    """SPARQL STR(); None for a blank node (an error, so the FILTER rejects the solution)."""
    return None if term[0] == "_" else term_string(term)


def _mesh_pairs(data: Data, focus: str, context: Data) -> list[str]:
    """FILTER (STR(?value) != CONCAT(STR(?descriptor), STRAFTER(STR(?qualifier), "/mesh/")))"""
    found: dict[str, None] = {}
    for descriptor, qualifier, value in _qualifiers(data, focus):
        d, q, v = _sparql_str(descriptor), _sparql_str(qualifier), _sparql_str(value)
        if d is None or q is None or v is None:
            continue
        cut = q.find("/mesh/")
        if v != d + (q[cut + 6:] if cut >= 0 else ""):
            found[value] = None
    return list(found)


def _allowable(data: Data, focus: str, context: Data) -> list[str]:
    """FILTER EXISTS { ?descriptor meshv:allowableQualifier ?any . }
    FILTER NOT EXISTS { ?descriptor meshv:allowableQualifier ?qualifier . }"""
    found: dict[str, None] = {}
    for descriptor, qualifier, value in _qualifiers(data, focus):
        allowed = context.objects(descriptor, _ALLOWABLE)
        own = data.objects(descriptor, _ALLOWABLE)
        if (allowed or own) and qualifier not in allowed and qualifier not in own:
            found[value] = None
    return list(found)


def _offset_int(term: str | None) -> int | None:
    """xsd:integer(term) for a plain offset ("12"^^xsd:integer or xsd:nonNegativeInteger); None otherwise."""
    if term is None or term[0] != '"':
        return None
    lex, dt, _ = literal_parts(term)
    return int(lex) if dt in (XSD + "integer", XSD + "nonNegativeInteger") and lex.isascii() and lex.isdigit() \
        else None


def _plain_text(term: str | None) -> str | None:
    """The text of a plain (or xsd:string) literal; None for anything else."""
    if term is None or term[0] != '"':
        return None
    lex, dt, _ = literal_parts(term)
    return lex if dt == XSD_STRING else None


def _offsets_wrong(start: str, end: str, exact: str | None, text: str | None) -> bool | None:
    """The FILTER of the offsets query for one solution; None when a term is unusual (then SPARQL's own
    error rules decide, by running the query):
    (BOUND(?exact) && STRLEN(?exact) != xsd:integer(?end) - xsd:integer(?start))
    || (BOUND(?text) && (xsd:integer(?end) > STRLEN(?text)
        || (BOUND(?exact) && SUBSTR(?text, xsd:integer(?start) + 1, STRLEN(?exact)) != ?exact)))"""
    if exact is None and text is None:
        return False
    s, e = _offset_int(start), _offset_int(end)
    x = _plain_text(exact) if exact is not None else ""
    t = _plain_text(text) if text is not None else ""
    if s is None or e is None or x is None or t is None:
        return None
    if exact is not None and len(x) != e - s:
        return True
    return text is not None and (e > len(t) or (exact is not None and t[s:s + len(x)] != x))


def _offsets(data: Data, focus: str, context: Data) -> list[str] | None:
    """$this oa:hasSelector ?value . ?value oa:start ?start ; oa:end ?end .
    OPTIONAL { $this oa:hasSelector/oa:exact ?exact . } OPTIONAL { $this oa:hasSource/kg:text ?text . }"""
    selectors = data.objects(focus, _SELECTOR)
    exacts: list[str | None] = list(dict.fromkeys(x for s in selectors for x in data.objects(s, _EXACT))) or [None]
    texts: list[str | None] = list(dict.fromkeys(t for s in data.objects(focus, _SOURCE)
                                                 for t in data.objects(s, _TEXT))) or [None]
    found: list[str] = []
    for value in selectors:
        verdicts = {_offsets_wrong(start, end, exact, text) for start in data.objects(value, _START)
                    for end in data.objects(value, _END) for exact in exacts for text in texts}
        if True in verdicts:
            found.append(value)
        elif None in verdicts:
            return None
    return found



SHAPES = "https://w3id.org/oncokg/shapes/"

NATIVE_SPARQL = (
    NativeSparql(shape=SHAPES + "MeshPairs", digest="391a1646d62cacc0", run=_mesh_pairs),
    NativeSparql(shape=SHAPES + "AllowableQualifier", digest="4f5838e5038c9d7b", run=_allowable,
                 context_predicates=frozenset({_ALLOWABLE})),
    NativeSparql(shape=SHAPES + "TextTarget-offsets", digest="5ee8ee0ca8aeb534", run=_offsets),
)
