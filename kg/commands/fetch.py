"""`kg fetch`: PubMed records from NCBI's E-utilities into a cache folder, then into the store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from ._common import ingest_paths, open_store, store_option

if TYPE_CHECKING:
    from ..ingest.around import Neighbourhood


@click.command()
@click.option("--query", help="A PubMed query, as typed in PubMed's search box.")
@click.option("--pmids", type=click.File("r"), help="A file of PMIDs, one per line, or - for stdin.")
@click.option("--cache", default=".cache/pubmed", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the raw efetch XML (reused on re-runs).")
@click.option("--batch-size", default=500, show_default=True, help="Records per efetch call.")
@click.option("--around", metavar="PMID",
              help="The paper's neighbourhood: it, what it cites, what cites it and PubMed's similar articles "
              "(ELink), with PMC full text and PubTator3 annotations; see --depth and --max.")
@click.option("--depth", default=1, show_default=True, metavar="N",
              help="With --around: follow links N times (2 adds the neighbours' neighbours).")
@click.option("--max", "limit", type=int,
              help="Fetch at most N records (with --around: N articles, the paper included; default 200).")
@click.option("--eutils-url", envvar="KG_EUTILS_URL", help="E-utilities base URL (default NCBI; $KG_EUTILS_URL).")
@click.option("--email", envvar="NCBI_EMAIL", help="Your e-mail, as NCBI asks ($NCBI_EMAIL).")
@click.option("--api-key", envvar="NCBI_API_KEY", help="NCBI API key: 10 requests/s instead of 3 ($NCBI_API_KEY).")
@click.option("--tries", default=3, show_default=True, help="Attempts per request on network errors and 5xx/429.")
@click.option("--pmc/--no-pmc", default=None,
              help="Also fetch PMC full text (JATS, efetch db=pmc) for the fetched articles that have a PMCID "
              "[default: with --around only].")
@click.option("--pubtator/--no-pubtator", default=None,
              help="Also fetch PubTator3 annotations (BioC JSON) for the PMIDs [default: with --around only].")
@click.option("--pubtator-url", envvar="KG_PUBTATOR_URL",
              help="PubTator3 API base URL (default NCBI's; $KG_PUBTATOR_URL).")
@click.option("--ingest/--no-ingest", "do_ingest", default=True, show_default=True,
              help="Ingest the fetched files into the store.")
@store_option
@click.pass_context
def fetch(ctx: click.Context, query: str | None, pmids: IO[str] | None, cache: str, batch_size: int, around: str | None,
          depth: int, limit: int | None, eutils_url: str | None, email: str | None, api_key: str | None,
          tries: int, pmc: bool | None, pubtator: bool | None, pubtator_url: str | None, do_ingest: bool,
          store_path: str) -> None:
    """Fetch PubMed records with Biopython's Entrez (esearch with the history server, efetch in batches),
    save the raw XML in --cache and ingest it.

    \b
    Examples:
      kg fetch --query 'colorectal neoplasms[mh] AND liver metastasis' --max 2000
      kg fetch --pmids pmids.txt
      printf '35246503\\n' | kg fetch --pmids - --pmc --pubtator
      kg fetch --around 35246503 --depth 1 --max 300
    """
    from ..ingest.entrez import fetch as run_fetch, read_pmids

    if sum(x is not None for x in (query, pmids, around)) != 1:
        raise click.UsageError("give exactly one of --query, --pmids or --around")
    ids = read_pmids(pmids, pmids.name) if pmids is not None else None
    hood = None
    if around is not None:
        hood, ids = _around(around, depth, 200 if limit is None else limit, Path(cache), eutils_url, email,
                            api_key, tries)
        limit = None
        pmc = True if pmc is None else pmc
        pubtator = True if pubtator is None else pubtator

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\rfetched {done}/{total}")

    files = run_fetch(query=query, pmids=ids, cache=Path(cache), batch_size=batch_size, limit=limit,
                      base_url=eutils_url, email=email, api_key=api_key, tries=tries, sleep=2.0,
                      progress=progress)
    click.echo(f"{len(files)} batch files in {cache}", err=True)
    pmc_files: list[Path] = []
    if pmc:  # issue 3: full text of the fetched articles (open-access subset), graph pmc/PMID
        from ..ingest.entrez import fetch_pmc, pmcids_in
        if hood is not None:  # ELink pubmed_pmc: PMC ids PubMed records do not always carry
            from ..ingest.around import Linker, pmc_ids
            linker = Linker(Path(cache), base_url=eutils_url, email=email, api_key=api_key, tries=tries, sleep=2.0)
            pmcids = list(dict.fromkeys([*pmcids_in(files), *pmc_ids(list(hood.pmids), linker)]))
        else:
            pmcids = pmcids_in(files)
        pmc_files = fetch_pmc(pmcids, cache=Path(cache) / "pmc", base_url=eutils_url, email=email,
                              api_key=api_key, tries=tries, sleep=2.0)
        click.echo(f"{len(pmc_files)} PMC full-text files in {Path(cache) / 'pmc'}", err=True)
    pt_files: list[Path] = []
    if pubtator:  # issue 3: PubTator3 annotations of the same PMIDs, ingested with them
        from ..ingest.pubtator_fetch import fetch as fetch_pubtator, pmids_in
        pt_cache = Path(cache) / "pubtator"
        pt_files = fetch_pubtator(ids if ids is not None else pmids_in(files), cache=pt_cache,
                                  base_url=pubtator_url, tries=tries)
        click.echo(f"{len(pt_files)} PubTator3 files in {pt_cache}", err=True)
    if do_ingest and hood is not None:
        _store_citations(hood, store_path)
    if do_ingest and files:
        extra = [*pmc_files, *pt_files]
        ingest_paths(tuple(str(f) for f in [*files, *extra]), store_path, fmt=None if extra else "pubmed",
                     batch_size=1000, rejects=None, progress=None, validate=True)


def _around(pmid: str, depth: int, limit: int, cache: Path, eutils_url: str | None, email: str | None,
            api_key: str | None, tries: int) -> tuple[Neighbourhood, list[str]]:
    """Choose the neighbourhood (ELink, cached) and write its manifest; returns it and its PMIDs."""
    from ..ingest.around import LINKS, Linker, neighbourhood, write_manifest

    linker = Linker(cache, base_url=eutils_url, email=email, api_key=api_key, tries=tries, sleep=2.0)
    hood = neighbourhood(pmid.strip(), linker, depth=depth, max_articles=limit)
    cache.mkdir(parents=True, exist_ok=True)
    manifest = cache / f"around-{hood.seed}.tsv"
    write_manifest(hood, manifest)
    counts = ", ".join(f"{sum(lk.linkname == name for lk in hood.links)} {label}" for name, label in LINKS)
    click.echo(f"neighbourhood of {hood.seed}: {len(hood.pmids)} articles to depth {depth} ({counts} links); "
               f"{linker.requests} ELink requests sent, the rest from {cache / 'elink'}; list in {manifest}",
               err=True)
    return hood, list(hood.pmids)


def _store_citations(hood: Neighbourhood, store_path: str) -> None:
    """The citation links among the neighbourhood as graph kggraph:around/PMID, replaced whole each run."""
    from ..ingest.around import citation_nquads
    from ..stores.oxigraph import GraphWrite
    from ..vocab import KGGRAPH

    graph = f"{KGGRAPH}around/{hood.seed}"
    nq = citation_nquads(hood, graph)
    store = open_store(store_path)
    try:
        if nq:
            store.replace_graphs([GraphWrite(graph, nq)])
        store.flush()
    finally:
        del store  # pyoxigraph releases the store's lock when the object goes, before ingest opens it


def register(main: click.Group) -> None:
    main.add_command(fetch)
