"""Pure, deterministic IRI minting.

IRIs come from content (PMID, MeSH UI, position, offsets), never from uuid or blank nodes: a re-ingested
article gets the same IRIs, a validation report can point at a node, and a server load can be compared
triple for triple. See docs/decisions/0001-named-graph-per-article.md.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .vocab import DOI, KGGRAPH, KGID, MESH, PUBMED

PMID_RE = re.compile(r"^[1-9][0-9]{0,9}\Z")  # \Z: `$` would also accept a final newline
MESH_UI_RE = re.compile(r"^[DQCM][0-9]{6,9}\Z")


def ascii_digits(value: str) -> bool:
    """Only the digits 0-9: str.isdigit() also accepts other scripts' digits and superscripts, which
    must never reach a PMID or an IRI."""
    return value.isascii() and value.isdigit()


def article(pmid: str) -> str:
    """NCBI's PubMed RDF IRI, so the graph joins with NCBI's and RDF Portal's PubMed RDF."""
    return PUBMED + pmid


def article_graph(pmid: str, source: str = "pubmed") -> str:
    """The named graph of one article from one source (pubmed, pmc, pubtator): replaced whole on re-ingest."""
    return f"{KGGRAPH}{source}/{pmid}"


DELETIONS_GRAPH = KGGRAPH + "deletions"
MESH_GRAPH = KGGRAPH + "mesh"
MAPPINGS_GRAPH = KGGRAPH + "mappings"


def ontology_graph(name: str) -> str:
    return KGGRAPH + "ontology/" + quote(name, safe="")


def node(pmid: str, *parts: object) -> str:
    """A node that belongs to one article (author, heading, abstract section, mention)."""
    return f"{KGID}pubmed/{pmid}/" + "/".join(quote(str(p), safe="") for p in parts)


def mesh(ui: str) -> str:
    """Official non-versioned MeSH IRI."""
    return MESH + ui


def mesh_pair(descriptor_ui: str, qualifier_ui: str) -> str:
    """NLM's descriptor-qualifier pair IRI (`D008113Q000556`); one qualifier only, never a multi-qualifier IRI."""
    return MESH + descriptor_ui + qualifier_ui


def journal(nlm_unique_id: str | None, issn: str | None) -> str | None:
    """One IRI per NLM journal: NlmUniqueID first (stable across ISSN changes), else the ISSN."""
    if nlm_unique_id:
        return f"{KGID}journal/nlm/{quote(nlm_unique_id, safe='')}"
    if issn:
        return f"{KGID}journal/issn/{quote(issn, safe='')}"
    return None


def doi(value: str) -> str:
    return DOI + quote(value, safe="/:;()._-")


def software(version: str) -> str:
    return f"{KGID}software/kg/{version}"
