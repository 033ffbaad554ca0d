"""`kg fetch`: PubMed records from NCBI's E-utilities into a cache folder, then into the store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .core import store_option


@click.command()
@click.option("--query", help="A PubMed query, as typed in PubMed's search box.")
@click.option("--pmids", type=click.File("r"), help="A file of PMIDs, one per line, or - for stdin.")
@click.option("--cache", default=".cache/pubmed", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the raw efetch XML (reused on re-runs).")
@click.option("--batch-size", default=500, show_default=True, help="Records per efetch call.")
@click.option("--max", "limit", type=int, help="Fetch at most N records.")
@click.option("--eutils-url", envvar="KG_EUTILS_URL", help="E-utilities base URL (default NCBI; $KG_EUTILS_URL).")
@click.option("--email", envvar="NCBI_EMAIL", help="Your e-mail, as NCBI asks ($NCBI_EMAIL).")
@click.option("--api-key", envvar="NCBI_API_KEY", help="NCBI API key: 10 requests/s instead of 3 ($NCBI_API_KEY).")
@click.option("--tries", default=3, show_default=True, help="Attempts per request on network errors and 5xx/429.")
@click.option("--pmc", is_flag=True,
              help="Also fetch PMC full text (JATS, efetch db=pmc) for the fetched articles that have a PMCID.")
@click.option("--pubtator", is_flag=True, help="Also fetch PubTator3 annotations (BioC JSON) for the PMIDs.")
@click.option("--pubtator-url", envvar="KG_PUBTATOR_URL",
              help="PubTator3 API base URL (default NCBI's; $KG_PUBTATOR_URL).")
@click.option("--ingest/--no-ingest", "do_ingest", default=True, show_default=True,
              help="Ingest the fetched files into the store.")
@store_option
@click.pass_context
def fetch(ctx: click.Context, query: str | None, pmids, cache: str, batch_size: int, limit: int | None,
          eutils_url: str | None, email: str | None, api_key: str | None, tries: int, pmc: bool, pubtator: bool,
          pubtator_url: str | None, do_ingest: bool, store_path: str) -> None:
    """Fetch PubMed records with Biopython's Entrez (esearch with the history server, efetch in batches),
    save the raw XML in --cache and ingest it.

    \b
    Examples:
      kg fetch --query 'colorectal neoplasms[mh] AND liver metastasis' --max 2000
      kg fetch --pmids pmids.txt
      printf '35246503\\n' | kg fetch --pmids - --pmc --pubtator
    """
    from ..ingest.entrez import fetch as run_fetch, read_pmids

    if (query is None) == (pmids is None):
        raise click.UsageError("give exactly one of --query or --pmids")
    ids = read_pmids(pmids, pmids.name) if pmids is not None else None

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
        pmc_files = fetch_pmc(pmcids_in(files), cache=Path(cache) / "pmc", base_url=eutils_url, email=email,
                              api_key=api_key, tries=tries, sleep=2.0)
        click.echo(f"{len(pmc_files)} PMC full-text files in {Path(cache) / 'pmc'}", err=True)
    pt_files: list[Path] = []
    if pubtator:  # issue 3: PubTator3 annotations of the same PMIDs, ingested with them
        from ..ingest.pubtator_fetch import fetch as fetch_pubtator, pmids_in
        pt_cache = Path(cache) / "pubtator"
        pt_files = fetch_pubtator(ids if ids is not None else pmids_in(files), cache=pt_cache,
                                  base_url=pubtator_url, tries=tries)
        click.echo(f"{len(pt_files)} PubTator3 files in {pt_cache}", err=True)
    if do_ingest and files:
        from .core import ingest
        extra = [*pmc_files, *pt_files]
        ctx.invoke(ingest, paths=tuple(str(f) for f in [*files, *extra]), store_path=store_path,
                   fmt=None if extra else "pubmed",
                   batch_size=1000, rejects=None, progress=None, validate=True)


def register(main: click.Group) -> None:
    main.add_command(fetch)
