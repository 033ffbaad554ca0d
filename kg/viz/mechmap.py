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

from .. import iris, queries
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
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_PUBMED = "http://rdf.ncbi.nlm.nih.gov/pubmed/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_COOCCURRENCE_CLASS = "https://w3id.org/oncokg/vocab/TextCooccurrence"
_DETAIL = {"https://w3id.org/oncokg/vocab/" + k: v for k, v in (
    ("sentence", "sentence"), ("polarity", "polarity"), ("sectionType", "section"), ("negated", "negated"),
    ("hedged", "hedged"))}


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


def entity_info(store: Any, candidates: Iterable[str]) -> dict[str, tuple[str, str]]:
    """IRI -> (label, kind) for the IRIs the store knows as entities (those with a kg:entityType)."""
    wanted = list(candidates)
    if not wanted:
        return {}
    # two aggregates rather than one OPTIONAL: pyoxigraph 0.5 evaluates an OPTIONAL over every graph
    vals = _values(wanted)
    types = {sol["e"].value: sol["x"].value for sol in store.query(
        _PREFIXES + f"SELECT ?e (MIN(STR(?t)) AS ?x) WHERE {{ VALUES ?e {{ {vals} }} GRAPH ?g {{ ?e kg:entityType ?t }} }} GROUP BY ?e")}
    labels = {sol["e"].value: sol["x"].value for sol in store.query(
        _PREFIXES + f"SELECT ?e (MIN(STR(?l)) AS ?x) WHERE {{ VALUES ?e {{ {vals} }} GRAPH ?g {{ ?e rdfs:label ?l }} }} GROUP BY ?e")
        if sol["x"] is not None}
    out: dict[str, tuple[str, str]] = {}
    for e, t in types.items():
        out[e] = (labels.get(e) or _local_name(e), KIND_OF_TYPE.get(t.rsplit("/", 1)[-1], "other"))
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
    # Details come as (?p ?v) pairs of a required pattern, not OPTIONALs: pyoxigraph 0.5 evaluates each
    # OPTIONAL over every graph before joining it (6.9 s against 0.01 s for one article of 2,000).
    pattern = """GRAPH ?g {
      ?a biolink:publications ?article ; a biolink:Association ; biolink:subject ?s ; biolink:object ?o ;
         biolink:predicate ?pred ; ?p ?v .
      VALUES ?p { kg:sentence kg:polarity kg:sectionType kg:negated kg:hedged rdf:type }
    }"""
    head = "SELECT ?a ?s ?o ?pred ?article ?p ?v WHERE "
    if article:
        # one article: read its own graphs' associations and keep those of the entities here; starting
        # from the entities reads every association of one as common as "cancer" (28 s on 2,000 articles)
        pmid = article.rsplit("/", 1)[-1]
        graphs = _values(iris.article_graph(pmid, source) for source in ("pubmed", "pmc", "pubtator"))
        text = _PREFIXES + head + f"{{ VALUES ?article {{ {ox.NamedNode(article)} }} VALUES ?g {{ {graphs} }} {pattern} }}"
    else:
        vals = _values(entities)
        text = _PREFIXES + head + f"{{ {{ VALUES ?s {{ {vals} }} {pattern} }} UNION {{ VALUES ?o {{ {vals} }} {pattern} }} }}"
    wanted = set(entities)
    found: dict[str, dict[str, str]] = {}
    for sol in store.query(text):
        s, o = sol["s"].value, sol["o"].value
        if s not in wanted and o not in wanted:
            continue
        row = found.setdefault(sol["a"].value, {"a": sol["a"].value, "s": s, "o": o, "pred": sol["pred"].value,
                                                  "article": sol["article"].value, "sentence": "", "polarity": "",
                                                  "section": "", "negated": "", "hedged": "", "co": ""})
        p, v = sol["p"].value, sol["v"].value
        if p == _RDF_TYPE:
            if v == _COOCCURRENCE_CLASS:
                row["co"] = "true"
        else:
            row[_DETAIL[p]] = v
    return list(found.values())


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
