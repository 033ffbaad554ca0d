"""`kg serve` safety and protocol (issue 16 part 2, issue 13 part 1) against a real server on 127.0.0.1.

The SERVICE guard is checked against pyoxigraph itself: for each spelling, the guard refuses exactly when
pyoxigraph, left unguarded, really calls the endpoint (a recording HTTP server on 127.0.0.1 counts calls).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.serve import ServeConfig, ServiceRefused, check_service, serve
from kg.serve.negotiate import choose
from kg.stores.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
CROSS_JOIN = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } "
              "GRAPH ?i { ?x ?y ?z } }")


# ---- a SPARQL endpoint that records who calls it ---------------------------------------------------------
class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.calls: list[str] = []
        recorder = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _answer(self):
                recorder.calls.append(self.path)
                body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"remote"}}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._answer()

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

        super().__init__(("127.0.0.1", 0), H)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


@pytest.fixture(scope="module")
def recorder():
    r = Recorder()
    yield r
    r.shutdown()
    r.server_close()


# ---- the SERVICE guard -----------------------------------------------------------------------------------
def _spellings(url: str) -> list[tuple[str, bool]]:
    """(query, calls the endpoint?) pairs; the expectation is checked against pyoxigraph below."""
    host = url.rsplit("/", 1)[0] + "/"
    return [
        (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", True),
        (f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}", True),
        (f"SELECT * WHERE {{ SeRvIcE SILENT <{url}> {{ ?s ?p ?o }} }}", True),
        (f"SELECT * WHERE {{ # a comment\n SERVICE\n# SERVICE <x>\n<{url}> {{ ?s ?p ?o }} }}", True),
        (f"PREFIX r: <{host}> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}", True),
        (f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE#>\n<{url}>{{ ?s ?p ?o }} }}", True),
        (f"SELECT * WHERE {{ {{}} SERVICE<{url}>{{?s ?p ?o}} }}", True),
        (f"SELECT * WHERE {{ BIND(\"SERVICE <{url}> {{ }}\" AS ?x) }}", False),
        (f"SELECT * WHERE {{ # SERVICE <{url}> {{ ?s ?p ?o }}\n }}", False),
        ("SELECT ?service WHERE { ?service <http://example.org/service> ?o }", False),
        ("PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:service ?o }", False),
        (f"SELECT * WHERE {{ ?s <{host}service> ?o }}", False),
        ("SELECT * WHERE { ?s ?p '''SERVICE''' }", False),
        # pyoxigraph matches keywords without a word boundary after them, and numbers and tags end early.
        (f"PREFIX r: <{host}> SELECT * WHERE {{ SERVICEr:sparql {{ ?s ?p ?o }} }}", True),
        (f"SELECT * WHERE {{ SERVICESILENT<{url}> {{ ?s ?p ?o }} }}", True),
        (f"SELECT * WHERE {{ VALUES ?x {{ 1e1 }}SERVICE <{url}> {{ }} }}", True),
        (f"SELECT * WHERE {{ VALUES ?x {{ 'x'@en }}SERVICE <{url}> {{ }} }}", True),
        (f"PREFIX service: <http://example.org/> PREFIX : <{host}> "
         "SELECT * { VALUES ?x { 1 } service:sparql {} }", True),
        (f"SELECT * WHERE {{ VALUES ?x {{ 1 }} FILTER EXISTS {{ SERVICE <{url}> {{ }} }} }}", True),
        (f"SELECT * WHERE {{ VALUES ?x {{ 1 }} {{ SELECT * {{ SERVICE <{url}> {{ }} }} }} }}", True),
    ]


def test_service_guard_matches_what_pyoxigraph_calls(recorder):
    cases = _spellings(recorder.url)
    assert len(cases) == 20
    for query, calls in cases:
        before = len(recorder.calls)
        try:
            list(ox.Store().query(query))
        except (SyntaxError, OSError):
            pass
        assert (len(recorder.calls) > before) is calls, f"pyoxigraph's own reading differs: {query!r}"
        refused = False
        try:
            check_service(query)
        except ServiceRefused as exc:
            refused = True
            assert "--allow-service" in str(exc)
        assert refused is calls, query


def test_service_guard_allows_only_the_given_prefixes(recorder):
    base = recorder.url.rsplit("/", 1)[0] + "/"
    check_service(f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}", (base,))
    with pytest.raises(ServiceRefused, match="not allowed"):
        check_service(f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{}} SERVICE <http://example.org/> {{}} }}",
                      (base,))
    check_service("SELECT * WHERE { SERVICE <https://example.org/sparql> {} }", ("https://example.org",))
    for evil in ("https://example.org.evil.test/sparql", "https://example.org@evil.test/sparql"):
        with pytest.raises(ServiceRefused):
            check_service(f"SELECT * WHERE {{ SERVICE <{evil}> {{}} }}", ("https://example.org",))
    with pytest.raises(ServiceRefused, match="variable"):  # cannot be checked, so refused even when allowed
        check_service("SELECT * WHERE { BIND(<http://x/> AS ?e) SERVICE ?e { ?s ?p ?o } }", ("http://",))
    # \u escapes are SPARQL's codepoint escapes: refused whichever way a parser treats them.
    with pytest.raises(ServiceRefused):
        check_service(f"SELECT * WHERE {{ \\u0053ERVICE <{recorder.url}> {{ ?s ?p ?o }} }}")


# ---- content negotiation ---------------------------------------------------------------------------------
def test_accept_q_values_choose_the_client_preference():
    offered = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
    assert choose(None, offered) == "application/sparql-results+json"
    assert choose("text/csv;q=0.5, application/sparql-results+xml;q=0.9", offered) == \
        "application/sparql-results+xml"
    assert choose("text/csv, */*;q=0.1", offered) == "text/csv"
    assert choose("text/*;q=1, application/*;q=0.2", offered) == "text/csv"
    assert choose("text/csv;q=0, */*", offered) == "application/sparql-results+json"
    assert choose("image/png", offered) is None


# ---- a served store --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("serve") / "store"
    r = CliRunner().invoke(main, ["ingest", "--store", str(path), "--no-validate", str(ROOT / "examples")])
    assert r.exit_code == 0, r.output
    return str(path)


class Served:
    def __init__(self, cfg: ServeConfig) -> None:
        self.httpd = serve(cfg)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.httpd.port

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict, bytes]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def served(store_path):
    s = Served(ServeConfig(store_path, "127.0.0.1:0", timeout=3.0, workers=2))
    yield s
    s.close()


def _form(query: str) -> bytes:
    import urllib.parse
    return urllib.parse.urlencode({"query": query}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_defaults_refuse_service_and_send_no_cors_header(served, recorder):
    before = len(recorder.calls)
    q = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    status, headers, body = served.request("POST", "/sparql", _form(q), FORM)
    assert status == 403 and b"--allow-service" in body
    assert len(recorder.calls) == before
    status, headers, _ = served.request("GET", "/sparql?query=ASK%7B%7D")
    assert status == 200 and "access-control-allow-origin" not in headers
    # A page on another origin cannot drive the server, even with a simple request.
    status, headers, body = served.request("POST", "/sparql", _form("ASK {}"), {**FORM, "Origin": "http://evil.test"})
    assert status == 403 and b"--cors" in body and "access-control-allow-origin" not in headers
    status, _, _ = served.request("OPTIONS", "/sparql", headers={"Origin": "http://evil.test"})
    assert status == 403


def test_allow_service_and_cors_when_asked(store_path, recorder):
    base = recorder.url.rsplit("/", 1)[0] + "/"
    s = Served(ServeConfig(store_path, "127.0.0.1:0", allow_service=(base,), cors=("http://app.test",), workers=1))
    try:
        before = len(recorder.calls)
        q = f"SELECT ?s WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
        status, headers, body = s.request("POST", "/sparql", _form(q), {**FORM, "Origin": "http://app.test"})
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"] == [{"s": {"type": "literal", "value": "remote"}}]
        assert len(recorder.calls) == before + 1
        assert headers["access-control-allow-origin"] == "http://app.test"
        status, headers, _ = s.request("OPTIONS", "/sparql", headers={"Origin": "http://app.test",
                                                                     "Access-Control-Request-Method": "POST"})
        assert status == 204 and headers["access-control-allow-origin"] == "http://app.test"
        status, _, body = s.request("POST", "/sparql", _form("SELECT * WHERE { SERVICE <http://example.org/> {} }"))
        assert status == 403
    finally:
        s.close()


def test_host_header_must_name_the_server(served, store_path):
    port = served.port
    assert served.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": f"evil.test:{port}"})[0] == 400
    assert served.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": f"127.0.0.1:{port + 1}"})[0] == 400
    assert served.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": f"localhost:{port}"})[0] == 200
    s = Served(ServeConfig(store_path, "127.0.0.1:0", hosts=("kg.internal",), workers=1))
    try:
        assert s.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": f"kg.internal:{s.port}"})[0] == 200
        assert s.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": f"other.internal:{s.port}"})[0] == 400
    finally:
        s.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_query_past_its_time_out_is_stopped_and_its_process_killed(served):
    pool = served.httpd.pool
    before = set(pool.pids())
    killed = pool.killed
    t0 = time.monotonic()
    status, _, body = served.request("POST", "/sparql", _form(CROSS_JOIN), FORM)
    took = time.monotonic() - t0
    assert status == 503 and b"time-out" in body
    assert 3.0 <= took < 8.0
    assert pool.killed == killed + 1
    gone = [p for p in before if not _alive(p)]
    assert len(gone) == 1  # the one that ran it; its memory went with it
    # The pool is whole again and answers.
    status, _, body = served.request("GET", "/sparql?query=ASK%7B%7D")
    assert status == 200 and json.loads(body)["boolean"] is True
    deadline = time.monotonic() + 30
    while len(pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pool.pids()) == 2


def test_requests_beyond_the_queue_are_turned_away_at_once(store_path):
    s = Served(ServeConfig(store_path, "127.0.0.1:0", workers=1, timeout=4, max_queued=1))
    try:
        slow = threading.Thread(target=s.request, args=("POST", "/sparql", _form(CROSS_JOIN), FORM))
        slow.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        status, _, body = s.request("GET", "/sparql?query=ASK%7B%7D")
        assert status == 503 and b"busy" in body and time.monotonic() - t0 < 2
        slow.join(30)
    finally:
        s.close()


def test_an_answer_over_the_cap_is_refused(store_path):
    s = Served(ServeConfig(store_path, "127.0.0.1:0", max_result_bytes=5_000, workers=1))
    try:
        status, _, body = s.request("POST", "/sparql", _form("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"), FORM)
        assert status == 500 and b"larger than this server's cap" in body
        status, _, body = s.request("POST", "/sparql", _form("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3"),
                                    FORM)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
    finally:
        s.close()


def test_a_query_over_the_memory_cap_fails_alone(store_path):
    probe = Served(ServeConfig(store_path, "127.0.0.1:0", workers=1))
    try:
        pid = probe.httpd.pool.pids()[0]
        with open(f"/proc/{pid}/status") as f:
            peak = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmPeak"))
    finally:
        probe.close()
    s = Served(ServeConfig(store_path, "127.0.0.1:0", workers=1, timeout=30,
                           max_memory_bytes=peak + 300_000_000))
    try:
        t0 = time.monotonic()
        status, _, body = s.request("POST", "/sparql", _form(CROSS_JOIN.replace("SELECT (COUNT(*) AS ?n)",
                                                                                "SELECT *") + " ORDER BY ?c ?f ?z"),
                                    FORM)
        assert status == 500 and b"--max-memory-mb" in body
        assert time.monotonic() - t0 < 30  # the cap, not the time-out, stopped it
        deadline = time.monotonic() + 30
        while not s.httpd.pool.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert s.request("GET", "/sparql?query=ASK%7B%7D")[0] == 200
    finally:
        s.close()


def test_protocol_negotiation_head_and_unknown_paths(served, store_path):
    q = "/sparql?query=" + "SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7BGRAPH%20%3Fg%7B%3Fs%20%3Fp%20%3Fo%7D%7D"
    expected = len(OxigraphStore(store_path, read_only=True))
    status, headers, body = served.request("GET", q, headers={"Accept": "text/csv;q=0.5, text/tab-separated-values"})
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")
    assert body.decode().splitlines() == ["?n", str(expected)]
    status, headers, body = served.request("GET", q, headers={"Accept": "application/sparql-results+json"})
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert n == expected
    status, hheaders, hbody = served.request("HEAD", q, headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and hbody == b"" and hheaders["content-length"] == str(len(body))
    assert served.request("GET", q, headers={"Accept": "image/png"})[0] == 406
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, headers, body = served.request("POST", "/sparql", _form(construct),
                                           {**FORM, "Accept": "application/n-triples;q=0.5, text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    st = OxigraphStore(store_path, read_only=True)
    assert {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)} == {q.triple for q in st.quads()}
    assert served.request("GET", "/no/such/path")[0] == 404
    assert served.request("POST", "/no/such/path", b"query=ASK%7B%7D", FORM)[0] == 404
    assert served.request("PUT", "/store?default", b"<a:a> <a:a> <a:a> .")[0] == 405
    assert served.request("POST", "/sparql", b"update=DROP%20ALL", FORM)[0] == 403
    assert served.request("POST", "/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"})[0] == 403
    status, headers, body = served.request("GET", "/", headers={"Accept": "text/html"})
    assert status == 200 and b"yasgui.min.js" in body and "default-src 'self'" in headers["content-security-policy"]
    assert served.request("HEAD", "/static/yasgui.min.js")[0] == 200
    assert served.request("GET", "/static/..%2Fhttp.py")[0] == 404


def test_graph_store_protocol_read_side(served, store_path):
    st = OxigraphStore(store_path, read_only=True)
    graph = next(g for g in st.named_graphs() if "/graph/pubmed/" in g)
    want = {q.triple for q in st.quads(graph=graph)}
    import urllib.parse
    path = "/store?" + urllib.parse.urlencode({"graph": graph})
    status, headers, body = served.request("GET", path, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)} == want
    status, headers, body = served.request("GET", path, headers={"Accept": "application/n-triples"})
    assert {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)} == want
    status, _, body = served.request("GET", "/store?graph=http%3A%2F%2Fexample.org%2Fnone")
    assert status == 404
    status, _, body = served.request("GET", "/store?default", headers={"Accept": "application/n-triples"})
    assert status == 200 and body == b""
    status, headers, body = served.request("GET", "/store", headers={"Accept": "application/n-quads"})
    assert status == 200 and len(list(ox.parse(body, format=ox.RdfFormat.N_QUADS))) == len(st)


def test_canned_queries_listed_and_run_with_bound_parameters(served, store_path):
    from kg import queries

    status, _, body = served.request("GET", "/queries")
    listing = {q["name"]: q for q in json.loads(body)}
    assert set(listing) == {q.name for q in queries.list_queries()}
    assert [p["name"] for p in listing["articles-by-author"]["params"]] == ["family", "given"]
    status, _, body = served.request("GET", "/query/articles-by-author?family=Zhou&given=H",
                                     headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    got = [b["pmid"]["value"] for b in json.loads(body)["results"]["bindings"]]
    want = [str(r["pmid"].value) for r in queries.run(OxigraphStore(store_path, read_only=True),
                                                      "articles-by-author", {"family": "Zhou", "given": "H"})]
    assert got == want and got
    status, _, body = served.request("GET", "/query/articles-by-mesh?mesh=1%20OR%201%3D1")
    assert status == 400 and b"parameter mesh" in body
    status, _, body = served.request("GET", "/query/no-such-query")
    assert status == 400 and b"no canned query" in body
    # The federated examples are refused like any other SERVICE.
    status, _, body = served.request(
        "GET", "/query/federated-mesh-labels?article=http%3A%2F%2Frdf.ncbi.nlm.nih.gov%2Fpubmed%2F35246503")
    assert status == 403


def test_cli_warns_beyond_loopback_and_fails_cleanly(store_path):
    r = CliRunner().invoke(main, ["serve", "--store", store_path, "--bind", "nonsense"])
    assert r.exit_code == 2 and "expected HOST:PORT" in r.output
    r = CliRunner().invoke(main, ["serve", "--store", store_path + "-missing"])
    assert r.exit_code == 2 and "no store at" in r.output
    with Recorder() as busy:  # a port in use
        r = CliRunner().invoke(main, ["serve", "--store", store_path, "--bind", f"127.0.0.1:{busy.server_address[1]}"])
        busy.shutdown()
    assert r.exit_code == 2 and "cannot listen on" in r.output and "Traceback" not in r.output
    proc = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store",
                             store_path, "--bind", "0.0.0.0:0", "--workers", "1"],
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "serving" in line or not line:
                break
        text = "".join(lines)
        assert "warning: listening on 0.0.0.0, beyond this machine's loopback" in text, text
    finally:
        proc.terminate()
        proc.wait(10)


def test_kg_sparql_refuses_service_unless_allowed(tmp_path):
    """`kg sparql` on the embedded store refuses SERVICE like `kg serve`; --allow-service lets a prefix through."""
    from click.testing import CliRunner

    from kg.cli import main
    from kg.stores.oxigraph import OxigraphStore

    path = tmp_path / "st"
    OxigraphStore(str(path)).close()
    import socket
    with socket.socket() as sock:  # a free loopback port: nothing answers there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    q = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    r = CliRunner().invoke(main, ["sparql", "--store", str(path), q])
    assert r.exit_code == 2 and f"SERVICE <{url}> is not allowed" in r.output
    r = CliRunner().invoke(main, ["sparql", "--store", str(path), "--allow-service", f"http://127.0.0.1:{port}/", q])
    assert "--allow-service" not in r.output  # let through by kg: it then fails to connect to the dead port


@pytest.mark.parametrize("fmt,accept", [("json", "application/sparql-results+json"),
                                        ("xml", "application/sparql-results+xml"),
                                        ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
@pytest.mark.parametrize("query", [
    "SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s <http://purl.org/dc/terms/title> ?o } } ORDER BY ?g ?s ?o",
    "ASK { GRAPH ?g { ?s <http://purl.org/dc/terms/title> ?o } }",
])
def test_kg_serve_and_kg_sparql_give_the_same_bytes(served, store_path, fmt, accept, query):
    """Issue 13: one result writer; what `kg sparql --format F` prints is what `kg serve` sends for F."""
    status, headers, body = served.request("POST", "/sparql", _form(query), {**FORM, "Accept": accept})
    assert status == 200 and headers["content-type"].startswith(accept)
    r = CliRunner().invoke(main, ["sparql", "--store", store_path, "--format", fmt, query])
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == body
