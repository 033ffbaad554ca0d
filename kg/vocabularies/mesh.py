"""The MeSH vocabulary graph, in NLM's own `meshv:` shape, from whichever MeSH file the user has.

Three inputs, one output. NLM's MeSH RDF (N-Triples, plain or gzipped) is taken as it is, with every
MeSH IRI put in its canonical non-versioned form; MeSH descriptor/qualifier/supplementary XML
(`desc2025.xml`, `qual*.xml`, `supp*.xml`) and a tree-number table (`mesh_id`, `mesh_name`,
`mesh_tree_number` columns, as dhimmel/mesh publishes for MeSH 2015) are mapped to the same terms:

    mesh:D009369 a meshv:TopicalDescriptor ; rdfs:label "Neoplasms"@en ; meshv:identifier "D009369" ;
        meshv:treeNumber mesh:C04 ; meshv:allowableQualifier mesh:Q000097 .
    mesh:C04.588 a meshv:TreeNumber ; rdfs:label "C04.588" ; meshv:parentTreeNumber mesh:C04 .
    mesh:D009371 meshv:broaderDescriptor mesh:D009369 .

Tree-number nodes and `meshv:broaderDescriptor` are derived from the tree numbers whatever the input,
so a partial vocabulary (a few descriptors from an XML excerpt) still explodes through the tree-number
chain, and queries can use either path. Loading into a store also writes the tree's closure,

    mesh:D009371 kg:meshAncestor mesh:D009369 .

from every descriptor to every descriptor one of whose tree numbers lies above one of its own (at any
depth): an exploded heading query is then one index lookup per descriptor, not a walk of the
tree-number chain joined with every heading (`articles-by-mesh`, issue 15). Everything goes into `iris.MESH_GRAPH`, replaced whole by each
`kg mesh load`: the current file replaces an older one, never mixes with it.

`build_shipped` writes the compact hierarchy graph shipped in `kg/data/` from the tree-number table; a
test rebuilds it and compares, so the shipped file cannot drift from its builder.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterable, Iterator, cast

from ..resources import package_data
from .. import iris
from ..errors import InputError
from ..prefixes import MESH_BASE, MESH_TREE_RE, MESH_UI_RE, parse_identifier
from ..rdf.nt import iri, lang, lit
from ..vocab import KG, MESHV, RDF, RDFS

if TYPE_CHECKING:
    from lxml import etree

    from ..stores.base import Store

SHIPPED = package_data("mesh-hierarchy-2015.nt.gz")
SHIPPED_SOURCE = "dhimmel/mesh data/tree-numbers.tsv (MeSH 2015, CC0)"

P_TYPE, P_LABEL = iri(RDF.type), iri(RDFS.label)
P_TREE, P_PARENT = iri(MESHV + "treeNumber"), iri(MESHV + "parentTreeNumber")
P_BROADER, P_ID = iri(MESHV + "broaderDescriptor"), iri(MESHV + "identifier")
P_ALLOWABLE, P_MAPPED = iri(MESHV + "allowableQualifier"), iri(MESHV + "preferredMappedTo")
C_TREE = iri(MESHV + "TreeNumber")
P_ANCESTOR = iri(KG.meshAncestor)
DESCRIPTOR_CLASSES = {"1": "TopicalDescriptor", "2": "PublicationType", "3": "CheckTag",
                      "4": "GeographicalDescriptor", None: "Descriptor"}
SCR_CLASSES = {"1": "SCR_Chemical", "2": "SCR_Protocol", "3": "SCR_Disease", "4": "SCR_Organism"}
TSV_COLUMNS = ("mesh_id", "mesh_name", "mesh_tree_number")


@dataclass
class MeshLoad:
    """What one load read: counted from the input, so tests can compare with the files' own counts."""

    files: list[str] = field(default_factory=list)
    descriptors: set[str] = field(default_factory=set)
    qualifiers: set[str] = field(default_factory=set)
    supplementary: set[str] = field(default_factory=set)
    tree_numbers: dict[str, str] = field(default_factory=dict)   # tree number -> descriptor UI
    triples: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"files": len(self.files), "descriptors": len(self.descriptors),
                "qualifiers": len(self.qualifiers), "supplementary": len(self.supplementary),
                "tree_numbers": len(self.tree_numbers), "triples": self.triples}


def _m(ui: str) -> str:
    return f"<{MESH_BASE}{ui}>"


