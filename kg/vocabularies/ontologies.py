"""Ontology terms (OBO, OWL/Turtle, Reactome pathway lists) into one named graph per ontology.

What is kept is what queries and the tagger need, nothing more: each class with `rdfs:label`, its
synonyms (`oboInOwl:hasExactSynonym` and the broad/narrow/related ones), its definition
(`obo:IAO_0000115`), named `rdfs:subClassOf` parents, `owl:deprecated` for obsolete terms, and its
cross-references, twice: as written (`oboInOwl:hasDbXref "MESH:D015179"`, the OBO-to-OWL convention)
and, where `kg.prefixes` knows the prefix, as the canonical IRI (`kg:xref mesh:D015179`) so a query can
join an ontology term to MeSH-indexed articles without string surgery. Beside the parents, the subclass
closure (`kg:ancestorClass`: every class above each class), so that a query reaches the subclasses of a
term at any depth by one lookup.

Class IRIs go through `kg.prefixes` (GO, CL, DOID, MONDO... as OBO PURLs; Reactome as identifiers.org),
other prefixes get the OBO Foundry rule (`PREFIX:123` -> `obo:PREFIX_123`). Loading an ontology replaces
its graph `iris.ontology_graph(name)`; nothing is written when a file cannot be read.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator, cast

from .. import iris, prefixes
from ..errors import InputError
from ..rdf.nt import boolean, iri, lit
from ..vocab import KG, OBO, OWL, RDF, RDFS

if TYPE_CHECKING:
    from ..stores.base import Store

OIO = "http://www.geneontology.org/formats/oboInOwl#"
DEFINITION = OBO + "IAO_0000115"
SYNONYM_PROPS = {"EXACT": OIO + "hasExactSynonym", "BROAD": OIO + "hasBroadSynonym",
                 "NARROW": OIO + "hasNarrowSynonym", "RELATED": OIO + "hasRelatedSynonym"}
KEPT_PREDICATES = {RDFS.label, RDFS.subClassOf, DEFINITION, OIO + "hasDbXref", OWL + "deprecated",
                   *SYNONYM_PROPS.values()}
P_TYPE, C_CLASS, P_LABEL = iri(RDF.type), iri(OWL + "Class"), iri(RDFS.label)
P_SUB, P_XREF_LIT, P_XREF = iri(RDFS.subClassOf), iri(OIO + "hasDbXref"), iri(KG.xref)
P_ANCESTOR = iri(KG.ancestorClass)
_OBO_ID = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*):([A-Za-z0-9_.-]+)$")


@dataclass
class OntologyLoad:
    name: str
    graph: str
    path: str
    classes: int = 0
    obsolete: int = 0
    labels: int = 0
    synonyms: int = 0
    parents: int = 0
    xrefs: int = 0
    xref_iris: int = 0
    ancestors: int = 0
    version: str | None = None
    lines: list[str] = field(default_factory=list, repr=False)
    # class IRI -> its named parents (as `rdfs:subClassOf` writes them), for the closure
    parent_map: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in ("name", "classes", "obsolete", "labels", "synonyms", "parents",
                                              "ancestors", "xrefs", "xref_iris", "version")}

    def add_parent(self, child: str, parent: str) -> None:
        """One named `rdfs:subClassOf` edge (IRIs without brackets): the triple and the closure's input."""
        self.lines.append(f"<{child}> {P_SUB} <{parent}> .\n")
        self.parent_map.setdefault(child, set()).add(parent)
        self.parents += 1


