"""Paging a SELECT that the server cuts short (Virtuoso's ResultSetMaxRows, announced by X-SPARQL-MaxRows).

The planner is checked on its own, the page loop against a tiny local HTTP stub, and the whole path
(`kg sparql --endpoint`) against a real Virtuoso whose ResultSetMaxRows is 500, row for row against the
embedded store.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError
from kg.stores.sparql import SparqlStore, page_query
from servers import VirtuosoServer, virtuoso_binaries

# ---- the planner --------------------------------------------------------------------------------


def test_plan_keeps_the_users_parts_and_moves_limit_offset_outside():
    q = ('PREFIX ex: <http://ex.org/#a>\n# a comment with { and LIMIT 3\n'
         'SELECT DISTINCT ?s (COUNT(?o) AS ?n) FROM <http://a> FROM NAMED <http://b> '
         'WHERE { GRAPH ?g { ?s ?p ?o FILTER(?o != "} LIMIT 9") } } GROUP BY ?s HAVING (COUNT(?o) > 1) '
         'ORDER BY DESC(?n) LIMIT 10 OFFSET 5 VALUES ?s { <http://x> }')
    plan = page_query(q, ["s", "n"])
    assert (plan.offset, plan.limit) == (5, 10)
    text = plan.text(20, 7)
    assert text.startswith("PREFIX ex: <http://ex.org/#a>\n# a comment")
    assert "SELECT * FROM <http://a> FROM NAMED <http://b> WHERE { {" in text
    assert "ORDER BY DESC(?n) ?s ?n" in text  # the user's key first, grouped: plain tie-breakers
    assert "GROUP BY ?s HAVING (COUNT(?o) > 1)" in text
    assert text.rstrip().endswith("LIMIT 7 OFFSET 20")
    assert "LIMIT 10" not in text and "OFFSET 5" not in text
    # the trailing VALUES goes into the WHERE group (Virtuoso fails on VALUES after a subquery)
    assert re.search(r'FILTER\(\?o != "\} LIMIT 9"\) \}\s*VALUES \?s \{ <http://x> \}\s*\}', text), text


def test_plan_orders_ungrouped_rows_by_kind_then_term():
    plan = page_query("SELECT ?a ?b { ?a ?p ?b }", ["a", "b"])
    assert "ORDER BY isLiteral(?a) isBlank(?a) ?a isLiteral(?b) isBlank(?b) ?b" in plan.text(0, 5)
    assert (plan.offset, plan.limit) == (0, None)


@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "SELECT ?s { ?s ?p ?o } LIMIT ?x",
                                   "SELECT ?s { ?s ?p ?o "])
def test_plan_refuses_what_it_cannot_split(query):
    with pytest.raises(QueryError):
        page_query(query, ["s"])


def test_plan_refuses_odd_variable_names():
    with pytest.raises(QueryError):
        page_query("SELECT * { ?s ?p ?o }", ["s } DROP ALL {"])


# ---- the page loop, against a stub ----------------------------------------------------------------

ROWS = [f"http://ex.org/r{i:05d}" for i in range(1234)]


def _xml(rows: list[str]) -> bytes:
    body = "".join(f'<result><binding name="x"><uri>{r}</uri></binding></result>' for r in rows)
    return (f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            f'<variable name="x"/></head><results>{body}</results></sparql>').encode()


class _Stub(BaseHTTPRequestHandler):
    cap = 100
    announce = True  # False: cut silently, as servers other than Virtuoso may
    delay = 0.0      # seconds before answering: a slow query
    fail = ""        # a server error's text, sent with HTTP 500
    seen: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        n = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        q = form.get("query", [""])[0]
        type(self).seen.append(q)
        if self.delay:
            time.sleep(self.delay)
        if self.fail:  # a server error, as Virtuoso sends it (HTTP 500, the message as text)
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(self.fail.encode())
            return
        m = re.search(r"LIMIT (\d+) OFFSET (\d+)\s*$", q)
        rows = ROWS[int(m.group(2)):int(m.group(2)) + int(m.group(1))] if m else ROWS
        cut = rows[:self.cap]
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+xml")
        if len(cut) >= self.cap and self.announce:
            self.send_header("X-SPARQL-MaxRows", str(self.cap))
        self.end_headers()
        self.wfile.write(_xml(cut))

    def log_message(self, *a):
        pass


@pytest.fixture
def stub():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    _Stub.seen = []
    _Stub.cap = 100
    _Stub.announce = True
    _Stub.delay = 0.0
    _Stub.fail = ""
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/sparql"
    finally:
        srv.shutdown()


def test_stub_cut_results_are_paged_whole(stub):
    res = SparqlStore(stub, retries=0).query("SELECT ?x WHERE { ?x ?p ?o }")
    got = [s["x"].value for s in res]
    assert got == ROWS
    assert len(_Stub.seen) == 1 + 13  # the cut answer, then 12 full pages and a short one
    assert all("ORDER BY" in q for q in _Stub.seen[1:])


def test_stub_small_answer_costs_one_request(stub):
    _Stub.cap = 5000
    got = [s["x"].value for s in SparqlStore(stub, retries=0).query("SELECT ?x WHERE { ?x ?p ?o }")]
    assert got == ROWS and len(_Stub.seen) == 1


def test_stub_users_limit_offset_are_honoured(stub):
    res = SparqlStore(stub, retries=0).query("SELECT ?x WHERE { ?x ?p ?o } LIMIT 250 OFFSET 1000")
    assert [s["x"].value for s in res] == ROWS[1000:1250]
    assert _Stub.seen[-1].rstrip().endswith("LIMIT 50 OFFSET 1200")


def test_stub_bound_parameters_survive_paging(stub):
    import pyoxigraph as ox
    res = SparqlStore(stub, retries=0).query("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://ex.org/p")})
    assert len(list(res)) == len(ROWS)
    assert all("VALUES (?p) { (<http://ex.org/p>) }" in q for q in _Stub.seen)


def test_cli_max_rows_pages_a_server_that_cuts_silently(stub):
    from click.testing import CliRunner

    from kg.cli import main
    _Stub.announce = False
    q = "SELECT ?x WHERE { ?x ?p ?o }"
    cut = CliRunner().invoke(main, ["sparql", "--endpoint", stub, "--format", "csv", q])
    assert cut.exit_code == 0 and len(cut.output.splitlines()) == 1 + 100  # what a silent cut looks like
    r = CliRunner().invoke(main, ["sparql", "--endpoint", stub, "--format", "csv", "--max-rows", "100", q])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1:] == ROWS


def test_a_query_the_server_does_not_answer_in_time_is_sent_once(stub):
    # Asking again would only queue a second copy beside the first, which the server is still running.
    _Stub.delay = 3.0
    r = CliRunner().invoke(main, ["sparql", "--endpoint", stub, "--timeout", "0.5", "SELECT ?x WHERE { ?x ?p ?o }"])
    assert r.exit_code == 2, r.output
    assert "did not answer the query within 0.5 s" in r.output and "--timeout" in r.output, r.output
    assert "Traceback" not in r.output
    assert len(_Stub.seen) == 1
    # kg's own small reads during `kg load` are sent again (a server busy with a checkpoint answers later)
    with pytest.raises(QueryError, match="after 2 tries: timed out after 0.3 s"):
        SparqlStore(stub, timeout=0.3, retries=1, backoff=0.01).query("SELECT ?x WHERE { ?x ?p ?o }")
    assert len(_Stub.seen) == 1 + 2


@pytest.mark.parametrize("error, limit", [
    ("Virtuoso 42000 Error The estimated execution time 5908 (sec) exceeds the limit of 400 (sec).",
     "MaxQueryCostEstimationTime"),
    ("Virtuoso S1T00 Error SR171: Transaction timed out", "MaxQueryExecutionTime")])
def test_a_server_limit_that_refuses_the_query_is_named_and_not_retried(stub, error, limit):
    _Stub.fail = error + "\n\nSPARQL query:\nSELECT ..."
    r = CliRunner().invoke(main, ["sparql", "--endpoint", stub, "SELECT ?x WHERE { ?x ?p ?o }"])
    assert r.exit_code == 2, r.output
    assert limit in r.output and error.split(" Error ")[1][:20] in r.output, r.output
    assert len(_Stub.seen) == 1
    # any other server error is still retried (the server may be restarting)
    _Stub.fail = "Virtuoso 08C01 Error CL: Cluster: No connection to the host"
    with pytest.raises(QueryError, match="after 3 tries"):
        SparqlStore(stub, retries=2, backoff=0.01).query("SELECT ?x WHERE { ?x ?p ?o }")
    assert len(_Stub.seen) == 1 + 3


def test_canned_queries_go_to_a_server_without_their_comments(stub):
    # The explanations stay in queries/ for people; the server gets the query alone, meaning the same.
    from pathlib import Path

    from rdflib.plugins.sparql import prepareQuery

    from kg.stores.sparql.paging import without_comments
    files = sorted(Path(__file__).resolve().parents[1].joinpath("queries").glob("*.rq"))
    assert len(files) >= 10
    for f in files:
        text = f.read_text(encoding="utf-8")
        bare = without_comments(text)
        assert len(bare) < len(text) and not re.search(r"(?m)^\s*#", bare), f.name
        assert prepareQuery(bare).algebra == prepareQuery(text).algebra, f.name
    # '#' inside IRIs and strings (one of them spanning lines) is not a comment
    q = 'SELECT ?s WHERE { ?s <http://ex.org/v#p> "a # b", """x\n# kept\ny""" } # gone\n'
    assert without_comments(q) == q.replace(" # gone", "")
    r = CliRunner().invoke(main, ["query", "pathways-linking", "--endpoint", stub, "--format", "csv"])
    assert r.exit_code == 0, r.output
    sent = _Stub.seen[0]
    assert not re.search(r"(?m)^\s*#", sent) and "strongest first" not in sent, sent[:500]
    assert "VALUES (?disease ?outcome ?site ?processes)" in sent


