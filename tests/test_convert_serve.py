"""`kg convert` (N-Quads shards, parallel, resumable) and `kg serve` (read-only SPARQL endpoint)."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import main
from kg.stores.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent


def _files(shared):
    return [str(shared / "fatcat" / "pubmedsample_2019.xml.gz"), str(shared / "seed" / "pubmed-35246503.xml")]


def test_convert_shards_equal_ingest_and_skip_complete(shared_data, tmp_path):
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), "--jobs", "2", "--shard-size", "40", *_files(shared_data)])
    assert r.exit_code == 0, r.output
    shards = sorted(out.glob("*.nq.gz"))
    assert len(shards) >= 3
    ds = []
    for s in shards:
        with gzip.open(s) as f:
            ds.extend(ox.parse(f, format=ox.RdfFormat.N_QUADS))
    store = tmp_path / "st"
    r = CliRunner().invoke(main, ["ingest", "--store", str(store), "--no-validate", "--no-nlp", *_files(shared_data)])
    assert r.exit_code == 0, r.output
    st = OxigraphStore(str(store), read_only=True)
    times = {"http://www.w3.org/ns/prov#generatedAtTime", "http://www.w3.org/ns/prov#invalidatedAtTime"}
    # Convert and ingest share one mapping (kg.pipeline.map_record): the same quads but the run's time.
    # Articles deleted in the same file are left out of the shards by convert and dropped by ingest; the
    # tombstones themselves are equal too.
    key = lambda qs: sorted(str(q) for q in qs if q.predicate.value not in times)  # noqa: E731
    assert key(ds) == key(st.quads())
    r = CliRunner().invoke(main, ["convert", "-o", str(out), "--jobs", "2", *_files(shared_data)])
    assert "0 files converted, 2 already complete" in r.output
    # An incomplete file (no marker) is redone.
    marker = next(out.glob("*.done"))
    marker.unlink()
    r = CliRunner().invoke(main, ["convert", "-o", str(out), *_files(shared_data)])
    assert "1 files converted, 1 already complete" in r.output
    assert json.loads(marker.read_text())["shards"]


def test_serve_answers_sparql_protocol_and_refuses_updates(shared_data, tmp_path):
    from kg.serve import ServeConfig, serve

    store = tmp_path / "st"
    CliRunner().invoke(main, ["ingest", "--store", str(store), "--no-validate", *_files(shared_data)])
    httpd = serve(ServeConfig(str(store), "127.0.0.1:0", workers=1))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    q = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    try:
        with urllib.request.urlopen(base + "?" + urllib.parse.urlencode({"query": q})) as r:
            data = json.loads(r.read())
        n = int(data["results"]["bindings"][0]["n"]["value"])
        assert n > 100
        for accept, marker in (("text/csv", "n\r\n"), ("text/tab-separated-values", "?n\n"),
                               ("application/sparql-results+xml", "<sparql")):
            req = urllib.request.Request(base, data=urllib.parse.urlencode({"query": q}).encode(),
                                         headers={"Accept": accept})
            with urllib.request.urlopen(req) as r:
                assert marker in r.read().decode()
        req = urllib.request.Request(base, data=b"update=DROP%20ALL")
        try:
            urllib.request.urlopen(req)
            raise AssertionError("update accepted")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_convert_keeps_the_newest_version_and_drops_deleted_records(tmp_path):
    from pubmed_fixtures import article, delete_citation, document

    src = tmp_path / "update.xml"
    src.write_text(document(article("7", version=1, title="One."), article("8"), article("7", version=2, title="Two."),
                            article("9"), article("7", version=1, title="Stale."), delete_citation("9")))
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), "--shard-size", "1", str(src)])
    assert r.exit_code == 0, r.output
    quads = []
    for s in sorted(out.glob("*.nq.gz")):
        with gzip.open(s) as f:
            quads.extend(ox.parse(f, format=ox.RdfFormat.N_QUADS))
    titles = {q.object.value for q in quads if q.predicate.value == "http://purl.org/dc/terms/title"}
    assert "Two." in titles and not {"One.", "Stale."} & titles
    graphs = {q.graph_name.value.rsplit("/", 1)[1] for q in quads if "/graph/pubmed/" in q.graph_name.value}
    assert graphs == {"7", "8"}  # 9 is deleted in the same file: only its tombstone remains
    assert any(q.subject.value.endswith("/pubmed/9") and "deletions" in q.graph_name.value for q in quads)


def _shard_texts(out):
    texts = []
    for s in sorted(out.glob("*.nq.gz")):
        with gzip.open(s) as f:
            texts.append((s.name, f.read()))
    return texts


def test_convert_shards_hold_the_survivors_as_if_only_they_were_written(tmp_path, monkeypatch):
    """Convert writes each graph as it comes and picks the surviving copy of each PMID at the end; a file
    with duplicates or deletions of its own records is then rewritten from its shards. Whatever the shard
    size, the shards must equal those of a file holding only the survivors (same order, same cuts, the
    tombstones last), with no temporary file left."""
    from pubmed_fixtures import article, delete_citation, document

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = ('<PubmedBookArticle><BookDocument><PMID Version="1">20</PMID><Book><BookTitle>B.</BookTitle></Book>'
            "</BookDocument></PubmedBookArticle>")
    # 7: its second copy (version 2) beats the later version 1; 20: the later of two equal versions;
    # 9: deleted in the same file; 12: deleted but never present; 8 and 30 once each.
    full = document(article("7", version=1, title="One."), article("8"), article("7", version=2, title="Two."),
                    book, article("9"), article("7", version=1, title="Stale."), article("30"), book,
                    delete_citation("9", "12"))
    only = document(article("8"), article("7", version=2, title="Two."), article("30"), book,
                    delete_citation("9", "12"))
    # The same survivors, the first dropped copy late: the shards before it are kept as written.
    late = document(article("8"), article("7", version=2, title="Two."), article("30"), book,
                    article("7", version=1, title="Stale."), article("9"), delete_citation("9", "12"))
    src = tmp_path / "update.xml"  # one path for all, so that the provenance is the same
    for size in ("1", "2", "3", "5000"):
        got = {}
        for label, text in (("full", full), ("late", late), ("only", only)):
            src.write_text(text)
            out = tmp_path / f"{label}-{size}"
            r = CliRunner().invoke(main, ["convert", "-o", str(out), "--shard-size", size, str(src)])
            assert r.exit_code == 0, r.output
            assert "4 articles, 2 deleted" in r.output, r.output
            assert not list(out.glob("*.tmp")), size
            got[label] = _shard_texts(out)
            assert [n for n, _ in got[label]] == json.loads((out / "update.done").read_text())["shards"]
        assert got["full"] == got["only"] == got["late"], size
        assert len(got["full"]) == -(-4 // int(size))


def test_convert_reads_medline_text_like_ingest(shared_data, tmp_path):
    """A MEDLINE text file converts to the articles `kg ingest` reads from it (the survivor scan that
    preceded the one-pass conversion read PubMed XML only and dropped every record of other formats)."""
    src = str(shared_data / "metaknowledge" / "medline_test.medline")
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), src])
    assert r.exit_code == 0, r.output
    graphs = {q.graph_name.value for _, text in _shard_texts(out)
              for q in ox.parse(text, format=ox.RdfFormat.N_QUADS) if "/graph/pubmed/" in q.graph_name.value}
    store = tmp_path / "st"
    r2 = CliRunner().invoke(main, ["ingest", "--store", str(store), "--no-validate", "--no-nlp", src])
    assert r2.exit_code == 0, r2.output
    st = OxigraphStore(str(store), read_only=True)
    stored = {q.graph_name.value for q in st.quads() if "/graph/pubmed/" in q.graph_name.value}
    assert len(graphs) > 100 and graphs == stored
    assert f"{len(graphs)} articles" in r.output


def test_convert_with_text_mining_equals_ingest_with_it(shared_data, tmp_path):
    """`kg convert --nlp` writes what `kg ingest` (text mining on) stores, mentions and assertions included;
    shards made without text mining do not count as complete for a `--nlp` run, nor the reverse."""
    files = [str(shared_data / "seed" / "pubmed-35246503.xml"), str(shared_data / "fatcat" / "pubmedsample_2019.xml.gz")]
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), "--nlp", *files])
    assert r.exit_code == 0, r.output
    ds = []
    for s in sorted(out.glob("*.nq.gz")):
        with gzip.open(s) as f:
            ds.extend(ox.parse(f, format=ox.RdfFormat.N_QUADS))
    store = tmp_path / "st"
    r = CliRunner().invoke(main, ["ingest", "--store", str(store), "--no-validate", *files])
    assert r.exit_code == 0, r.output
    st = OxigraphStore(str(store), read_only=True)
    times = {"http://www.w3.org/ns/prov#generatedAtTime", "http://www.w3.org/ns/prov#invalidatedAtTime"}
    key = lambda qs: sorted(str(q) for q in qs if q.predicate.value not in times)  # noqa: E731
    loaded = ox.Store()  # as a store holds them: Oxigraph writes xsd:decimal "0.50" as "0.5"
    loaded.extend(ds)
    got = key(loaded)
    assert got == key(st.quads())
    assert any("http://www.w3.org/ns/oa#hasBody" in q for q in got), "no mention in the shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), "--nlp", *files])
    assert "0 files converted, 2 already complete" in r.output, r.output
    r = CliRunner().invoke(main, ["convert", "-o", str(out), *files])
    assert "2 files converted, 0 already complete" in r.output, r.output


def test_two_inputs_of_one_file_name_keep_their_own_shards(shared_data, tmp_path):
    """Shards are named after the input's file name, so `a/p.xml` and `b/p.xml` overwrote each other's
    shards while both were counted. The second of a name (in the run, or next to a marker of the first)
    takes the name with a hash of its path; re-runs keep each input's name, so they skip what is complete;
    the same file moved (same size and time) is complete."""
    import shutil

    seed = shared_data / "seed" / "pubmed-35246503.xml"
    crc = ROOT / "tests" / "data" / "crc-metastasis-pathways.xml"
    for d in ("a", "b", "moved"):
        (tmp_path / d).mkdir()
    shutil.copy(seed, tmp_path / "a" / "p.xml")
    shutil.copy(crc, tmp_path / "b" / "p.xml")
    shutil.copy2(tmp_path / "a" / "p.xml", tmp_path / "moved" / "p.xml")
    a, b, moved = (str(tmp_path / d / "p.xml") for d in ("a", "b", "moved"))

    def graphs(out):
        return {q.graph_name.value.rsplit("/", 1)[1] for _, text in _shard_texts(out)
                for q in ox.parse(text, format=ox.RdfFormat.N_QUADS) if "/graph/pubmed/" in q.graph_name.value}

    one = tmp_path / "one"
    r = CliRunner().invoke(main, ["convert", "-o", str(one), "--jobs", "2", a, b])
    assert r.exit_code == 0 and "2 files converted" in r.output, r.output
    expected: set[str] = set()
    for src in (a, b):
        solo = tmp_path / ("solo-" + src.split("/")[-2])
        assert CliRunner().invoke(main, ["convert", "-o", str(solo), src]).exit_code == 0
        expected |= graphs(solo)
    assert graphs(one) == expected and len(expected) == 6
    names = {p.name for p in one.glob("*.done")}
    assert "p.done" in names and len(names) == 2, names
    assert json.loads((one / "p.done").read_text())["input"] == a  # the first given keeps the plain name
    # Across runs: b alone, into a folder whose "p" is a's, gets the hashed name; then both are complete.
    two = tmp_path / "two"
    assert CliRunner().invoke(main, ["convert", "-o", str(two), a]).exit_code == 0
    r = CliRunner().invoke(main, ["convert", "-o", str(two), b])
    assert r.exit_code == 0 and "1 files converted" in r.output, r.output
    assert graphs(two) == expected
    r = CliRunner().invoke(main, ["convert", "-o", str(two), b, a])
    assert r.exit_code == 0 and "0 files converted, 2 already complete" in r.output, r.output
    r = CliRunner().invoke(main, ["convert", "-o", str(two), moved])
    assert r.exit_code == 0 and "0 files converted, 1 already complete" in r.output, r.output


def test_convert_takes_the_format_as_ingest_does(shared_data, tmp_path):
    src = str(shared_data / "metaknowledge" / "medline_test.medline")
    r = CliRunner().invoke(main, ["convert", "-o", str(tmp_path / "m"), "--format", "medline", src])
    assert r.exit_code == 0 and "175 articles" in r.output, r.output
    r = CliRunner().invoke(main, ["convert", "-o", str(tmp_path / "x"), "--format", "pubmed", src])
    assert r.exit_code == 1 and "0 articles" in r.output and "rejected" in r.output, r.output


def test_convert_refuses_standard_input_before_writing(tmp_path):
    """Standard input has no file name for its shards nor a size and time for skip-if-complete: refused
    before anything is written (it wrote a shard named `-` and then failed on its marker)."""
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-", "-o", str(out)], input="<PubmedArticleSet/>")
    assert r.exit_code == 2 and "standard input" in r.output and not out.exists(), r.output


def test_convert_user_mistakes_fail_before_anything_is_written(tmp_path):
    src = str(ROOT / "tests" / "data" / "crc-metastasis-pathways.xml")
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", str(tmp_path / "nope.xml"), src, "-o", str(out)])
    assert r.exit_code == 2 and "no such file or folder" in r.output and "nope.xml" in r.output, r.output
    assert not out.exists()
    afile = tmp_path / "afile"
    afile.write_text("")
    r = CliRunner().invoke(main, ["convert", src, "-o", str(afile)])
    assert r.exit_code == 2 and "is a file" in r.output, r.output
    r = CliRunner().invoke(main, ["convert", src, "-o", str(out), "--shard-size", "0"])
    assert r.exit_code == 2 and "--shard-size" in r.output and not out.exists(), r.output


def test_a_broken_later_copy_does_not_hide_the_good_earlier_one(tmp_path):
    """The rejected copy is reported; the readable one is written (the byte scan that preceded the
    one-read conversion counted the broken copy as the survivor and wrote neither)."""
    from pubmed_fixtures import article, document

    broken = article("7", version=2, title="Broken.").replace("<Title>", "<Title><b>", 1)
    assert broken != article("7", version=2, title="Broken.")
    src = tmp_path / "update.xml"
    src.write_text(document(article("7", version=1, title="Good."), article("8"), broken))
    out = tmp_path / "shards"
    r = CliRunner().invoke(main, ["convert", "-o", str(out), str(src)])
    assert r.exit_code == 1 and "2 articles" in r.output and "1 rejected" in r.output, r.output
    titles = {q.object.value for _, text in _shard_texts(out) for q in ox.parse(text, format=ox.RdfFormat.N_QUADS)
              if q.predicate.value == "http://purl.org/dc/terms/title"}
    assert "Good." in titles and "Broken." not in titles
