"""`kg validate --engine fast|pyshacl`: the compiled checker and pySHACL give the same results on real data.

Data: real records of ../shared/data ingested with text mining on (the tagger's mentions and assertions, the
JATS passages of the seed article) with the MeSH sample vocabulary loaded, plus fatcat articles broken on
purpose (tests/shapes_broken.py). Both engines see each named graph on its own with the same context; their
results must agree on focus node, path, value, shape, component, severity and message, graph by graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import validation as S
from shacl_paths import rdflib_form

pytestmark = pytest.mark.shared


def keys(results: list[S.Result]) -> set[tuple]:
    return {(r.graph, r.pmid, r.focus, r.path, rdflib_form(r.value), r.shape, r.component, r.severity, r.message)
            for r in results}


@pytest.fixture(scope="module")
def store_path(shared_data, tmp_path_factory):
    """A store of real records ingested with text mining on (no validation at ingest, as a store filled by
    other tools may be), with the MeSH sample vocabulary for the allowable-qualifier check."""
    path = tmp_path_factory.mktemp("engines") / "store"
    kg = str(Path(sys.executable).parent / "kg")    # separate processes: each command opens the store itself
    r = subprocess.run([kg, "ingest", "--store", str(path), "--no-validate", str(shared_data / "seed"),
                        str(shared_data / "biopython" / "Entrez"), str(shared_data / "tipplerow-pubmed")],
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr          # some real records are rejected by the reader: data
    r = subprocess.run([kg, "mesh", "load", "--store", str(path), str(shared_data / "hhs-meshrdf" / "samples.nt")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return path


@pytest.fixture(scope="module")
def broken(shared_data):
    """Fatcat articles, half of them broken (many ways), a third carrying mentions and assertions."""
    from shapes_broken import base_articles, make_graphs
    graphs, bad = make_graphs(base_articles(shared_data), 16, broken_fraction=0.5, annotated_fraction=0.3, seed=7)
    return graphs, bad


def test_both_engines_same_results_on_a_real_store(store_path):
    from kg.stores.oxigraph import OxigraphStore
    store = OxigraphStore(str(store_path), read_only=True)
    fast = S.validate_store(store, engine="fast")
    ref = S.validate_store(store, engine="pyshacl")
    assert fast.graphs == ref.graphs > 10
    assert store.has_graph("https://w3id.org/oncokg/graph/mesh")
    mine, theirs = keys(fast.results), keys(ref.results)
    assert mine == theirs, {"only pySHACL": sorted(theirs - mine)[:10], "only fast": sorted(mine - theirs)[:10]}
    assert len(fast.results) == len(ref.results)
    # a real finding, not an empty agreement: the seed article's journal has neither NLM ID nor ISSN
    assert ("35246503", "<https://w3id.org/oncokg/shapes/JournalArticle-journal-missing>", "Warning") in \
        {(r.pmid, r.shape, r.severity) for r in ref.results}
    assert fast.conforms and ref.conforms
    assert fast.text().splitlines()[0] == ref.text().splitlines()[0]     # "N graphs checked: ... - conforms"


def test_both_engines_same_results_on_broken_graphs(broken):
    graphs, bad = broken
    triples = [(g, S.parse_nquads(t)) for g, t in graphs]
    fast, n_fast = S.validate_fast(triples, S.CORE_SHAPES, [])
    ref, n_ref = S.validate_pyshacl(triples, S.CORE_SHAPES, [])
    assert n_fast == n_ref == 16
    mine, theirs = keys(fast), keys(ref)
    assert mine == theirs, {"only pySHACL": sorted(theirs - mine)[:10], "only fast": sorted(mine - theirs)[:10]}
    assert {r.pmid for r in ref if r.severity == "Violation"} == set(bad)
    assert any(r.component.endswith("SPARQLConstraintComponent") for r in ref)   # SPARQL-based ones too


def test_cli_engines_same_report_and_exit_code(broken, tmp_path):
    from kg.cli import main
    graphs, bad = broken
    f = tmp_path / "broken.nq"
    f.write_text("".join(t for _, t in graphs), encoding="utf-8")
    runner = CliRunner()
    out = {}
    for engine in ("fast", "pyshacl"):
        r = runner.invoke(main, ["validate", str(f), "--format", "json", "--engine", engine])
        assert r.exit_code == 1, r.output
        out[engine] = json.loads(r.output)
    groups = {e: {(g["severity"], g["shape"], g["message"], g["count"], tuple(g["pmids"])) for g in d["groups"]}
              for e, d in out.items()}
    assert groups["fast"] == groups["pyshacl"]
    assert {p for g in out["fast"]["groups"] if g["severity"] == "Violation" for p in g["pmids"]} == set(bad)
    assert {k: v for k, v in out["fast"].items() if k != "groups"} == \
        {k: v for k, v in out["pyshacl"].items() if k != "groups"}
    r = runner.invoke(main, ["validate", str(f), "--engine", "jena"])
    assert r.exit_code == 2 and "jena" in r.output