def _open(path: str) -> IO[bytes]:
    if path.endswith(".gz"):
        # typeshed's GzipFile is a BufferedIOBase, not an IO[bytes], though it is a binary file
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def sniff(path: str) -> str:
    """'nt', 'xml' or 'tsv', from the name first and the first bytes second."""
    name = path[:-3] if path.endswith(".gz") else path
    for suffix, kind in ((".nt", "nt"), (".xml", "xml"), (".tsv", "tsv"), (".txt", "tsv")):
        if name.endswith(suffix):
            return kind
    try:
        with _open(path) as f:
            head = f.read(512).lstrip()
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "nt" if head.startswith(b"<http") else "xml"
    if head.startswith(b"mesh_id"):
        return "tsv"
    raise InputError("not a MeSH file kg can read (N-Triples, descriptor XML or a tree-number table)", path=path)


# ---- readers: each yields N-Triples lines and fills `load` -------------------------------------------

def _descriptor_lines(ui: str, label: str | None, cls: str, trees: Iterable[str], qualifiers: Iterable[str],
                      load: MeshLoad) -> Iterator[str]:
    d = _m(ui)
    load.descriptors.add(ui)
    yield f"{d} {P_TYPE} {iri(MESHV + cls)} .\n"
    yield f"{d} {P_ID} {lit(ui)} .\n"
    if label:
        yield f"{d} {P_LABEL} {lang(label, 'en')} .\n"
    for tn in trees:
        load.tree_numbers[tn] = ui
        yield f"{d} {P_TREE} {_m(tn)} .\n"
    for q in qualifiers:
        yield f"{d} {P_ALLOWABLE} {_m(q)} .\n"


def read_tsv(path: str, load: MeshLoad) -> Iterator[str]:
    with _open(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text, delimiter="\t")
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header[:3]) != TSV_COLUMNS:
            raise InputError(f"expected the columns {', '.join(TSV_COLUMNS)}, found {header!r}", path=path, line=1)
        rows: dict[str, tuple[str, list[str]]] = {}
        for lineno, row in enumerate(reader, 2):
            if not row:
                continue
            if len(row) < 3 or not MESH_UI_RE.match(row[0]) or not MESH_TREE_RE.match(row[2]):
                raise InputError(f"malformed row {row!r}", path=path, line=lineno)
            entry = rows.setdefault(row[0], (row[1], []))
            entry[1].append(row[2])
    for ui, (label, trees) in rows.items():
        yield from _descriptor_lines(ui, label, DESCRIPTOR_CLASSES[None], trees, (), load)


def read_xml(path: str, load: MeshLoad) -> Iterator[str]:
    from lxml import etree

    tags = ("DescriptorRecord", "QualifierRecord", "SupplementalRecord")
    try:
        with _open(path) as f:
            # Never resolve the DTD or entities named in the DOCTYPE: no file or network access.
            for _, rec in etree.iterparse(f, events=("end",), tag=tags, load_dtd=False, no_network=True,
                                          resolve_entities=False, huge_tree=True):
                yield from _xml_record(rec, load, path)
                rec.clear(keep_tail=False)
                while rec.getprevious() is not None:
                    del rec.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(f"malformed XML: {exc}", path=path, line=getattr(exc, "lineno", None)) from exc