def ancestor_map(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every class above each class by named `rdfs:subClassOf` edges, at any depth (the transitive
    closure; a class is never its own ancestor, even in a cycle of a faulty file). A walk up from each
    class that stops at any class whose set is already complete and takes that set whole, so each edge
    is walked about once; no recursion, as some ontologies (NCIt) run deep."""
    done: dict[str, set[str]] = {}
    for start in parents:
        up: set[str] = set()
        todo = list(parents[start])
        while todo:
            node = todo.pop()
            if node in up:
                continue
            up.add(node)
            if node in done:
                up |= done[node]
            else:
                todo.extend(parents.get(node, ()))
        up.discard(start)
        done[start] = up
    return done


def closure_lines(load: OntologyLoad) -> list[str]:
    """`kg:ancestorClass` from each class to every class above it: written with the ontology, in its
    graph, so that "the disease or any subclass" is one index lookup (and one a SPARQL server compiles;
    Virtuoso 7 refuses the alternative of fixed-length paths)."""
    out = [f"<{c}> {P_ANCESTOR} <{a}> .\n" for c, up in ancestor_map(load.parent_map).items() for a in sorted(up)]
    load.ancestors = len(out)
    return out


def term_iri(curie: str) -> str | None:
    """The IRI of an ontology id: the project's policy where it has one, else the OBO Foundry rule."""
    curie = curie.strip()
    if curie.startswith(("http://", "https://")):
        return prefixes.normalize(curie, default_prefix=None) or curie
    canonical = prefixes.normalize(curie, default_prefix=None)
    if canonical:
        return canonical
    m = _OBO_ID.match(curie)
    return f"{OBO}{m.group(1)}_{m.group(2)}" if m else None


def _open_text(path: str) -> IO[str]:
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict")


def _unquote(value: str) -> tuple[str, str]:
    """The quoted string at the start of an OBO value, and what follows it."""
    out = []
    i = 1
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append({"n": "\n", "t": "\t"}.get(value[i + 1], value[i + 1]))
            i += 2
            continue
        if c == '"':
            return "".join(out), value[i + 1:].strip()
        out.append(c)
        i += 1
    raise ValueError("unterminated quoted string")


def _strip_comment(value: str) -> str:
    # ' ! comment' ends a value; '!' inside quotes or escaped is data.
    if " !" in value and not value.startswith('"'):
        value = value.split(" !", 1)[0]
    return value.strip()


def _obo_stanzas(f: IO[str], path: str) -> Iterator[tuple[int, str, list[tuple[int, str, str]]]]:
    kind, start = "header", 1
    tags: list[tuple[int, str, str]] = []
    for lineno, raw in enumerate(f, 1):
        line = raw.rstrip("\n").rstrip("\r")
        if not line.strip() or line.startswith("!"):
            continue
        if line.startswith("[") and line.rstrip().endswith("]"):
            yield start, kind, tags
            kind, start, tags = line.strip()[1:-1], lineno, []
            continue
        if ":" not in line:
            raise InputError(f"not an OBO tag-value line: {line[:80]!r}", path=path, line=lineno)
        tag, value = line.split(":", 1)
        tags.append((lineno, tag.strip(), value.strip()))
    yield start, kind, tags


def read_obo(path: str, load: OntologyLoad) -> None:
    out = load.lines
    try:
        with _open_text(path) as f:
            for start, kind, tags in _obo_stanzas(f, path):
                if kind == "header":
                    for _, tag, value in tags:
                        if tag == "data-version":
                            load.version = value
                    continue
                if kind != "Term":
                    continue
                ids = [v for _, t, v in tags if t == "id"]
                if len(ids) != 1:
                    raise InputError(f"[Term] stanza with {len(ids)} id: lines", path=path, line=start)
                s_iri = term_iri(_strip_comment(ids[0]))
                if s_iri is None:
                    raise InputError(f"cannot make an IRI of the term id {ids[0]!r}", path=path, line=start)
                s = iri(s_iri)
                out.append(f"{s} {P_TYPE} {C_CLASS} .\n")
                load.classes += 1
                for lineno, tag, value in tags:
                    try:
                        _obo_tag(s, tag, value, load)
                    except ValueError as exc:
                        raise InputError(f"{tag}: {exc}", path=path, line=lineno) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", path=path) from exc
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc


def _obo_tag(s: str, tag: str, value: str, load: OntologyLoad) -> None:
    out = load.lines
    if tag == "name":
        out.append(f"{s} {P_LABEL} {lit(_strip_comment(value))} .\n")
        load.labels += 1
    elif tag == "synonym":
        text, rest = _unquote(value)
        scope = rest.split()[0] if rest.split() else "RELATED"
        out.append(f"{s} {iri(SYNONYM_PROPS.get(scope, SYNONYM_PROPS['RELATED']))} {lit(text)} .\n")
        load.synonyms += 1
    elif tag == "def":
        text, _ = _unquote(value)
        out.append(f"{s} {iri(DEFINITION)} {lit(text)} .\n")
    elif tag == "is_a":
        parent = term_iri(_strip_comment(value).split()[0])
        if parent:
            load.add_parent(s[1:-1], parent)
    elif tag == "xref":
        ref = _strip_comment(value).split()[0] if value.strip() else ""
        if ref.startswith('"'):
            return
        out.append(f"{s} {P_XREF_LIT} {lit(ref)} .\n")
        load.xrefs += 1
        target = prefixes.normalize(ref, default_prefix=None)
        if target:
            out.append(f"{s} {P_XREF} {iri(target)} .\n")
            load.xref_iris += 1
    elif tag == "is_obsolete" and value.strip().lower() == "true":
        out.append(f"{s} {iri(OWL + 'deprecated')} {boolean(True)} .\n")
        load.obsolete += 1


def read_rdf(path: str, load: OntologyLoad) -> None:
    """OWL in Turtle or RDF/XML: named classes with their kept annotations and named parents."""
    import pyoxigraph as ox

    name = path[:-3] if path.endswith(".gz") else path
    fmt = ox.RdfFormat.RDF_XML if name.endswith((".owl", ".rdf", ".xml")) else ox.RdfFormat.TURTLE
    out = load.lines
    try:
        # typeshed's GzipFile is a BufferedIOBase, not an IO[bytes], though it is a binary file
        with (cast(IO[bytes], gzip.open(path, "rb")) if path.endswith(".gz") else open(path, "rb")) as f:
            triples = list(ox.parse(f, format=fmt))
    except SyntaxError as exc:
        raise InputError(f"malformed RDF: {exc}", path=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc
    classes = {t.subject for t in triples
               if t.predicate.value == RDF.type and isinstance(t.subject, ox.NamedNode)
               and t.object == ox.NamedNode(OWL + "Class")}
    canon: dict[ox.NamedNode, str] = {c: term_iri(c.value) or c.value for c in classes}
    for c in classes:
        out.append(f"<{canon[c]}> {P_TYPE} {C_CLASS} .\n")
    load.classes = len(classes)
    for t in triples:
        if t.subject not in canon or t.predicate.value not in KEPT_PREDICATES:
            continue
        s, p = f"<{canon[t.subject]}>", t.predicate.value
        o = t.object
        if p == RDFS.subClassOf:
            if not isinstance(o, ox.NamedNode):
                continue  # restrictions are blank nodes: not kept (see module docstring)
            load.add_parent(canon[t.subject], term_iri(o.value) or o.value)
            continue
        if not isinstance(o, ox.Literal):
            continue
        out.append(f"{s} <{p}> {o} .\n")
        if p == RDFS.label:
            load.labels += 1
        elif p in SYNONYM_PROPS.values():
            load.synonyms += 1
        elif p == OWL + "deprecated" and o.value == "true":
            load.obsolete += 1
        elif p == OIO + "hasDbXref":
            load.xrefs += 1
            target = prefixes.normalize(o.value, default_prefix=None)
            if target:
                out.append(f"{s} {P_XREF} {iri(target)} .\n")
                load.xref_iris += 1


def read_reactome(path: str, load: OntologyLoad) -> None:
    """Reactome's pathway list (stable id, name, species), with or without a header line."""
    out = load.lines
    try:
        with _open_text(path) as f:
            for lineno, row in enumerate(csv.reader(f, delimiter="\t"), 1):
                if not row or (lineno == 1 and not row[0].startswith("R-")):
                    continue  # the header line some copies add
                if len(row) < 2 or not re.match(r"^R-[A-Z]{3}-[0-9]+$", row[0]):
                    raise InputError(f"expected 'R-XXX-NNN<TAB>name<TAB>species', found {row!r}",
                                     path=path, line=lineno)
                s = iri(prefixes.parse_identifier(row[0]))
                out.append(f"{s} {P_TYPE} {C_CLASS} .\n{s} {P_LABEL} {lit(row[1])} .\n")
                load.classes += 1
                load.labels += 1
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc


def sniff(path: str) -> str:
    name = path[:-3] if path.endswith(".gz") else path
    if name.endswith(".obo"):
        return "obo"
    if name.endswith((".ttl", ".owl", ".rdf", ".owx")):
        return "rdf"
    if name.endswith((".txt", ".tsv")):
        return "reactome"
    raise InputError("unknown ontology format (expected .obo, .ttl, .owl, or a Reactome pathway list .txt)",
                     path=path)


READERS = {"obo": read_obo, "rdf": read_rdf, "reactome": read_reactome}


def default_name(path: str) -> str:
    name = Path(path).name
    for suffix in (".gz", ".obo", ".ttl", ".owl", ".rdf", ".txt", ".tsv"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name.removesuffix(".owl")


def read_ontology(path: str, name: str | None = None) -> OntologyLoad:
    name = name or default_name(path)
    load = OntologyLoad(name=name, graph=iris.ontology_graph(name), path=path)
    READERS[sniff(path)](path, load)
    load.lines += closure_lines(load)
    g = iri(load.graph)
    load.lines.append(f"{g} {iri(KG.sourceFile)} {lit(Path(path).name)} .\n")
    if load.version:
        load.lines.append(f"{g} {iri(OWL + 'versionInfo')} {lit(load.version)} .\n")
    return load


def load_ontology(path: str, store: Store, *, name: str | None = None) -> OntologyLoad:
    """Replace the graph of one ontology with the terms read from `path`."""
    load = read_ontology(path, name)
    store.replace_graph(load.graph, load.lines)
    store.flush()
    return load
