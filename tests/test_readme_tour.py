"""Every command of the README's five-minute tour answers on the bundled examples (issue 13, part 6).

The commands are read out of README.md's tour block, so the tour and this test cannot drift apart, and run
in-process (click's CliRunner) in a scratch folder where `examples/` is the project's folder and the store
is the default `./kg-store`, as a user who follows the tour has them. Not run, each for a stated reason:
`kg fetch` (it needs NCBI's E-utilities over the network; tests/test_fetch.py runs it on a local stub),
ingesting a baseline file (it is downloaded from NLM, not shipped), and `kg serve` (it runs until stopped;
tests/test_convert_serve.py serves).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def tour_lines() -> list[str]:
    """The lines of the first ```sh block under the '## A five-minute tour' heading."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README.md's tour section has no ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def kg_command(line: str) -> tuple[list[str], str | None]:
    """The `kg` arguments of a shell line (comments dropped, a pipe's other commands left out) and, when
    the line does not run kg, None with the reason."""
    lex = shlex.shlex(line, posix=True, punctuation_chars="|><")
    lex.whitespace_split = True
    tokens = list(lex)
    segments: list[list[str]] = [[]]
    for t in tokens:
        if t == "|":
            segments.append([])
        else:
            segments[-1].append(t)
    for seg in segments:
        if seg and seg[0] == "kg":
            return seg[1:], None
    return [], "not a kg command"


def skip_reason(args: list[str]) -> str | None:
    if args[:1] == ["fetch"]:
        return "kg fetch needs NCBI's E-utilities over the network (tests/test_fetch.py runs it on a stub)"
    if args[:1] == ["serve"]:
        return "kg serve runs until stopped (tests/test_convert_serve.py serves)"
    if args[:1] == ["ingest"] and any(a.endswith((".xml.gz", ".xml")) and not (ROOT / a).exists() for a in args):
        return "the input is a PubMed file downloaded from NLM, not shipped with kg"
    return None


LINES = tour_lines()
COMMANDS = [(line, *kg_command(line)) for line in LINES]
RUN = [(line, args) for line, args, why in COMMANDS if why is None and skip_reason(args) is None]


def test_the_tour_is_read_whole():
    # every line is a kg command, a pipe into one, or activating the virtualenv; nothing is dropped quietly
    for line, args, why in COMMANDS:
        assert why is None or line.startswith(". "), line
    skipped = [args[0] for _line, args, why in COMMANDS if why is None and skip_reason(args)]
    assert set(skipped) <= {"fetch", "serve", "ingest"} and skipped.count("ingest") == 1, skipped
    assert len(RUN) >= 14, [line for line, _ in RUN]  # the tour's 14 today: ingest, queries, sparql, export


@pytest.fixture(scope="module")
def tour_dir(tmp_path_factory) -> Path:
    """A scratch folder with the project's examples/ in it and the store built from them (./kg-store)."""
    d = tmp_path_factory.mktemp("tour")
    (d / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    return d


@pytest.fixture
def in_tour(tour_dir, monkeypatch) -> Path:
    monkeypatch.chdir(tour_dir)
    monkeypatch.delenv("KG_STORE", raising=False)
    if not (tour_dir / "kg-store").exists():
        r = CliRunner().invoke(main, ["ingest", "examples/"])
        assert r.exit_code == 0, r.output
    return tour_dir


def answer_count(args: list[str], stdout: bytes, stderr: str) -> int:
    """How many rows (or triples) a query or sparql command answered, read from its own output."""
    fmt = args[args.index("--format") + 1] if "--format" in args else "table"
    if fmt == "table":
        m = re.search(r"\((\d+) rows?\)", stderr)
        assert m, stderr
        return int(m.group(1))
    if fmt in ("csv", "tsv"):
        return len(list(csv.reader(io.StringIO(stdout.decode()), delimiter="," if fmt == "csv" else "\t"))) - 1
    if fmt == "json":
        doc = json.loads(stdout)
        return len(doc["results"]["bindings"]) if "results" in doc else int(doc["boolean"])
    rdf = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
           "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    return len(list(ox.parse(stdout, rdf)))


@pytest.mark.parametrize("line,args", RUN, ids=[line.split("#")[0].strip()[:70] for line, _ in RUN])
def test_tour_command_answers(in_tour, line, args):
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 0, (line, r.output)
    if args[0] in ("query", "sparql") and "--show" not in args:
        assert answer_count(args, r.stdout_bytes, r.stderr) > 0, (line, r.output)
    elif args[0] == "export" and "-o" in args:
        assert (in_tour / args[args.index("-o") + 1]).stat().st_size > 1000
    else:
        assert len(r.stdout) > 20 or len(r.stderr) > 20, (line, r.output)
    if args[0] == "ingest":
        assert " 0 rejected" in r.stderr
