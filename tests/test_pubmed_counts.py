"""Acceptance: every PubMed XML and MEDLINE file in ../shared/data ingests, and the graph's counts equal
what Biopython's own parsers (Entrez.read, Medline.parse) read from the same file."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from Bio import Entrez, Medline

from kg.pipeline import ingest
from kg.stores.oxigraph import OxigraphStore

from conftest import find_shared_data

DOCTYPE = (b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
           b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')


def pubmed_files() -> list[Path]:
    d = find_shared_data()
    if d is None:
        return []
    out = []
    for p in sorted(d.rglob("*.xml*")):
        raw = gzip.open(p).read(4096) if p.suffix == ".gz" else p.read_bytes()[:100000]
        if any(t in raw for t in (b"<PubmedArticle", b"<PubmedBookArticle", b"<DeleteCitation")):
            out.append(p)
    return out


def medline_files() -> list[Path]:
    d = find_shared_data()
    if d is None:
        return []
    return [p for p in sorted(d.rglob("*")) if p.is_file() and p.suffix in (".txt", ".medline")
            and p.read_bytes()[:200].lstrip().startswith(b"PMID-")]


def _entrez_records(path: Path):
    """Biopython's view of the file. Biopython refuses http:// DTD addresses and files without a
    declaration or DOCTYPE (see ../shared/PUBMED.md); those are patched here, not in kg."""
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    raw = raw.replace(b'"http://dtd.nlm.nih.gov', b'"https://dtd.nlm.nih.gov')
    raw = raw.replace(b'"http://www.ncbi.nlm.nih.gov', b'"https://www.ncbi.nlm.nih.gov')
    if b"<!DOCTYPE" not in raw[:2000]:
        if raw.lstrip().startswith(b"<?xml"):
            decl_end = raw.index(b"?>") + 2
            raw = raw[:decl_end] + b"\n" + DOCTYPE + raw[decl_end:]
        else:
            raw = DOCTYPE + raw
    if not raw.lstrip().startswith(b"<?xml"):
        raw = b'<?xml version="1.0"?>\n' + raw
    r = Entrez.read(io.BytesIO(raw))
    items: list = []
    deletes: list[str] = []
    if isinstance(r, list):
        items = list(r)
    elif "MedlineCitation" in r or "BookDocument" in r:
        items = [r]
    else:
        items = list(r.get("PubmedArticle", [])) + list(r.get("PubmedBookArticle", []))
        for dc in r.get("DeleteCitation", []) or []:
            deletes.append(str(dc))
    return items, deletes


def _biopython_counts(path: Path) -> dict[str, int]:
    items, deletes = _entrez_records(path)
    latest: dict[str, tuple[int, dict]] = {}
    for it in items:
        if "MedlineCitation" in it:
            pm = it["MedlineCitation"]["PMID"]
        else:
            pm = it["BookDocument"]["PMID"]
        version = int(pm.attributes.get("Version", "1") or 1)
        if str(pm) not in latest or version >= latest[str(pm)][0]:
            latest[str(pm)] = (version, it)
    for d in deletes:
        latest.pop(d, None)
    c = dict(articles=len(latest), authors=0, headings=0, qualifiers=0, dmajor=0, qmajor=0, pubtypes=0,
             deleted=len(set(deletes)))
    for _, it in latest.values():
        if "MedlineCitation" in it:
            mc = it["MedlineCitation"]
            art = mc["Article"]
            c["authors"] += len(art.get("AuthorList", []))
            c["pubtypes"] += len({str(p.attributes.get("UI")) for p in art.get("PublicationTypeList", [])
                                  if p.attributes.get("UI")})
            for h in mc.get("MeshHeadingList", []):
                c["headings"] += 1
                d = h["DescriptorName"]
                c["dmajor"] += d.attributes.get("MajorTopicYN", h.attributes.get("MajorTopicYN") if hasattr(h, "attributes") else None) == "Y"
                for q in h.get("QualifierName", []):
                    c["qualifiers"] += 1
                    c["qmajor"] += q.attributes.get("MajorTopicYN") == "Y"
        else:
            bd = it["BookDocument"]
            lists = bd.get("AuthorList", [])
            authors = [a for al in lists if al.attributes.get("Type", "authors") == "authors" for a in al]
            if not authors:
                authors = [a for al in bd["Book"].get("AuthorList", [])
                           if al.attributes.get("Type", "authors") == "authors" for a in al]
            c["authors"] += len(authors)
            c["pubtypes"] += len({str(p.attributes.get("UI")) for p in bd.get("PublicationType", [])
                                  if p.attributes.get("UI")})
    return c


GRAPH_COUNTS = """
PREFIX kg: <https://w3id.org/oncokg/vocab/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT
  (COUNT(DISTINCT ?a) AS ?articles)
  (SUM(?na) AS ?authors) (SUM(?nh) AS ?headings) (SUM(?nq) AS ?qualifiers)
  (SUM(?ndm) AS ?dmajor) (SUM(?nqm) AS ?qmajor) (SUM(?npt) AS ?pubtypes)
