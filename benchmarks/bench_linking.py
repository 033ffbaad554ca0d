"""`kg query pathways-linking` latency (issue 12, part 4): figures only, never asserted.

Builds an embedded store from examples/, the constructed CRC metastasis abstracts (tests/data) and the
real records of ../shared/data that carry oncology text (PubMed samples, BioRED and CDR BioC, with text
mining on, as `kg ingest` does), then times the query with the default parameters (colorectal cancer,
liver), with the lung as site, and with processes=false: median of a few runs each.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ["tipplerow-pubmed", "fatcat/pubmedsample_2019.xml.gz", "biored/Test.BioC.XML",
          "bc5cdr/CDR_sample.gold.BioC.xml", "biopython/Entrez", "pubtrends"]
PARAMS = [{}, {"site": "UBERON:0002048"}, {"processes": "false"}]
RUNS = 3


def main() -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import find_shared_data

    from kg import queries
    from kg.pipeline import ingest
    from kg.stores.oxigraph import OxigraphStore

    shared = find_shared_data()
    if shared is None:
        print("../shared/data is not beside the project: skipped")
        return 0
    paths = [str(ROOT / "examples"), str(ROOT / "tests" / "data" / "crc-metastasis-pathways.xml")]
    paths += [str(shared / p) for p in SHARED if (shared / p).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        store = OxigraphStore(str(Path(tmp) / "store"))
        t = time.perf_counter()
        s = ingest(paths, store)
        print(f"store: {s.articles} articles, {s.documents} documents, {s.triples:,} triples "
              f"(ingest with text mining {time.perf_counter() - t:.1f} s)")
        for params in PARAMS:
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                rows = list(queries.run(store, "pathways-linking", params))
                times.append(time.perf_counter() - t)
            label = " ".join(f"{k}={v}" for k, v in params.items()) or "defaults (CRC, liver)"
            print(f"pathways-linking {label:32s} {len(rows):3d} rows  median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, {RUNS} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
