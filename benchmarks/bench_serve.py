"""`kg serve` costs (issue 16): what running each query in a killable worker process adds, and how fast
a stopped query frees its worker.

    python benchmarks/bench_serve.py [STORE]     (default: a store of examples/ in a temporary folder)

Prints figures, asserts nothing:
1. worker start-up (spawn, import, open the store read-only);
2. a small query: the store called directly vs through HTTP and a worker, median of 200;
3. the same query from 4 concurrent clients with 2 workers: requests/s;
4. a cross join abandoned by its client: seconds until its worker is killed;
5. a cross join past a 2 s time-out: seconds until the 503.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CROSS_JOIN = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } "
              "GRAPH ?i { ?x ?y ?z } }")


def _get(port: int, query: str) -> int:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def main() -> None:
    from kg.serve import ServeConfig, serve
    from kg.serve.workers import WorkerPool
    from kg.stores.oxigraph import OxigraphStore

    tmp = tempfile.TemporaryDirectory()
    if len(sys.argv) > 1:
        store = sys.argv[1]
    else:
        store = str(Path(tmp.name) / "store")
        subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "ingest", "--store", store,
                        "--no-validate", str(ROOT / "examples")], check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
    direct = OxigraphStore(store, read_only=True)
    print(f"   store: {store} ({len(direct):,} quads)")

    t = time.perf_counter()
    WorkerPool(store, 1).close()
    print(f"   worker start-up (spawn, imports, read-only open): {time.perf_counter() - t:.2f} s")

    times = []
    for _ in range(200):
        t = time.perf_counter()
        list(direct.query(COUNT))
        times.append(time.perf_counter() - t)
    print(f"   small query, store called directly: median {statistics.median(times) * 1000:.2f} ms")

    httpd = serve(ServeConfig(store, "127.0.0.1:0", workers=2, timeout=2.0))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.port
    try:
        times = []
        for _ in range(200):
            t = time.perf_counter()
            assert _get(port, COUNT) == 200
            times.append(time.perf_counter() - t)
        print(f"   small query through kg serve (HTTP + worker): median {statistics.median(times) * 1000:.2f} ms")

        done = []

        def client() -> None:
            for _ in range(100):
                done.append(_get(port, COUNT))
        t = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        took = time.perf_counter() - t
        print(f"   4 clients x 100 small queries, 2 workers: {len(done) / took:,.0f} requests/s "
              f"({sum(s == 200 for s in done)} of {len(done)} answered 200)")

        killed = httpd.pool.killed
        body = CROSS_JOIN.encode()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (port, len(body), body))
        time.sleep(0.5)
        s.close()
        t = time.perf_counter()
        while httpd.pool.killed == killed and time.perf_counter() - t < 10:
            time.sleep(0.005)
        print(f"   abandoned cross join: worker killed {time.perf_counter() - t:.3f} s after the client left")

        t = time.perf_counter()
        status = _get(port, CROSS_JOIN)
        print(f"   cross join past a 2 s time-out: HTTP {status} after {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        while len(httpd.pool.pids()) < 2 and time.perf_counter() - t < 30:
            time.sleep(0.01)
        print(f"   pool whole again (killed worker replaced) {time.perf_counter() - t:.2f} s later")
    finally:
        httpd.shutdown()
        httpd.server_close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
