"""`kg map`: a canned query's answer drawn as a mechanism map (SVG for papers, self-contained HTML)."""

from __future__ import annotations

import click

from ..errors import KgError
from ._common import open_store, parse_params, store_option

MAP_FORMATS = ("svg", "html")


@click.command(name="map")
@click.argument("query", metavar="QUERY")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeatable), as for `kg query`.")
@click.option("--format", "fmt", type=click.Choice(MAP_FORMATS),
              help="svg (static, evidence on hover) or html (one offline file, evidence on click). "
              "Default: from the -o suffix, else html.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Output file, - for stdout.")
@click.option("--max-nodes", default=40, show_default=True, metavar="N",
              help="Entities on the map: the answer's first, then the partners with most PMIDs.")
@click.option("--max-evidence", default=25, show_default=True, metavar="N",
              help="Evidence sentences kept per edge (all its PMIDs are always listed).")
@click.option("--cooccurrence/--no-cooccurrence", default=True, show_default=True,
              help="Also draw text co-occurrences (dashed) between the entities on the map.")
@store_option
def map_command(query: str, params: tuple[str, ...], fmt: str | None, output: str, max_nodes: int,
                max_evidence: int, cooccurrence: bool, store_path: str) -> None:
    """Draw the answer of QUERY (pathways-linking, evidence or entities-of-article) as a graph: typed
    entities as nodes, assertions as edges coloured by polarity and labelled with their distinct PMIDs;
    hovering (SVG) or clicking (HTML) shows the evidence sentences and PMIDs.

    \b
    Examples:
      kg map pathways-linking -o liver-metastasis.html
      kg map entities-of-article -p pmid=35246503 --format svg -o seed.svg
      kg map evidence -p subject=GO:0007219 -p object=MONDO:0005575 -o notch.html
    """
    from ..viz import build_map, to_html, to_svg
    from ..viz.mechmap import check_request

    if fmt is None:
        fmt = "svg" if output.lower().endswith(".svg") else "html"
    values = parse_params(params)
    check_request(query, values, max_nodes=max_nodes)  # a wrong name or parameter is told before the store opens
    m = build_map(open_store(store_path, read_only=True), query, values, max_nodes=max_nodes,
                  cooccurrences=cooccurrence, max_evidence=max(0, max_evidence))
    if not m.nodes:
        click.echo(f"kg: warning: the answer of {query} names no entity in the store {store_path}; "
                   "the map is empty (ingest articles first, or check the parameters)", err=True)
    text = to_svg(m) if fmt == "svg" else to_html(m)
    if output == "-":
        click.echo(text, nl=False)
    else:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise KgError(f"cannot write {output}: {exc.strerror}") from exc
        click.echo(f"{len(m.nodes)} entities, {len(m.edges)} associations -> {output}", err=True)


def register(main: click.Group) -> None:
    main.add_command(map_command)