def _xml_record(rec: etree._Element, load: MeshLoad, path: str) -> Iterator[str]:
    trees = [t.text.strip() for t in rec.findall("TreeNumberList/TreeNumber") if t.text]
    if rec.tag == "DescriptorRecord":
        ui = (rec.findtext("DescriptorUI") or "").strip()
        if not MESH_UI_RE.match(ui):
            raise InputError(f"descriptor without a valid DescriptorUI ({ui!r})", path=path)
        quals = [q.text.strip() for q in
                 rec.findall("AllowableQualifiersList/AllowableQualifier/QualifierReferredTo/QualifierUI") if q.text]
        cls = DESCRIPTOR_CLASSES.get(rec.get("DescriptorClass"), "Descriptor")
        yield from _descriptor_lines(ui, rec.findtext("DescriptorName/String"), cls, trees, quals, load)
    elif rec.tag == "QualifierRecord":
        ui = (rec.findtext("QualifierUI") or "").strip()
        if not MESH_UI_RE.match(ui):
            raise InputError(f"qualifier without a valid QualifierUI ({ui!r})", path=path)
        load.qualifiers.add(ui)
        q = _m(ui)
        yield f"{q} {P_TYPE} {iri(MESHV + 'Qualifier')} .\n"
        yield f"{q} {P_ID} {lit(ui)} .\n"
        name = rec.findtext("QualifierName/String")
        if name:
            yield f"{q} {P_LABEL} {lang(name, 'en')} .\n"
        for tn in trees:  # qualifier tree numbers (Y..) form their own hierarchy; no broaderDescriptor
            yield f"{q} {P_TREE} {_m(tn)} .\n"
    else:
        ui = (rec.findtext("SupplementalRecordUI") or "").strip()
        if not MESH_UI_RE.match(ui):
            raise InputError(f"supplementary record without a valid UI ({ui!r})", path=path)
        load.supplementary.add(ui)
        s = _m(ui)
        yield f"{s} {P_TYPE} {iri(MESHV + SCR_CLASSES.get(rec.get('SCRClass'), 'SupplementaryConceptRecord'))} .\n"
        yield f"{s} {P_ID} {lit(ui)} .\n"
        name = rec.findtext("SupplementalRecordName/String")
        if name:
            yield f"{s} {P_LABEL} {lang(name, 'en')} .\n"
        for d in rec.findall("HeadingMappedToList/HeadingMappedTo/DescriptorReferredTo/DescriptorUI"):
            target = (d.text or "").strip().lstrip("*")  # '*' marks a descriptor/qualifier pair target
            if MESH_UI_RE.match(target):
                yield f"{s} {P_MAPPED} {_m(target)} .\n"


_NT_MESH_IRI = re.compile(r"<(https?://(?:id\.nlm\.nih\.gov/mesh/|identifiers\.org/mesh)[^>]*)>")


def _canonical_iri(match: re.Match[str]) -> str:
    value = match.group(1)
    if value.startswith(MESHV.base):
        return match.group(0)
    try:
        return f"<{parse_identifier(value)}>"
    except Exception:  # an IRI we do not understand stays as NLM wrote it
        return match.group(0)


def read_nt(path: str, load: MeshLoad) -> Iterator[str]:
    """NLM MeSH RDF as N-Triples: lines kept, MeSH IRIs canonicalised, the vocabulary counted."""
    import pyoxigraph as ox

    tree_p = MESHV + "treeNumber"
    type_p = RDF.type
    desc_classes = {MESHV + c for c in DESCRIPTOR_CLASSES.values()}
    scr_classes = {MESHV + c for c in SCR_CLASSES.values()}
    owners: list[tuple[str, str]] = []
    try:
        with _open(path) as f:
            for t in ox.parse(f, format=ox.RdfFormat.N_TRIPLES):
                line = f"{t.subject} {t.predicate} {t.object} .\n"
                if "id.nlm.nih.gov/mesh/2" in line or "identifiers.org/mesh" in line:
                    line = _NT_MESH_IRI.sub(_canonical_iri, line)
                s = t.subject.value
                p = t.predicate.value
                if s.startswith(MESH_BASE) and p == type_p:
                    o = t.object.value
                    ui = _ui(s)
                    if o in desc_classes:
                        load.descriptors.add(ui)
                    elif o in scr_classes:
                        load.supplementary.add(ui)
                    elif o == MESHV + "Qualifier":
                        load.qualifiers.add(ui)
                elif p == tree_p:
                    owners.append((_ui(s), _ui(t.object.value)))
                yield line
    except SyntaxError as exc:
        raise InputError(f"malformed N-Triples: {exc}", path=path) from exc
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc
    for ui, tn in owners:
        if ui in load.descriptors:  # qualifier tree numbers are not descriptor hierarchy
            load.tree_numbers[tn] = ui


def _ui(value: str) -> str:
    m = _NT_MESH_IRI.match(f"<{value}>")
    return (_canonical_iri(m)[1:-1] if m else value)[len(MESH_BASE):]


READERS = {"nt": read_nt, "xml": read_xml, "tsv": read_tsv}


