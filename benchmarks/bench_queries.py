"""Query latency (issue 15): every canned query on embedded stores of 30,000 and 100,000 articles with text mining.

    python benchmarks/bench_queries.py [--sizes 30000,100000] [--only NAME,...]

For each size, the realistic corpus (benchmarks/realistic.py: real titles, abstracts and oncology MeSH in
baseline-shaped records) is written and ingested with text mining (`kg ingest --no-validate`, validation is
not what is measured) into .bench/qstore-N-gV, once: a later run reuses the store while the generator
version V and the mapping version M are unchanged (.bench/qstore-N-gV-mM). The shipped MeSH hierarchy is
loaded into it after the build, and loaded again when VOCABULARY_VERSION says what it writes has changed.

Then each canned query (the federated ones need the network and are left out) runs with its typical
parameters:
- cold: a fresh `kg query` process (interpreter start, imports, store open and the query; page cache warm),
- warm: the same query again in one process that has already run it: wall time and CPU time of the
  process (the machine is shared, so CPU time is the steadier figure).
and the table gives the growth between the two sizes next to the growth of the answer.
Sizes come from --sizes or KG_BENCH_QUERY_SIZES. Prints figures; asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / ".bench"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from realistic import GENERATOR_VERSION, write  # noqa: E402

KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]

# (query, parameters): the typical questions of issue 15, with an author and PMIDs the corpus has.
CASES: list[tuple[str, dict[str, str]]] = [
    ("articles-by-mesh", {"mesh": "D009369"}),
    ("articles-by-mesh", {"mesh": "D009369", "explode": "false"}),
    ("articles-by-mesh", {"mesh": "D008113", "qualifier": "Q000473"}),
    ("articles-by-author", {"family": "Zhou", "given": "H"}),
    ("entities-of-article", {"pmid": "30000005"}),
    ("articles-by-term", {"term": "MONDO:0005575"}),
    ("pathways-linking", {}),
    ("genes-in-pathway-evidence", {}),
    ("genes-in-pathway-evidence", {"pathway": "GO:0006915"}),  # apoptosis: the corpus has answers
    ("drugs-for-pathway", {}),
    ("drugs-for-pathway", {"pathway": "GO:0006915"}),
    ("cell-types-in-mechanism", {}),
    ("cell-types-in-mechanism", {"mechanism": "MONDO:0007254"}),
    ("evidence", {"subject": "GO:0007219", "object": "MONDO:0005575"}),
    ("mesh-cooccurring", {"mesh": "D009369"}),
    ("retracted-articles", {}),
]


# The article mapping's version as far as these stores are concerned: 2 added kg:familyNameKey, 3 the
# kg:Sentence summaries pathways-linking starts from. A store
# built by an older mapping lacks triples the queries look up, so a new version means a new store.
MAPPING_VERSION = 3
# What `ensure_vocabularies` writes into a built store (1: the shipped MeSH hierarchy; 2: articles-by-mesh
# reads the tree closure kg:meshAncestor, so a store loaded before `kg mesh load` wrote it is loaded
# again). A new version reloads the vocabularies into the existing store, without re-ingesting.
VOCABULARY_VERSION = 2


def ensure_vocabularies(store: Path, marker: Path) -> None:
    """Load the shipped MeSH hierarchy (with its materialised ancestors) into a built store when the
    marker says it holds an older vocabulary load; the articles stay as they are."""
    info = json.loads(marker.read_text())
    if info.get("vocabulary") == VOCABULARY_VERSION:
        return
    from kg.vocabularies.mesh import load_shipped
    from kg.stores.oxigraph import OxigraphStore
    t = time.perf_counter()
    st = OxigraphStore(str(store))
    load_shipped(st)
    info["quads"] = len(st)
    del st
    info["mesh_s"] = round(time.perf_counter() - t, 1)
    info["vocabulary"] = VOCABULARY_VERSION
    marker.write_text(json.dumps(info))


def store_for(n: int) -> Path:
    """The store of n realistic articles with text mining, built once (a .json marker says it is whole)."""
    store = BENCH / f"qstore-{n}-g{GENERATOR_VERSION}-m{MAPPING_VERSION}"
    marker = store.with_suffix(".json")
    if marker.exists() and store.exists():
        ensure_vocabularies(store, marker)
        return store
    data = BENCH / f"realistic-{n}-g{GENERATOR_VERSION}.xml.gz"
    if not data.exists():
        print(f"   writing {data.relative_to(ROOT)} ...", flush=True)
        write(data, n)
    if store.exists():
        import shutil
        shutil.rmtree(store)  # a build that did not finish
    print(f"   building {store.relative_to(ROOT)} (kg ingest with text mining; this takes a while) ...", flush=True)
    t = time.perf_counter()
    r = subprocess.run([*KG_CMD, "ingest", "--store", str(store), "--no-progress", "--no-validate", str(data)],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"kg ingest failed: {r.stderr[-2000:]}")
    ingest_s = time.perf_counter() - t
    marker.write_text(json.dumps({"articles": n, "ingest_s": round(ingest_s, 1), "summary": r.stderr.strip()}))
    ensure_vocabularies(store, marker)
    return store


def params_args(p: dict[str, str]) -> list[str]:
    return [a for k, v in p.items() for a in ("-p", f"{k}={v}")]


TIMEOUT_S = float(os.environ.get("KG_BENCH_QUERY_TIMEOUT", "300"))


def cold(store: Path, name: str, p: dict[str, str]) -> float | None:
    """Wall seconds of a fresh `kg query` process, or None when it ran past KG_BENCH_QUERY_TIMEOUT (a query
    that does not finish must not stall the whole benchmark; it is printed as over the limit)."""
    t = time.perf_counter()
    try:
        r = subprocess.run([*KG_CMD, "query", name, "--store", str(store), "--format", "csv", *params_args(p)],
                           cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0:
        raise SystemExit(f"kg query {name} failed: {r.stderr[-2000:]}")
    return time.perf_counter() - t


def warm(store, name: str, p: dict[str, str]) -> tuple[int, float, float]:
    from kg import queries
    list(queries.run(store, name, p))  # first run: caches
    w, c = time.perf_counter(), time.process_time()
    rows = len(list(queries.run(store, name, p)))
    return rows, time.perf_counter() - w, time.process_time() - c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=os.environ.get("KG_BENCH_QUERY_SIZES", "30000,100000"))
    ap.add_argument("--only", default="", help="comma-separated query names")
    ap.add_argument("--build-only", action="store_true", help="build the stores and stop")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    only = {s for s in args.only.split(",") if s}
    from kg.stores.oxigraph import OxigraphStore

    results: dict[int, dict[str, tuple[int, float, float, float]]] = {}
    if args.build_only:
        for n in sizes:
            print(f"   {store_for(n)} ready", flush=True)
        return 0
    for n in sizes:
        path = store_for(n)
        info = json.loads(path.with_suffix(".json").read_text())
        print(f"   store {path.name}: {info['quads']:,} quads (built in {info['ingest_s']:.0f} s + MeSH "
              f"{info['mesh_s']:.0f} s)", flush=True)
        results[n] = {}
        for name, p in CASES:
            if only and name not in only:
                continue
            key = f"{name} {' '.join(f'{k}={v}' for k, v in p.items())}".strip()
            c = cold(path, name, p)
            if c is None:
                print(f"   {n:>7,} {key:<58} did not finish in {TIMEOUT_S:.0f} s (cold); warm run skipped",
                      flush=True)
                continue
            store = OxigraphStore(str(path), read_only=True)
            rows, w, cpu = warm(store, name, p)
            del store
            results[n][key] = (rows, c, w, cpu)
            print(f"   {n:>7,} {key:<58} {rows:>7,} rows  cold {c:6.2f} s  warm {w:6.3f} s (CPU {cpu:6.3f} s)",
                  flush=True)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print(f"\n   growth {a:,} -> {b:,} articles (x{b / a:.1f}): warm CPU time and answer rows")
        for key in results[a]:
            if key in results[b]:
                ra, _, _, ca = results[a][key]
                rb, _, _, cb = results[b][key]
                print(f"   {key:<58} time x{cb / max(ca, 1e-4):5.1f}   rows x{rb / max(ra, 1):5.1f}   "
                      f"warm {'< 1 s' if cb < 1 else f'{cb:.2f} s, {cb - 1:.2f} s over the 1 s target'} at {b:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
