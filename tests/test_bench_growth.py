"""The arithmetic of benchmarks/bench_growth.py (fit, extrapolation, growth ratios, table) on numbers worked
out by hand; nothing here is timed."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load():
    """benchmarks/bench_growth.py as a module (benchmarks/ is not a package)."""
    if "bench_growth" in sys.modules:
        return sys.modules["bench_growth"]
    spec = importlib.util.spec_from_file_location("bench_growth", BENCH / "bench_growth.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_growth"] = mod
    spec.loader.exec_module(mod)
    return mod


bg = _load()


def test_fit_exponent_recovers_known_powers() -> None:
    assert bg.fit_exponent([(1000, 10.0), (10000, 100.0)]) == pytest.approx(1.0)
    assert bg.fit_exponent([(1000, 1.0), (2000, 4.0)]) == pytest.approx(2.0)
    # three points on 5 * N^1.5: least squares on the logs gives 1.5 exactly
    assert bg.fit_exponent([(n, 5 * n ** 1.5) for n in (100, 400, 2500)]) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="two different sizes"):
        bg.fit_exponent([(1000, 1.0), (1000, 2.0)])


def test_extrapolate_linear_uses_the_marginal_cost() -> None:
    # 20 s at 10,000, 50 s at 30,000: exponent log 2.5 / log 3 = 0.83 (start-up cost), so linear with the
    # slope 30 s / 20,000 articles = 1.5 ms per further article
    e = bg.extrapolate([(10_000, 20.0), (30_000, 50.0)], 38_000_000)
    assert e.model == "linear"
    assert e.exponent == pytest.approx(math.log(2.5) / math.log(3))
    assert e.per_article == pytest.approx(0.0015)
    assert e.total == pytest.approx(50 + 0.0015 * (38_000_000 - 30_000))


def test_extrapolate_fits_over_all_sizes() -> None:
    # per-article cost 1.0, 1.2, 0.9, 1.1 ms: the last pair alone says exponent 1.27, all four say about 1.0
    pts = [(10_000, 10.0), (30_000, 36.0), (100_000, 90.0), (300_000, 330.0)]
    e = bg.extrapolate(pts, 1_000_000)
    assert e.exponent == pytest.approx(bg.fit_exponent(pts))
    assert e.exponent < 1.1 and e.model == "linear"
    assert e.total == pytest.approx(330 + (240 / 200_000) * 700_000)


def test_extrapolate_within_tolerance_stays_linear() -> None:
    # 100 -> 210 for twice the articles: exponent log2(2.1) = 1.07, within 0.1 of 1
    e = bg.extrapolate([(1000, 100.0), (2000, 210.0)], 4000)
    assert e.model == "linear"
    assert e.total == pytest.approx(210 + 0.11 * 2000)


def test_extrapolate_superlinear_follows_the_exponent() -> None:
    # 2.5, 10 and 40 s at 5,000, 10,000 and 20,000: cost ~ N^2, carried on from the largest size
    e = bg.extrapolate([(5_000, 2.5), (10_000, 10.0), (20_000, 40.0)], 40_000)
    assert e.model == "N^2.00"
    assert e.exponent == pytest.approx(2.0)
    assert e.per_article == pytest.approx(40 / 20_000)
    assert e.total == pytest.approx(160.0)
    with pytest.raises(ValueError):
        bg.extrapolate([(5_000, 1.0)], 10_000)


def _row(step: str, n: int, cpu: float, **kw: float) -> object:
    return bg.Result(step=step, articles=n, wall_s=kw.pop("wall", cpu * 2), cpu_s=cpu,
                     peak_mb=kw.pop("peak", 100.0), **kw)


def test_growth_ratios_compare_per_article_cpu() -> None:
    rows = [_row("ingest", 30_000, 360.0), _row("ingest", 10_000, 100.0), _row("ingest", 100_000, 1500.0)]
    # 10 ms, 12 ms, 15 ms per article
    assert bg.growth_ratios(rows) == [(10_000, 30_000, pytest.approx(1.2)), (30_000, 100_000, pytest.approx(1.25))]


def test_format_table_rows() -> None:
    r = _row("ingest", 10_000, 120.0, wall=300.0, peak=512.4, disk_bytes=2_000_000_000, quads=7_700_000,
             load_before=9.96, load_after=11.04)
    table = bg.format_table([r, _row("convert", 10_000, 7.0, wall=14.0)]).splitlines()
    assert table[0].startswith("| step | articles | wall s | CPU s |")
    assert table[1] == "|" + "---|" * 11
    # convert sorts before ingest; a step with no disk or quads shows '-'
    assert table[2] == "| convert | 10,000 | 14.0 | 7.0 | 1,400 | 700 | 714 | 100 | - | - | 0.0-0.0 |"
    assert table[3] == "| ingest | 10,000 | 300.0 | 120.0 | 30,000 | 12,000 | 33 | 512 | 200,000 | 770 | 10.0-11.0 |"


def test_extrapolation_lines_on_known_numbers() -> None:
    rows = [_row("ingest", 10_000, 100.0, peak=500.0, disk_bytes=1_000_000_000),
            _row("ingest", 30_000, 300.0, peak=500.0, disk_bytes=3_000_000_000),
            _row("validate", 10_000, 50.0, peak=300.0), _row("validate", 40_000, 800.0, peak=1200.0),
            _row("convert", 300_000, 210.0)]
    lines = bg.extrapolation_lines(rows, target=3_000_000)
    # ingest: exactly 10 ms per article and 100 kB per article -> 30,000 s and 300 GB at 3M; memory flat
    assert lines[0] == ("convert: one size only (300,000), no growth to extrapolate from")
    assert lines[1] == ("ingest: per-article CPU 10,000->30,000 1.00x; fitted exponent 1.00, model linear, "
                        "10,000 µs CPU per further article -> 8.3 h CPU at 3M; disk 100,000 B per further "
                        "article -> 300.0 GB; peak RSS flat (500 MB at 30,000)")
    # validate: 5 ms then 20 ms per article (exponent 2): 800 s * (3M / 40k)^2 = 4.5 million s = 52.1 days;
    # memory x4 for x4 articles (exponent 1): 1,200 MB * 75 = 90 GB
    assert lines[2] == ("validate: per-article CPU 10,000->40,000 4.00x; fitted exponent 2.00, model N^2.00, "
                        "20,000 µs CPU per further article -> 52.1 days CPU at 3M; peak RSS 1,200 MB at "
                        "40,000, grows as N^1.00: about 90.0 GB at 3M")


def test_human_units() -> None:
    assert bg.human_seconds(59) == "59 s"
    assert bg.human_seconds(600) == "10 min"
    assert bg.human_seconds(5 * 3600) == "5.0 h"
    assert bg.human_seconds(4 * 86400) == "4.0 days"
    assert bg.human_bytes(5_600) == "5.6 kB"
    assert bg.human_bytes(8.8e12) == "8.8 TB"


def test_part_size_gives_two_files_at_the_smallest_size() -> None:
    assert bg.part_size([2000, 6000]) == 1000
    assert bg.part_size([10_000, 30_000, 100_000]) == 5000
    assert bg.part_size([100]) == 500
