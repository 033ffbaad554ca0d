"""The two `kg validate` engines on the same store (issue 14): the compiled checker (`fast`) and pySHACL.

Builds a store from the real files of ../shared/data as scripts/validate-reports.sh does (text mining on,
no validation at ingest, the MeSH sample vocabulary loaded), then validates it with each engine, printing
the wall-clock and CPU time of each, the result counts, and whether the two agree result for result.
Prints figures; never asserts timings. Usage: bench_engines.py [SHARED_DATA]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_store(shared: Path, path: Path) -> None:
    kg = str(Path(sys.executable).parent / "kg")
    inputs = [str(ROOT / "examples")] + [str(shared / f) for f in ("tipplerow-pubmed", "fatcat/pubmedsample_2019.xml.gz",
                                                                   "biopython/Entrez", "seed") if (shared / f).exists()]
    subprocess.run([kg, "ingest", "--store", str(path), "--no-validate", *inputs], capture_output=True)
    subprocess.run([kg, "mesh", "load", "--store", str(path), str(shared / "hhs-meshrdf" / "samples.nt")],
                   capture_output=True, check=True)


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "data").resolve()
    from kg import validation as S
    from kg.stores.oxigraph import OxigraphStore
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        build_store(shared, path)
        store = OxigraphStore(str(path), read_only=True)
        reports = {}
        for engine in S.ENGINES:
            if engine == "pyshacl":
                import pyshacl  # noqa: F401  (its import, ~2 s, is not the engine's work)
            wall, cpu = time.perf_counter(), time.process_time()
            reports[engine] = S.validate_store(store, engine=engine)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            r = reports[engine]
            c = r.counts()
            print(f"{engine:8s} {r.graphs} graphs: {wall:8.2f} s wall, {cpu:8.2f} s CPU, "
                  f"{1000 * cpu / max(1, r.graphs):8.1f} ms CPU per graph; "
                  f"{c['Violation']} violations, {c['Warning']} warnings, {c['Info']} info")

        def keys(report):
            return sorted((x.graph, x.focus, x.path, x.shape, x.component, x.severity, x.message)
                          for x in report.results)
        same = keys(reports["fast"]) == keys(reports["pyshacl"])
        print("same results (graph, focus, path, shape, component, severity, message):", "yes" if same else "NO")


if __name__ == "__main__":
    main()
