"""SSSOM mapping tables (TSV with a `#` YAML header) into the mappings graph, as SSSOM/RDF says.

Each row becomes two things in `iris.MAPPINGS_GRAPH`:

* the mapping itself, `subject predicate object` (e.g. `MONDO:0005335 skos:exactMatch mesh:D015179`),
  so a query can follow mappings as plain triples;
* its record, in SSSOM's OWL/RDF shape: an `owl:Axiom` with `owl:annotatedSource`,
  `owl:annotatedProperty`, `owl:annotatedTarget`, and the row's metadata as SSSOM slots
  (`sssom:mapping_justification`, `sssom:confidence`, `pav:authoredBy` for author_id, ...), linked
  from its `sssom:MappingSet` by `sssom:mappings`. Set-level slots SSSOM propagates (subject_source,
  object_source, mapping_tool, ...) are copied onto each mapping, so each one says where it came from.

Identifiers are expanded with the table's own `curie_map`, then put through `kg.prefixes`, so
`mesh:D015179` declared as identifiers.org in the header still lands on NLM's canonical MeSH IRI.
Mapping records get IRIs from their content (set, subject, predicate, object), never blank nodes:
loading the same table twice gives the same graph, and a newer version of a table replaces its set.

A malformed table (bad YAML header, missing columns, a row with the wrong number of fields, an unknown
prefix, a confidence outside 0..1) raises `InputError` naming the file and line, and nothing of it is
loaded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from .. import iris, prefixes
from ..errors import InputError
from ..rdf.nt import iri, lit, typed
from ..vocab import DCTERMS, KG, KGID, OWL, RDF, XSD

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ..stores.base import Store

    Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

SSSOM = "https://w3id.org/sssom/"
PAV = "http://purl.org/pav/"
XSD_DOUBLE = f"<{XSD}double>"
XSD_DATE = f"<{XSD}date>"
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")

# Prefixes every SSSOM file may use without declaring them (the SSSOM built-in prefix map).
BUILTIN_CURIE_MAP = {
    "owl": str(OWL), "rdf": str(RDF), "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "semapv": "https://w3id.org/semapv/vocab/",
    "sssom": SSSOM, "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#", "pav": PAV,
    "dcterms": str(DCTERMS), "linkml": "https://w3id.org/linkml/", "xsd": str(XSD),
    "orcid": "https://orcid.org/", "infores": "https://w3id.org/information-resource-registry/",
}

# slot -> (RDF property, kind). kind: iri, iris ('|'-separated), lit, lits, double, date.
ENTITY_REF_SLOTS = {"subject_source", "object_source", "mapping_source", "subject_type", "object_type",
                    "predicate_type", "mapping_justification", "subject_match_field", "object_match_field",
                    "subject_preprocessing", "object_preprocessing", "curation_rule", "mapping_tool_id",
                    "issue_tracker_item", "subject_category", "object_category"}
SLOTS: dict[str, tuple[str, str]] = {
    "mapping_justification": (SSSOM + "mapping_justification", "iri"),
    "confidence": (SSSOM + "confidence", "double"),
    "author_id": (PAV + "authoredBy", "iris"),
    "author_label": (SSSOM + "author_label", "lits"),
    "creator_id": (DCTERMS + "creator", "iris"),
    "creator_label": (SSSOM + "creator_label", "lits"),
    "reviewer_id": (SSSOM + "reviewer_id", "iris"),
    "reviewer_label": (SSSOM + "reviewer_label", "lits"),
    "mapping_date": (PAV + "authoredOn", "date"),
    "publication_date": (DCTERMS + "created", "date"),
    "comment": ("http://www.w3.org/2000/01/rdf-schema#comment", "lit"),
    "license": (DCTERMS + "license", "iri"),
    "see_also": ("http://www.w3.org/2000/01/rdf-schema#seeAlso", "lits"),
    "other": (SSSOM + "other", "lit"),
    "mapping_provider": (SSSOM + "mapping_provider", "iri"),
    "mapping_tool": (SSSOM + "mapping_tool", "lit"),
    "mapping_tool_version": (SSSOM + "mapping_tool_version", "lit"),
    "match_string": (SSSOM + "match_string", "lits"),
    "similarity_score": (SSSOM + "similarity_score", "double"),
    "similarity_measure": (SSSOM + "similarity_measure", "lit"),
    "mapping_cardinality": (SSSOM + "mapping_cardinality", "lit"),
    "predicate_modifier": (SSSOM + "predicate_modifier", "lit"),
    "predicate_label": (SSSOM + "predicate_label", "lit"),
    "subject_label": (SSSOM + "subject_label", "lit"),
    "object_label": (SSSOM + "object_label", "lit"),
    "subject_source_version": (SSSOM + "subject_source_version", "lit"),
    "object_source_version": (SSSOM + "object_source_version", "lit"),
}
for _s in ENTITY_REF_SLOTS:
    SLOTS.setdefault(_s, (SSSOM + _s, "iri"))
# Set-level slots that SSSOM propagates to every mapping of the set.
PROPAGATED = ("mapping_date", "mapping_provider", "mapping_tool", "mapping_tool_version", "object_source",
              "object_source_version", "object_type", "subject_source", "subject_source_version",
              "subject_type", "predicate_type", "similarity_measure", "object_match_field",
              "subject_match_field", "mapping_cardinality", "subject_preprocessing", "object_preprocessing")


@dataclass
class MappingTable:
    """One parsed table: its set IRI, the N-Triples lines, and what was counted."""

    path: str
    set_iri: str
    lines: list[str] = field(default_factory=list)
    mappings: int = 0
    predicates: dict[str, int] = field(default_factory=dict)


def _split_header(path: str) -> tuple[list[str], list[tuple[int, str]]]:
    header: list[str] = []
    body: list[tuple[int, str]] = []
    try:
        with open(path, encoding="utf-8", newline="") as f:
            in_header = True
            for lineno, raw in enumerate(f, 1):
                line = raw.rstrip("\r\n")
                if in_header and line.startswith("#"):
                    header.append(line[1:])
                    continue
                in_header = False
                if line.strip():
                    body.append((lineno, line))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc
    return header, body


def _metadata(path: str, header: list[str]) -> dict[str, Any]:
    """The YAML metadata block: whatever the table's authors wrote (values of any YAML type)."""
    if not header:
        return {}
    import yaml

    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"malformed YAML metadata block: {exc}", path=path,
                         line=(mark.line + 1) if mark else 1) from exc
    if not isinstance(meta, dict):
        raise InputError("the YAML metadata block is not a mapping of keys to values", path=path, line=1)
    return meta


