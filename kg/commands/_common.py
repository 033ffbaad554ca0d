"""What several command families share: the --store option, opening stores and servers, `--param` parsing,
and the ingest run behind both `kg ingest` and `kg fetch`.

It lives here rather than in one command module so that command modules never import each other (the
import-linter contract `commands are independent` in pyproject.toml). Heavy imports stay inside the
functions so `kg --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click

from ..errors import QueryError, UsageError
from ..ingest import INGESTORS
from ..stores import default_store_path

if TYPE_CHECKING:
    from ..errors import InputError
    from ..stores.oxigraph import OxigraphStore
    from ..stores.sparql import SparqlStore

store_option = click.option(
    "--store", "store_path", default=default_store_path, show_default="./kg-store or $KG_STORE",
    metavar="DIR", help="The embedded store folder.")


def open_store(path: str, *, read_only: bool = False) -> OxigraphStore:
    """The embedded store at `path` (read-only opens let several readers run beside one writer)."""
    from ..stores.oxigraph import OxigraphStore
    return OxigraphStore(path, read_only=read_only)


def open_remote(endpoint: str, *, update_endpoint: str | None = None, gsp: str | None = None,
                quads: str | None = None, auth: str | None = None, timeout: float = 120.0, retries: int = 6,
                batch_triples: int = 10_000, max_rows: int | None = None,
                resend_timed_out: bool = True) -> SparqlStore:
    """The one way commands open a SPARQL server (`kg load`, `kg query --endpoint`, `kg sparql --endpoint`)."""
    from ..stores.sparql import SparqlStore
    return SparqlStore(endpoint, update_endpoint=update_endpoint, gsp=gsp, quads=quads, auth=auth,
                       timeout=timeout, retries=retries, batch_triples=batch_triples, max_rows=max_rows,
                       resend_timed_out=resend_timed_out)


def parse_params(params: tuple[str, ...]) -> dict[str, str]:
    """`--param NAME=VALUE` options as a dict; a value may itself contain '='."""
    out = {}
    for p in params:
        if "=" not in p:
            raise QueryError(f"--param {p!r}: expected NAME=VALUE")
        k, v = p.split("=", 1)
        out[k.strip()] = v
    return out


def check_inputs(paths: tuple[str, ...]) -> None:
    """A missing input or an empty folder is a usage error (exit 2) before anything is read or stored."""
    from ..ingest import expand_paths

    if list(paths).count("-") > 1:
        raise UsageError("standard input (-) can be read once only")
    for p in paths:
        if p == "-":
            continue
        if not os.path.exists(p):
            raise UsageError(f"no such file or folder: {p}")
        if os.path.isdir(p) and not any(True for _ in expand_paths([p])):
            raise UsageError(f"folder {p} holds no files")


def check_files(paths: tuple[str, ...] | list[str]) -> None:
    """Vocabulary files (MeSH, SSSOM, ontologies) must be there before a store is opened: a missing one, or
    a folder where a file is expected, is a usage error (exit 2) as a missing input of `kg ingest` is, and
    leaves no store behind. A file that is there but malformed is the loaders' to report (exit 1)."""
    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"no such file: {p}")
        if os.path.isdir(p):
            raise UsageError(f"{p} is a folder: give the files in it")


def ingest_paths(paths: tuple[str, ...], store_path: str, *, fmt: str | None, batch_size: int,
                 rejects: str | None, progress: bool | None, validate: bool, nlp: bool = True,
                 write_threads: int = 1) -> None:
    """Read `paths` into the store, report the summary on stderr, exit 1 when records were rejected.

    The body of `kg ingest`; `kg fetch` calls it too on the files it downloaded.
    """
    from ..pipeline import Progress, ingest as run_ingest
    from ..validation import ingest_validator

    check_inputs(paths)
    store = open_store(store_path)
    # with the store, a loaded MeSH vocabulary adds the allowable-qualifier check
    validator = ingest_validator(store) if validate else None
    out = open(rejects, "w", encoding="utf-8") if rejects else None

    def on_reject(err: InputError) -> None:
        click.echo(f"kg: rejected: {err}", err=True)
        if out:
            out.write(json.dumps({"file": err.path, "pmid": err.pmid, "line": err.line,
                                  "problem": err.problem}) + "\n")

    try:
        summary = run_ingest(paths, store, fmt=fmt, validator=validator, batch_size=batch_size,
                             progress=Progress(progress), on_reject=on_reject, nlp=nlp,
                             write_threads=write_threads)
    finally:
        if out:
            out.close()
        if validator is not None:
            validator.close()
    d = summary.as_dict()
    docs = f"{d['documents']} full-text/annotated documents, " if d["documents"] else ""
    click.echo(f"{d['articles']} articles, {docs}{d['triples']} triples, {d['deleted']} deleted, "
               f"{d['rejected']} rejected, {d['skipped_older']} older versions skipped, from {d['files']} files",
               err=True)
    if summary.files == 0 and not summary.rejected:
        raise UsageError(f"no file kg can read in {', '.join(paths)} (formats: {', '.join(INGESTORS)})")
    if summary.rejected:
        sys.exit(1)
