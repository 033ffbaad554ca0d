"""Core commands: ingest, export, sparql, query, queries, stats."""

from __future__ import annotations

import json
import shutil
import sys
from typing import IO, Any

import click

from .. import iris
from ..ingest import INGESTORS
from ..errors import QueryError
from ._common import ingest_paths, open_remote, open_store, parse_params, store_option

RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdfxml")  # kg.results.CLI_FORMATS

def _open_out(path: str) -> IO[bytes]:
    return sys.stdout.buffer if path == "-" else open(path, "wb")


# ---- ingest ---------------------------------------------------------------------------------------
@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@store_option
@click.option("--format", "fmt", type=click.Choice(sorted(INGESTORS)),
              help="Source format; by default recognised from the content, then the file name.")
@click.option("--batch-size", default=200, show_default=True, help="Articles per store write (200 measured fastest, and keeps memory low).")
@click.option("--rejects", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write rejected records (file, PMID, problem) as JSON lines to FILE.")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: when a terminal).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check each article against the SHACL shapes before storing it; invalid ones are rejected.")
@click.option("--nlp/--no-nlp", default=True, show_default=True,
              help="Find mechanism entities, mentions and assertions in titles, abstracts and full text "
              "(PubMed XML is mapped by the compiled mapping either way; text mining costs the most time).")
@click.option("--write-threads", default=1, show_default=True, metavar="N",
              help="Batches written to the store at once. On 2 cores 2 was about 10% faster for 30,000 "
              "articles but took half as much memory again (465 MB); try 2 or more on machines with more "
              "cores and memory.")
def ingest(paths: tuple[str, ...], store_path: str, fmt: str | None, batch_size: int, rejects: str | None,
           progress: bool | None, validate: bool, nlp: bool, write_threads: int) -> None:
    """Read PubMed XML (.xml, .xml.gz), MEDLINE text and the other registered formats into the store.

    PATH may be a file, a folder (read recursively) or - for standard input. Each article replaces its
    own named graph (a newer PMID version wins; an older one is skipped); DeleteCitation removes articles.
    One bad record never stops the others: it is reported with its file and PMID, and the exit code is 1.
    """
    ingest_paths(paths, store_path, fmt=fmt, batch_size=batch_size, rejects=rejects, progress=progress,
                 validate=validate, nlp=nlp, write_threads=write_threads)


# ---- export ---------------------------------------------------------------------------------------
@click.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["nq", "trig", "ttl", "nt", "jsonld", "rdfxml"]), default="nq",
              show_default=True, help="Output format (see below).")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Output file, - for stdout.")
def export(store_path: str, fmt: str, output: str) -> None:
    """Write the whole store in a standard RDF format.

    nq, trig and jsonld keep each article's named graph; ttl, nt and rdfxml (RDF/XML) are triple formats
    and get the union of all graphs. Turtle, TriG and RDF/XML declare the project's prefixes.
    """
    store = open_store(store_path, read_only=True)
    out = _open_out(output)
    try:
        store.export(out, fmt)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()


# ---- sparql / query / queries --------------------------------------------------------------------
def _print_results(results: Any, fmt: str, limit: int | None, text: str, max_width: int | None) -> None:
    """Write an answer to stdout through the shared writer (`kg.results`), with the row count and, when
    a query without GRAPH found nothing, the reason on stderr."""
    import pyoxigraph as ox

    from .. import results as res

    columns = None
    if not isinstance(results, (ox.QueryBoolean, ox.QueryTriples)):
        columns = res.query_order(text, [v.value for v in results.variables])
    graphless = not res.has_graph_pattern(text)
    if max_width is None and fmt == res.TABLE and sys.stdout.isatty():
        max_width = shutil.get_terminal_size().columns
    sys.stdout.flush()
    out = sys.stdout.buffer
    answer = res.write_result(results, fmt, out, prefixes=res.default_prefixes(), columns=columns,
                              limit=limit, max_width=max_width, count=graphless)
    out.flush()
    if fmt == res.TABLE and answer.kind == "select":
        click.echo(f"({answer.count} row{'' if answer.count == 1 else 's'})", err=True)
    if graphless and answer.count == 0:
        click.echo("kg: hint: nothing found, and the query has no GRAPH pattern: kg keeps every article in "
                   "its own named graph and leaves the default graph empty; match inside GRAPH ?g { ... }",
                   err=True)


results_format = click.option(
    "--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True,
    help="SELECT and ASK: table, or SPARQL 1.1 results as json, xml, csv, tsv. CONSTRUCT and DESCRIBE: ttl, "
    "nt, jsonld, rdfxml (table, json and xml give ttl, jsonld and rdfxml).")
limit_option = click.option("--limit", type=int, default=None, help="Print at most N rows (or triples).")
max_width_option = click.option(
    "--max-width", type=click.IntRange(min=20), default=None, metavar="COLUMNS",
    help="Cut table cells so rows fit in COLUMNS characters [default: the terminal's width on a terminal, "
    "else no limit].")
