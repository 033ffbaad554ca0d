"""`kg load`, `kg query --endpoint` against real servers (Oxigraph server, Virtuoso) on 127.0.0.1.

Marked `server`; each server test skips with a clear message when its binary is absent
(scripts/install-servers.sh installs both).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.stores.oxigraph import OxigraphStore
from servers import oxigraph_server, sparql_server, virtuoso_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.server

KG_GRAPHS = "https://w3id.org/oncokg/graph/"

# Every canned query but the federated examples (those reach public endpoints), with real parameters.
CANNED = [
    ("articles-by-mesh", {"mesh": "D006801"}),
    ("articles-by-mesh", {"mesh": "D009369", "major": "true"}),
    ("articles-by-mesh", {"mesh": "D015179", "qualifier": "Q000188"}),
    ("articles-by-mesh", {"mesh": "D009369", "explode": "false"}),
    ("mesh-cooccurring", {"mesh": "D009369"}),
    ("articles-by-author", {"family": "Zhou"}),
    ("articles-by-author", {"family": "Smith", "given": "J"}),
    ("retracted-articles", {}),
    ("articles-by-term", {"term": "MONDO:0005575"}),
    ("pathways-linking", {}),
    ("entities-of-article", {"pmid": "35246503"}),
    ("evidence", {"subject": "GO:0007219", "object": "MONDO:0005575"}),
    ("genes-in-pathway-evidence", {"pathway": "R-HSA-2219528"}),  # PI3K/AKT, in tests/data's CRC abstracts
    ("drugs-for-pathway", {"pathway": "GO:0006887"}),
    ("cell-types-in-mechanism", {}),
]


def test_every_canned_query_is_compared():
    from kg import queries
    names = {q.name for q in queries.list_queries() if not q.name.startswith("federated-")}
    assert names == {name for name, _ in CANNED}


def run_kg(*args: str, env: dict | None = None):
    r = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return r


@pytest.fixture(scope="module")
def built_store(shared_data, tmp_path_factory) -> str:
    """Every PubMed XML file in ../shared/data (citation graphs), plus the seed paper with its full text
    mined (mentions, assertions), plus the MeSH hierarchy and the MONDO/DO links: every canned query
    has something to answer."""
    from test_pubmed_counts import pubmed_files
    path = tmp_path_factory.mktemp("store") / "kg-store"
    files = [str(f) for f in pubmed_files()]
    r = run_kg("ingest", "--store", str(path), "--no-validate", "--no-nlp", *files)
    assert r.exit_code in (0, 1), r.output
    r = run_kg("ingest", "--store", str(path), "--no-validate", "examples/",
               str(shared_data / "fatcat" / "pubmedsample_2019.xml.gz"),
               "tests/data/crc-metastasis-pathways.xml")  # these with text mining
    assert r.exit_code == 0, r.output
    assert run_kg("mesh", "load", "--store", str(path)).exit_code == 0
    r = run_kg("link", "--store", str(path), str(shared_data / "mondo" / "mondo_exactmatch_mesh.sssom.tsv"),
               str(shared_data / "mondo" / "mondo_exactmatch_doid.sssom.tsv"))
    assert r.exit_code == 0, r.output
    r = run_kg("ontology", "load", "--store", str(path), str(shared_data / "disease-ontology" / "DO_cancer_slim.obo"))
    assert r.exit_code == 0, r.output
    return str(path)


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STATE_DIR", str(tmp_path / "state"))


def triple_count(store_path: str) -> int:
    s = OxigraphStore(store_path, read_only=True)
    return sum(1 for q in s.quads() if q.graph_name.value.startswith(KG_GRAPHS))


def server_count(srv) -> int:
    r = run_kg("sparql", "--format", "csv", "--endpoint", srv.load_args()[1], *srv.load_args()[-2:] if
               "--auth" in srv.load_args() else (),
               f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{KG_GRAPHS}")) }}')
    assert r.exit_code == 0, r.output
    return int(r.output.splitlines()[1])


def _cell(c: str) -> str:
    # GROUP_CONCAT's order is unspecified in SPARQL 1.1: a list of tokens compares as a set
    return ",".join(sorted(c.split(","))) if "," in c and " " not in c else c


def query_rows(args: list[str]) -> list[str]:
    # SPARQL CSV: the values only, so a server's choice of datatype for the same value does not count
    r = run_kg("query", *args, "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = list(csv.reader(io.StringIO(r.stdout)))
    return ["\t".join(lines[0])] + sorted("\t".join(_cell(c) for c in line) for line in lines[1:])


def endpoint_args(srv) -> list[str]:
    a = srv.load_args()
    out = ["--endpoint", a[1]]
    if "--auth" in a:
        out += ["--auth", a[a.index("--auth") + 1]]
    return out


def test_load_query_same_answers_and_second_load_sends_nothing(sparql_server, built_store):
    srv = sparql_server
    r = run_kg("load", "--store", built_store, *srv.load_args())
    assert r.exit_code == 0, r.output
    assert server_count(srv) == triple_count(built_store)
    for name, params in CANNED:
        p = [x for k, v in params.items() for x in ("--param", f"{k}={v}")]
        local = query_rows([name, *p, "--store", built_store])
        assert len(local) > 1 or name in ("retracted-articles",), (name, "no rows: the case tests nothing")
        remote = query_rows([name, *p, *endpoint_args(srv)])
        assert remote == local, name
    r2 = run_kg("load", "--store", built_store, *srv.load_args())
    assert r2.exit_code == 0
    assert "0 sent" in r2.output and "0 requests" in r2.output, r2.output
    assert server_count(srv) == triple_count(built_store)


def test_update_after_load_equals_fresh_load(sparql_server, shared_data, tmp_path):
    srv = sparql_server
    store = str(tmp_path / "s")
    from test_pubmed_counts import pubmed_files
    files = [str(f) for f in pubmed_files()]
    assert run_kg("ingest", "--store", store, "--no-validate", "--no-nlp", *files[:6]).exit_code in (0, 1)
    assert run_kg("load", "--store", store, *srv.load_args()).exit_code == 0
    # An update: more records, one revised (re-ingested), and a DeleteCitation of a loaded PMID.
    s = OxigraphStore(store)
    pmids = sorted(g.rsplit("/", 1)[1] for g in s.named_graphs() if g.startswith(KG_GRAPHS + "pubmed/"))
    del s
    victim = pmids[0]
    upd = tmp_path / "update.xml"
    upd.write_text(f'<PubmedArticleSet><DeleteCitation><PMID Version="1">{victim}</PMID></DeleteCitation>'
                   "</PubmedArticleSet>")
    assert run_kg("ingest", "--store", store, "--no-validate", "--no-nlp", *files[4:10], str(upd)).exit_code in (0, 1)
    r = run_kg("load", "--store", store, *srv.load_args())
    assert r.exit_code == 0, r.output
    assert server_count(srv) == triple_count(store)
    r = run_kg("sparql", "--format", "csv", *endpoint_args(srv),
               f"ASK {{ GRAPH <{KG_GRAPHS}pubmed/{victim}> {{ ?s ?p ?o }} }}")
    assert r.output.strip().splitlines()[0] == "false"


def _kg_subprocess(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_server_killed_mid_load_then_rerun_gives_clean_count(sparql_server, built_store, tmp_path):
    srv = sparql_server
    env = dict(os.environ)
    expected = triple_count(built_store)
    # Small requests so the kill lands mid-load, no retries so the first run fails fast.
    p = _kg_subprocess(["load", "--store", built_store, *srv.load_args(), "--batch-triples", "500",
                        "--retries", "0", "--timeout", "10"], env)
    time.sleep(0.8 if srv.name == "oxigraph" else 1.5)
    srv.kill()
    out, err = p.communicate(timeout=60)
    srv.start()
    if p.returncode == 0:
        pytest.skip(f"the load finished before the kill ({err.strip()})")
    assert "did not answer" in err or "refused" in err, err
    r = run_kg("load", "--store", built_store, *srv.load_args())
    assert r.exit_code == 0, r.output
    assert server_count(srv) == expected


def test_wrong_password_is_a_clear_error_and_never_printed(virtuoso_server, built_store, monkeypatch):
    srv = virtuoso_server
    secret = "s3cret-Wr0ng-pw"
    monkeypatch.setenv("KG_SPARQL_PASSWORD", secret)
    for extra in ([], ["-vv"]):
        r = CliRunner().invoke(main, [*extra, "load", "--store", built_store, *srv.load_args()])
        assert r.exit_code != 0
        text = r.output + (r.stderr if hasattr(r, "stderr") else "")
        assert "authentication failed" in text and srv.base in text, text
        assert secret not in text
    r = CliRunner().invoke(main, ["query", "retracted-articles", *endpoint_args(srv)])
    assert r.exit_code != 0 and secret not in r.output and "authentication failed" in r.output


def test_load_from_nquads_files(oxigraph_server, built_store, tmp_path):
    nq = tmp_path / "all.nq"
    r = run_kg("export", "--store", built_store, "--format", "nq", "-o", str(nq))
    assert r.exit_code == 0
    r = run_kg("load", "--from", str(nq), *oxigraph_server.load_args())
    assert r.exit_code == 0, r.output
    assert server_count(oxigraph_server) == triple_count(built_store)
    r = run_kg("load", "--from", str(nq), *oxigraph_server.load_args())
    assert "0 sent" in r.output


def test_quads_post_load_then_kill_and_rerun_gives_clean_count(oxigraph_server, built_store):
    """`--quads` (one DROP and one N-Quads POST per batch, Oxigraph's non-transactional fast path): same
    triples as the store, nothing sent twice, and a load cut by SIGKILL finishes cleanly on a re-run."""
    srv = oxigraph_server
    quads = ["--quads", srv.gsp_url + "?no_transaction"]
    expected = triple_count(built_store)
    p = _kg_subprocess(["load", "--store", built_store, *srv.load_args(), *quads, "--batch-triples", "300",
                        "--retries", "0", "--timeout", "10"], dict(os.environ))
    time.sleep(0.8)
    srv.kill()
    out, err = p.communicate(timeout=60)
    srv.start()
    if p.returncode != 0:
        assert "did not answer" in err or "refused" in err, err
    r = run_kg("load", "--store", built_store, *srv.load_args(), *quads, "--batch-triples", "20000")
    assert r.exit_code == 0, r.output
    assert server_count(srv) == expected
    for name, params in CANNED[:3]:
        p_ = [x for k, v in params.items() for x in ("--param", f"{k}={v}")]
        assert query_rows([name, *p_, *endpoint_args(srv)]) == query_rows([name, *p_, "--store", built_store])
    r = run_kg("load", "--store", built_store, *srv.load_args(), *quads)
    assert "0 sent" in r.output and "0 requests" in r.output, r.output
    assert server_count(srv) == expected


def test_gsp_and_quads_together_is_a_usage_error(built_store):
    r = run_kg("load", "--store", built_store, "--endpoint", "http://127.0.0.1:9/q", "--gsp", "http://127.0.0.1:9/g",
               "--quads", "http://127.0.0.1:9/s")
    assert r.exit_code == 2 and "not both" in r.output
