"""A corpus of bad inputs across every reader and delivery (issue 16), built from templates.

Each case is a bad record between good neighbours, delivered as a plain file, a gzip file, standard input
or inside a folder, and ingested through the real command line. Each asserts: the exit code; the message
names the file, the line or PMID, and the problem; the good neighbours are stored whole; the bad record
left nothing behind; and the process's peak memory stayed under a bound (the heaviest inputs, a gzip
bomb and a flood of whitespace, are measured in their own process at the end).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import iris
from kg.cli import main
from kg.stores.oxigraph import OxigraphStore
from pubmed_fixtures import article, delete_citation, document

GOOD = ("31000001", "31000003")  # the neighbours of every record-level case
BAD = "31000002"
MEMORY_GROWTH_MB = 400  # what one case may add to the test process's peak RSS; the bombs used to take GBs


def _reset_peak_rss() -> int:
    """Reset this process's peak RSS (Linux: /proc/self/clear_refs) and return the current RSS in KB, so
    that the peak of one case is measured, not the session's."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _proc_status_kb("VmRSS")


def _proc_status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        return int(re.search(rf"{key}:\s+(\d+)", f.read()).group(1))


# ---- templates: one good record per format ------------------------------------------------------
def medline(pmid: str, *, title: str = "A test article about colorectal cancer.", dp: str = "2021 Feb 3",
            pmid_line: str | None = None) -> str:
    head = f"PMID- {pmid}\n" if pmid_line is None else pmid_line
    return (f"{head}OWN - NLM\nSTAT- MEDLINE\nDP  - {dp}\nTI  - {title}\nAB  - HGF promotes metastasis.\n"
            "FAU - Doe, Jane\nAU  - Doe J\nLA  - eng\nPT  - Journal Article\nMH  - Humans\n\n")


def bioc_json(pmid: str, *, offset: object = 0, length: object = 3, doc_id: str | None = None) -> str:
    doc = {"id": doc_id if doc_id is not None else pmid, "infons": {}, "passages": [{
        "offset": 0, "infons": {"type": "title"}, "text": "HGF promotes colorectal cancer.",
        "annotations": [{"id": "1", "infons": {"type": "Gene", "identifier": "3082"}, "text": "HGF",
                         "locations": [{"offset": offset, "length": length}]}]}]}
    return json.dumps(doc) + "\n"


def bioc_xml_doc(pmid: str, *, location: str = 'offset="0" length="3"', doc_id: str | None = None,
                 end: str = "</document>") -> str:
    return (f"<document><id>{doc_id if doc_id is not None else pmid}</id><passage><infon key=\"type\">title</infon>"
            "<offset>0</offset><text>HGF promotes colorectal cancer.</text>"
            f"<annotation id=\"1\"><infon key=\"type\">Gene</infon><infon key=\"identifier\">3082</infon>"
            f"<location {location}/><text>HGF</text></annotation></passage>{end}\n")


def bioc_xml(*docs: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<collection><source>kg tests</source><date>2024</date>'
            "<key>none</key>\n" + "".join(docs) + "</collection>\n")


def pubtator(pmid: str, *, ann: str | None = None) -> str:
    a = ann if ann is not None else f"{pmid}\t0\t3\tHGF\tGene\t3082"
    return f"{pmid}|t|HGF promotes colorectal cancer.\n{pmid}|a|Some abstract text.\n{a}\n\n"


def jats_article(pmid: str, *, title: str = "HGF in colorectal cancer", end: str = "</article>") -> str:
    return (f'<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article"><front><article-meta>'
            f'<article-id pub-id-type="pmid">{pmid}</article-id><article-id pub-id-type="pmc">PMC{pmid}</article-id>'
            f"<title-group><article-title>{title}</article-title></title-group><abstract><p>HGF promotes metastasis."
            "</p></abstract></article-meta></front><body><sec><title>Introduction</title><p>Some text.</p></sec>"
            f"</body>{end}\n")


def jats_set(*articles: str) -> str:
    return '<?xml version="1.0"?>\n<pmc-articleset>\n' + "".join(articles) + "</pmc-articleset>\n"


# ---- cases ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    fmt: str  # the format the reader sees (for the file suffix)
    data: bytes  # good neighbours around one bad record
    problem: str  # what the message must say
    delivery: str = "plain"  # plain, gz, stdin, folder
    stored: tuple[str, ...] = GOOD
    absent: tuple[str, ...] = (BAD,)
    line: bool = True  # the message names a line
    exit_code: int = 1
    extra_args: tuple[str, ...] = field(default_factory=tuple)


