"""`kg convert` through ISA-L (kg.gzipio) and through the standard library's zlib (`KG_GZIP=zlib`, the
fallback where the isal wheel is missing) writes shards that gunzip to the same N-Quads, from the same
gzipped inputs; and the gzip helpers keep what shards promised before: no time or name in the header."""

from __future__ import annotations

import gzip
import importlib.util
import io
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kg import gzipio

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1700000000"


def _synthetic(path: Path, n: int) -> Path:
    """A baseline-shaped gzipped file (benchmarks/synthetic.py: the same generator `make bench` uses)."""
    spec = importlib.util.spec_from_file_location("kg_bench_synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return Path(mod.write(path, n))


def _convert(inputs: list[Path], out: Path, backend: str) -> str:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, KG_GZIP=backend)
    r = subprocess.run([sys.executable, "-m", "kg", "convert", *map(str, inputs), "-o", str(out), "--jobs", "2",
                        "--shard-size", "40"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stderr


def _shards(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.nq.gz"))}


@pytest.mark.skipif(gzipio.BACKEND != "isal", reason="the isal wheel is not installed: only one gzip path here")
def test_isal_and_zlib_shards_gunzip_to_the_same_nquads(shared_data, tmp_path):
    inputs = [shared_data / "fatcat" / "pubmedsample_2019.xml.gz",  # NLM's baseline-style sample, gzipped
              shared_data / "tipplerow-pubmed" / "pubmed20n0001.xml.gz",
              _synthetic(tmp_path / "synthetic-120.xml.gz", 120)]
    logs = {b: _convert(inputs, tmp_path / b, b) for b in ("isal", "zlib")}
    isal, plain = _shards(tmp_path / "isal"), _shards(tmp_path / "zlib")
    assert logs["isal"] == logs["zlib"]
    # 176 + 10 + 120 records in; the synthetic file's DeleteCitation drops 1 of its own (PMID 30000000), the
    # sample's 7 name PMIDs it does not hold.
    assert "3 files converted, 0 already complete; 305 articles, 8 deleted, 0 rejected" in logs["isal"]
    assert list(isal) == list(plain) and len(isal) > 3  # the same shard names, several per file
    for name in isal:
        assert gzip.decompress(isal[name]) == gzip.decompress(plain[name]), name
    # Two libraries really were used: ISA-L's deflate stream differs from zlib's for the same text.
    assert any(isal[n] != plain[n] for n in isal)
    text = b"".join(gzip.decompress(b) for b in isal.values()).decode()
    graphs = set(re.findall(r" <(https://w3id\.org/oncokg/graph/pubmed/\d+)> \.$", text, re.M))
    assert len(graphs) == 305 and "https://w3id.org/oncokg/graph/pubmed/30000000" not in graphs


def test_writer_header_has_no_time_and_no_name():
    buf = io.BytesIO()
    with gzipio.writer(buf) as w:
        w.write(b"<s> <p> <o> <g> .\n" * 1000)
    data = buf.getvalue()
    assert data[:4] == b"\x1f\x8b\x08\x00"  # deflate, no FNAME flag
    assert data[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert gzip.decompress(data) == b"<s> <p> <o> <g> .\n" * 1000
    again = io.BytesIO()
    with gzipio.writer(again) as w:
        w.write(b"<s> <p> <o> <g> .\n" * 1000)
    assert again.getvalue() == data  # the same bytes for the same content


def test_reader_reads_every_member_of_a_zlib_written_stream():
    data = gzip.compress(b"first member\n", mtime=0) + gzip.compress(b"second member\n", mtime=0)
    with gzipio.reader(io.BytesIO(data)) as f:
        assert f.read() == b"first member\nsecond member\n"


def test_a_corrupt_deflate_stream_raises_one_of_the_damaged_errors():
    data = bytearray(gzip.compress(b"".join(b"%d " % i for i in range(100000)), mtime=0))
    data[len(data) // 2: len(data) // 2 + 64] = bytes(64)
    with pytest.raises(gzipio.DAMAGED):
        with gzipio.reader(io.BytesIO(bytes(data))) as f:
            while f.read(1 << 16):
                pass


def test_a_cut_gzip_file_yields_every_record_whole_before_the_cut(tmp_path):
    """ISA-L drops the last buffer it decompressed when its input ends early; the reader then rereads the
    file with the standard library, so as many records come out as zlib alone gives: all those whole in
    the bytes that can be decompressed."""
    from kg.ingest import read_path
    from kg.pipeline import compiled_hooks
    from kg.records import PrebuiltArticle, Rejected

    src = _synthetic(tmp_path / "full.xml.gz", 60)
    data = src.read_bytes()
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    prefix = zlib.decompressobj(31).decompress(data[: len(data) * 2 // 3])  # all zlib gets out of it
    whole = prefix.count(b"</PubmedArticle>")
    assert 0 < whole < 60
    recs = list(read_path(str(cut), hook_for=compiled_hooks("2023-11-14T22:13:20Z")))
    articles = [r for r in recs if isinstance(r, PrebuiltArticle)]
    assert [r.pmid for r in articles] == [str(30000000 + i) for i in range(whole)]
    assert isinstance(recs[-1], Rejected) and f"{whole} records were read whole" in recs[-1].error.problem
