"""The mechanism map's content: a canned query's answer as typed nodes and evidence-backed edges.

The map is drawn from three canned queries (`MAPPABLE`). Their answers are read by column name, not
position, so a query that gains columns (or renames its count) still maps: every IRI in the answer and
every IRI-valued parameter is a candidate node, and the ones the store knows as entities
(`kg:entityType`) become nodes. Edges are the `biolink:Association`s whose subject or object is one of
them: trigger-based assertions carry `kg:polarity` (positive, negative, neutral), text co-occurrences
(`kg:TextCooccurrence`) are drawn as their own, weaker kind. Each edge counts its distinct PMIDs and
keeps every evidence sentence with its PMID, so a reader can check the picture against the papers.

A partner entity that is not in the answer (a gene asserted to act on an answer pathway, say) is added
when a trigger-based assertion links it, most-supported first, up to `max_nodes`; co-occurrences only
connect nodes already on the map, or they would bury it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from .. import queries
from ..errors import QueryError

MAPPABLE = ("pathways-linking", "evidence", "entities-of-article")

# biolink category (local name) -> the map's node kind; kinds not listed are "other"
KIND_OF_TYPE = {"Disease": "disease", "AnatomicalEntity": "site", "Pathway": "pathway",
                "BiologicalProcess": "process", "CellularComponent": "process", "Gene": "gene",
                "GeneFamily": "gene", "Protein": "gene", "Cell": "cell", "ChemicalEntity": "chemical",
                "Drug": "chemical"}
KINDS = ("disease", "site", "pathway", "process", "gene", "cell", "chemical", "other")
COOCCURRENCE = "co-occurrence"
POLARITIES = ("positive", "negative", "neutral", COOCCURRENCE)

_PREFIXES = """PREFIX kg: <https://w3id.org/oncokg/vocab/>
PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_PUBMED = "http://rdf.ncbi.nlm.nih.gov/pubmed/"


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    kind: str
    in_answer: bool  # named by the query's answer or parameters, not only reached through an assertion


@dataclass(frozen=True)
class Evidence:
    pmid: str
    sentence: str
    section: str = ""
    negated: bool = False
    hedged: bool = False


@dataclass(frozen=True)
class Edge:
    subject: str
    object: str
    polarity: str  # one of POLARITIES
    predicates: tuple[str, ...]
    pmids: tuple[str, ...]
    evidence: tuple[Evidence, ...]  # the first `max_evidence` by PMID; `sentences` counts them all
    sentences: int = 0

    @property
    def key(self) -> str:
        return f"{self.subject}|{self.polarity}|{self.object}"