SUFFIX = {"pubmed": ".xml", "medline": ".medline", "bioc-json": ".bioc.json", "bioc-xml": ".bioc.xml",
          "pubtator": ".pubtator", "jats": ".nxml"}


def _pubmed(bad: str) -> bytes:
    return document(article(GOOD[0]), bad, article(GOOD[1])).encode()


def _pm(**kw) -> str:
    return article(BAD, **kw)


_MESH_BAD_DESCRIPTOR = ('<MeshHeadingList><MeshHeading><DescriptorName UI="D12" MajorTopicYN="N">Bad</DescriptorName>'
                        "</MeshHeading></MeshHeadingList>")
_MESH_BAD_QUALIFIER = ('<MeshHeadingList><MeshHeading><DescriptorName UI="D015179" MajorTopicYN="N">Colorectal '
                       'Neoplasms</DescriptorName><QualifierName UI="Q47" MajorTopicYN="N">bad</QualifierName>'
                       "</MeshHeading></MeshHeadingList>")
_DEEP = "<i>" * 300 + "deep" + "</i>" * 300

PUBMED_BAD: dict[str, tuple[bytes, str]] = {
    "unclosed-inline-tag": (_pubmed(_pm(title="<b>broken")), "malformed XML"),
    "no-end-tag": (_pubmed(_pm().replace("</PubmedArticle>", "")), "has no </PubmedArticle> end tag"),
    "no-pmid": (_pubmed(_pm().replace(f'<PMID Version="1">{BAD}</PMID>', "")), "no PMID"),
    "pmid-not-digits": (_pubmed(_pm().replace(f">{BAD}</PMID>", f">{BAD}x</PMID>")), "is not a positive integer"),
    "pmid-26-digits": (_pubmed(_pm().replace(f">{BAD}</PMID>", f">{BAD}{'1' * 18}</PMID>")), "PMIDs have at most"),
    "version-x1": (_pubmed(_pm().replace('Version="1"', 'Version="x1"')), "Version 'x1' is not a number"),
    "year-0000": (_pubmed(_pm(date="<Year>0000</Year>")), "impossible year"),
    "feb-30": (_pubmed(_pm(date="<Year>2021</Year><Month>Feb</Month><Day>30</Day>")), "impossible date 2021-02-30"),
    "month-unknown": (_pubmed(_pm(date="<Year>2021</Year><Month>Foo</Month>")), "impossible month"),
    "descriptor-ui": (_pubmed(_pm(mesh=_MESH_BAD_DESCRIPTOR)), "malformed MeSH descriptor UI 'D12'"),
    "qualifier-ui": (_pubmed(_pm(mesh=_MESH_BAD_QUALIFIER)), "malformed MeSH qualifier UI 'Q47'"),
    "pubtype-ui": (_pubmed(_pm(pubtypes='<PublicationType UI="X016428">Journal Article</PublicationType>')),
                   "malformed publication type UI"),
    "chemical-ui": (_pubmed(_pm(extra_medline='<ChemicalList><Chemical><RegistryNumber>0</RegistryNumber>'
                                '<NameOfSubstance UI="D01930">HGF</NameOfSubstance></Chemical></ChemicalList>')),
                    "malformed chemical UI"),
    "suppl-ui": (_pubmed(_pm(extra_medline='<SupplMeshList><SupplMeshName Type="Disease" UI="C5">x</SupplMeshName>'
                             "</SupplMeshList>")), "malformed supplementary concept UI"),
    "undefined-entity": (_pubmed(_pm(title="Leak &xxe; here")), "entity reference &xxe;"),
    "invalid-utf8": (_pubmed(_pm(title="bad @ byte")).replace(b"bad @ byte", b"bad \xff byte"), "malformed XML"),
    "nul-character": (_pubmed(_pm(title="nul @ here")).replace(b"nul @ here", b"nul \x00 here"), "malformed XML"),
    "nested-300-deep": (_pubmed(_pm(title=_DEEP)), "malformed XML"),
    "text-node-11MB": (_pubmed(_pm(title="x" * (11 << 20))), "malformed XML"),
    "garbage-between-records": (document(article(GOOD[0]), "garbage here", article(GOOD[1])).encode(),
                                "unexpected content between records: 'garbage here'"),
    "delete-malformed-pmid": (_pubmed(delete_citation("12x")), "DeleteCitation holds a malformed PMID"),
}
PUBMED_GZ = ("unclosed-inline-tag", "no-end-tag", "no-pmid", "version-x1", "descriptor-ui", "undefined-entity",
             "nul-character", "garbage-between-records")