def derived_lines(load: MeshLoad) -> Iterator[str]:
    """Tree-number nodes with their parent chain, and `meshv:broaderDescriptor` from the tree numbers."""
    seen: set[str] = set()
    for tn in load.tree_numbers:
        cur = tn
        while cur not in seen:
            seen.add(cur)
            yield f"{_m(cur)} {P_TYPE} {C_TREE} .\n"
            yield f"{_m(cur)} {P_LABEL} {lit(cur)} .\n"
            if "." not in cur:
                break
            parent = cur.rsplit(".", 1)[0]
            yield f"{_m(cur)} {P_PARENT} {_m(parent)} .\n"
            cur = parent
    for tn, ui in load.tree_numbers.items():
        if "." in tn:
            broader = load.tree_numbers.get(tn.rsplit(".", 1)[0])
            if broader is not None and broader != ui:
                yield f"{_m(ui)} {P_BROADER} {_m(broader)} .\n"


def ancestor_lines(load: MeshLoad) -> Iterator[str]:
    """`kg:meshAncestor` from each descriptor to the owner of every tree number above one of its own: the
    transitive closure of `meshv:parentTreeNumber` between descriptors, so that a query explodes a
    descriptor by one lookup. Tree numbers nobody owns (a partial vocabulary) are passed through, as the
    parent chain of `derived_lines` passes through them."""
    for tn, ui in load.tree_numbers.items():
        cur = tn
        while "." in cur:
            cur = cur.rsplit(".", 1)[0]
            above = load.tree_numbers.get(cur)
            if above is not None:
                yield f"{_m(ui)} {P_ANCESTOR} {_m(above)} .\n"


def mesh_ntriples(paths: Iterable[str], load: MeshLoad | None = None) -> tuple[list[str], MeshLoad]:
    """Every N-Triples line of the MeSH graph built from `paths` (sorted, without duplicates)."""
    load = load or MeshLoad()
    lines: set[str] = set()
    for path in paths:
        if not Path(path).is_file():
            raise InputError("no such file", path=path)
        kind = sniff(path)
        load.files.append(path)
        lines.update(READERS[kind](path, load))
    lines.update(derived_lines(load))
    out = sorted(lines)
    load.triples = len(out)
    return out, load


def load_mesh(paths: Iterable[str], store: Store, *, graph: str = iris.MESH_GRAPH) -> MeshLoad:
    """Replace the MeSH graph of `store` with the vocabulary read from `paths` (all or nothing: every file
    is read before the store is touched, so a bad file leaves the current MeSH graph as it was)."""
    lines, load = mesh_ntriples(list(paths))
    # The closure is written with the vocabulary, in the same graph, so a reload replaces both at once;
    # it is not in the shipped file (derivable, and several times the size of the hierarchy).
    store.replace_graph(graph, lines + sorted(set(ancestor_lines(load))))
    store.flush()
    return load


def load_shipped(store: Store) -> MeshLoad:
    """Load the MeSH hierarchy shipped with `kg` (MeSH 2015 tree numbers) into the MeSH graph."""
    return load_mesh([str(SHIPPED)], store)


def ensure_mesh(store: Store) -> bool:
    """Load the shipped hierarchy when the store has no MeSH graph yet; True when it did."""
    if store.has_graph(iris.MESH_GRAPH):
        return False
    load_shipped(store)
    return True


def build_shipped_bytes(tsv_path: str) -> bytes:
    """The shipped hierarchy file's bytes: sorted N-Triples, gzip with a fixed header (reproducible)."""
    lines, _ = mesh_ntriples([tsv_path])
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write("".join(lines).encode("utf-8"))
    return buf.getvalue()


def build_shipped(tsv_path: str, out: str | Path = SHIPPED) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build_shipped_bytes(tsv_path))
    return out


__all__ = ["MeshLoad", "mesh_ntriples", "load_mesh", "load_shipped", "ensure_mesh", "build_shipped",
           "build_shipped_bytes", "SHIPPED"]


_LABEL_LINE = re.compile(r'^<http://id\.nlm\.nih\.gov/mesh/(D\d{6,9})> <http://www\.w3\.org/2000/01/rdf-schema#label> "(.*)"@en \.$')


@functools.lru_cache(maxsize=1)
def descriptor_uis_by_name() -> dict[str, str]:
    """Descriptor name -> UI from the shipped hierarchy (MeSH 2015), for sources that give names only
    (MEDLINE text). Names renamed after 2015 stay unresolved: those headings keep their name, no IRI."""
    out: dict[str, str] = {}
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as f:
        for line in f:
            m = _LABEL_LINE.match(line.rstrip("\n"))
            if m:
                out[m.group(2).replace('\\"', '"').replace("\\\\", "\\")] = m.group(1)
    return out
