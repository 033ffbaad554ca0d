"""Stores and servers (issue 6): load into the embedded store, `kg load` into real servers, `kg convert --jobs`.

    python benchmarks/bench_servers.py .bench/synthetic-30000.xml.gz

1. `kg convert --jobs 1` and `--jobs 2` on the synthetic file split into part files (convert parallelises
   across input files; the parts are written once under .bench/): articles/s, the speed-up, and the peak
   memory (VmHWM, polled from /proc, and ru_maxrss of the reaped children) of every worker.
2. The N-Quads that convert wrote, loaded into a fresh embedded store through its write path
   (`kg.pipeline.BackgroundWriter`, batches of `kg.pipeline.BATCH_SIZE` graphs, as `kg ingest` writes) and, for
   comparison, with pyoxigraph's `bulk_load` (not transactional, all cores): triples/s for each.
3. `kg load` from an embedded store of an article subset into an Oxigraph server (SPARQL Update, and
   `--quads` N-Quads POSTs to /store?no_transaction) and into Virtuoso (GSP, digest auth), both started on
   127.0.0.1 by tests/servers.py: triples/s, and the server's triple count
   checked against the store's. A server whose binary is absent is skipped with a note.

Each measured stage runs in its own process (its peak memory is its own) and prints one line of figures.
Figures only: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / ".bench"
KG_GRAPHS = "https://w3id.org/oncokg/graph/"
ARTICLE_GRAPHS = KG_GRAPHS + "pubmed/"
KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]


# ---- input preparation (untimed) -----------------------------------------------------------------------

def split_parts(src: Path, parts: int) -> list[Path]:
    """Split a PubMed XML file into `parts` files of consecutive records, once (kept under .bench/).

    Text-level split on `<PubmedArticle>` boundaries (the synthetic file writes one record after another);
    the trailing `<DeleteCitation>` goes into the last part.
    """
    out = BENCH / f"{src.name.split('.')[0]}-parts{parts}"
    marker = out / "done.json"
    fp = {"source": str(src), "size": src.stat().st_size, "mtime_ns": src.stat().st_mtime_ns, "parts": parts}
    files = [out / f"part-{i:02d}.xml.gz" for i in range(parts)]
    try:
        if json.loads(marker.read_text()) == fp and all(f.exists() for f in files):
            return files
    except (OSError, ValueError):
        pass
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(src, "rt", encoding="utf-8") as f:
        text = f.read()
    start = text.index("<PubmedArticle>")
    end_tag = "</PubmedArticle>"
    last = text.rindex(end_tag) + len(end_tag)
    head, body, tail = text[:start], text[start:last], text[last:]
    del text
    n = body.count(end_tag)
    per = -(-n // parts)
    pos = 0
    for i, path in enumerate(files):
        cut = pos
        for _ in range(per):
            k = body.find(end_tag, cut)
            if k < 0:
                break
            cut = k + len(end_tag)
        chunk = body[pos:cut]
        pos = cut
        closing = tail if i == parts - 1 else "\n</PubmedArticleSet>\n"
        with gzip.open(path.with_suffix(".tmp"), "wt", encoding="utf-8", compresslevel=3) as g:
            g.write(head + chunk + closing)
        os.replace(path.with_suffix(".tmp"), path)
    marker.write_text(json.dumps(fp))
    return files


def _shard_graphs(shard: str):
    """(graph IRI, N-Quads text) of each graph of one of convert's shards, in order."""
    with gzip.open(shard, "rt", encoding="utf-8") as f:
        current, buf = None, []
        for line in f:
            g = line[:-3].rsplit(" ", 1)[1][1:-1]  # '<s> <p> o <g> .\n'
            if g != current:
                if current is not None:
                    yield current, "".join(buf)
                current, buf = g, []
            buf.append(line)
        if current is not None:
            yield current, "".join(buf)


def graph_writes(shards: list[str], limit_articles: int | None = None):
    """(graph IRI, N-Quads text) of each graph in convert's shards, in order; stops after limit articles."""
    articles = 0
    for shard in shards:
        for g, text in _shard_graphs(shard):
            yield g, text
            if g.startswith(ARTICLE_GRAPHS):
                articles += 1
                if limit_articles is not None and articles >= limit_articles:
                    return


def shard_list(out: str) -> list[str]:
    return sorted(str(p) for p in Path(out).glob("*.nq.gz"))


# ---- stage: kg convert --jobs N ------------------------------------------------------------------------