class _Expander:
    def __init__(self, path: str, curie_map: Mapping[Any, Any]) -> None:
        self.path = path
        self.map = dict(BUILTIN_CURIE_MAP)
        self.map.update({str(k): str(v) for k, v in (curie_map or {}).items()})

    def __call__(self, value: str, line: int, slot: str) -> str:
        value = value.strip()
        if value.startswith(("http://", "https://")):
            return prefixes.normalize(value, default_prefix=None) or value
        if ":" not in value:
            raise InputError(f"{slot} {value!r} is not a CURIE or IRI", path=self.path, line=line)
        prefix, local = value.split(":", 1)
        base = self.map.get(prefix)
        if base is None:
            # A prefix the table did not declare: only kg's own prefix map may supply it.
            canonical = prefixes.normalize(value, default_prefix=None)
            if canonical is None:
                raise InputError(f"{slot} {value!r}: prefix {prefix!r} is not in the table's curie_map "
                                 "nor a prefix kg knows", path=self.path, line=line)
            return canonical
        expanded = base + local
        # Put known namespaces on the project's one IRI (identifiers.org/mesh -> id.nlm.nih.gov/mesh).
        return prefixes.normalize(expanded, default_prefix=None) or expanded


def _mapping_iri(set_iri: str, s: str, p: str, o: str) -> str:
    digest = hashlib.sha1("\t".join((set_iri, s, p, o)).encode("utf-8")).hexdigest()[:20]
    return f"{KGID}mapping/{digest}"


def _values(kind: str, value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()] if kind in ("iris", "lits") else [value.strip()]


def _slot_objects(slot: str, value: str, expand: _Expander, line: int, path: str) -> Iterator[tuple[str, str]]:
    prop, kind = SLOTS[slot]
    for v in _values(kind, value):
        if kind in ("iri", "iris"):
            try:
                yield prop, iri(expand(v, line, slot))
            except InputError:
                if slot in ("mapping_justification",):
                    raise
                yield prop, lit(v)  # e.g. a free-text source name: kept, not dropped
            except ValueError as exc:
                raise InputError(f"{slot} {v!r}: {exc}", path=path, line=line) from exc
        elif kind == "double":
            try:
                x = float(v)
            except ValueError:
                raise InputError(f"{slot} {v!r} is not a number", path=path, line=line) from None
            if slot == "confidence" and not 0.0 <= x <= 1.0:
                raise InputError(f"confidence {v!r} is outside 0..1", path=path, line=line)
            yield prop, typed(repr(x), XSD_DOUBLE)
        elif kind == "date":
            if re.match(r"^\d{4}-\d{2}-\d{2}$", v):
                yield prop, typed(v, XSD_DATE)
            else:
                yield prop, lit(v)
        else:
            yield prop, lit(v)


