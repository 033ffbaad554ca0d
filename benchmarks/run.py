"""`make bench`: every benchmark of the project, printing figures (never asserting timings).

Builds the synthetic baseline-sized file once (.bench/, not committed), then runs each benchmark script
in its own process so that peak memory figures are per stage. Set KG_BENCH_N for a smaller file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
N = int(os.environ.get("KG_BENCH_N", "30000"))
DATA = ROOT / ".bench" / f"synthetic-{N}.xml.gz"

# (title, script, extra arguments); scripts that are not there yet are skipped with a note.
BENCHES = [
    ("Ingest: lxml floor, XML -> N-Quads, XML -> store (issue 2)", "bench_ingest.py",
     [str(DATA), "--stages", "floor,nquads,nquads-memory,nquads-python,store"]),
    ("Validation throughput (issue 4)", "bench_validate.py", [str(DATA)]),
    ("MeSH hierarchy load and exploded query (issue 7)", "bench_mesh.py", [str(DATA)]),
    ("Tagging precision/recall and speed (issue 3)", "bench_nlp.py", []),
    ("Grounded P/R/F1 per type, document level (issue 12)", "bench_grounding.py", []),
    ("Relations end to end: BioRED Test pair P/R/F1, untyped and typed (issue 12)", "bench_relations.py", []),
    ("Assertion precision on the judged colorectal-cancer sample (issue 12)", "bench_assertions.py", []),
    ("Stores and servers: embedded load, kg load, kg convert (issue 6)", "bench_servers.py", [str(DATA)]),
    ("kg convert --jobs 2 on gzipped baseline-shaped files: rate against 10,500 articles/s (issue 15)",
     "bench_convert.py", [str(DATA)]),
    ("kg serve: worker processes, time-out and abandoned queries (issue 16)", "bench_serve.py", []),
    ("pathways-linking latency on the examples + shared CRC records (issue 12)", "bench_linking.py", []),
    # Small sizes by default; KG_BENCH_GROWTH_SIZES=10000,30000,100000 KG_BENCH_GROWTH_CONVERT=300000 for
    # the figures of docs/scale.md (hours on a loaded 2-core machine).
    ("Growth curves: convert, bulk load, ingest, validate per article at 2,000 and 6,000 articles (issue 15)",
     "bench_growth.py", []),
    # Builds (once, kept in .bench/) stores of 30,000 and 100,000 articles with text mining: long the
    # first time; KG_BENCH_QUERY_SIZES=30000 for one size.
    ("Query latency, cold and warm, at 30,000 and 100,000 articles (issue 15)", "bench_queries.py", []),
]


def main() -> int:
    if not DATA.exists():
        print(f"writing the synthetic {N:,}-article file {DATA.relative_to(ROOT)} ...", flush=True)
        sys.path.insert(0, str(HERE))
        from synthetic import write
        write(DATA, N)
    print(f"input: {DATA.relative_to(ROOT)} ({DATA.stat().st_size / 1e6:.0f} MB gzipped, {N:,} articles), "
          f"{os.cpu_count()} cores\n", flush=True)
    failed = 0
    for title, script, args in BENCHES:
        path = HERE / script
        print(f"== {title}", flush=True)
        if not path.exists():
            print(f"   (skipped: benchmarks/{script} is not written yet)\n")
            continue
        t = time.perf_counter()
        r = subprocess.run([sys.executable, str(path), *args], cwd=ROOT)
        failed += r.returncode != 0
        print(f"   ({time.perf_counter() - t:.0f} s)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
