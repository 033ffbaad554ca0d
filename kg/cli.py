"""The `kg` command line: thin wrappers that parse options, call one library function, and map errors to
exit codes (0 ok; 1 data did not conform or records were rejected; 2 usage or runtime error, an
environment fault such as a full disk included; 130 interrupted). No user mistake or environment fault
ends in a traceback, and no message shows a URL's user:password.

Each command family lives in `kg/commands/<name>.py` and exposes `register(group)`; `COMMAND_MODULES` is the
one list of them, imported by name (not through importlib) so the dependency is visible to readers and to
the import-linter contracts; adding a family is one module and one line here. Heavy imports (rdflib,
pyshacl, Bio.Entrez) happen inside commands, never at start-up.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from . import __version__
from .commands import core, fetch, linking, nlp, servers, shapes, viz
from .errors import KgError, redact

COMMAND_MODULES = [
    core,      # ingest, export, sparql, query, queries, stats
    fetch,     # fetch (Entrez)
    servers,   # load (to a SPARQL server), serve, convert (N-Quads shards)
    linking,   # mesh load|build, link, ontology load
    nlp,       # lexicon build|info, tag
    shapes,    # validate
    viz,       # map (mechanism map: SVG / HTML)
]


class KgGroup(click.Group):
    """Turns `KgError` into a clear message and its exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(redact(f"kg: error: {exc}"), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `kg export | head` is normal use
            _quiet_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:  # what was stored is whole (the store's intent logs see to that)
            click.echo("kg: interrupted", err=True)
            ctx.exit(130)
        except RuntimeError as exc:  # RocksDB: a file a concurrent writer compacted away, a damaged store
            if "IO error" not in str(exc) and "Corruption" not in str(exc):
                raise
            click.echo(redact(f"kg: error: the store could not be read ({exc}); if an ingest is running, "
                              "run the command again"), err=True)
            ctx.exit(2)
        except MemoryError:
            click.echo("kg: error: out of memory", err=True)
            ctx.exit(2)
        except OSError as exc:  # disk full, unwritable output, a file that vanished: the environment, not a bug
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(redact(f"kg: error: {exc.strerror or exc}{where}"), err=True)
            ctx.exit(2)


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Redact(logging.Filter):
    """Strips credentials from every log message (endpoint URLs may carry user:password)."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        return True


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
    for handler in logging.getLogger().handlers:
        handler.addFilter(_Redact())


for _module in COMMAND_MODULES:
    _module.register(main)
