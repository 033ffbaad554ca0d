"""Server and scale-out commands: load (push to a SPARQL server), serve (read-only endpoint), convert (shards)."""

from __future__ import annotations

import click

from ..stores import default_store_path

store_option = click.option(
    "--store", "store_path", default=default_store_path, show_default="./kg-store or $KG_STORE",
    metavar="DIR", help="The embedded store folder.")


def open_remote(endpoint: str, *, update_endpoint: str | None = None, gsp: str | None = None,
                auth: str | None = None, timeout: float = 120.0, retries: int = 6, batch_triples: int = 10_000):
    """The one way commands open a SPARQL server (`kg load`, `kg query --endpoint`, `kg sparql --endpoint`)."""
    from ..stores.sparql import SparqlStore
    return SparqlStore(endpoint, update_endpoint=update_endpoint, gsp=gsp, auth=auth, timeout=timeout,
                       retries=retries, batch_triples=batch_triples)


@click.command()
@click.option("--endpoint", required=True, metavar="URL", help="SPARQL query endpoint of the server.")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update endpoint (default: --endpoint).")
@click.option("--gsp", metavar="URL", help="Graph Store Protocol endpoint: write graphs with PUT instead of "
              "SPARQL Update (faster on Virtuoso: /sparql-graph-crud-auth).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), help="HTTP authentication; user and password "
              "come from KG_SPARQL_USER/KG_SPARQL_PASSWORD or ~/.netrc, never from the command line.")
@click.option("--from", "from_files", multiple=True, metavar="FILE",
              help="Load N-Quads files (.nq, .nq.gz, - for stdin) instead of the store (repeatable).")
@store_option
@click.option("--checkpoint", metavar="FILE", help="Checkpoint file (default: one per endpoint under "
              "$KG_STATE_DIR or ~/.local/state/kg/loads).")
@click.option("--full", is_flag=True, help="Forget the checkpoint and send every graph.")
@click.option("--batch-triples", default=10_000, show_default=True, help="Triples per write request at most.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for one request.")
@click.option("--retries", default=6, show_default=True, help="Retries (with backoff) on timeouts, resets, 5xx.")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: when a terminal).")
def load(endpoint: str, update_endpoint: str | None, gsp: str | None, auth: str | None,
         from_files: tuple[str, ...], store_path: str, checkpoint: str | None, full: bool, batch_triples: int,
         timeout: float, retries: int, progress: bool | None) -> None:
    """Push the store's named graphs (or N-Quads files) to a SPARQL 1.1 server, incrementally.

    Each graph is replaced whole; only graphs that changed since the last load to this endpoint are
    sent, and deletions recorded in the store are applied. A re-run after a crash finishes the job.

    \b
    Examples:
      kg load --endpoint http://localhost:7878/query --update-endpoint http://localhost:7878/update
      KG_SPARQL_USER=dba KG_SPARQL_PASSWORD=... kg load --endpoint http://localhost:8890/sparql-auth \\
          --gsp http://localhost:8890/sparql-graph-crud-auth --auth digest
      kg load --endpoint URL --from shards/update-0001.nq.gz
    """
    from .. import load as L

    target = open_remote(endpoint, update_endpoint=update_endpoint, gsp=gsp, auth=auth, timeout=timeout,
                         retries=retries, batch_triples=batch_triples)
    key = gsp or update_endpoint or endpoint
    cp = L.Checkpoint(checkpoint or L.default_checkpoint(key), key)
    if full:
        cp.reset()
    prog = L.Progress(progress)
    try:
        if from_files:
            summary = L.load(L.file_graphs(from_files), target, cp, progress=prog)
        else:
            from ..stores.oxigraph import OxigraphStore
            store = OxigraphStore(store_path, read_only=True)
            summary = L.load(L.store_graphs(store), target, cp, complete=True, progress=prog)
    finally:
        prog.close()
        cp.close()
    d = summary.as_dict()
    rate = d["triples_sent"] / d["seconds"] if d["seconds"] else 0.0
    click.echo(f"{d['graphs_seen']} graphs read, {d['graphs_sent']} sent ({d['triples_sent']} triples, "
               f"{rate:,.0f} triples/s), {d['graphs_dropped']} dropped, {d['requests']} requests", err=True)


def register(main: click.Group) -> None:
    main.add_command(load)
    for name in ("serve", "convert"):
        try:
            mod = __import__(f"kg.commands.servers_{name}", fromlist=["command"])
        except ModuleNotFoundError:
            continue
        main.add_command(mod.command)
