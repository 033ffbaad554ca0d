"""A soak of `kg serve` on loopback: concurrent clients, abandoned queries and a concurrent ingest at once.

Bounded: a few seconds of load, every loop counted. Checks that every good client gets the right answer,
that an abandoned query's process is killed as soon as its client goes (long before the time-out), and
that an ingest into the served store is refused at once with a clear message instead of making the server
hang or lose files.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.serve import ServeConfig, serve
from kg.stores.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CROSS_JOIN = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } "
              "GRAPH ?i { ?x ?y ?z } }")
TIMEOUT = 10.0
CLIENTS, ROUNDS, ABANDONED = 4, 6, 3


@pytest.fixture
def soak_server(tmp_path):
    path = tmp_path / "store"
    r = CliRunner().invoke(main, ["ingest", "--store", str(path), "--no-validate", str(ROOT / "examples")])
    assert r.exit_code == 0, r.output
    expected = len(OxigraphStore(str(path), read_only=True))
    httpd = serve(ServeConfig(str(path), "127.0.0.1:0", workers=2, timeout=TIMEOUT))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, str(path), expected
    httpd.shutdown()
    httpd.server_close()


def _count(port: int) -> tuple[int, int | None, float]:
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}),
                  headers={"Accept": "application/sparql-results+json"})
        r = c.getresponse()
        body = r.read()
    finally:
        c.close()
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) if r.status == 200 else None
    return r.status, n, time.monotonic() - t0


def _abandon(port: int, wait: float) -> float:
    """Send the cross join, leave after `wait` seconds without reading; return when it left."""
    body = CROSS_JOIN.encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/sparql-query\r\n"
              b"Content-Length: %d\r\n\r\n%s" % (port, len(body), body))
    time.sleep(wait)
    s.close()
    return time.monotonic()


def test_soak_clients_abandoned_queries_and_a_concurrent_ingest(soak_server):
    httpd, store_path, expected = soak_server
    port, pool = httpd.port, httpd.pool
    results: list[tuple[int, int | None, float]] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(ROUNDS):
            r = _count(port)
            with lock:
                results.append(r)

    t0 = time.monotonic()
    # The abandoned queries first, so they hold both workers when the good clients arrive.
    abandoners = [threading.Thread(target=_abandon, args=(port, 0.4)) for _ in range(ABANDONED)]
    for t in abandoners:
        t.start()
    time.sleep(0.1)
    ingest = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "ingest", "--store",
                               store_path, "--no-validate", str(ROOT / "examples")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in clients:
        t.start()
    for t in abandoners + clients:
        t.join(60)
    out, err = ingest.communicate(timeout=60)
    took = time.monotonic() - t0

    # Every good request answered, correctly, well within the time-out: the abandoned cross joins (each
    # would run for minutes) were stopped when their clients left, not when the time-out came.
    assert len(results) == CLIENTS * ROUNDS
    assert all(status == 200 and n == expected for status, n, _ in results), results
    assert max(seconds for _, _, seconds in results) < TIMEOUT
    assert pool.killed >= 1
    assert took < 30
    # The ingest was refused at once and says why; the store is unchanged and still served.
    assert ingest.returncode == 2, err
    assert "kg serve" in err and "Traceback" not in err
    assert _count(port)[:2] == (200, expected)
    # Workers killed for abandoned queries are gone (their memory with them) and have been replaced.
    deadline = time.monotonic() + 30
    while len(pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pool.pids()) == 2


def test_a_store_being_written_is_not_served(tmp_path):
    """The other order: an ingest holds the store, so `kg serve` refuses to start, clearly."""
    path = tmp_path / "store"
    r = CliRunner().invoke(main, ["ingest", "--store", str(path), "--no-validate", str(ROOT / "examples")])
    assert r.exit_code == 0, r.output
    # A writer in another process: open the store for writing and wait.
    code = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()")
    writer = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        r = CliRunner().invoke(main, ["serve", "--store", str(path), "--bind", "127.0.0.1:0"])
        assert r.exit_code == 2
        assert "held by another process" in r.output and "Traceback" not in r.output
    finally:
        writer.communicate("", timeout=30)
