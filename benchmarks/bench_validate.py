"""Validation benchmarks (issue 4): SHACL validation throughput, and ingest with vs without validation.

1. Throughput: the first N articles of the synthetic file are mapped to N-Quads once (not timed), then
   the ingest validator checks them in batches of 1,000, in one process and in 2 (this one and a forked
   worker). The machine's load is printed first: on a shared machine the clock figures move with it, the
   CPU time per article does not.
2. Ingest: `kg ingest` of a smaller synthetic file into a fresh on-disk store, with and without the
   validator (bench_ingest.py's `store` and `store-validated` stages, each in its own process).

Prints figures; never asserts timings. Usage: bench_validate.py SYNTHETIC.xml.gz [--n 10000] [--ingest-n 5000] [--nlp]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def graphs_from(path: str, n: int) -> list[tuple[str, str]]:
    from kg.ingest import read_path
    from kg.pipeline import article_nquads
    from kg.records import Article
    from kg.rdf.provenance import now
    gen = now()
    out = []
    for rec in read_path(path):
        if isinstance(rec, Article):
            graph, text, _ = article_nquads(rec, path=path, fmt="pubmed", generated=gen)
            out.append((graph, text))
            if len(out) >= n:
                break
    return out


def throughput(graphs: list[tuple[str, str]], workers: int, batch: int = 1000) -> tuple[float, float, int]:
    """(articles/s by the clock, CPU microseconds per article in this process, articles with violations).

    The CPU figure does not move with the load other processes put on the machine (the clock figure does);
    with workers it counts only this process's share."""
    from kg.validation import IngestValidator
    v = IngestValidator(workers=workers, parallel_min=1 if workers > 1 else 10**9)
    v(graphs[:batch])                      # warm-up: compiles shapes, starts the pool
    bad = 0
    t, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(graphs), batch):
        bad += len(v(graphs[i:i + batch]))
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    v.close()
    return len(graphs) / secs, cpu / len(graphs) * 1e6, bad


def ingest_stage(mode: str, path: str, nlp: bool) -> dict:
    """`kg ingest` of `path` into a fresh on-disk store, with or without the ingest validator.

    Text mining (issue 3) is off unless asked for: it dominates ingest time, so with it on the ratio says
    little about what validation itself costs."""
    from kg.pipeline import ingest
    from kg.validation import ingest_validator
    from kg.stores.oxigraph import OxigraphStore
    d = tempfile.mkdtemp(prefix="kg-bench-validate-")
    try:
        store = OxigraphStore(os.path.join(d, "store"))
        validator = ingest_validator(store) if mode == "with" else None
        t = time.perf_counter()
        s = ingest([path], store, validator=validator, nlp=nlp)
        secs = time.perf_counter() - t
        if validator is not None:
            validator.close()
        del store
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return {"articles": s.articles, "rejected": s.rejected, "seconds": secs}


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--ingest-stage":
        print(json.dumps(ingest_stage(sys.argv[2], sys.argv[3], sys.argv[4] == "nlp")))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("path", help="synthetic PubMed XML (benchmarks/synthetic.py)")
    ap.add_argument("--n", type=int, default=int(os.environ.get("KG_BENCH_VALIDATE_N", "10000")))
    ap.add_argument("--ingest-n", type=int, default=int(os.environ.get("KG_BENCH_VALIDATE_INGEST_N", "5000")))
    ap.add_argument("--nlp", action="store_true", help="ingest with text mining on (as `kg ingest` by default)")
    a = ap.parse_args()

    graphs = graphs_from(a.path, a.n)
    triples = sum(t.count("\n") for _, t in graphs)
    print(f"validation input: {len(graphs):,} article graphs, {triples / len(graphs):.0f} triples each")
    print(f"machine load (1-minute average) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for workers in (1, 2):
        rate, cpu, bad = throughput(graphs, workers)
        print(f"validate  {workers} process{'es' if workers > 1 else '  '}  {rate:>8,.0f} articles/s "
              f"{rate * triples / len(graphs):>10,.0f} triples/s  {cpu:6.0f} us CPU/article here  "
              f"({bad} articles with violations)")

    # ingest with vs without validation, on a smaller file of the same generator, each in its own process
    sys.path.insert(0, str(HERE))
    from synthetic import write
    small = HERE.parent / ".bench" / f"synthetic-{a.ingest_n}.xml.gz"
    if not small.exists():
        write(small, a.ingest_n)
    res = {}
    for mode in ("without", "with"):
        out = subprocess.run([sys.executable, __file__, "--ingest-stage", mode, str(small),
                              "nlp" if a.nlp else "no-nlp"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"ingest {mode} validation: error: {(out.stderr.strip().splitlines() or ['failed'])[-1]}")
            continue
        r = res[mode] = json.loads(out.stdout)
        print(f"ingest ({'with' if a.nlp else 'no'} text mining) {mode:>7} validation  {r['articles']:>7} articles {r['seconds']:7.1f} s "
              f"{r['articles'] / r['seconds']:>8,.0f} articles/s  ({r['rejected']} rejected)")
    if len(res) == 2:
        print(f"ingest with validation is {res['with']['seconds'] / res['without']['seconds']:.2f}x "
              f"ingest without (target: at most 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
