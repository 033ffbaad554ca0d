"""Ingest benchmarks on the synthetic baseline-sized file: the lxml floor, XML -> N-Quads, XML -> store.

Each stage runs in its own process so its peak memory (ru_maxrss) is its own. Prints one line per stage.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def stage_floor(path: str) -> dict:
    """Plain lxml iterparse on record end events, clearing each record and its preceding siblings."""
    import gzip
    from lxml import etree
    n = 0
    t = time.perf_counter()
    with gzip.open(path) as f:
        for _, el in etree.iterparse(f, events=("end",), tag="PubmedArticle", load_dtd=False,
                                     resolve_entities=False, no_network=True, huge_tree=True):
            n += 1
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del el.getparent()[0]
    return {"articles": n, "seconds": time.perf_counter() - t}


class _Discard:
    """A sink that only counts bytes: XML -> N-Quads text without the disk."""

    def __init__(self) -> None:
        self.n = 0

    def write(self, data: bytes) -> None:
        self.n += len(data)

    def tell(self) -> int:
        return self.n


def stage_nquads(path: str, compiled: bool = True, to_file: bool = True) -> dict:
    """Parse, map, and write N-Quads to a file beside the input (what `kg convert` does per worker, minus
    its gzip), or with `to_file=False` only produce them (the text is counted and dropped).

    `compiled=False` forces the Python reference reader and mapping (kg.ingest.pubmed_xml and
    kg.rdf.article) instead of the compiled one (kg._pubmed_fast), for comparison."""
    from contextlib import nullcontext

    from kg.ingest import read_path
    from kg.pipeline import compiled_hooks, map_record
    from kg.records import Article, PrebuiltArticle
    from kg.rdf.provenance import now
    n = triples = prebuilt = 0
    gen = now()
    sink = (tempfile.NamedTemporaryFile("wb", suffix=".nq", dir=os.path.dirname(os.path.abspath(path)))
            if to_file else nullcontext(_Discard()))
    t, c = time.perf_counter(), time.process_time()
    with sink as out:
        for rec in read_path(path, hook_for=compiled_hooks(gen) if compiled else None):
            if isinstance(rec, (Article, PrebuiltArticle)):
                m = map_record(rec, path=path, fmt="pubmed", generated=gen)
                out.write(m.nquads)
                n += 1
                triples += m.triples
                prebuilt += isinstance(rec, PrebuiltArticle)
        size = out.tell()
    return {"articles": n, "triples": triples, "seconds": time.perf_counter() - t,
            "cpu_seconds": time.process_time() - c, "bytes": size, "compiled": prebuilt}


def stage_store(path: str, validate: bool = False, nlp: bool = False) -> dict:
    """`kg ingest` into a fresh on-disk Oxigraph store (optionally with the SHACL validator, text mining)."""
    from kg.pipeline import ingest
    from kg.stores.oxigraph import OxigraphStore
    validator = None
    if validate:
        from kg.validation import ingest_validator
        validator = ingest_validator()
    with tempfile.TemporaryDirectory() as d:
        store = OxigraphStore(os.path.join(d, "store"))
        t = time.perf_counter()
        s = ingest([path], store, validator=validator, nlp=nlp)
        secs = time.perf_counter() - t
    return {"articles": s.articles, "triples": s.triples, "seconds": secs}


STAGES = {"floor": stage_floor, "nquads": stage_nquads,
          "nquads-memory": lambda p: stage_nquads(p, to_file=False),
          "nquads-python": lambda p: stage_nquads(p, compiled=False),
          "store": stage_store,
          "store-validated": lambda p: stage_store(p, validate=True),
          "store-nlp": lambda p: stage_store(p, nlp=True)}


def run_stage(name: str, path: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", name, path], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--stage")
    ap.add_argument("--stages", default="floor,nquads,store")
    a = ap.parse_args()
    if a.stage:
        r = STAGES[a.stage](a.path)
        r["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(r))
        return
    results = {}
    for name in a.stages.split(","):
        r = run_stage(name, a.path)
        results[name] = r
        if "error" in r:
            print(f"{name:<16} error: {r['error']}")
            continue
        rate = r["articles"] / r["seconds"]
        extra = f"  {r['triples'] / r['seconds']:>10,.0f} triples/s" if "triples" in r else ""
        if "cpu_seconds" in r:
            extra += f"  {r['articles'] / r['cpu_seconds']:>6,.0f} articles/CPU-s"
        if "bytes" in r:
            extra += f"  {r['bytes'] / 1e6:,.0f} MB out"
        if "compiled" in r:
            extra += f"  {r['compiled']} compiled"
        print(f"{name:<16} {r['articles']:>7} articles {r['seconds']:7.1f} s {rate:>8,.0f} articles/s"
              f"{extra}  peak {r['peak_mb']:6.0f} MB")
    for name in ("nquads", "nquads-memory", "nquads-python"):
        if "floor" in results and name in results and "error" not in results[name]:
            print(f"XML -> N-Quads ({name}) is {results[name]['seconds'] / results['floor']['seconds']:.2f}x "
                  "the lxml floor")
    conv = results.get("nquads-memory") or results.get("nquads")
    if conv and "error" not in conv and "floor" in results:
        per_core = conv["articles"] / conv["cpu_seconds"]
        ratio = conv["seconds"] / results["floor"]["seconds"]
        print(f"issue 2 targets: {per_core:,.0f} articles per CPU-second to N-Quads (target >= 5,000: "
              f"{'met' if per_core >= 5000 else 'NOT met'}), {ratio:.2f}x the floor (target <= 3x: "
              f"{'met' if ratio <= 3 else 'NOT met'}); the 'nquads' line adds writing the text to a file")
    if "store" in results and "store-validated" in results and "error" not in results["store-validated"]:
        print(f"ingest with validation is {results['store-validated']['seconds'] / results['store']['seconds']:.2f}x "
              "ingest without")


if __name__ == "__main__":
    main()