PUBMED_STDIN = ("unclosed-inline-tag", "no-end-tag", "pmid-26-digits", "year-0000", "invalid-utf8",
                "nested-300-deep")

MEDLINE_BAD: dict[str, tuple[bytes, str]] = {
    "invalid-utf8": (medline(BAD, title="bad @ byte").encode().replace(b"@", b"\xff"), "record is not UTF-8"),
    "nul-in-title": (medline(BAD, title="nul @ here").encode().replace(b"@", b"\x00"), "record holds a NUL character"),
    "pmid-not-digits": (medline(BAD, pmid_line=f"PMID- {BAD}x\n").encode(), "is not a positive integer"),
    "pmid-26-digits": (medline(BAD, pmid_line=f"PMID- {BAD}{'7' * 18}\n").encode(), "PMIDs have at most"),
    "impossible-date": (medline(BAD, dp="abcd").encode(), "impossible publication date"),
    "no-pmid": (medline(BAD, pmid_line="").encode(), "record has no PMID"),
}


def _medline(bad: bytes) -> bytes:
    return medline(GOOD[0]).encode() + bad + medline(GOOD[1]).encode()


BIOC_JSON_BAD: dict[str, tuple[str, str]] = {
    "fractional-offset": (bioc_json(BAD, offset=1.5), "offset 1.5 is fractional"),
    "offset-beyond-passage": (bioc_json(BAD, offset=400), "lies outside the passages"),
    "negative-length": (bioc_json(BAD, length=-3), "length -3 is negative"),
    "text-offset": (bioc_json(BAD, offset="3.5"), "offset '3.5' is not a whole number"),
    "id-not-pmid": (bioc_json(BAD, doc_id="doc-7"), "is not a PMID"),
    "broken-json": (bioc_json(BAD)[:-20] + "\n", "BioC JSON is not valid JSON"),
    "nested-100000-deep": ('{"id": "' + BAD + '", "passages": [], "infons": ' + "[" * 100000 + "]" * 100000 + "}\n",
                           "nested too deeply"),
}

BIOC_XML_BAD: dict[str, tuple[str, str]] = {
    "malformed": (bioc_xml_doc(BAD).replace("<text>HGF</text>", "<text>HGF</txt>"), "not well-formed"),
    "offset-beyond-passage": (bioc_xml_doc(BAD, location='offset="90" length="3"'), "lies outside the passages"),
    "fractional-offset": (bioc_xml_doc(BAD, location='offset="0.5" length="3"'), "offset '0.5' is not a whole number"),
    "no-end-tag": (bioc_xml_doc(BAD, end=""), "has no </document> end tag"),
    "id-not-pmid": (bioc_xml_doc(BAD, doc_id="doc-7"), "is not a PMID"),
}

JATS_BAD: dict[str, tuple[str, str]] = {
    "malformed": (jats_article(BAD, title="HGF <i>in colorectal cancer"), "malformed JATS XML in this article"),
    "no-end-tag": (jats_article(BAD, end=""), "has no </article> end tag"),
    "pmid-malformed": (jats_article(BAD).replace(f">{BAD}</article-id>", f">0{BAD}</article-id>"),
                       "malformed PMID"),
}

PUBTATOR_BAD: dict[str, tuple[bytes, str]] = {
    "three-columns": (pubtator(BAD, ann=f"{BAD}\t0\t3").encode(), "tab-separated columns"),
    "end-before-start": (pubtator(BAD, ann=f"{BAD}\t9\t3\tHGF\tGene\t3082").encode(), "ends (3) before it starts (9)"),
    "invalid-utf8": (pubtator(BAD).encode().replace(b"Some abstract", b"Some \xff abstract"), "is not UTF-8"),
}


