"""Server and scale-out commands: load (push to a SPARQL server), serve (read-only endpoint), convert (shards)."""

from __future__ import annotations

import click

from ..ingest import INGESTORS
from ._common import open_remote, open_store, store_option


@click.command()
@click.option("--endpoint", required=True, metavar="URL", help="SPARQL query endpoint of the server.")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update endpoint (default: --endpoint).")
@click.option("--gsp", metavar="URL", help="Graph Store Protocol endpoint: write graphs with PUT instead of "
              "SPARQL Update (faster on Virtuoso: /sparql-graph-crud-auth).")
@click.option("--quads", metavar="URL", help="Dataset endpoint that takes N-Quads by POST: each batch is one "
              "DROP (through the update endpoint) and one POST. Oxigraph: /store?no_transaction (its fast "
              "path); Fuseki: /DATASET; GraphDB: /repositories/ID/statements.")
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
def load(endpoint: str, update_endpoint: str | None, gsp: str | None, quads: str | None, auth: str | None,
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
      kg load --endpoint http://localhost:7878/query --update-endpoint http://localhost:7878/update \\
          --quads 'http://localhost:7878/store?no_transaction' --batch-triples 100000
    """
    from .. import load as L

    if gsp and quads:
        raise click.UsageError("give --gsp or --quads, not both: they are two ways of writing the same graphs")
    target = open_remote(endpoint, update_endpoint=update_endpoint, gsp=gsp, quads=quads, auth=auth,
                         timeout=timeout, retries=retries, batch_triples=batch_triples)
    key = quads or gsp or update_endpoint or endpoint
    cp = L.Checkpoint(checkpoint or L.default_checkpoint(key), key)
    if full:
        cp.reset()
    prog = L.Progress(progress)
    try:
        if from_files:
            summary = L.load(L.file_graphs(from_files), target, cp, progress=prog)
        else:
            store = open_store(store_path, read_only=True)
            summary = L.load(L.store_graphs(store), target, cp, complete=True, progress=prog)
    finally:
        prog.close()
        cp.close()
    d = summary.as_dict()
    rate = d["triples_sent"] / d["seconds"] if d["seconds"] else 0.0
    click.echo(f"{d['graphs_seen']} graphs read, {d['graphs_sent']} sent ({d['triples_sent']} triples, "
               f"{rate:,.0f} triples/s), {d['graphs_dropped']} dropped, {d['requests']} requests", err=True)


@click.command()
@store_option
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT",
              help="Address to listen on (keep 127.0.0.1 unless you mean to share the store).")
@click.option("--host", "hosts", multiple=True, metavar="NAME",
              help="A name clients reach the server by (repeatable); the Host header must be the bound "
              "address, a loopback name or one of these (this defeats DNS rebinding).")
@click.option("--allow-service", "allow_service", multiple=True, metavar="URL-PREFIX",
              help="Let queries call SERVICE endpoints starting with this prefix (repeatable); "
              "SERVICE is refused otherwise.")
@click.option("--cors", multiple=True, metavar="ORIGIN",
              help="Let pages from this origin (e.g. https://example.org, or *) query the server from a "
              "browser (repeatable); without it no CORS header is sent and cross-origin requests are refused.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="Stop a query after this long (its process is killed, its memory freed).")
@click.option("--max-result-mb", type=click.FloatRange(min=0.001), default=64.0, show_default=True,
              metavar="MB", help="Refuse an answer larger than this once serialised.")
@click.option("--max-memory-mb", type=click.IntRange(min=0), default=4096, show_default=True, metavar="MB",
              help="Address space a query process may use (0: no limit); a query that needs more fails "
              "alone instead of exhausting the machine.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True,
              help="Query processes, so how many queries run at once.")
@click.option("--max-queued", type=click.IntRange(min=1), default=64, show_default=True, metavar="N",
              help="Queries running or waiting at once; more are answered 503 at once.")
def serve(store_path: str, bind: str, hosts: tuple[str, ...], allow_service: tuple[str, ...],
          cors: tuple[str, ...], timeout: float, max_result_mb: float, max_memory_mb: int, workers: int,
          max_queued: int) -> None:
    """Serve the embedded store read-only: a query page at http://HOST:PORT/ and SPARQL at /sparql.

    GET or POST (SPARQL 1.1 Protocol); results as JSON, XML, CSV or TSV by the Accept header (with
    q-values); the canned queries at /query/NAME?PARAM=VALUE; graphs at /store?graph=IRI. While it
    runs, the store cannot be written (an ingest into it is refused): stop the server to ingest.
    """
    from ..serve import ServeConfig, is_loopback, parse_bind
    from ..serve import serve as make_server

    host, _ = parse_bind(bind)
    cfg = ServeConfig(store_path=store_path, bind=bind, allow_service=allow_service, cors=cors, hosts=hosts,
                      timeout=timeout, max_result_bytes=int(max_result_mb * 1_000_000), workers=workers,
                      max_memory_bytes=max_memory_mb * 1_000_000, max_queued=max_queued)
    if not is_loopback(host):
        click.echo(f"kg: warning: listening on {host}, beyond this machine's loopback: anyone who can reach "
                   "it can query the store (there is no authentication); clients must use this address, a "
                   "loopback name or a name given with --host", err=True)
    if allow_service:
        click.echo(f"kg: warning: queries may call SERVICE endpoints starting with: {', '.join(allow_service)}",
                   err=True)
    httpd = make_server(cfg)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"kg: serving {store_path} read-only at http://{shown}:{httpd.port}/ "
               f"(SPARQL at /sparql; Ctrl-C stops)", err=True)
    import signal

    def stop(signum: int, frame: object) -> None:  # SIGTERM as Ctrl-C: stop the workers too, even one deep in a query
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", "out", required=True, metavar="DIR|URL",
              help="Folder for the .nq.gz shards, or an fsspec URL (s3://bucket/shards; needs kg[dask]).")
@click.option("--jobs", "-j", default=1, show_default=True, help="Worker processes (one input file each).")
@click.option("--shard-size", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Articles per shard at most.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run the per-file tasks on this Dask distributed cluster (tcp://host:8786) instead of a "
              "local process pool; inputs must be readable at the same path on every worker (needs kg[dask]).")
@click.option("--format", "fmt", type=click.Choice(sorted(INGESTORS)),
              help="Source format; by default recognised from the content, then the file name.")
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr, file by file (default: when a terminal).")
@click.option("--nlp/--no-nlp", default=False, show_default=True,
              help="Text-mine titles and abstracts into the shards (mentions, entities, assertions), as "
              "`kg ingest` does; off by default, since it costs about 15 ms of CPU per abstract.")
def convert(paths: tuple[str, ...], out: str, jobs: int, shard_size: int, scheduler: str | None,
            fmt: str | None, progress: bool | None, nlp: bool) -> None:
    """Turn PubMed files into gzipped N-Quads shards without a store, in parallel.

    Shards are named after each input file (a second input of the same file name gets a short hash of
    its path). Inputs whose shards are complete are skipped on a re-run. Load the shards with a server's bulk
    loader (docs/bulk-loading.md) or with `kg load --from`; docs/scale.md says how to run on a cluster.
    Set SOURCE_DATE_EPOCH to fix the generation time written into the graphs (identical re-runs).
    """
    from ..convert import ConvertProgress, convert as run

    results = run(paths, out, jobs=jobs, shard_size=shard_size, fmt=fmt, scheduler=scheduler, nlp=nlp,
                  progress=ConvertProgress(progress))
    for r in results:
        for e in r.errors:
            click.echo(f"kg: rejected: {e}", err=True)
    done = [r for r in results if not r.skipped]
    click.echo(f"{len(done)} files converted, {len(results) - len(done)} already complete; "
               f"{sum(r.articles for r in done)} articles, {sum(r.deleted for r in done)} deleted, "
               f"{sum(r.rejected for r in done)} rejected, {sum(r.shards for r in done)} shards", err=True)
    if any(r.rejected for r in done):
        raise SystemExit(1)


def register(main: click.Group) -> None:
    for cmd in (load, serve, convert):
        main.add_command(cmd)
