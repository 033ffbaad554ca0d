"""One rendering of a SHACL property path read from an rdflib graph (a shapes graph or a pySHACL report),
in the notation `kg.validation` reports paths with, so the tests can compare the two."""

from __future__ import annotations

from kg import validation as S


def path_text(g, p) -> str | None:
    import rdflib
    from rdflib.collection import Collection
    if p is None:
        return None
    if isinstance(p, rdflib.URIRef):
        return S.nt_term(p)
    ns = rdflib.Namespace(S.SH)
    inv = g.value(p, ns.inversePath)
    if inv is not None:
        return "^" + path_text(g, inv)
    alt = g.value(p, ns.alternativePath)
    if alt is not None:
        return "(" + "|".join(path_text(g, x) for x in Collection(g, alt)) + ")"
    if (p, rdflib.RDF.first, None) in g:
        return "(" + "/".join(path_text(g, x) for x in Collection(g, p)) + ")"
    for kind, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = g.value(p, ns[kind])
        if inner is not None:
            return path_text(g, inner) + mark
    raise AssertionError(f"unexpected SHACL path: {p!r}")


def rdflib_form(term: str | None) -> str | None:
    """A term as rdflib writes it back: pySHACL reads values through rdflib, which normalises some lexical
    forms ("01"^^xsd:integer becomes "1", "yes"^^xsd:boolean "false"), so a value in its report may be
    spelled differently from the data."""
    if term is None or term[0] != '"':
        return term
    import rdflib

    from kg import validation as S
    lex, dt, lang = S.literal_parts(term)
    if lang:
        return rdflib.Literal(lex, lang=lang).n3()
    return rdflib.Literal(lex, datatype=None if dt == S.XSD_STRING else rdflib.URIRef(dt)).n3()
