"""`kg validate`: check a store or RDF files against the shapes in shapes/, report grouped by shape and message."""

from __future__ import annotations

import sys

import click

from ..stores import default_store_path
from ..validation.engines import ENGINES


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False), metavar="[FILE...]")
@click.option("--store", "store_path", default=None, metavar="DIR",
              help="Validate every article graph of this store (default when no FILE: ./kg-store or $KG_STORE).")
@click.option("--format", "fmt", type=click.Choice(["text", "ttl", "json"]), default="text", show_default=True,
              help="text: grouped summary with counts and PMIDs; ttl: a SHACL validation report; json: the groups.")
@click.option("--shapes", "shape_names", multiple=True, metavar="NAME",
              help="Shapes files to use, by name (shapes/NAME.ttl; repeatable). Default: all core shapes, plus the "
                   "MeSH-vocabulary checks when a MeSH vocabulary is loaded.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="fast", show_default=True,
              help="fast: the compiled checker; pyshacl: pySHACL, the full SHACL reference (slow: for checking "
                   "the fast one, or modest stores). Same shapes, same report format, same exit codes.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Report file, - for stdout.")
def validate(files: tuple[str, ...], store_path: str | None, fmt: str, shape_names: tuple[str, ...],
             engine: str, output: str) -> None:
    """Check the graph against the SHACL shapes; exit 1 when any result is a violation.

    \b
    Each article's named graph is checked on its own (with the MeSH vocabulary, when loaded, for the
    allowable-qualifier check). Warnings and info are reported but do not change the exit code.
    FILE may be N-Quads or TriG (graph by graph) or Turtle/N-Triples (one graph).
    """
    from .. import validation as S
    from ..errors import ShapesError

    if files and store_path:
        raise click.UsageError("give either --store or FILE..., not both")
    if files:
        report = S.validate_files(list(files), names=("prefixes",) + shape_names if shape_names else None,
                                   engine=engine)
    else:
        from ..stores.oxigraph import OxigraphStore
        path = store_path or default_store_path()
        import os
        if not os.path.isdir(path):
            raise ShapesError(f"no store at {path} (use --store DIR, or give RDF files)")
        store = OxigraphStore(path, read_only=True)
        report = S.validate_store(store, names=("prefixes",) + shape_names if shape_names else None,
                                   engine=engine)
    text = {"text": report.text, "ttl": report.turtle, "json": report.json}[fmt]()
    if output == "-":
        sys.stdout.write(text)
    else:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    if not report.conforms:
        sys.exit(1)


def register(main: click.Group) -> None:
    main.add_command(validate)