WHERE {
  { SELECT ?a (COUNT(DISTINCT ?au) AS ?na) WHERE { GRAPH ?g { ?a fabio:hasPubMedId ?p OPTIONAL { ?a dcterms:creator ?au } } } GROUP BY ?a }
  { SELECT ?a (COUNT(DISTINCT ?h) AS ?nh) (COUNT(DISTINCT ?q) AS ?nq) WHERE { GRAPH ?g { ?a fabio:hasPubMedId ?p
      OPTIONAL { ?a kg:meshHeading ?h OPTIONAL { ?h kg:qualifier ?q } } } } GROUP BY ?a }
  { SELECT ?a (COUNT(DISTINCT ?h) AS ?ndm) WHERE { GRAPH ?g { ?a fabio:hasPubMedId ?p
      OPTIONAL { ?a kg:meshHeading ?h . ?h kg:descriptorMajorTopic true } } } GROUP BY ?a }
  { SELECT ?a (COUNT(DISTINCT ?q) AS ?nqm) WHERE { GRAPH ?g { ?a fabio:hasPubMedId ?p
      OPTIONAL { ?a kg:meshHeading/kg:qualifier ?q . ?q kg:majorTopic true } } } GROUP BY ?a }
  { SELECT ?a (COUNT(DISTINCT ?t) AS ?npt) WHERE { GRAPH ?g { ?a fabio:hasPubMedId ?p
      OPTIONAL { ?a kg:publicationType ?t } } } GROUP BY ?a }
}
"""


def graph_counts(store: OxigraphStore) -> dict[str, int]:
    row = next(iter(store.query(GRAPH_COUNTS)))
    out = {k: int(row[k].value) if row[k] is not None else 0
           for k in ("articles", "authors", "headings", "qualifiers", "dmajor", "qmajor", "pubtypes")}
    out["deleted"] = store.deleted_count()
    return out


PUBMED_FILES = pubmed_files()
MEDLINE_FILES = medline_files()


@pytest.mark.shared
def test_the_suite_covers_every_pubmed_file(shared_data):
    # 31 PubMed XML files and 4 MEDLINE files are staged; a filter must not shrink the suite unnoticed.
    assert len(PUBMED_FILES) == 31
    assert len(MEDLINE_FILES) == 4


@pytest.mark.shared
@pytest.mark.parametrize("path", PUBMED_FILES, ids=lambda p: p.name)
def test_pubmed_file_counts_match_biopython(path: Path):
    store = OxigraphStore()
    summary = ingest([str(path)], store)
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    assert graph_counts(store) == _biopython_counts(path)


def _medline_counts(path: Path) -> dict[str, int]:
    with open(path, encoding="utf-8") as f:
        recs = list(Medline.parse(f))
    c = dict(articles=len({r["PMID"] for r in recs}), authors=0, headings=0, qualifiers=0, dmajor=0, qmajor=0)
    for r in recs:
        c["authors"] += len(r.get("FAU", [])) + len(r.get("CN", []))
        for mh in r.get("MH", []):
            parts = mh.split("/")
            c["headings"] += 1
            c["dmajor"] += parts[0].startswith("*")
            c["qualifiers"] += len(parts) - 1
            c["qmajor"] += sum(q.startswith("*") for q in parts[1:])
    return c


@pytest.mark.shared
@pytest.mark.parametrize("path", MEDLINE_FILES, ids=lambda p: p.name)
def test_medline_file_counts_match_biopython(path: Path):
    store = OxigraphStore()
    summary = ingest([str(path)], store)
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    got = graph_counts(store)
    got.pop("pubtypes"), got.pop("deleted")
    assert got == _medline_counts(path)


@pytest.mark.shared
def test_medline_names_resolve_to_mesh_iris(shared_data):
    from kg import queries

    store = OxigraphStore()
    ingest([str(shared_data / "biopython" / "Medline" / "pubmed_result2.txt")], store)
    rows = list(queries.run(store, "articles-by-mesh", {"mesh": "D003628", "explode": "false"}))
    assert "16403221" in {r["pmid"].value for r in rows}  # 'MH  - *Database Management Systems'
    assert bool(store.query("""PREFIX fabio: <http://purl.org/spar/fabio/> PREFIX kg: <https://w3id.org/oncokg/vocab/>
        ASK { GRAPH ?g { <http://rdf.ncbi.nlm.nih.gov/pubmed/16403221> fabio:hasPrimarySubjectTerm
              <http://id.nlm.nih.gov/mesh/D003628> ; kg:publicationType <http://id.nlm.nih.gov/mesh/D016428> } }"""))