def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a running process (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def stage_convert(parts: list[str], out: str, jobs: int) -> dict:
    """`kg convert PARTS -o OUT --jobs N` as a child process; per-process peak RSS polled from /proc."""
    shutil.rmtree(out, ignore_errors=True)  # a re-run would skip complete inputs
    load = os.getloadavg()[0]
    t = time.perf_counter()
    p = subprocess.Popen([*KG_CMD, "convert", *parts, "-o", out, "--jobs", str(jobs)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, float] = {}
    while p.poll() is None:
        for pid in [p.pid, *_descendants(p.pid)]:
            m = _hwm_mb(pid)
            if m is not None:
                peaks[pid] = max(peaks.get(pid, 0.0), m)
        time.sleep(0.1)
    secs = time.perf_counter() - t
    _, err = p.communicate()
    if p.returncode != 0:
        raise RuntimeError(f"kg convert exited {p.returncode}: {err.strip()[-500:]}")
    m = re.search(r"(\d+) articles", err)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kg process and its reaped workers
    main_peak = peaks.pop(p.pid, 0.0)
    # With --jobs 1 the work runs in the kg process itself; with more, in its pool workers.
    workers = sorted(peaks.values(), reverse=True) if jobs > 1 else [main_peak]
    return {"articles": int(m.group(1)) if m else 0, "seconds": secs, "jobs": jobs, "main_peak_mb": main_peak,
            "worker_peaks_mb": workers,
            "children_maxrss_mb": ru.ru_maxrss / 1024, "cpu": ru.ru_utime + ru.ru_stime, "load": load,
            "shards": len(shard_list(out))}


# ---- stage: embedded store -----------------------------------------------------------------------------

def stage_store(shards: list[str], limit: int, threads: int = 1) -> dict:
    """Fresh on-disk store written as `kg ingest` writes it: batches of `kg.pipeline.BATCH_SIZE` graphs
    handed to its `BackgroundWriter`. The graphs are read from the shards first
    (untimed, held in memory); timed: from the first hand-over to the last batch landing."""
    from kg.pipeline import BATCH_SIZE as batch, BackgroundWriter, Mapped
    from kg.stores.oxigraph import OxigraphStore
    t = time.perf_counter()
    items = [Mapped(g, g.rsplit("/", 1)[-1], 1, text.encode(), text.count("\n"),
                    "article" if g.startswith(ARTICLE_GRAPHS) else "document")
             for g, text in graph_writes(shards, limit)]
    read_secs = time.perf_counter() - t
    with tempfile.TemporaryDirectory(dir=BENCH, ignore_cleanup_errors=True) as d:
        store = OxigraphStore(os.path.join(d, "store"))
        writer = BackgroundWriter(store, threads)
        t, c = time.perf_counter(), time.process_time()
        for i in range(0, len(items), batch):
            writer.submit(items[i:i + batch])
        writer.close()
        store.flush()
        secs = time.perf_counter() - t
        cpu = time.process_time() - c
        triples = len(store)
        articles = store.article_graph_count()
        del store
    return {"articles": articles, "graphs": len(items), "triples": triples, "seconds": secs,
            "wall": secs + read_secs, "cpu": cpu, "batch": batch, "in_flight": writer.max_in_flight}


def stage_bulk(shards: list[str], limit: int) -> dict:
    """The same quads, written to one plain .nq file (untimed), then `Store.bulk_load(path=...)` (timed)."""
    import pyoxigraph as ox
    with tempfile.TemporaryDirectory(dir=BENCH, ignore_cleanup_errors=True) as d:
        nq = os.path.join(d, "subset.nq")
        with open(nq, "w", encoding="utf-8") as f:
            for _, text in graph_writes(shards, limit):
                f.write(text)
        store = ox.Store(os.path.join(d, "store"))
        t, c = time.perf_counter(), time.process_time()
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
        store.flush()
        secs = time.perf_counter() - t
        cpu = time.process_time() - c  # all threads of the process
        triples = len(store)
        articles = sum(1 for g in store.named_graphs() if g.value.startswith(ARTICLE_GRAPHS))
        del store  # close RocksDB before the folder goes (its background threads still write files)
    return {"articles": articles, "triples": triples, "seconds": secs, "cpu": cpu}


def stage_subset(shards: list[str], limit: int, store_path: str) -> dict:
    """The embedded store `kg load` reads in the server stages: the first `limit` article graphs (untimed)."""
    import pyoxigraph as ox
    shutil.rmtree(store_path, ignore_errors=True)
    store = ox.Store(store_path)
    text = "".join(t for g, t in graph_writes(shards, limit) if g.startswith(ARTICLE_GRAPHS))
    store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    store.flush()
    n = len(store)
    del store
    return {"triples": n}


# ---- stage: kg load into servers -----------------------------------------------------------------------

def _server_count(srv) -> int:
    q = (f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
         f'FILTER(STRSTARTS(STR(?g), "{KG_GRAPHS}")) }}')
    url = srv.query_url + "?" + urllib.parse.urlencode({"query": q})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        data = json.load(r)
    return int(data["results"]["bindings"][0]["n"]["value"])


def stage_server(name: str, store_path: str) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import OxigraphServer, VirtuosoServer, oxigraph_binary, virtuoso_binaries
    from kg.stores.oxigraph import OxigraphStore

    extra: list[str] = []
    if name == "oxigraph-quads":  # the same server, written through `--quads` (one N-Quads POST per batch)
        name, extra = "oxigraph", ["--batch-triples", "100000"]
    if name == "oxigraph":
        binary = oxigraph_binary()
        if binary is None:
            return {"skipped": "the oxigraph binary is absent (pip install 'oxigraph>=0.5,<0.6' into .venv)"}
    else:
        bins = virtuoso_binaries()
        if bins is None:
            return {"skipped": "Virtuoso (virtuoso-t, isql-vt) is absent (apt-get install virtuoso-opensource)"}
    with tempfile.TemporaryDirectory(dir=BENCH, ignore_cleanup_errors=True) as d:
        store = OxigraphStore(store_path, read_only=True)
        expected = len(store)
        articles = store.article_graph_count()
        del store
        srv = (OxigraphServer(Path(d) / "srv", binary) if name == "oxigraph"
               else VirtuosoServer(Path(d) / "srv", bins))
        srv.start()
        if extra:
            extra += ["--quads", srv.gsp_url + "?no_transaction"]
        try:
            env = dict(os.environ, KG_STATE_DIR=os.path.join(d, "state"))
            if name == "virtuoso":
                env.update(KG_SPARQL_USER="dba", KG_SPARQL_PASSWORD=srv.password)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            srv_cpu = _cpu_seconds(srv.proc.pid)
            t = time.perf_counter()
            r = subprocess.run([*KG_CMD, "load", "--store", store_path, *srv.load_args(), *extra, "--no-progress"],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
            secs = time.perf_counter() - t
            srv_cpu = _cpu_seconds(srv.proc.pid) - srv_cpu
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            if r.returncode != 0:
                raise RuntimeError(f"kg load exited {r.returncode}: {r.stderr.strip()[-500:]}")
            m = re.search(r"\((\d+) triples, ([\d,.]+) triples/s\).*?(\d+) requests", r.stderr)
            on_server = _server_count(srv)
        finally:
            srv.stop()
    return {"articles": articles, "triples": expected, "seconds": secs, "cpu": cpu, "server_cpu": srv_cpu,
            "sent": int(m.group(1)) if m else None, "kg_rate": float(m.group(2).replace(",", "")) if m else None,
            "requests": int(m.group(3)) if m else None, "on_server": on_server}


# ---- driver --------------------------------------------------------------------------------------------

def run_stage(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?")
    ap.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--parts", type=int, default=8, help="part files to split the input into (convert)")
    ap.add_argument("--store-articles", type=int, default=5_000,
                    help="articles loaded into the embedded store (default 5,000)")
    ap.add_argument("--server-articles", type=int, default=3_000,
                    help="articles loaded into each server (default 3,000)")
    ap.add_argument("--servers", default="oxigraph,oxigraph-quads,virtuoso",
                    help="comma-separated (oxigraph-quads: kg load --quads); '' for none")
    a = ap.parse_args()

    if a.stage:
        kind, rest = a.stage[0], a.stage[1:]
        spec = json.loads(rest[0])
        if kind == "convert":
            r = stage_convert(spec["parts"], spec["out"], spec["jobs"])
        elif kind == "store":
            r = stage_store(spec["shards"], spec["limit"], spec.get("threads", 1))
        elif kind == "bulk":
            r = stage_bulk(spec["shards"], spec["limit"])
        elif kind == "subset":
            r = stage_subset(spec["shards"], spec["limit"], spec["store"])
        else:
            r = stage_server(spec["server"], spec["store"])
        r["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(r))
        return 0
    if not a.path:
        ap.error("the synthetic PubMed file is required")

    src = Path(a.path).resolve()
    t = time.perf_counter()
    parts = split_parts(src, a.parts)
    print(f"input split into {len(parts)} part files under {parts[0].parent.relative_to(ROOT)} "
          f"({time.perf_counter() - t:.0f} s, written once); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores (figures below are wall-clock; cpu = CPU seconds used)", flush=True)
    failed = 0
    with tempfile.TemporaryDirectory(dir=BENCH, prefix="bench-servers-", ignore_cleanup_errors=True) as work:
        conv = {}
        for jobs in (1, 2):
            out = os.path.join(work, f"convert-j{jobs}")
            r = run_stage("convert", json.dumps({"parts": [str(p) for p in parts], "out": out, "jobs": jobs}))
            conv[jobs] = r
            if "error" in r:
                failed += 1
                print(f"convert --jobs {jobs}  error: {r['error']}", flush=True)
                continue
            w = r["worker_peaks_mb"]
            print(f"convert --jobs {jobs}  {r['articles']:>7} articles {r['seconds']:7.1f} s "
                  f"{r['articles'] / r['seconds']:>8,.0f} articles/s  {len(parts)} files -> {r['shards']} shards  "
                  f"worker peak {max(w):5.0f} MB ({len(w)} worker{'s' * (len(w) != 1)}: "
                  f"{', '.join(f'{x:.0f}' for x in w)}; ru_maxrss children {r['children_maxrss_mb']:.0f} MB)  "
                  f"cpu {r['cpu']:.1f} s, load avg {r['load']:.1f}", flush=True)
        if all("error" not in conv[j] for j in (1, 2)):
            s = conv[1]["seconds"] / conv[2]["seconds"]
            print(f"convert --jobs 2 is {s:.2f}x --jobs 1 (target >= 1.8x); "
                  f"peak per worker {max(conv[2]['worker_peaks_mb']):.0f} MB (target < 500 MB); "
                  f"CPU used {conv[2]['cpu'] / conv[1]['cpu']:.2f}x, cores obtained "
                  f"{conv[1]['cpu'] / conv[1]['seconds']:.2f} (1 job) and {conv[2]['cpu'] / conv[2]['seconds']:.2f} "
                  "(2 jobs): a speed-up short of 2x with CPU used near 1x is other load on the machine",
                  flush=True)
        if "error" in conv[1]:
            print("(no N-Quads: store and server stages skipped)")
            return 1
        shards = shard_list(os.path.join(work, "convert-j1"))
        spec = json.dumps({"shards": shards, "limit": a.store_articles})
        spec2 = json.dumps({"shards": shards, "limit": a.store_articles, "threads": 2})
        for kind, label, sp in (("store", "store write (ingest)", spec), ("store", "store write, 2 threads", spec2),
                                ("bulk", "store bulk_load", spec)):
            r = run_stage(kind, sp)
            if "error" in r:
                failed += 1
                print(f"{label:<22} error: {r['error']}", flush=True)
                continue
            extra = (f"  ({r['batch']} graphs per bulk_load, {r['in_flight']} in flight; "
                     f"{r['wall']:.1f} s with reading the shards)"
                     if kind == "store" else "  (not transactional, all cores)")
            print(f"{label:<22} {r['articles']:>7} articles {r['triples']:>10,} triples {r['seconds']:7.1f} s "
                  f"{r['triples'] / r['seconds']:>10,.0f} triples/s  cpu {r['cpu']:.1f} s  "
                  f"peak {r['peak_mb']:5.0f} MB{extra}",
                  flush=True)
        servers = [x for x in a.servers.split(",") if x]
        if not servers:
            return 1 if failed else 0
        subset = os.path.join(work, "subset-store")
        r = run_stage("subset", json.dumps({"shards": shards, "limit": a.server_articles, "store": subset}))
        if "error" in r:
            print(f"(cannot build the {a.server_articles}-article store for kg load: {r['error']})")
            return 1
        for name in servers:
            r = run_stage("server", json.dumps({"server": name, "store": subset}))
            label = f"kg load -> {name}"
            if "skipped" in r:
                print(f"{label:<22} skipped: {r['skipped']}", flush=True)
                continue
            if "error" in r:
                failed += 1
                print(f"{label:<22} error: {r['error']}", flush=True)
                continue
            check = "" if r["on_server"] == r["triples"] else f"  MISMATCH: server has {r['on_server']:,}"
            print(f"{label:<22} {r['articles']:>7} articles {r['triples']:>10,} triples {r['seconds']:7.1f} s "
                  f"{r['triples'] / r['seconds']:>10,.0f} triples/s  (kg's own figure "
                  f"{r['kg_rate'] or 0:,.0f}/s, {r['requests']} requests; cpu: kg {r['cpu']:.1f} s, "
                  f"server {r['server_cpu']:.1f} s){check}",
                  flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
