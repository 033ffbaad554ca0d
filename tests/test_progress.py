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


def test_load_bar_has_the_stores_graph_count_as_total(tmp_path):
    from kg.load import LoadSummary, Progress as LoadProgress, store_graphs

    store = OxigraphStore()
    ingest([str(corpus(tmp_path))], store, nlp=False)
    graphs = store_graphs(store)
    assert len(graphs) == sum(1 for _ in store.named_graphs()) == len(list(graphs)) == 2
    out = Terminal()
    bar = LoadProgress(stream=out)
    bar.total = len(graphs)
    bar(LoadSummary(graphs_seen=1, graphs_sent=1, triples_sent=300))
    bar(LoadSummary(graphs_seen=2, graphs_sent=2, triples_sent=650))
    bar.close()
    last = out.getvalue().split("\r")[-1]
    assert "2/2" in last and "100%" in last and "650 triples" in last
    quiet = io.StringIO()
    LoadProgress(stream=quiet)(LoadSummary(graphs_seen=1))
    assert quiet.getvalue() == ""


def test_convert_bar_moves_file_by_file_to_the_size_on_disk(tmp_path):
    """`kg convert` runs one task per file: its bar counts the stored size of each file done, two workers
    or one, and says files and articles; off a terminal it draws nothing."""
    from kg.convert import ConvertProgress, convert

    d = corpus(tmp_path)
    on_disk = sum(p.stat().st_size for p in d.iterdir())
    for jobs in (1, 2):
        out = Terminal()
        progress = ConvertProgress(stream=out)
        results = convert([str(d)], str(tmp_path / f"shards-{jobs}"), jobs=jobs, progress=progress)
        assert sum(r.articles for r in results) == 2
        assert progress.bar.n == progress.bar.total == on_disk
        last = out.getvalue().split("\r")[-1]
        assert "100%" in last and "2/2 files" in last and "2 articles" in last, last
    quiet = io.StringIO()
    convert([str(d)], str(tmp_path / "shards-quiet"), progress=ConvertProgress(stream=quiet))
    assert quiet.getvalue() == ""