def parse_table(path: str) -> MappingTable:
    """Read a whole SSSOM TSV table; raises InputError (file, line) on the first problem."""
    header, body = _split_header(path)
    meta = _metadata(path, header)
    expand = _Expander(path, meta.get("curie_map") or {})
    set_id = meta.get("mapping_set_id")
    set_iri = expand(str(set_id), 1, "mapping_set_id") if set_id else f"{KGID}mapping-set/{Path(path).name}"
    table = MappingTable(path=path, set_iri=set_iri)
    if not body:
        raise InputError("no column header line and no mappings", path=path, line=len(header) + 1)
    head_line, head = body[0]
    columns = head.split("\t")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}; found {', '.join(columns)}",
                         path=path, line=head_line)
    out = table.lines
    s_set = iri(set_iri)
    out.append(f"{s_set} {iri(RDF.type)} {iri(SSSOM + 'MappingSet')} .\n")
    out.append(f"{s_set} {iri(KG.sourceFile)} {lit(Path(path).name)} .\n")
    if meta.get("license"):
        out.append(f"{s_set} {iri(DCTERMS.license)} {iri(expand(str(meta['license']), 1, 'license'))} .\n")
    if meta.get("mapping_set_version"):
        out.append(f"{s_set} {iri(OWL + 'versionInfo')} {lit(str(meta['mapping_set_version']))} .\n")
    for key in ("mapping_set_title", "mapping_set_description"):
        if meta.get(key):
            out.append(f"{s_set} {iri(SSSOM + key)} {lit(str(meta[key]))} .\n")
    propagated = {k: str(meta[k]) for k in PROPAGATED if meta.get(k) not in (None, "")}
    for k, v in propagated.items():
        for prop, obj in _slot_objects(k, v, expand, 1, path):
            out.append(f"{s_set} {iri(prop)} {obj} .\n")
    p_mappings, p_src = iri(SSSOM + "mappings"), iri(OWL + "annotatedSource")
    p_prop, p_tgt, c_axiom = iri(OWL + "annotatedProperty"), iri(OWL + "annotatedTarget"), iri(OWL + "Axiom")
    for lineno, line in body[1:]:
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise InputError(f"{len(cells)} fields where the header has {len(columns)}", path=path, line=lineno)
        row = dict(zip(columns, cells))
        for c in REQUIRED:
            if not row[c].strip():
                raise InputError(f"empty {c}", path=path, line=lineno)
        try:
            s, p, o = (iri(expand(row[c], lineno, c)) for c in ("subject_id", "predicate_id", "object_id"))
        except ValueError as exc:
            raise InputError(str(exc), path=path, line=lineno) from exc
        m = iri(_mapping_iri(set_iri, s, p, o))
        out.append(f"{s} {p} {o} .\n")
        out.append(f"{s_set} {p_mappings} {m} .\n")
        out.append(f"{m} {iri(RDF.type)} {c_axiom} .\n")
        out.append(f"{m} {p_src} {s} .\n{m} {p_prop} {p} .\n{m} {p_tgt} {o} .\n")
        values = dict(propagated)
        values.update({k: v for k, v in row.items() if v.strip()})
        for slot, value in values.items():
            if slot in SLOTS:
                for prop, obj in _slot_objects(slot, value, expand, lineno, path):
                    out.append(f"{m} {iri(prop)} {obj} .\n")
        table.mappings += 1
        table.predicates[p[1:-1]] = table.predicates.get(p[1:-1], 0) + 1
    return table


def remove_set(store: Store, set_iri: str, graph: str = iris.MAPPINGS_GRAPH) -> int:
    """Remove a mapping set, its mapping records, and the mapping triples no other set still asserts."""
    import pyoxigraph as ox

    s_set = ox.NamedNode(set_iri)
    src, prop, tgt = (ox.NamedNode(OWL + n) for n in ("annotatedSource", "annotatedProperty", "annotatedTarget"))
    has = ox.NamedNode(SSSOM + "mappings")

    def one(subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> Term | None:
        return next((q.object for q in store.quads(subject, predicate, None, graph)), None)

    # (source, property, target) of each annotated axiom; only resources can be sources and properties
    candidates: set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]] = set()
    removed = 0
    for q in list(store.quads(s_set, has, None, graph)):
        m = q.object
        if not isinstance(m, (ox.NamedNode, ox.BlankNode)):
            continue                     # a literal is no mapping record: nothing hangs from it
        s, p, o = one(m, src), one(m, prop), one(m, tgt)
        if isinstance(s, (ox.NamedNode, ox.BlankNode)) and isinstance(p, ox.NamedNode) and o is not None:
            candidates.add((s, p, o))
        records = list(store.quads(m, None, None, graph))
        store.remove_quads(records)
        removed += len(records)
    own = list(store.quads(s_set, None, None, graph))
    store.remove_quads(own)
    removed += len(own)
    g = ox.NamedNode(graph)
    for s, p, o in candidates:
        still = any(one(q.subject, prop) == p and one(q.subject, tgt) == o
                    for q in store.quads(None, src, s, graph) if not isinstance(q.subject, ox.Triple))
        if not still:
            store.remove_quads([ox.Quad(s, p, o, g)])
            removed += 1
    return removed


def load_tables(paths: Iterable[str], store: Store, *, graph: str = iris.MAPPINGS_GRAPH) -> list[MappingTable]:
    """Parse every table first; then, per table, replace its mapping set in the mappings graph.

    A malformed table raises before anything of it is written (tables given before it are loaded).
    """
    done = []
    for path in paths:
        table = parse_table(path)
        remove_set(store, table.set_iri, graph)
        store.add_triples(graph, table.lines)
        done.append(table)
    store.flush()
    return done


__all__ = ["MappingTable", "parse_table", "load_tables", "remove_set"]
