"""Validation benchmarks (issue 4): SHACL validation throughput, and ingest with vs without validation.

1. Throughput: the first N articles of the synthetic file are mapped to N-Quads once (not timed), then
   the ingest validator checks them in batches of 1,000, in one process and in 2 worker processes.
2. Ingest: `kg ingest` of a smaller synthetic file into a fresh on-disk store, with and without the
   validator (bench_ingest.py's `store` and `store-validated` stages, each in its own process).

Prints figures; never asserts timings. Usage: bench_validate.py SYNTHETIC.xml.gz [--n 10000] [--ingest-n 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
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


def throughput(graphs: list[tuple[str, str]], workers: int, batch: int = 1000) -> tuple[float, int]:
    from kg.shapes import IngestValidator
    v = IngestValidator(workers=workers, parallel_min=1 if workers > 1 else 10**9)
    v(graphs[:batch])                      # warm-up: compiles shapes, starts the pool
    bad = 0
    t = time.perf_counter()
    for i in range(0, len(graphs), batch):
        bad += len(v(graphs[i:i + batch]))
    secs = time.perf_counter() - t
    v.close()
    return len(graphs) / secs, bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", help="synthetic PubMed XML (benchmarks/synthetic.py)")
    ap.add_argument("--n", type=int, default=int(os.environ.get("KG_BENCH_VALIDATE_N", "10000")))
    ap.add_argument("--ingest-n", type=int, default=int(os.environ.get("KG_BENCH_VALIDATE_INGEST_N", "5000")))
    a = ap.parse_args()

    graphs = graphs_from(a.path, a.n)
    triples = sum(t.count("\n") for _, t in graphs)
    print(f"validation input: {len(graphs):,} article graphs, {triples / len(graphs):.0f} triples each")
    for workers in (1, 2):
        rate, bad = throughput(graphs, workers)
        print(f"validate  {workers} process{'es' if workers > 1 else '  '}  {rate:>8,.0f} articles/s "
              f"{rate * triples / len(graphs):>10,.0f} triples/s   ({bad} articles with violations)")

    # ingest with vs without validation, on a smaller file of the same generator
    sys.path.insert(0, str(HERE))
    from synthetic import write
    small = HERE.parent / ".bench" / f"synthetic-{a.ingest_n}.xml.gz"
    if not small.exists():
        write(small, a.ingest_n)
    import bench_ingest
    res = {}
    for stage in ("store", "store-validated"):
        r = bench_ingest.run_stage(stage, str(small))
        res[stage] = r
        if "error" in r:
            print(f"ingest {stage:<16} error: {r['error']}")
            continue
        print(f"ingest {stage:<16} {r['articles']:>7} articles {r['seconds']:7.1f} s "
              f"{r['articles'] / r['seconds']:>8,.0f} articles/s  peak {r['peak_mb']:6.0f} MB")
    if all("error" not in r for r in res.values()):
        print(f"ingest with validation is {res['store-validated']['seconds'] / res['store']['seconds']:.2f}x "
              f"ingest without (target: at most 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
