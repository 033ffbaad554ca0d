"""Ingest progress (issue 13, part 5): a bar whose total is the input's size on disk, so it is right for
gzip too, drawn only on a terminal."""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

from kg.ingest import bytes_read, open_source
from kg.pipeline import Progress, ingest
from kg.stores.oxigraph import OxigraphStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def corpus(tmp_path: Path) -> Path:
    """Two real records: one as XML, one gzipped (a gzip file is smaller on disk than what it holds)."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(EXAMPLES / "pubmed-31400583.xml", d / "a.xml")
    with open(EXAMPLES / "pubmed-29355075.xml", "rb") as src, gzip.open(d / "b.xml.gz", "wb") as dst:
        dst.write(src.read())
    return d


def test_bar_counts_the_bytes_on_disk_to_the_end(tmp_path):
    d = corpus(tmp_path)
    on_disk = sum(p.stat().st_size for p in d.iterdir())
    out = Terminal()
    progress = Progress(stream=out)
    summary = ingest([str(d)], OxigraphStore(), progress=progress, nlp=False)
    assert summary.articles == 2
    assert progress.total == on_disk < sum(len(gzip.open(p).read()) if p.suffix == ".gz" else p.stat().st_size
                                          for p in d.iterdir())
    assert progress.bar.n == on_disk
    last = out.getvalue().split("\r")[-1]
    assert "100%" in last and "2 articles" in last and "0 rejected" in last


def test_nothing_is_drawn_off_a_terminal(tmp_path):
    out = io.StringIO()
    ingest([str(corpus(tmp_path))], OxigraphStore(), progress=Progress(stream=out), nlp=False)
    assert out.getvalue() == ""


def test_bytes_read_is_the_compressed_position(tmp_path):
    path = str(corpus(tmp_path) / "b.xml.gz")
    size = Path(path).stat().st_size
    assert bytes_read(path) is None
    with open_source(path) as stream:
        stream.read(100)
        assert 0 < bytes_read(path) <= size  # the gzip reader took compressed bytes, never more than the file
        stream.read()
        assert bytes_read(path) == size
    assert bytes_read(path) is None