endpoint_option = click.option(
    "--endpoint", metavar="URL", help="Ask this SPARQL 1.1 server instead of the embedded store "
    "(credentials: --auth with KG_SPARQL_USER/KG_SPARQL_PASSWORD or ~/.netrc).")
auth_option = click.option("--auth", type=click.Choice(["basic", "digest"]), help="HTTP auth for --endpoint.")
max_rows_option = click.option(
    "--max-rows", type=int, default=None, metavar="N", envvar="KG_SPARQL_MAX_ROWS",
    help="Rows at which --endpoint cuts a SELECT answer without saying so; such an answer is read again in "
    "pages (Virtuoso announces its cut and is paged without this) [env KG_SPARQL_MAX_ROWS].")

timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, metavar="SECONDS",
    help="Seconds --endpoint may take to answer; a query that takes longer fails at once (it is not sent again).")


def _query_store(store_path: str, endpoint: str | None, auth: str | None,
                 max_rows: int | None, timeout: float) -> Any:  # OxigraphStore | SparqlStore until the Store protocol (branch stores)
    if endpoint:
        return open_remote(endpoint, auth=auth, max_rows=max_rows, timeout=timeout, resend_timed_out=False)
    return open_store(store_path, read_only=True)


@click.command()
@click.argument("query")
@store_option
@results_format
@limit_option
@max_width_option
@endpoint_option
@auth_option
@max_rows_option
@timeout_option
@click.option("--allow-service", multiple=True, metavar="URL-PREFIX",
              help="Let a SERVICE clause call endpoints under this prefix (repeatable); refused otherwise.")
def sparql(query: str, store_path: str, fmt: str, limit: int | None, max_width: int | None,
           endpoint: str | None, auth: str | None, max_rows: int | None, timeout: float,
           allow_service: tuple[str, ...]) -> None:
    """Run a SPARQL query: QUERY is the text, @FILE.rq to read a file, or - for stdin.

    Article data lives in named graphs: use GRAPH ?g { ... } patterns. A SERVICE clause makes this machine
    fetch the URL it names, so on the embedded store it is refused unless --allow-service allows its prefix.
    """
    if query == "-":
        query = sys.stdin.read()
    elif query.startswith("@"):
        try:
            with open(query[1:], encoding="utf-8") as f:
                query = f.read()
        except OSError as exc:
            raise QueryError(f"cannot read query file {query[1:]}: {exc.strerror}") from exc
    if endpoint is None:
        from ..serve.guard import ServiceRefused, check_service
        try:
            check_service(query, allow_service)
        except ServiceRefused as exc:
            raise QueryError(str(exc)) from None
    store = _query_store(store_path, endpoint, auth, max_rows, timeout)
    _print_results(store.query(query), fmt, limit, query, max_width)


@click.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeatable); `kg queries` lists each query's parameters.")
@store_option
@results_format
@limit_option
@max_width_option
@click.option("--show", is_flag=True, help="Print the query text with its parameters bound, do not run it.")
@endpoint_option
@auth_option
@max_rows_option
@timeout_option
def query(name: str, params: tuple[str, ...], store_path: str, fmt: str, limit: int | None,
          max_width: int | None, show: bool, endpoint: str | None, auth: str | None, max_rows: int | None,
          timeout: float) -> None:
    """Run the canned query NAME (queries/NAME.rq) with bound parameters."""
    from .. import binding, queries

    q = queries.load(name)
    bound = queries.bindings(q, parse_params(params))
    if show:
        click.echo(binding.with_values(q.text, bound))
        return
    store = _query_store(store_path, endpoint, auth, max_rows, timeout)
    if endpoint is None:
        _warn_missing_derived(q.text, store)
    _print_results(store.query(q.text, bound), fmt, limit, q.text, max_width)