def _cases() -> list[Case]:
    out: list[Case] = []
    for name, (data, problem) in PUBMED_BAD.items():
        absent = () if name == "delete-malformed-pmid" else (BAD,)
        line = name not in ("delete-malformed-pmid",)
        out.append(Case(f"pubmed-{name}", "pubmed", data, problem, absent=absent, line=line))
        if name in PUBMED_GZ:
            out.append(Case(f"pubmed-{name}-gz", "pubmed", data, problem, "gz", absent=absent, line=line))
        if name in PUBMED_STDIN:
            out.append(Case(f"pubmed-{name}-stdin", "pubmed", data, problem, "stdin", absent=absent, line=line))
    for name, (bad, problem) in MEDLINE_BAD.items():
        data = _medline(bad)
        out.append(Case(f"medline-{name}", "medline", data, problem))
        if name in ("invalid-utf8", "nul-in-title"):
            out.append(Case(f"medline-{name}-gz", "medline", data, problem, "gz"))
            out.append(Case(f"medline-{name}-stdin", "medline", data, problem, "stdin"))
    for name, (bad, problem) in BIOC_JSON_BAD.items():
        data = (bioc_json(GOOD[0]) + bad + bioc_json(GOOD[1])).encode()
        out.append(Case(f"bioc-json-{name}", "bioc-json", data, problem))
        if name in ("nested-100000-deep", "offset-beyond-passage"):
            out.append(Case(f"bioc-json-{name}-stdin", "bioc-json", data, problem, "stdin"))
            out.append(Case(f"bioc-json-{name}-gz", "bioc-json", data, problem, "gz"))
    for name, (bad, problem) in BIOC_XML_BAD.items():
        data = bioc_xml(bioc_xml_doc(GOOD[0]), bad, bioc_xml_doc(GOOD[1])).encode()
        out.append(Case(f"bioc-xml-{name}", "bioc-xml", data, problem))
        if name in ("malformed", "no-end-tag"):
            out.append(Case(f"bioc-xml-{name}-gz", "bioc-xml", data, problem, "gz"))
    for name, (bad, problem) in JATS_BAD.items():
        data = jats_set(jats_article(GOOD[0]), bad, jats_article(GOOD[1])).encode()
        out.append(Case(f"jats-{name}", "jats", data, problem))
        if name in ("malformed", "no-end-tag"):
            out.append(Case(f"jats-{name}-stdin", "jats", data, problem, "stdin"))
    for name, (bad, problem) in PUBTATOR_BAD.items():
        data = pubtator(GOOD[0]).encode() + bad + pubtator(GOOD[1]).encode()
        out.append(Case(f"pubtator-{name}", "pubtator", data, problem, absent=()))
    # inside folders: the bad file among good files and a README kg skips
    out.append(Case("folder-pubmed-bad-record", "pubmed", PUBMED_BAD["no-end-tag"][0],
                    PUBMED_BAD["no-end-tag"][1], "folder"))
    out.append(Case("folder-medline-invalid-utf8", "medline", _medline(MEDLINE_BAD["invalid-utf8"][0]),
                    MEDLINE_BAD["invalid-utf8"][1], "folder"))
    return out


CASES = _cases()


def test_the_corpus_has_the_cases_it_claims():
    assert len(CASES) == 73
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.delivery for c in CASES} == {"plain", "gz", "stdin", "folder"}
    assert {c.fmt for c in CASES} == set(SUFFIX)


def _deliver(case: Case, tmp_path: Path) -> tuple[list[str], bytes | None, str]:
    """(arguments, stdin bytes, the name the message must use for the file)."""
    if case.delivery == "stdin":
        return ["--format", case.fmt, "-"], case.data, "-"
    if case.delivery == "gz":
        p = tmp_path / f"in{SUFFIX[case.fmt]}.gz"
        p.write_bytes(gzip.compress(case.data))
        return [str(p)], None, str(p)
    if case.delivery == "folder":
        d = tmp_path / "folder"
        (d / "sub").mkdir(parents=True)
        (d / "README.txt").write_text("not data\n")
        p = d / "sub" / f"bad{SUFFIX[case.fmt]}"
        p.write_bytes(case.data)
        (d / f"a-good{SUFFIX['pubmed']}").write_text(document(article("31000009")))
        return [str(d)], None, str(p)
    p = tmp_path / f"in{SUFFIX[case.fmt]}"
    p.write_bytes(case.data)
    return [str(p)], None, str(p)


def _graphs_of(store: OxigraphStore, pmid: str) -> list[str]:
    return [g for g in store.named_graphs() if g.rsplit("/", 1)[-1] == pmid]


