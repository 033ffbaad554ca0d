"""A JATS `FullText` record to the triples of its own named graph, `iris.article_graph(pmid, "pmc")`.

The graph says what PMC's full text adds to the PubMed record: the PMCID and DOI, the title as PMC has
it, the keywords, the licence, and (from the `TextMining` record kg.nlp made of it) the passages, mentions
and assertions of its abstract, body and captions. The PubMed graph of the same PMID is left alone; both share the article
IRI, so queries join them.
"""

from __future__ import annotations

from typing import Iterator

from .. import iris
from ..records import FullText, TextMining
from ..vocab import DCTERMS, FABIO, PRISM
from .nt import graph_text, iri, lit
from .mechanisms import mechanism_triples
from .provenance import graph_triples

Triple = tuple[str, str, str]


def fulltext_triples(ft: FullText) -> Iterator[Triple]:
    # Not typed here: the PubMed graph types the article and names its journal; this graph only adds.
    a = iri(iris.article(ft.pmid or ""))
    if ft.title:
        yield a, iri(DCTERMS.title), lit(ft.title)
    if ft.pmcid:
        yield a, iri(FABIO.hasPubMedCentralId), lit(ft.pmcid if ft.pmcid.startswith("PMC") else "PMC" + ft.pmcid)
    if ft.doi:
        yield a, iri(PRISM.doi), lit(ft.doi)
    for k in ft.keywords:
        yield a, iri(PRISM.keyword), lit(k)
    if ft.license and ft.license.startswith("http"):
        yield a, iri(DCTERMS.license), iri(ft.license)


def fulltext_nquads(ft: FullText, *, path: str, generated: str,
                    mining: TextMining | None = None) -> tuple[str, str, int]:
    """(graph IRI, N-Quads text, triple count) of one full-text article, provenance and `mining` included."""
    graph = iris.article_graph(ft.pmid or "", "pmc")
    g = iri(graph)
    lines = [f"{s} {p} {o} {g} .\n" for s, p, o in fulltext_triples(ft)]
    lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in mechanism_triples(mining))
    lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in
                 graph_triples(graph, path=path, fmt="jats", article=iris.article(ft.pmid or ""), generated=generated))
    return (graph, *graph_text(lines))