def _warn_missing_derived(text: str, store: Any) -> None:
    """Warn when the store lacks what a canned query reads and only a later `kg` writes: a query never
    writes, so it says which command adds it instead of quietly finding less."""
    if iris.MESH_GRAPH in text and not store.has_graph(iris.MESH_GRAPH):
        click.echo("kg: warning: this store holds no MeSH hierarchy, so this query cannot climb the MeSH tree "
                   "(explode finds the descriptor itself only); load it once with `kg mesh load` (the shipped "
                   "MeSH 2015 hierarchy) or `kg mesh load desc2025.xml qual2025.xml` (the current year)", err=True)
    elif "kg:meshAncestor" in text and not _has_mesh_closure(store):
        click.echo("kg: warning: this store's MeSH hierarchy was loaded by an older kg, without the tree closure "
                   "(kg:meshAncestor) this query explodes by, so explode finds the descriptor itself only; run "
                   "`kg mesh load` again (same files) to add it", err=True)
    # What a command writes since issue 15 beside what it wrote before: on a store written earlier the query
    # finds less, and only that command adds it. (marker in the query, new predicate, old one, what, remedy)
    from ..vocab import FOAF, KG, OA, RDFS
    ingest_again = "run `kg ingest` again on the same files (each article replaces its own graph)"
    for marker, written, source, what, remedy in (
            ("kg:familyNameKey", KG.familyNameKey, FOAF.familyName,
             "authors were ingested by an older kg, without the lower-cased family-name key (kg:familyNameKey) "
             "this query matches on, so it finds no author", ingest_again),
            ("kg:names", KG.names, OA.hasBody,
             "text was mined by an older kg, without the per-sentence summary (kg:Sentence, kg:names) this "
             "query starts from, so it finds nothing", ingest_again),
            ("kg:ancestorClass", KG.ancestorClass, RDFS.subClassOf,
             "ontologies were loaded by an older kg, without the subclass closure (kg:ancestorClass) this query "
             "finds subclasses by, so it finds the disease itself only",
             "run `kg ontology load` again (same files) to add it")):
        if marker in text and _ingested_before(store, written, source):
            click.echo(f"kg: warning: this store's {what}; {remedy}", err=True)


def _ingested_before(store: Any, written: str, source: str) -> bool:
    """True when the store has `source` triples but no `written` one: written by a kg from before the
    command (`kg ingest`, `kg ontology load`) also wrote `written` beside `source`."""
    return not _holds(store, f"GRAPH ?g {{ ?s <{written}> ?o }}") \
        and _holds(store, f"GRAPH ?g {{ ?s <{source}> ?o }}")


def _has_mesh_closure(store: Any) -> bool:
    """Whether the MeSH graph holds the tree closure `kg mesh load` writes since issue 15."""
    from ..vocab import KG
    return _holds(store, f"GRAPH <{iris.MESH_GRAPH}> {{ ?d <{KG.meshAncestor}> ?a }}")


def _holds(store: Any, pattern: str) -> bool:
    """ASK of a fixed pattern (IRIs from kg's own namespaces, never user text)."""
    return bool(store.query(f"ASK {{ {pattern} }}", {}))


@click.command(name="queries")
def list_queries() -> None:
    """List the canned queries with their descriptions and parameters."""
    from .. import queries

    for q in queries.list_queries():
        click.echo(f"{q.name}\n    {q.summary}")
        for p in q.params:
            extra = "required" if p.required else (f"default {p.default}" if p.default is not None else "optional")
            click.echo(f"    --param {p.name}=<{p.type}>  ({extra}) {p.description}")


# ---- stats ---------------------------------------------------------------------------------------
STATS_QUERY = """
PREFIX kg: <https://w3id.org/oncokg/vocab/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT
  (COUNT(DISTINCT ?article) AS ?articles)
  (SUM(?nauth) AS ?authors)
  (SUM(?nmesh) AS ?meshHeadings)
WHERE {
  { SELECT ?article (COUNT(DISTINCT ?a) AS ?nauth) (COUNT(DISTINCT ?h) AS ?nmesh) WHERE {
      GRAPH ?g { ?article fabio:hasPubMedId ?pmid .
                 OPTIONAL { ?article dcterms:creator ?a } OPTIONAL { ?article kg:meshHeading ?h } }
  } GROUP BY ?article }
}
"""


@click.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_path: str, fmt: str) -> None:
    """Counts: named graphs by kind, triples, articles, authors, MeSH headings, deletions."""
    import pyoxigraph as ox

    from ..vocab import KGGRAPH

    store = open_store(store_path, read_only=True)
    graphs: dict[str, int] = {}
    for g in store.named_graphs():
        base = str(KGGRAPH)
        kind = g[len(base):].split("/")[0] if g.startswith(base) else "other"
        graphs[kind] = graphs.get(kind, 0) + 1
    answer = store.query(STATS_QUERY)
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError("internal error: the stats query is not a SELECT")
    row = next(iter(answer))
    d = {"triples": len(store), "graphs": graphs,
         "articles": int(row["articles"].value) if row["articles"] else 0,
         "authors": int(row["authors"].value) if row["authors"] else 0,
         "mesh_headings": int(row["meshHeadings"].value) if row["meshHeadings"] else 0,
         "deleted": store.deleted_count()}
    if fmt == "json":
        click.echo(json.dumps(d, indent=1))
        return
    for k, v in d.items():
        if isinstance(v, dict):
            for kk, vv in sorted(v.items()):
                click.echo(f"graphs/{kk:<12} {vv}")
        else:
            click.echo(f"{k:<19} {v}")


def register(main: click.Group) -> None:
    for cmd in (ingest, export, sparql, query, list_queries, stats):
        main.add_command(cmd)