# ---- the real thing: Virtuoso with ResultSetMaxRows = 500 --------------------------------------

CAP = 500
G = "http://example.org/paging"
N_SUBJECTS = 2400  # 12,000 triples: more than 20 pages, and past MaxSortedTopRows (10,000)


def _ntriples() -> str:
    lines = []
    for i in range(N_SUBJECTS * 5):
        s, k = f"<http://ex.org/s{i % N_SUBJECTS}>", i % 5
        o = [f'"{i}"^^<http://www.w3.org/2001/XMLSchema#integer>', f'"label {i}"@en',
             f"<http://ex.org/o{i % 777}>", f'"text {i % 300}"', f"_:b{i % 50}"][k]
        lines.append(f"{s} <http://ex.org/p{i % 7}> {o} .\n")
    return "".join(lines)


@pytest.fixture(scope="module")
def paging_setup(tmp_path_factory):
    bins = virtuoso_binaries()
    if bins is None:
        pytest.skip("Virtuoso (virtuoso-t, isql-vt) is absent; run scripts/install-servers.sh")
    import pyoxigraph as ox

    from kg.stores.oxigraph import OxigraphStore
    d = tmp_path_factory.mktemp("paging")
    nt = d / "data.nt"
    nt.write_text(_ntriples())
    store = d / "kg-store"
    s = OxigraphStore(str(store))
    s.load_file(str(nt), ox.RdfFormat.N_TRIPLES, graph=G)
    s.flush()
    del s
    srv = VirtuosoServer(d / "virtuoso", bins, max_rows=CAP)
    srv.start()
    try:
        req = urllib.request.Request(srv.gsp_url + "?" + urllib.parse.urlencode({"graph": G}),
                                     data=nt.read_bytes(), method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
        srv.grant_anonymous_update()
        with urllib.request.urlopen(req, timeout=120) as r:
            assert r.status in (200, 201, 204)
        yield srv, str(store)
    finally:
        srv.kill()


def _rows(args: list[str]) -> list[tuple]:
    r = CliRunner().invoke(main, ["sparql", "--format", "json", *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    names = doc["head"]["vars"]

    def cell(b):
        if b is None:
            return None
        if b["type"] == "bnode":
            return "_:"  # labels differ between stores; the count of them must not
        return (b["type"], b["value"], b.get("datatype"), b.get("xml:lang"))
    return [tuple(cell(row.get(n)) for n in sorted(names)) for row in doc["results"]["bindings"]]


PAGED = [
    # (query, compare order too)
    (f"SELECT * WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", False),
    (f"SELECT ?o WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", False),  # one variable mixing IRIs and literals
    (f"SELECT ?s ?o WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }} ORDER BY DESC(?p)", False),  # ties on the key
    (f"SELECT ?p ?s WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} FILTER(!isBlank(?o)) }} ORDER BY DESC(?p) ?s ?o", True),
    (f"SELECT ?s ?o WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} FILTER(!isBlank(?o)) }} ORDER BY ?s ?o "
     "LIMIT 1234 OFFSET 9000", True),  # past MaxSortedTopRows: Virtuoso refuses it as it is (SR353)
    (f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }} GROUP BY ?s", False),
    (f"SELECT ?p ?o WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }} VALUES ?p {{ <http://ex.org/p1> <http://ex.org/p3> }}",
     False),
]


@pytest.mark.server
@pytest.mark.parametrize("query,ordered", PAGED)
def test_virtuoso_paged_answers_equal_the_embedded_store(paging_setup, query, ordered):
    srv, store = paging_setup
    local = _rows(["--store", store, query])
    remote = _rows(["--endpoint", srv.query_url, query])
    assert len(local) > CAP, "the case must be bigger than the server's cap"
    if ordered:
        assert remote == local
    else:
        assert Counter(remote) == Counter(local)


@pytest.mark.server
def test_virtuoso_really_cuts_and_small_answers_are_not_paged(paging_setup, monkeypatch):
    srv, _ = paging_setup
    # the premise: the server itself cuts at CAP and says so
    data = urllib.parse.urlencode({"query": f"SELECT * WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"}).encode()
    req = urllib.request.Request(srv.query_url, data=data, headers={"Accept": "application/sparql-results+xml"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.headers.get("X-SPARQL-MaxRows") == str(CAP)
        assert r.read().count(b"<result>") == CAP
    st = SparqlStore(srv.query_url, retries=0)
    calls = []
    real = st._request
    monkeypatch.setattr(st, "_request", lambda text, form: calls.append(text) or real(text, form))
    rows = list(st.query(f"SELECT ?o WHERE {{ GRAPH <{G}> {{ <http://ex.org/s1> ?p ?o }} }}"))
    assert len(rows) == 5 and len(calls) == 1


@pytest.mark.server
def test_virtuoso_bound_parameters_with_paging_equal_the_embedded_store(paging_setup):
    import pyoxigraph as ox

    from kg.stores.oxigraph import OxigraphStore
    srv, store = paging_setup
    text = ("#+ summary: objects of one predicate\n#+ param: p iri required  the predicate\n"
            f"SELECT ?s ?o WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} FILTER(!isBlank(?o)) }}")
    bound = {"p": ox.NamedNode("http://ex.org/p3")}
    key = lambda res: Counter((str(s["s"]), str(s["o"])) for s in res)  # noqa: E731
    remote = SparqlStore(srv.query_url, retries=0).query(text, bound)
    got = key(remote)
    want = key(OxigraphStore(store, read_only=True).query(text, bound))
    assert sum(want.values()) > CAP and got == want
    assert remote.pages > 1  # pages counts the pages read, all of them once iterated
