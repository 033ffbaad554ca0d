"""Fetch PubMed records with Biopython's `Bio.Entrez` into a cache folder of raw efetch XML files.

esearch uses the history server (WebEnv/query_key) so a query of any size is fetched in batches without
sending PMID lists back and forth; a PMID list is fetched in batches by id. Biopython supplies the
retries and NCBI's rate limit (0.37 s between calls, 0.1 s with an API key); `NCBI_EMAIL` and
`NCBI_API_KEY` come from the environment, as NCBI asks.

The E-utilities base URL is configurable (`--eutils-url`, `KG_EUTILS_URL`) so tests talk to a local
server and mirrors work. Biopython hard-codes NCBI's address in each function, so `_base_url` rewrites
the address of the requests Biopython builds, for the duration of one call; everything else (encoding,
POST for long id lists, retries, rate limit) stays Biopython's.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from ..errors import InputError, KgError

NCBI_EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


class FetchError(KgError):
    """The E-utilities could not be reached or answered with an error."""


@contextmanager
def _base_url(base: str) -> Iterator[None]:
    from Bio import Entrez

    if base.rstrip("/") + "/" == NCBI_EUTILS:
        yield
        return
    original: Callable[..., Any] = Entrez._build_request

    def rewrite(cgi: str, *args: Any, **kwargs: Any) -> Any:
        if cgi.startswith(NCBI_EUTILS):
            cgi = base.rstrip("/") + "/" + cgi[len(NCBI_EUTILS):]
        return original(cgi, *args, **kwargs)

    Entrez._build_request = rewrite
    try:
        yield
    finally:
        Entrez._build_request = original


def _configure(email: str | None, api_key: str | None, tries: int, sleep: float) -> None:
    from Bio import Entrez

    # Biopython declares these module settings with their default None as their type
    Entrez.email = email or os.environ.get("NCBI_EMAIL") or None  # type: ignore[assignment]
    Entrez.api_key = api_key or os.environ.get("NCBI_API_KEY") or None  # type: ignore[assignment]
    Entrez.tool = "kg"
    Entrez.max_tries = tries
    Entrez.sleep_between_tries = sleep  # type: ignore[assignment]


def read_pmids(lines: Iterable[str], source: str) -> list[str]:
    """PMIDs one per line (blank lines and # comments ignored); a malformed line names file and line."""
    out: list[str] = []
    for n, line in enumerate(lines, 1):
        v = line.split("#", 1)[0].strip()
        if not v:
            continue
        if not v.isdigit():
            raise InputError(f"not a PMID: {v!r}", path=source, line=n)
        out.append(v)
    return list(dict.fromkeys(out))


def fetch(*, query: str | None = None, pmids: list[str] | None = None, cache: Path, batch_size: int = 500,
          limit: int | None = None, base_url: str | None = None, email: str | None = None,
          api_key: str | None = None, tries: int = 3, sleep: float = 15.0,
          progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Fetch PubMed XML in batches into `cache`; returns the batch files (already-complete ones are reused)."""
    from Bio import Entrez

    base = base_url or os.environ.get("KG_EUTILS_URL") or NCBI_EUTILS
    _configure(email, api_key, tries, sleep)
    cache.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    try:
        with _base_url(base):
            if query is not None:
                h = Entrez.esearch(db="pubmed", term=query, usehistory="y", retmax=0)
                res = Entrez.read(h)
                h.close()
                count = int(res["Count"])
                if limit is not None:
                    count = min(count, limit)
                webenv, key = res["WebEnv"], res["QueryKey"]
                tag = "q-" + hashlib.sha1(query.encode()).hexdigest()[:12]
                for start in range(0, count, batch_size):
                    target = cache / f"pubmed-{tag}-{start:09d}.xml"
                    if not target.exists():
                        h = Entrez.efetch(db="pubmed", retmode="xml", retstart=start,
                                          retmax=min(batch_size, count - start), webenv=webenv, query_key=key)
                        _save(h, target)
                    files.append(target)
                    if progress:
                        progress(min(start + batch_size, count), count)
            else:
                ids = (pmids or [])[: limit] if limit is not None else (pmids or [])
                for start in range(0, len(ids), batch_size):
                    chunk = ids[start:start + batch_size]
                    tag = hashlib.sha1(",".join(chunk).encode()).hexdigest()[:12]
                    target = cache / f"pubmed-ids-{tag}.xml"
                    if not target.exists():
                        h = Entrez.efetch(db="pubmed", retmode="xml", id=",".join(chunk))
                        _save(h, target)
                    files.append(target)
                    if progress:
                        progress(min(start + batch_size, len(ids)), len(ids))
    except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
        raise FetchError(f"E-utilities at {base} failed: {exc}") from exc
    except RuntimeError as exc:  # Entrez.read raises RuntimeError for an ERROR element in the answer
        raise FetchError(f"E-utilities at {base} answered with an error: {exc}") from exc
    return files


def pmcids_in(files: Iterable[Path]) -> list[str]:
    """The PMC ids of the articles in fetched PubMed XML files (ArticleId IdType="pmc")."""
    from . import read_path
    from ..records import Article

    out: list[str] = []
    for f in files:
        for rec in read_path(str(f), "pubmed"):
            if isinstance(rec, Article) and rec.pmcid:
                out.append(rec.pmcid)
    return list(dict.fromkeys(out))


def fetch_pmc(pmcids: list[str], *, cache: Path, batch_size: int = 100, base_url: str | None = None,
              email: str | None = None, api_key: str | None = None, tries: int = 3, sleep: float = 15.0) -> list[Path]:
    """PMC full text (JATS, efetch db=pmc) for PMC ids, in batches, into `cache`; complete batches are reused.

    Only the open-access subset has full text; for the others PMC returns the front matter alone, which
    the JATS ingestor reads as an article without body passages.
    """
    from Bio import Entrez

    base = base_url or os.environ.get("KG_EUTILS_URL") or NCBI_EUTILS
    _configure(email, api_key, tries, sleep)
    cache.mkdir(parents=True, exist_ok=True)
    ids = [p[3:] if p.upper().startswith("PMC") else p for p in pmcids]
    files: list[Path] = []
    try:
        with _base_url(base):
            for start in range(0, len(ids), batch_size):
                chunk = ids[start:start + batch_size]
                target = cache / f"pmc-{hashlib.sha1(','.join(chunk).encode()).hexdigest()[:12]}.xml"
                if not target.exists():
                    _save(Entrez.efetch(db="pmc", id=",".join(chunk)), target)
                files.append(target)
    except OSError as exc:
        raise FetchError(f"E-utilities at {base} failed: {exc}") from exc
    return files


def _save(handle: IO[bytes] | IO[str], target: Path) -> None:
    """Write atomically: a crash leaves no half file that a re-run would mistake for a finished batch."""
    tmp = target.with_suffix(".part")
    with open(tmp, "wb") as f:
        while True:
            block = handle.read(1 << 16)
            if not block:
                break
            f.write(block if isinstance(block, bytes) else block.encode("utf-8"))
    handle.close()
    os.replace(tmp, target)
