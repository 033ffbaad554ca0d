"""`kg query pathways-linking` end to end (issue 12, part 4 acceptance): the seed example plus constructed
abstracts (tests/data/crc-metastasis-pathways.xml) through `kg ingest` with the bundled tagger.

The fixture's five abstracts and what each should add (written for this test; see tests/data/README.md):
  99100001  CRC liver metastasis, STAT3 signalling in three sentences
  99100002  CRC liver metastasis, the PI3K/AKT pathway and EMT
  99100003  CRC liver metastasis, PI3K/Akt/mTOR and STAT3 signalling, EMT and angiogenesis
  99100004  gastric cancer liver metastasis, the hedgehog signaling pathway and EMT: adds nothing
  99100005  CRC lung metastasis, the Wnt signaling pathway and EMT: only with site=UBERON:0002048
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "data" / "crc-metastasis-pathways.xml"
GO = "http://purl.obolibrary.org/obo/GO_"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    st = str(tmp_path_factory.mktemp("linking") / "store")
    r = CliRunner().invoke(main, ["ingest", "--store", st, str(ROOT / "examples"), str(FIXTURE)])
    assert r.exit_code == 0, r.output
    return st


def query(store_path: str, *params: str) -> list[dict[str, str]]:
    args = ["query", "pathways-linking", "--store", store_path, "--format", "csv"]
    for p in params:
        args += ["-p", p]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.stdout)))


def by_iri(rows) -> dict[str, dict[str, str]]:
    return {r["pathway"]: r for r in rows}


def test_liver_rows(store_path):
    rows = query(store_path)
    got = by_iri(rows)
    # EMT in 99100002 and 99100003, the gastric paper's EMT not counted
    assert (got[GO + "0001837"]["kind"], got[GO + "0001837"]["articles"]) == ("process", "2")
    assert got[GO + "0001525"]["articles"] == "1"  # angiogenesis, 99100003
    # the seed's three pathways, with their figure captions
    for go in ("0007219", "0048012", "0007179"):
        assert got[GO + go]["articles"] == "1" and got[GO + go]["kind"] == "pathway"
    assert got[GO + "0007219"]["evidence"] == "Schematic illustration of Notch pathway regulatory mechanisms"
    # never the gastric paper's hedgehog pathway, never the lung paper's Wnt
    assert not any(re.search(r"hedgehog|smoothened|wnt", r["label"], re.I) for r in rows)
    assert not any("gastric" in r["evidence"] or "lung" in r["evidence"] for r in rows)
    counts = [int(r["articles"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_processes_false_lists_pathways_only(store_path):
    rows = query(store_path, "processes=false")
    assert rows and {r["kind"] for r in rows} == {"pathway"}
    assert GO + "0001837" not in by_iri(rows)


def test_lung_site(store_path):
    got = by_iri(query(store_path, "site=UBERON:0002048"))
    assert set(got) == {GO + "0016055", GO + "0001837"}  # Wnt signaling pathway and EMT, 99100005 only
    assert got[GO + "0016055"]["articles"] == "1"
    assert got[GO + "0016055"]["path"] == "Wnt signaling pathway -> neoplasm metastasis (lung)"


def test_stat3_and_pi3k_akt_signalling_are_listed(store_path):
    """The tagger grounds "STAT3 signalling" and "PI3K/AKT pathway" as pathways (issue 12, parts 1-2)."""
    rows = [r for r in query(store_path) if r["kind"] == "pathway"]
    stat3 = [r for r in rows if re.search(r"STAT3|JAK.STAT", r["label"], re.I)]
    pi3k = [r for r in rows if re.search(r"PI3K|AKT", r["label"], re.I)]
    assert stat3 and max(int(r["articles"]) for r in stat3) == 2   # 99100001 and 99100003
    assert all(r["ontology"] for r in stat3 + pi3k)  # a pathway kg names after STAT3 says KG
    assert pi3k and max(int(r["articles"]) for r in pi3k) == 2     # 99100002 and 99100003
    assert all("gastric" not in r["evidence"] for r in stat3 + pi3k)
