"""The `kg` command line: thin wrappers that parse options, call one library function, and map errors to
exit codes (0 ok; 1 data did not conform or records were rejected; 2 usage or runtime error).

Each command family lives in `kg/commands/<name>.py` and exposes `register(group)`; `COMMAND_MODULES` is the
one list of them, so adding a family is one module and one line here. Heavy imports (rdflib, pyshacl,
Bio.Entrez) happen inside commands, never at start-up.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from . import __version__
from .errors import KgError

COMMAND_MODULES = [
    "kg.commands.core",      # ingest, export, sparql, query, queries, stats
    "kg.commands.fetch",     # fetch (Entrez)
    "kg.commands.servers",   # load (to a SPARQL server), serve, convert (N-Quads shards)
    "kg.commands.linking",   # mesh load|build, link, ontology load
    "kg.commands.nlp",       # lexicon build|info, tag
    "kg.commands.shapes",    # validate
    "kg.commands.viz",       # map (mechanism map: SVG / HTML)
]


class KgGroup(click.Group):
    """Turns `KgError` into a clear message and its exit code instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `kg export | head` is normal use
            sys.stderr.close()
            ctx.exit(0)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kg")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def main(verbose: int, quiet: bool) -> None:
    """Turn the oncology literature into a validated, queryable RDF knowledge graph.

    \b
    Typical session:
      kg ingest examples/                 # PubMed XML / MEDLINE files, folders, or - for stdin
      kg queries                          # the canned questions and their parameters
      kg query articles-by-mesh --param mesh=D015179
      kg export --format ttl -o graph.ttl

    The store is ./kg-store unless --store or KG_STORE says otherwise.
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="kg: %(levelname)s: %(message)s", stream=sys.stderr)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
