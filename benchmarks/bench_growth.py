"""Growth curves (issue 15): time, CPU and peak memory per article for conversion, store load and validation
as the corpus grows, and what that predicts for the whole PubMed baseline (about 38 million articles).

    python benchmarks/bench_growth.py                       # small: 2,000 and 6,000 articles (make bench)
    KG_BENCH_GROWTH_SIZES=10000,30000,100000 KG_BENCH_GROWTH_CONVERT=300000 python benchmarks/bench_growth.py
    python benchmarks/bench_growth.py --report              # the table again from the saved results

Corpus: the realistic articles of benchmarks/realistic.py (baseline-shaped records, real titles and
abstracts, so text mining finds what it finds in real abstracts), written once under .bench/growth-gV/ as
files of `part` articles each; part i is always generated from the same seed, so the corpus of N articles
is the first N articles of every larger one and the files are shared between sizes.

Steps, each a separate process (peak RSS is that step's own: `os.wait4` gives the rusage of the child and
of the descendants it waited for, so a worker pool's CPU time counts and its peak is the largest process):
- convert:  `kg convert --jobs 2` of the corpus files to N-Quads shards (no text mining: convert has none).
- oxload:   the Oxigraph server's bulk loader (`oxigraph load -f SHARDS`) into a fresh database: the
            bulk-load path from shards (kg has no bulk loader into its embedded store; `kg load --from`
            sends shards to a running server over HTTP, graph by graph).
- vload:    Virtuoso's bulk loader (`ld_dir` + two `rdf_loader_run()` sessions, then `checkpoint`) on a
            fresh Virtuoso 7 started for the step (tests/servers.py's settings: 170,000 buffers, 1.3 GB);
            its CPU and peak RSS are the server process's (/proc), its disk the database file.
- ingest:   `kg ingest --no-validate` (text mining on, as by default) into a fresh embedded store: the
            store-load path; validation is measured apart, by the next step.
- ingest-no-nlp: `kg ingest --no-validate --no-nlp`: the same without text mining (the compiled reader),
            so the difference is what text mining costs.
- validate: `kg validate` of every article graph of that store (the same compiled checker `kg ingest`
            runs on each batch by default).
- ingest+validate: `kg ingest` with its defaults (validation during ingest), at sizes up to
            KG_BENCH_GROWTH_VALIDATED_MAX (default 10,000): how much the default path costs over the two above.

Printed per step and size: wall and CPU seconds, microseconds per article (wall, CPU), articles per second,
peak RSS, bytes on disk per article, quads per article, and the load average around the step (the machine
is shared, so CPU time is the steadier figure). Then the growth between sizes (the ratio of per-article
CPU cost, and the fitted exponent b of cost ~ N^b) and the extrapolation to 38 million articles.
Results are appended to .bench/growth-results.jsonl, keyed by step and size: a later run replaces a
step's figures, and `--report` prints the merged table. Asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / ".bench"
RESULTS = BENCH / "growth-results.jsonl"
BASELINE_ARTICLES = 38_000_000
STEPS = ("convert", "oxload", "vload", "ingest", "ingest-no-nlp", "validate", "ingest+validate")


# ---- the pure part: records, fit, extrapolation, table (tests/test_bench_growth.py) --------------------
@dataclass
class Result:
    """One step at one size: what the child process cost."""

    step: str
    articles: int
    wall_s: float
    cpu_s: float          # user + system, of the process and the children it waited for
    peak_mb: float        # largest resident set of the process or one of its children
    disk_bytes: int = 0   # what the step leaves on disk (shards, database folder); 0 when nothing
    quads: int = 0
    load_before: float = 0.0  # 1-minute load average before and after the step
    load_after: float = 0.0
    rc: int = 0

    @property
    def wall_us(self) -> float:
        return self.wall_s / self.articles * 1e6

    @property
    def cpu_us(self) -> float:
        return self.cpu_s / self.articles * 1e6


def fit_exponent(points: Sequence[tuple[float, float]]) -> float:
    """b of cost = a * N^b, least squares on log cost against log N; 1.0 is linear (a constant cost per
    article). Needs two points or more with distinct N."""
    pts = [(math.log(n), math.log(c)) for n, c in points if n > 0 and c > 0]
    if len({x for x, _ in pts}) < 2:
        raise ValueError("fit_exponent needs costs at two different sizes or more")
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    return sxy / sxx


def growth_ratios(rows: Sequence[Result]) -> list[tuple[int, int, float]]:
    """(smaller N, larger N, per-article CPU cost at the larger / at the smaller) for consecutive sizes
    of one step: 1.0 is linear growth, 1.2 means each article cost 20% more in the bigger run."""
    rows = sorted(rows, key=lambda r: r.articles)
    return [(a.articles, b.articles, b.cpu_us / a.cpu_us) for a, b in zip(rows, rows[1:])]


@dataclass(frozen=True)
class Extrapolation:
    """A total cost (seconds, bytes, MB) carried from the measured sizes to `target` articles."""

    model: str         # "linear" or "N^b"
    exponent: float    # local exponent between the two largest sizes (1 = linear)
    per_article: float  # marginal cost of one more article (linear model), at the largest size (power model)
    total: float


def extrapolate(points: Sequence[tuple[float, float]], target: float, tolerance: float = 0.1) -> Extrapolation:
    """Carry cost(N) from the measured points to `target`.

    The exponent b fitted over all the sizes (least squares on the logs: with several sizes one noisy run
    cannot swing it) decides the model. Within `tolerance` of 1, or below it (a fixed start-up cost makes
    small runs look sublinear), the cost is linear in articles: the largest size's cost plus the marginal
    cost per article (the slope between the two largest sizes, which leaves the start-up out) for every
    further article. Above 1 + tolerance the per-article cost rises with the corpus, and the total
    follows N^b from the largest size."""
    pts = sorted((n, c) for n, c in points if n > 0)
    if len({n for n, _ in pts}) < 2:
        raise ValueError("extrapolate needs costs at two different sizes or more")
    (n1, c1), (n2, c2) = pts[-2], pts[-1]
    b = fit_exponent(pts) if all(c > 0 for _, c in pts) else 1.0
    if b > 1.0 + tolerance:
        return Extrapolation(f"N^{b:.2f}", b, c2 / n2, c2 * (target / n2) ** b)
    slope = max((c2 - c1) / (n2 - n1), 0.0)
    return Extrapolation("linear", b, slope, c2 + slope * (target - n2))


def human_seconds(s: float) -> str:
    if s < 120:
        return f"{s:.0f} s"
    if s < 2 * 3600:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def human_bytes(b: float) -> str:
    for unit, k in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= k:
            return f"{b / k:.1f} {unit}"
    return f"{b:.0f} B"


def format_table(rows: Sequence[Result]) -> str:
    """A Markdown table, one row per step and size (the rows of docs/scale.md's Growth section)."""
    head = ("| step | articles | wall s | CPU s | µs/article wall | µs/article CPU | articles/s | peak RSS MB "
            "| bytes/article on disk | quads/article | load avg |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in sorted(rows, key=lambda r: (STEPS.index(r.step) if r.step in STEPS else 99, r.articles)):
        disk = f"{r.disk_bytes / r.articles:,.0f}" if r.disk_bytes else "-"
        quads = f"{r.quads / r.articles:,.0f}" if r.quads else "-"
        lines.append(f"| {r.step} | {r.articles:,} | {r.wall_s:,.1f} | {r.cpu_s:,.1f} | {r.wall_us:,.0f} "
                     f"| {r.cpu_us:,.0f} | {r.articles / r.wall_s:,.0f} | {r.peak_mb:,.0f} | {disk} | {quads} "
                     f"| {r.load_before:.1f}-{r.load_after:.1f} |")
    return "\n".join(lines)


def extrapolation_lines(rows: Sequence[Result], target: int = BASELINE_ARTICLES) -> list[str]:
    """Per step: the per-article growth, the model, and CPU time, disk and peak memory at `target`."""
    out = []
    by_step: dict[str, list[Result]] = {}
    for r in rows:
        by_step.setdefault(r.step, []).append(r)
    for step in sorted(by_step, key=lambda s: STEPS.index(s) if s in STEPS else 99):
        rs = sorted(by_step[step], key=lambda r: r.articles)
        if len({r.articles for r in rs}) < 2:
            out.append(f"{step}: one size only ({rs[0].articles:,}), no growth to extrapolate from")
            continue
        ratios = ", ".join(f"{a:,}->{b:,} {x:.2f}x" for a, b, x in growth_ratios(rs))
        cpu = extrapolate([(r.articles, r.cpu_s) for r in rs], target)
        line = (f"{step}: per-article CPU {ratios}; fitted exponent {cpu.exponent:.2f}, model {cpu.model}, "
                f"{cpu.per_article * 1e6:,.0f} µs CPU per further article -> {human_seconds(cpu.total)} CPU "
                f"at {target / 1e6:.0f}M")
        if rs[-1].disk_bytes:
            disk = extrapolate([(r.articles, float(r.disk_bytes)) for r in rs], target, tolerance=float("inf"))
            line += f"; disk {disk.per_article:,.0f} B per further article -> {human_bytes(disk.total)}"
        big = rs[-1]
        b_mem = fit_exponent([(r.articles, r.peak_mb) for r in rs[-2:]])
        if b_mem > 0.1:  # memory that grows with the corpus: follow its local exponent (an estimate)
            mem = big.peak_mb * (target / big.articles) ** b_mem
            line += (f"; peak RSS {big.peak_mb:,.0f} MB at {big.articles:,}, grows as N^{b_mem:.2f}: "
                     f"about {human_bytes(mem * 1e6)} at {target / 1e6:.0f}M")
        else:
            line += f"; peak RSS flat ({big.peak_mb:,.0f} MB at {big.articles:,})"
        out.append(line)
    return out


# ---- corpus -----------------------------------------------------------------------------------------
def part_size(sizes: Sequence[int]) -> int:
    """Articles per corpus file: 5,000 (so `--jobs 2` has files to share), smaller for small runs so the
    smallest size still has two files."""
    return max(500, min(5000, min(sizes) // 2))


def corpus(n: int, part: int) -> list[Path]:
    """The files holding the first n articles: full parts of `part` articles and a last partial one,
    each written once (cached under .bench/growth-gV/)."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    import realistic
    folder = BENCH / f"growth-g{realistic.GENERATOR_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    cache: tuple | None = None
    for i in range(math.ceil(n / part)):
        count = min(part, n - i * part)
        path = folder / f"part{part}-{i:04d}-{count}.xml.gz"
        if not path.exists():
            if cache is None:
                cache = (realistic.real_abstracts(), realistic.seed_abstract(), realistic.oncology_descriptors())
            r = random.Random(20220304 + i)
            tmp = path.with_suffix(f".{os.getpid()}.part")  # two runs at once may write the same part
            with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
                f.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
                for k in range(count):
                    f.write(realistic.realistic_record(r, 30000000 + i * part + k, *cache))
                f.write("</PubmedArticleSet>\n")
            tmp.rename(path)
        files.append(path)
    return files


# ---- measuring ----------------------------------------------------------------------------------------
KG = [sys.executable, "-c", "from kg.cli import main; main()"]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def run(cmd: list[str], step: str, n: int, log: Path) -> Result:
    """Run `cmd` in its own process (niced by whoever started us); wall, CPU and peak RSS of it and its
    children, with the load average around it."""
    l0 = os.getloadavg()[0]
    t = time.perf_counter()
    with open(log, "wb") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, ru = os.wait4(p.pid, 0)
    p.returncode = rc = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    return Result(step, n, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, load_before=l0,
                  load_after=os.getloadavg()[0], rc=rc)


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def count_quads_gz(files: Sequence[Path]) -> int:
    """Lines of gzipped N-Quads files (one quad a line, as kg convert writes them), by gzip and wc."""
    total = 0
    for f in files:
        out = subprocess.run(f"gzip -dc '{f}' | wc -l", shell=True, capture_output=True, text=True, check=True)
        total += int(out.stdout.split()[0])
    return total


def store_quads(store: Path) -> int:
    out = subprocess.run([*KG, "stats", "--store", str(store), "--format", "json"], capture_output=True,
                         text=True, cwd=ROOT)
    return int(json.loads(out.stdout)["triples"]) if out.returncode == 0 else 0


def measure(step: str, n: int, files: list[Path], work: Path) -> Result | None:
    """One step at one size; leaves its output in `work` for the steps after it (shards, store)."""
    shards, store, log = work / "shards", work / "store", work / f"{step}.log"
    if step == "convert":
        shutil.rmtree(shards, ignore_errors=True)
        r = run([*KG, "convert", *map(str, files), "-o", str(shards), "--jobs", "2"], step, n, log)
        nq = sorted(shards.glob("*.nq.gz"))
        r.disk_bytes, r.quads = sum(du(f) for f in nq), count_quads_gz(nq)
    elif step == "oxload":
        nq = sorted(shards.glob("*.nq.gz"))
        if not nq or not OXIGRAPH.exists():
            print(f"   oxload {n:,}: skipped ({'no shards: run convert first' if not nq else 'no oxigraph binary'}"
                  " (make servers installs it))", flush=True)
            return None
        db = work / "oxigraph"
        shutil.rmtree(db, ignore_errors=True)
        r = run([str(OXIGRAPH), "load", "--location", str(db), "-f", *map(str, nq)], step, n, log)
        r.disk_bytes = du(db)
        shutil.rmtree(db, ignore_errors=True)
    elif step == "vload":
        nq = sorted(shards.glob("*.nq.gz"))
        if not nq:
            print(f"   vload {n:,}: skipped (no shards: run convert first)", flush=True)
            return None
        r = virtuoso_load(n, nq, work / "virtuoso")
        if r is None:
            return None
    elif step in ("ingest", "ingest-no-nlp", "ingest+validate"):
        target = store if step == "ingest" else work / f"store-{step}"
        shutil.rmtree(target, ignore_errors=True)
        flags = {"ingest": ["--no-validate"], "ingest-no-nlp": ["--no-validate", "--no-nlp"]}.get(step, [])
        r = run([*KG, "ingest", "--store", str(target), "--no-progress", *flags, *map(str, files)], step, n, log)
        r.disk_bytes, r.quads = du(target), store_quads(target)
        if step != "ingest":
            shutil.rmtree(target, ignore_errors=True)
    elif step == "validate":
        if not store.exists():
            print(f"   validate {n:,}: skipped (no store: run ingest first)", flush=True)
            return None
        r = run([*KG, "validate", "--store", str(store), "-o", str(work / "validate-report.txt")], step, n, log)
        r.rc = 0 if r.rc in (0, 1) else r.rc  # 1 = violations found: a report, not a failure
    else:
        raise ValueError(f"unknown step {step!r}; choose from {', '.join(STEPS)}")
    if r.rc != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        print(f"   {step} {n:,}: exit {r.rc}: {' | '.join(tail)}", flush=True)
    return r


def _proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a running process (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def virtuoso_load(n: int, shards: list[Path], folder: Path) -> Result | None:
    """Virtuoso's documented bulk load of the shards (docs/bulk-loading.md) into a fresh server: wall time
    of the load and checkpoint, CPU and peak RSS of the server process, size of its database file."""
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import VirtuosoServer, virtuoso_binaries
    bins = virtuoso_binaries()
    if bins is None:
        print(f"   vload {n:,}: skipped (no virtuoso-t/isql-vt: make servers installs them)", flush=True)
        return None
    shutil.rmtree(folder, ignore_errors=True)
    srv = VirtuosoServer(folder, bins).start()
    try:
        local = folder / "shards"  # inside the server's DirsAllowed; hard links cost nothing
        local.mkdir()
        for f in shards:
            os.link(f, local / f.name)
        pid = srv.proc.pid if srv.proc else 0
        isql = [srv.isql_binary, f"127.0.0.1:{srv.sql_port}", "dba", srv.password]
        l0, c0, t = os.getloadavg()[0], _proc_cpu_seconds(pid), time.perf_counter()
        srv.isql(f"ld_dir('{local}', '*.nq.gz', 'https://w3id.org/oncokg/graph/unnamed');")
        loaders = [subprocess.Popen([*isql, "exec=rdf_loader_run();"], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT) for _ in range(2)]
        texts = [p.communicate()[0].decode(errors="replace") for p in loaders]
        subprocess.run([*isql, "exec=checkpoint;"], capture_output=True, check=True)
        wall, cpu = time.perf_counter() - t, _proc_cpu_seconds(pid) - c0
        failed = srv.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL OR ll_state <> 2;")
        bad = [t for t in texts if "*** Error" in t]
        rc = 1 if bad or not any(line.strip() == "0" for line in failed.splitlines()) else 0
        if rc:
            print(f"   vload {n:,}: load errors: {(bad or [failed])[0][-500:]}", flush=True)
        counted = srv.isql("SELECT COUNT(*) FROM DB.DBA.RDF_QUAD;")  # the check that all quads landed
        numbers = [int(line) for line in counted.splitlines() if line.strip().isdigit()]
        return Result("vload", n, wall, cpu, _proc_hwm_mb(pid), disk_bytes=du(folder / "virtuoso.db"),
                      quads=numbers[0] if numbers else 0, load_before=l0, load_after=os.getloadavg()[0], rc=rc)
    finally:
        srv.stop()
        shutil.rmtree(folder, ignore_errors=True)


def load_results() -> list[Result]:
    """The saved results, the latest per (step, size)."""
    latest: dict[tuple[str, int], Result] = {}
    if RESULTS.exists():
        for line in RESULTS.read_text().splitlines():
            if line.strip():
                d = json.loads(line)
                latest[(d["step"], d["articles"])] = Result(**d)
    return list(latest.values())


def save(r: Result) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a") as f:
        f.write(json.dumps(asdict(r)) + "\n")


def report(rows: Sequence[Result]) -> None:
    rows = [r for r in rows if r.rc == 0]
    print(format_table(rows))
    print(f"\nExtrapolation to the whole baseline ({BASELINE_ARTICLES / 1e6:.0f} million articles), from the "
          "largest size measured, CPU time (the steady figure on a shared machine):")
    for line in extrapolation_lines(rows):
        print("  " + line)


def sizes_env(name: str, default: str) -> list[int]:
    raw = os.environ.get(name, default)
    return [int(x.replace("_", "")) for x in raw.split(",") if x.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true", help="print the table from the saved results and stop")
    ap.add_argument("--steps", default=os.environ.get("KG_BENCH_GROWTH_STEPS", ",".join(STEPS)))
    a = ap.parse_args()
    if a.report:
        report(load_results())
        return 0
    sizes = sizes_env("KG_BENCH_GROWTH_SIZES", "2000,6000")
    convert_only = [n for n in sizes_env("KG_BENCH_GROWTH_CONVERT", "") if n not in sizes]
    validated_max = int(os.environ.get("KG_BENCH_GROWTH_VALIDATED_MAX", "10000"))
    steps = [s.strip() for s in a.steps.split(",") if s.strip()]
    part = part_size(sizes)
    measured: list[Result] = []
    plan = [(n, [s for s in steps if s != "ingest+validate" or n <= validated_max]) for n in sizes]
    plan += [(n, [s for s in steps if s == "convert"]) for n in convert_only]
    for n, todo in plan:
        if not todo:
            continue
        t = time.perf_counter()
        files = corpus(n, part)
        print(f"-- {n:,} articles: {len(files)} files of up to {part:,} ({sum(du(f) for f in files) / 1e6:,.0f} MB "
              f"gzipped; written/found in {time.perf_counter() - t:.0f} s)", flush=True)
        work = BENCH / f"growth-run-{n}"
        work.mkdir(parents=True, exist_ok=True)
        for step in todo:
            r = measure(step, n, files, work)
            if r is None:
                continue
            save(r)
            measured.append(r)
            print(f"   {step:<16} {r.wall_s:8.1f} s wall {r.cpu_s:8.1f} s CPU {r.cpu_us:8,.0f} µs/article CPU "
                  f"peak {r.peak_mb:6,.0f} MB  load {r.load_before:.1f}-{r.load_after:.1f}", flush=True)
        if "validate" in todo:  # the store's last user has run; shards stay for a later oxload
            shutil.rmtree(work / "store", ignore_errors=True)
    print()
    report(measured)
    return 1 if any(r.rc for r in measured) else 0


if __name__ == "__main__":
    sys.exit(main())