@dataclass(frozen=True)
class MechanismMap:
    title: str
    query: str
    params: tuple[tuple[str, str], ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def build_map(store: Any, name: str, values: Mapping[str, str] | None = None, *, max_nodes: int = 40,
              cooccurrences: bool = True, max_evidence: int = 25) -> MechanismMap:
    """Run canned query `name` with `values` and gather its entities and their associations."""
    q, bound = check_request(name, values or {}, max_nodes=max_nodes)
    given = dict(values or {})
    candidates: dict[str, None] = {}
    for term in bound.values():
        if isinstance(term, ox.NamedNode):
            candidates.setdefault(term.value)
    for sol in store.query(q.text, bound):
        for var in sol:  # every column, whatever the query's version calls it
            if isinstance(var, ox.NamedNode):
                candidates.setdefault(var.value)
    info = entity_info(store, candidates)
    answer = [iri for iri in candidates if iri in info]
    article = _article_filter(bound)
    raw = associations(store, answer, article=article)
    partners = [iri for a in raw for iri in (a["s"], a["o"]) if iri not in info]
    info.update(entity_info(store, dict.fromkeys(partners)))
    nodes = _choose_nodes(answer, raw, info, max_nodes)
    edges = _edges(raw, {n.iri for n in nodes}, cooccurrences, max_evidence)
    title = f"{name} " + " ".join(f"{k}={v}" for k, v in given.items())
    return MechanismMap(title.strip(), name, tuple(given.items()), tuple(nodes), tuple(edges))


def check_request(name: str, values: Mapping[str, str], *,
                  max_nodes: int = 40) -> tuple[queries.Query, dict[str, ox.NamedNode | ox.Literal]]:
    """The query and its bound parameters, or a QueryError, before any store is opened."""
    if name not in MAPPABLE:
        raise QueryError(f"kg map draws the queries {', '.join(MAPPABLE)}; not {name!r}")
    if max_nodes < 1:
        raise QueryError(f"--max-nodes must be at least 1, not {max_nodes}")
    q = queries.load(name)
    return q, queries.bindings(q, dict(values))


def _article_filter(bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    """entities-of-article maps one paper: only that paper's assertions count."""
    pmid = bound.get("pmid")
    return _PUBMED + pmid.value if isinstance(pmid, ox.Literal) else None


def _values(iris: Iterable[str]) -> str:
    # pyoxigraph serialises each IRI (and refuses a malformed one), so no value can change the query
    return " ".join(str(ox.NamedNode(i)) for i in iris)


def entity_info(store: Any, iris: Mapping[str, None] | Iterable[str]) -> dict[str, tuple[str, str]]:
    """IRI -> (label, kind) for the IRIs the store knows as entities (those with a kg:entityType)."""
    iris = list(iris)
    if not iris:
        return {}
    text = _PREFIXES + f"""SELECT ?e (MIN(STR(?t)) AS ?type) (MIN(STR(?l)) AS ?label) WHERE {{
  VALUES ?e {{ {_values(iris)} }}
  GRAPH ?g {{ ?e kg:entityType ?t }}
  OPTIONAL {{ GRAPH ?g2 {{ ?e rdfs:label ?l }} }}
}} GROUP BY ?e"""
    out: dict[str, tuple[str, str]] = {}
    for sol in store.query(text):
        e = sol["e"].value
        t = sol["type"].value.rsplit("/", 1)[-1] if sol["type"] else ""
        label = sol["label"].value if sol["label"] else _local_name(e)
        out[e] = (label, KIND_OF_TYPE.get(t, "other"))
    return out


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[-1]
    return iri.replace("_", ":", 1)


def associations(store: Any, entities: list[str], *, article: str | None = None) -> list[dict[str, str]]:
    """Every association with an end in `entities` (optionally of one article), one row per association."""
    if not entities:
        return []
    only = f"FILTER (?article = {ox.NamedNode(article)})" if article else ""
    body = f"""GRAPH ?g {{
      ?a a biolink:Association ; biolink:subject ?s ; biolink:object ?o ; biolink:predicate ?pred ;
         biolink:publications ?article .
      OPTIONAL {{ ?a kg:sentence ?sentence }} OPTIONAL {{ ?a kg:polarity ?polarity }}
      OPTIONAL {{ ?a kg:sectionType ?section }} OPTIONAL {{ ?a kg:negated ?negated }}
      OPTIONAL {{ ?a kg:hedged ?hedged }}
      OPTIONAL {{ ?a a kg:TextCooccurrence . BIND (true AS ?co) }}
    }} {only}"""
    vals = _values(entities)
    text = _PREFIXES + f"""SELECT DISTINCT ?a ?s ?o ?pred ?article ?sentence ?polarity ?section ?negated ?hedged ?co
WHERE {{ {{ VALUES ?s {{ {vals} }} {body} }} UNION {{ VALUES ?o {{ {vals} }} {body} }} }}"""
    rows = []
    for sol in store.query(text):
        def v(name: str) -> str:
            t = sol[name]
            return t.value if t is not None else ""
        rows.append({k: v(k) for k in ("a", "s", "o", "pred", "article", "sentence", "polarity", "section",
                                        "negated", "hedged", "co")})
    return rows


def _polarity(row: Mapping[str, str]) -> str:
    if row["co"] == "true":
        return COOCCURRENCE
    return row["polarity"] if row["polarity"] in POLARITIES else "neutral"


def _choose_nodes(answer: list[str], raw: list[dict[str, str]], info: Mapping[str, tuple[str, str]],
                  max_nodes: int) -> list[Node]:
    """The answer's entities first, then assertion partners by the number of PMIDs behind them."""
    keep = answer[:max_nodes]
    inside = set(keep)
    support: dict[str, set[str]] = defaultdict(set)
    for row in raw:
        if _polarity(row) == COOCCURRENCE:
            continue
        for here, there in ((row["s"], row["o"]), (row["o"], row["s"])):
            if here in inside and there not in inside and there in info:
                support[there].add(row["article"])
    ranked = sorted(support, key=lambda i: (-len(support[i]), info[i][0].lower(), i))
    keep += ranked[: max(0, max_nodes - len(keep))]
    return [Node(i, info[i][0], info[i][1], i in set(answer)) for i in keep]


def _edges(raw: list[dict[str, str]], on_map: set[str], cooccurrences: bool, max_evidence: int) -> list[Edge]:
    """Associations grouped by (subject, polarity, object), each with its distinct PMIDs and sentences
    (at most `max_evidence` kept: on a large store one edge may rest on thousands, and the HTML file
    carries them all; the PMIDs are always all kept)."""
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in raw:
        pol = _polarity(row)
        if row["s"] == row["o"] or row["s"] not in on_map or row["o"] not in on_map:
            continue
        if pol == COOCCURRENCE and not cooccurrences:
            continue
        groups[(row["s"], pol, row["o"])].append(row)
    edges = []
    for (s, pol, o), rows in sorted(groups.items()):
        pmids = sorted({r["article"].rsplit("/", 1)[-1] for r in rows}, key=_pmid_order)
        ev = sorted({Evidence(r["article"].rsplit("/", 1)[-1], r["sentence"], r["section"],
                              r["negated"] == "true", r["hedged"] == "true") for r in rows},
                    key=lambda e: (_pmid_order(e.pmid), e.sentence))
        preds = tuple(sorted({r["pred"].rsplit("/", 1)[-1] for r in rows}))
        edges.append(Edge(s, o, pol, preds, tuple(pmids), tuple(ev[:max_evidence]), len(ev)))
    return edges


def _pmid_order(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (0, pmid)