def _mentions(store: OxigraphStore, pmid: str) -> int:
    q = f"ASK {{ {{ GRAPH ?g {{ <{iris.article(pmid)}> ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p <{iris.article(pmid)}> }} }} }}"
    return int(bool(store.query(q)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path):
    args, stdin, shown = _deliver(case, tmp_path)
    st = str(tmp_path / "store")
    rss_before = _reset_peak_rss()
    r = CliRunner().invoke(main, ["ingest", "--store", st, "--no-nlp", *case.extra_args, *args], input=stdin)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    assert r.exit_code == case.exit_code, r.output
    rejected = [line for line in r.stderr.splitlines() if line.startswith("kg: rejected: ")]
    assert any(case.problem in line for line in rejected), r.stderr
    line = next(x for x in rejected if case.problem in x)
    where = re.escape(shown) + (r":\d+" if case.line else "")
    assert re.match(rf"kg: rejected: {where}\b", line), line
    store = OxigraphStore(st, read_only=True)
    for pmid in case.stored:
        assert _graphs_of(store, pmid), f"good neighbour {pmid} not stored: {r.stderr}"
    for pmid in case.absent:
        assert not _graphs_of(store, pmid) and not _mentions(store, pmid), f"{pmid} was (half-)stored"
    if case.delivery == "folder":
        assert _graphs_of(store, "31000009")
    assert _proc_status_kb("VmHWM") - rss_before < MEMORY_GROWTH_MB * 1024


# ---- usage errors: exit 2, nothing created -------------------------------------------------------
@pytest.mark.parametrize("setup,problem", [
    ("missing-file", "no such file or folder"),
    ("empty-folder", "holds no files"),
    ("folder-of-unknown-files", "no file kg can read"),
    ("store-is-a-file", "is a file, not a store folder"),
    ("store-is-another-folder", "is a folder but not a kg store"),
    ("unwritable-rejects", "No such file or directory"),
])
def test_usage_errors(tmp_path, setup, problem):
    good = tmp_path / "good.xml"
    good.write_text(document(article(GOOD[0])))
    st = tmp_path / "store"
    args = [str(good)]
    if setup == "missing-file":
        args = [str(tmp_path / "nope.xml")]
    elif setup == "empty-folder":
        (tmp_path / "empty").mkdir()
        args = [str(tmp_path / "empty")]
    elif setup == "folder-of-unknown-files":
        (tmp_path / "docs").mkdir()
        (tmp_path / "docs" / "notes.txt").write_text("hello\n")
        args = [str(tmp_path / "docs")]
    elif setup == "store-is-a-file":
        st.write_text("x")
    elif setup == "store-is-another-folder":
        st.mkdir()
        (st / "thesis.tex").write_text("x")
    elif setup == "unwritable-rejects":
        args = ["--rejects", str(tmp_path / "no" / "such" / "dir" / "r.jsonl"), str(good)]
    before = sorted(p.name for p in st.iterdir()) if st.is_dir() else None
    r = CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-nlp", *args])
    assert r.exit_code == 2, r.output
    assert problem in r.stderr and "Traceback" not in r.output
    if setup in ("missing-file", "empty-folder"):
        assert not st.exists()  # refused before the store was created
    if before is not None:
        assert sorted(p.name for p in st.iterdir()) == before


@pytest.mark.parametrize("command", [["mesh", "load"], ["ontology", "load"], ["link"]])
def test_vocabulary_loaders_name_a_missing_file_before_creating_a_store(tmp_path, command):
    """A vocabulary file that is not there is a missing input (exit 2, as for ingest), not a malformed one
    (exit 1); the store is not created for it, and a folder given as a file is named too."""
    st = tmp_path / "store"
    missing = tmp_path / "nope.tsv"
    r = CliRunner().invoke(main, [*command, "--store", str(st), str(missing)])
    assert r.exit_code == 2 and f"no such file: {missing}" in r.stderr and "Traceback" not in r.output, r.output
    assert not st.exists()
    r = CliRunner().invoke(main, [*command, "--store", str(st), str(tmp_path)])
    assert r.exit_code == 2 and "is a folder" in r.stderr, r.output
    assert not st.exists()


def test_read_commands_never_create_a_store(tmp_path):
    for cmd in (["stats"], ["query", "articles-by-mesh", "-p", "mesh=D015179"], ["sparql", "ASK {}"], ["export"]):
        r = CliRunner().invoke(main, [*cmd, "--store", str(tmp_path / "no" / "such")])
        assert r.exit_code == 2 and "no store at" in r.stderr, (cmd, r.output)
    assert not (tmp_path / "no").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    r = CliRunner().invoke(main, ["stats", "--store", str(other)])
    assert r.exit_code == 2 and "not a kg store" in r.stderr
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


# ---- whole-file faults and the acceptance files --------------------------------------------------
def test_damaged_gzip_is_named_with_the_records_read_before(tmp_path):
    rng = random.Random(16)  # titles that do not compress away, so the damage sits after whole records
    titles = ["".join(rng.choice("abcdefghij ") for _ in range(3000)) for _ in range(40)]
    data = gzip.compress(document(*[article(str(31000100 + i), title=t) for i, t in enumerate(titles)]).encode())
    damaged = bytearray(data)
    mid = len(damaged) * 2 // 3
    damaged[mid:mid + 64] = bytes(64)  # zeros in the deflate stream
    p = tmp_path / "damaged.xml.gz"
    p.write_bytes(bytes(damaged))
    r = CliRunner().invoke(main, ["ingest", "--store", str(tmp_path / "s"), "--no-nlp", str(p)])
    assert r.exit_code == 1, r.output
    m = re.search(r"the gzip stream is damaged \(.*\): (\d+) records were read whole before the damage", r.stderr)
    assert m, r.stderr
    store = OxigraphStore(str(tmp_path / "s"), read_only=True)
    stored = store.article_graph_count()
    assert 0 < stored == int(m.group(1)) < 40


def _big_file(n: int, broken: int) -> bytes:
    """n articles, the one at `broken` missing its end tag, then a DeleteCitation of two older PMIDs."""
    recs = [article(str(32000000 + i)) for i in range(n)]
    recs[broken] = recs[broken].replace("</PubmedArticle>", "")
    return gzip.compress(document(*recs, delete_citation("31999998", "31999999")).encode())


@pytest.mark.parametrize("delivery", ["file", "stdin"])
def test_gzipped_3000_articles_with_one_broken_record(tmp_path, delivery):
    """The acceptance file of issue 16: 2,999 articles stored, the broken one rejected alone, and the
    DeleteCitation at the end of the file applied."""
    st = str(tmp_path / "s")
    older = tmp_path / "older.xml"
    older.write_text(document(article("31999998"), article("31999999")))
    assert CliRunner().invoke(main, ["ingest", "--store", st, "--no-nlp", "--no-validate", str(older)]).exit_code == 0
    data = _big_file(3000, 1500)
    if delivery == "file":
        p = tmp_path / "baseline.xml.gz"
        p.write_bytes(data)
        args, stdin = [str(p)], None
    else:
        args, stdin = ["-"], data
    r = CliRunner().invoke(main, ["ingest", "--store", st, "--no-nlp", "--no-validate", "--batch-size", "1000", *args],
                           input=stdin)
    assert r.exit_code == 1, r.output
    assert "2999 articles" in r.stderr and "2 deleted" in r.stderr and "1 rejected" in r.stderr
    assert f"PMID {32000000 + 1500}: record <PubmedArticle> has no </PubmedArticle> end tag" in r.stderr
    store = OxigraphStore(st, read_only=True)
    assert store.article_graph_count() == 2999
    assert store.deleted_count() == 2
    assert not _graphs_of(store, str(32000000 + 1500)) and _graphs_of(store, str(32000000 + 1501))


def test_a_query_answers_while_another_process_writes_the_store(tmp_path):
    st = tmp_path / "s"
    p = tmp_path / "a.xml"
    p.write_text(document(article(GOOD[0])))
    assert CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-nlp", str(p)]).exit_code == 0
    holder = subprocess.Popen(  # holds the store open for writing, as a running ingest does
        [sys.executable, "-c", "import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); print('open', flush=True); "
         "sys.stdin.read()", str(st)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        r = CliRunner().invoke(main, ["ingest", "--store", str(st), "--no-nlp", str(p)])
        assert r.exit_code == 2 and "another kg process may be writing it" in r.stderr, r.output
        r = CliRunner().invoke(main, ["stats", "--store", str(st), "--format", "json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["articles"] == 1
        r = CliRunner().invoke(main, ["query", "articles-by-author", "--store", str(st), "-p", "family=Doe",
                                      "--format", "csv"])
        assert r.exit_code == 0 and GOOD[0] in r.stdout, r.output
    finally:
        holder.communicate("")


# ---- memory: the heaviest inputs in their own process ---------------------------------------------
def _peak_mb_of_ingest(args: list[str], cwd: Path) -> tuple[int, str]:
    """(peak RSS in MB, stderr) of one `kg` process, read from its own `VmHWM` as it exits.

    Not `ru_maxrss` from `os.wait4`: Linux carries the high-water mark of the memory a child had before
    `exec` (a copy of this test process, hundreds of MB late in a session) into the child's figure, so it
    measured whatever ran earlier. `VmHWM` belongs to the address space `exec` created."""
    err_path = cwd / "stderr.txt"
    hwm_path = cwd / "vmhwm.txt"
    run = ("import atexit, sys\n"
           "def _hwm():\n"
           "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
           f"    open({str(hwm_path)!r}, 'w').write(line.split()[1])\n"
           "atexit.register(_hwm)\n"
           "from kg.cli import main\n"
           "sys.argv = ['kg', *sys.argv[1:]]\n"
           "main()\n")
    with open(err_path, "wb") as err:
        subprocess.run([sys.executable, "-c", run, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    return int(hwm_path.read_text()) // 1024, err_path.read_text()


def test_a_gzip_bomb_and_a_whitespace_flood_stay_in_bounded_memory(tmp_path):
    """An 80 MB text node in one record (about 80 KB gzipped) and 100 MB of whitespace between two
    records: the first is rejected unread, the second skipped; both neighbours are stored; the process
    stays far below the 2.6 GB the bomb used to take."""
    bomb = tmp_path / "bomb.xml.gz"
    head = document(article(GOOD[0]), "@@", article(GOOD[1])).encode()
    before, after = head.split(b"@@")
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        f.write(before)
        f.write(article(BAD).encode().split(b"A test article")[0])
        for _ in range(200):
            f.write(b"x" * (1 << 20))
        f.write(article(BAD).encode().split(b"A test article")[1])
        f.write(after)
    flood = tmp_path / "flood.xml.gz"
    with gzip.open(flood, "wb", compresslevel=9) as f:
        f.write(document(article("31000011")).encode().replace(b"</PubmedArticleSet>\n", b""))
        for _ in range(100):
            f.write(b" " * (1 << 20))
        f.write((article("31000013") + "</PubmedArticleSet>\n").encode())
    st = tmp_path / "s"
    peak, err = _peak_mb_of_ingest(["ingest", "--store", str(st), "--no-nlp", "--no-validate", str(bomb), str(flood)],
                                   tmp_path)
    assert "record <PubmedArticle> is larger than 32 MB: rejected without being read" in err, err
    assert "1 rejected" in err and "4 articles" in err, err
    assert peak < 400, f"peak RSS {peak} MB"  # the 200 MB bomb alone took 2.6 GB before issue 16


def test_a_read_during_an_ingest_then_ctrl_c_exits_130_and_leaves_a_whole_store(tmp_path):
    p = tmp_path / "baseline.xml.gz"
    p.write_bytes(_big_file(3000, 1500))
    st = tmp_path / "s"
    kg = str(Path(sys.executable).with_name("kg"))
    proc = subprocess.Popen([kg, "ingest", "--store", str(st), "--no-nlp", str(p)], stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not (st / "CURRENT").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    r = CliRunner().invoke(main, ["stats", "--store", str(st), "--format", "json"])  # a read during the ingest
    assert r.exit_code == 0 and json.loads(r.stdout)["articles"] >= 0, r.output
    assert proc.poll() is None or pytest.skip("the ingest finished before the read")
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1].decode()
    if proc.returncode == 1 and "2999 articles" in err:
        pytest.skip("the ingest finished before Ctrl-C arrived")
    assert proc.returncode == 130, err
    assert "kg: interrupted" in err and "Traceback" not in err, err
    store = OxigraphStore(str(st))  # opened for writing: drops whatever batch the interrupt cut
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), '%s')) } GROUP BY ?g"
    sizes = {int(r["n"].value) for r in store.query(q % iris.article_graph("").rsplit("/", 1)[0])}
    assert len(sizes) <= 1  # every stored article is whole: the same article template, the same size


# ---- messages: credentials never shown, hopeless endpoints refused at once ------------------------
@pytest.mark.parametrize("url,problem", [
    ("http://alice:s3cret@127.0.0.1:9/sparql", "do not put a user or password in the URL"),
    ("127.0.0.1:9/sparql", "is not an http:// or https:// URL"),
    ("http://no-such-host.invalid/sparql", "unknown host no-such-host.invalid"),
    ("http://127.0.0.1:port/sparql", "is not a valid URL"),
])
def test_hopeless_endpoints_fail_at_once_without_credentials(url, problem):
    start = time.monotonic()
    r = CliRunner().invoke(main, ["sparql", "ASK {}", "--endpoint", url])
    assert r.exit_code == 2 and problem in r.stderr, r.output
    assert "s3cret" not in r.output and "Traceback" not in r.output
    assert time.monotonic() - start < 10  # no retries with back-off (they took 32 s)


def test_credentials_are_stripped_from_messages_and_logs():
    import logging

    from kg.cli import _Redact
    from kg.errors import redact
    rec = logging.LogRecord("kg", logging.WARNING, __file__, 1, "%s: HTTP 503; retrying", ("http://a:pw@h/s",), None)
    assert _Redact().filter(rec) and rec.getMessage() == "http://***@h/s: HTTP 503; retrying"
    assert redact("GET http://alice:s3cret@host:8890/sparql failed; see https://bob@x.org/") == \
        "GET http://***@host:8890/sparql failed; see https://***@x.org/"
    assert redact("http://host/sparql?user=1") == "http://host/sparql?user=1"


@pytest.mark.parametrize("nlp", ["--no-nlp", "--nlp"], ids=["compiled-reader", "python-reader"])
def test_a_validation_rejection_names_file_and_line(tmp_path, nlp):
    """The rejects file used to say "file": null for validation failures (issue 16)."""
    bad = article(BAD).replace("<ArticleTitle>A test article about colorectal cancer.</ArticleTitle>", "")
    data = _pubmed(bad)
    p = tmp_path / "in.xml"
    p.write_bytes(data)
    start = data.rfind(b"<PubmedArticle>", 0, data.index(f'<PMID Version="1">{BAD}'.encode()))
    line = data.count(b"\n", 0, start) + 1  # the line of the bad record's <PubmedArticle>
    rejects = tmp_path / "rejects.jsonl"
    r = CliRunner().invoke(main, ["ingest", "--store", str(tmp_path / "s"), nlp, "--rejects", str(rejects), str(p)])
    assert r.exit_code == 1, r.output
    got = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert len(got) == 1 and got[0]["file"] == str(p) and got[0]["line"] == line and got[0]["pmid"] == BAD
    assert "failed validation: An article must have exactly one title" in got[0]["problem"]
    assert f"kg: rejected: {p}:{line}, PMID {BAD}: failed validation" in r.stderr


# ---- the splitter itself, with tiny blocks and limits so every edge is crossed ---------------------
@pytest.mark.parametrize("block", [1, 7, 16, 4096])
def test_split_records_edges(block):
    import io

    from kg.ingest.split import split_records

    def run(data: bytes, **kw) -> list[tuple]:
        return [(p.tag, p.line, p.problem, p.data) for p in split_records(
            io.BytesIO(data), ("R",), gap_problem=lambda d: "gap " + d.strip().decode(), block=block, **kw)]

    assert run(b"<S>\n<R>a</R>\n<R>b\n<R x='1'>c</R>junk\n</S>") == [
        (None, 1, "gap <S>", b""), ("R", 2, None, b"<R>a</R>"),
        ("R", 3, "record <R> has no </R> end tag before the next record starts", b"<R>b\n"),
        ("R", 4, None, b"<R x='1'>c</R>"), (None, 4, "gap junk\n</S>", b"")]
    big = "record <R> is larger than 0 MB: rejected without being read"
    assert run(b"<R>" + b"x" * 100 + b"</R>\n<R>b</R>", max_record=50) == [("R", 1, big, b""), ("R", 2, None, b"<R>b</R>")]
    assert run(b"<R>a</R>" + b"\n" * 100 + b"<R>b</R>", max_record=50) == [  # a flood after a whole record
        ("R", 1, None, b"<R>a</R>"), ("R", 101, None, b"<R>b</R>")]
    assert run(b"<R>a</R><R>b", max_record=50) == [
        ("R", 1, None, b"<R>a</R>"), ("R", 1, "record <R> has no </R> end tag (the input ends inside it)", b"<R>b")]


def test_a_full_disk_is_exit_2_without_a_traceback(tmp_path):
    """A file-size limit (RLIMIT_FSIZE) makes the store's writes fail as a full disk does, with no root
    and no mount: the ingest ends with exit 2 and the store's own message, never a traceback."""
    p = tmp_path / "baseline.xml.gz"
    p.write_bytes(_big_file(3000, 1500))

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))

    r = subprocess.run([str(Path(sys.executable).with_name("kg")), "ingest", "--store", str(tmp_path / "s"),
                        "--no-nlp", "--no-validate", str(p)], capture_output=True, text=True, preexec_fn=small_files)
    assert r.returncode == 2, r.stderr
    assert "kg: error: " in r.stderr and "File too large" in r.stderr and "Traceback" not in r.stderr
