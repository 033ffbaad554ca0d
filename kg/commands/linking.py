"""Linking commands: `kg mesh load|build`, `kg link`, `kg ontology load` (issue 7).

Each parses options and calls one library function (kg.vocabularies: mesh, sssom, ontologies); the heavy
imports happen inside the commands so `kg --help` stays fast.
"""

from __future__ import annotations

import click

from ._common import check_files, open_store, store_option


@click.group("mesh")
def mesh_group() -> None:
    """The MeSH vocabulary graph (labels, tree numbers, broader descriptors, allowable qualifiers)."""


@mesh_group.command("load")
@click.argument("paths", nargs=-1, metavar="[FILE]...")
@store_option
def mesh_load(paths: tuple[str, ...], store_path: str) -> None:
    """Load MeSH into its own named graph, replacing the MeSH loaded before.

    FILE is NLM's MeSH RDF (mesh.nt or mesh.nt.gz), MeSH XML (desc2025.xml, qual2025.xml,
    supp2025.xml) or a tree-number table (mesh_id, mesh_name, mesh_tree_number columns). Several files
    load together as one vocabulary. Without FILE, the MeSH 2015 hierarchy shipped with kg is loaded.

    \b
    The current year from NLM (no account needed):
      kg mesh load desc2025.xml qual2025.xml
    """
    from ..vocabularies.mesh import SHIPPED, load_mesh

    files = list(paths) or [str(SHIPPED)]
    check_files(files)
    store = open_store(store_path)
    load = load_mesh(files, store)
    d = load.as_dict()
    click.echo(f"MeSH: {d['descriptors']} descriptors, {d['tree_numbers']} tree numbers, {d['qualifiers']} "
               f"qualifiers, {d['supplementary']} supplementary concepts, {d['triples']} triples "
               f"from {d['files']} file(s)", err=True)


@mesh_group.command("build")
@click.argument("table", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write (default: the file shipped in the package, kg/data/).")
def mesh_build(table: str, output: str | None) -> None:
    """Build the shipped MeSH hierarchy graph (gzipped N-Triples) from a tree-number TABLE, reproducibly."""
    from ..vocabularies.mesh import SHIPPED, build_shipped

    out = build_shipped(table, output or SHIPPED)
    click.echo(f"wrote {out} ({out.stat().st_size:,} bytes)", err=True)


@click.command("link")
@click.argument("paths", nargs=-1, required=True, metavar="FILE.sssom.tsv...")
@store_option
def link(paths: tuple[str, ...], store_path: str) -> None:
    """Load SSSOM mapping tables into the mappings graph (a newer table replaces its mapping set).

    Each row's predicate (skos:exactMatch, ...) links subject to object; its justification, confidence,
    author and source are kept as SSSOM/RDF says. A malformed table is an error naming the file and line,
    and nothing of it is loaded.
    """
    from ..vocabularies.sssom import load_tables

    check_files(paths)
    store = open_store(store_path)
    for t in load_tables(paths, store):
        preds = ", ".join(f"{n} {p.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}" for p, n in sorted(t.predicates.items()))
        click.echo(f"{t.path}: {t.mappings} mappings ({preds or 'none'})", err=True)


@click.group("ontology")
def ontology_group() -> None:
    """Ontology terms: labels, synonyms, subclass hierarchy, cross-references."""


@ontology_group.command("load")
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@click.option("--name", default=None, help="Graph name (default: the file name without its suffix); one FILE only.")
@store_option
def ontology_load(paths: tuple[str, ...], name: str | None, store_path: str) -> None:
    """Load OBO (.obo), OWL (.ttl, .owl) or a Reactome pathway list (.txt) into one graph per ontology."""
    from ..vocabularies.ontologies import load_ontology

    if name and len(paths) > 1:
        raise click.UsageError("--name applies to one FILE only")
    check_files(paths)
    store = open_store(store_path)
    for path in paths:
        d = load_ontology(path, store, name=name).as_dict()
        click.echo(f"{path}: {d['classes']} classes, {d['labels']} labels, {d['synonyms']} synonyms, "
                   f"{d['parents']} parents ({d['ancestors']} ancestor pairs), "
                   f"{d['xrefs']} xrefs ({d['xref_iris']} as IRIs)", err=True)


def register(main: click.Group) -> None:
    main.add_command(mesh_group)
    main.add_command(link)
    main.add_command(ontology_group)
