"""MeSH benchmarks (issue 7): load the full tree-number table; an exploded articles-by-mesh query.

    python benchmarks/bench_mesh.py [SYNTHETIC.xml.gz] [--limit N]

1. Load the whole MeSH tree-number table (../shared/data/dhimmel-mesh/tree-numbers.tsv when present,
   else the hierarchy shipped in kg/data/, which is built from it) into an in-memory store.
2. With the synthetic benchmark file's articles in the store (mapped to N-Quads and loaded, as
   `kg convert` + load would), run `articles-by-mesh` exploded and not exploded for D009930 (Organic
   Chemicals: 35 descendants among the synthetic file's descriptors D001000-D001399) and D009369.
Prints figures; asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", help="synthetic PubMed XML (.xml.gz) for the query stage")
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    args = ap.parse_args()

    from kg import queries
    from kg.vocabularies import mesh
    from kg.stores.oxigraph import GraphWrite, OxigraphStore

    table = ROOT.parent / "shared" / "data" / "dhimmel-mesh" / "tree-numbers.tsv"
    source = table if table.exists() else mesh.SHIPPED
    store = OxigraphStore()
    t = time.perf_counter()
    load = mesh.load_mesh([str(source)], store)
    dt = time.perf_counter() - t
    d = load.as_dict()
    print(f"   MeSH load ({source.name}): {d['descriptors']:,} descriptors, {d['tree_numbers']:,} tree numbers, "
          f"{d['triples']:,} triples in {dt:.1f} s", flush=True)

    if not args.data:
        print("   (no synthetic file given: query stage skipped)")
        return 0
    from kg.ingest import read_path
    from kg.pipeline import article_nquads
    from kg.rdf.provenance import now
    from kg.records import Article

    gen = now()
    n = 0
    batch: list[GraphWrite] = []
    t = time.perf_counter()
    for rec in read_path(args.data):
        if not isinstance(rec, Article):
            continue
        graph, text, _ = article_nquads(rec, path=args.data, fmt="pubmed", generated=gen)
        batch.append(GraphWrite(graph, text))
        n += 1
        if len(batch) >= 1000:
            store.replace_graphs(batch)
            batch = []
        if args.limit and n >= args.limit:
            break
    store.replace_graphs(batch)
    print(f"   articles loaded for the query: {n:,} in {time.perf_counter() - t:.1f} s "
          f"({len(store):,} quads in the store)", flush=True)
    for ui in ("D009930", "D009369"):
        for explode in ("true", "false"):
            t = time.perf_counter()
            rows = list(queries.run(store, "articles-by-mesh", {"mesh": ui, "explode": explode}))
            arts = len({r["article"].value for r in rows})
            print(f"   articles-by-mesh mesh={ui} explode={explode}: {arts:,} articles, {len(rows):,} rows "
                  f"in {time.perf_counter() - t:.2f} s", flush=True)
    print(f"   peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
