"""The bulk-loading commands of docs/bulk-loading.md, run for real where the tools install here:
`kg convert` shards into Oxigraph (`oxigraph load`, then `oxigraph serve`), into Virtuoso
(`ld_dir` + `rdf_loader_run`) and into Jena TDB2 (`tdb2.tdbloader` through scripts/jena), each ending
with exactly the triples `kg ingest` stores. QLever is not installable here (see docs/bulk-loading.md)."""

from __future__ import annotations

import csv
import gzip
import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.stores.oxigraph import OxigraphStore
from servers import OxigraphServer, jena, jena_problem, oxigraph_binary, virtuoso_server  # noqa: F401 - fixture

pytestmark = pytest.mark.server

KG_GRAPHS = "https://w3id.org/oncokg/graph/"
COUNT = f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{KG_GRAPHS}")) }}'
PER_GRAPH = ('SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } '
             f'FILTER(STRSTARTS(STR(?g), "{KG_GRAPHS}")) }} GROUP BY ?g')


def _files(shared: Path) -> list[str]:
    return [str(shared / "fatcat" / "pubmedsample_2019.xml.gz"), str(shared / "tipplerow-pubmed" / "pubmed_sample.xml"),
            str(shared / "ncbi-cxx-toolkit" / "pubmed28211659.xml")]


@pytest.fixture(scope="module")
def shards_and_count(shared_data, tmp_path_factory):
    """The shards `kg convert` writes and, from `kg ingest` of the same files, the quads per kg graph
    (built once for the module: no loader changes the shards)."""
    tmp_path = tmp_path_factory.mktemp("bulk")
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), "--shard-size", "50", *_files(shared_data)])
    assert r.exit_code == 0, r.output
    st = tmp_path / "store"
    r = CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-validate", "--no-nlp", *_files(shared_data)])
    assert r.exit_code == 0, r.output
    store = OxigraphStore(str(st), read_only=True)
    # ingest drops articles deleted in the same file; the shards keep only their tombstones too
    per_graph = Counter(q.graph_name.value for q in store.quads() if q.graph_name.value.startswith(KG_GRAPHS))
    return out, sum(per_graph.values()), per_graph


def _isql_int(output: str) -> int:
    """The single integer an isql SELECT COUNT(*) printed below its column rule."""
    return int(re.search(r"_{10,}\s+(\d+)", output).group(1))


def _remote_count(endpoint: list[str]) -> int:
    r = CliRunner().invoke(main, ["sparql", "--format", "csv", *endpoint, COUNT])
    assert r.exit_code == 0, r.output
    return int(r.stdout.splitlines()[1])


def test_oxigraph_load_then_serve(shards_and_count, tmp_path):
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is absent; run scripts/install-servers.sh")
    shards, expected, _ = shards_and_count
    srv = OxigraphServer(tmp_path / "oxi", binary)
    srv.dir.mkdir(exist_ok=True)
    # as docs/bulk-loading.md says: the shards, decompressed, into `oxigraph load` with the server stopped
    for shard in sorted(shards.glob("*.nq.gz")):
        gz = subprocess.Popen(["gunzip", "-c", str(shard)], stdout=subprocess.PIPE)
        done = subprocess.run([binary, "load", "--location", str(srv.dir / "db"), "--format", "nq"],
                              stdin=gz.stdout, capture_output=True, text=True)
        gz.wait()
        assert done.returncode == 0, done.stderr
    srv.start()
    try:
        assert _remote_count(["--endpoint", srv.query_url]) == expected
    finally:
        srv.kill()


def test_virtuoso_ld_dir_and_rdf_loader_run(shards_and_count, virtuoso_server):
    srv = virtuoso_server
    shards, expected, _ = shards_and_count
    target = srv.dir / "shards"  # inside DirsAllowed
    target.mkdir()
    for shard in shards.glob("*.nq.gz"):
        (target / shard.name).write_bytes(shard.read_bytes())
    srv.isql(f"ld_dir('{target}', '*.nq.gz', 'https://w3id.org/oncokg/graph/unnamed');")
    srv.isql("rdf_loader_run(); checkpoint;")
    done = srv.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_state = 2 AND ll_error IS NULL;")
    failed = srv.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_state <> 2 OR ll_error IS NOT NULL;")
    assert _isql_int(done) == len(list(target.glob("*.nq.gz"))) > 1 and _isql_int(failed) == 0
    assert _remote_count(["--endpoint", srv.auth_url, "--auth", "digest"]) == expected


@pytest.fixture
def jena_usable():
    problem = jena_problem()
    if problem:
        pytest.skip(f"Apache Jena is not usable here: {problem}")


@pytest.mark.parametrize("loader", [None, "parallel"], ids=["default-phased", "parallel"])
def test_jena_tdb2_tdbloader(jena_usable, shards_and_count, tmp_path, loader):
    shards, expected, per_graph = shards_and_count
    files = sorted(str(p) for p in shards.glob("*.nq.gz"))
    assert len(files) > 1
    loc = str(tmp_path / "tdb2")
    # as docs/bulk-loading.md says: the gzipped shards straight into tdb2.tdbloader
    done = jena("tdb2.tdbloader", *([f"--loader={loader}"] if loader else []), "--loc", loc, *files)
    assert done.returncode == 0, done.stderr[-3000:]
    assert ("LoaderParallel" if loader == "parallel" else "LoaderPhased") in done.stderr  # the loader asked for
    q = jena("tdb2.tdbquery", "--loc", loc, "--results=csv", PER_GRAPH)
    assert q.returncode == 0, q.stderr[-3000:]
    got = {row["g"]: int(row["n"]) for row in csv.DictReader(io.StringIO(q.stdout))}
    assert sum(got.values()) == expected
    assert got == dict(per_graph)  # every graph whole, none missing, none extra
    # and the very quads of the shards, lexical forms included (TDB2 stores some literals as values)
    dump = jena("tdb2.tdbdump", "--loc", loc)
    assert dump.returncode == 0, dump.stderr[-3000:]
    shard_quads = []
    for f in files:
        with gzip.open(f) as fh:
            shard_quads.extend(ox.parse(fh, format=ox.RdfFormat.N_QUADS))
    assert _quad_key(ox.parse(dump.stdout.encode(), format=ox.RdfFormat.N_QUADS)) == _quad_key(shard_quads)


def _quad_key(quads) -> Counter:
    """The quads as a multiset of N-Quads lines, blank-node labels (which a store may rename) erased."""
    return Counter(re.sub(r"_:\S+", "_:b", str(q)) for q in quads)
