"""A paper's neighbourhood from PubMed's links (`kg fetch --around PMID`): what it cites, what cites it and
PubMed's similar articles, level by level, through the E-utilities' ELink.

Level 0 is the paper; level n+1 is every article linked to level n, in a fixed order (references, then
citing articles, then similar articles, each in ELink's own order, which for similar articles is PubMed's
relevance ranking) until `max_articles` are chosen. ELink is asked with the PMIDs as a list, so each
answer keeps one linkset per source PMID (Biopython sends repeated `id=` parameters) and the links stay
known, not only the set of articles.

Resumable: every ELink answer is saved under `cache/elink/` with a name made of the link name and a hash
of the PMIDs asked, and a saved answer is read instead of asking again; the choice of articles depends
only on those answers, so a re-run asks the same questions, finds them all answered and sends nothing.
Rate limits are Biopython's (at most 3 requests/s, 10 with an API key), as for the rest of `kg fetch`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .entrez import NCBI_EUTILS, FetchError, _base_url, _configure, _save

LINKS = (("pubmed_pubmed_refs", "cites"), ("pubmed_pubmed_citedin", "cited by"), ("pubmed_pubmed", "similar"))
PMC_LINK = "pubmed_pmc"
ELINK_BATCH = 100  # source PMIDs per ELink call: short URLs, one-to-one linksets


@dataclass(frozen=True)
class Link:
    source: str  # PMID asked about
    linkname: str  # one of LINKS' names, or PMC_LINK
    target: str  # linked UID (a PMID; a PMC id for PMC_LINK)


@dataclass(frozen=True)
class Neighbourhood:
    seed: str
    pmids: tuple[str, ...]  # chosen articles, seed first, level by level
    level: tuple[tuple[str, int], ...]  # (PMID, level) for each chosen article
    links: tuple[Link, ...]  # links between chosen articles (either end outside the choice is dropped)


class Linker:
    """ELink through Biopython, each answer cached on disk; counts the requests it really sends."""

    def __init__(self, cache: Path, *, base_url: str | None = None, email: str | None = None,
                 api_key: str | None = None, tries: int = 3, sleep: float = 15.0) -> None:
        self.cache = cache / "elink"
        self.base = base_url or os.environ.get("KG_EUTILS_URL") or NCBI_EUTILS
        self.requests = 0
        _configure(email, api_key, tries, sleep)

    def links(self, pmids: list[str], linkname: str) -> list[Link]:
        """The `linkname` links of `pmids`, in ELink's order, from the cache or from the E-utilities."""
        out: list[Link] = []
        for start in range(0, len(pmids), ELINK_BATCH):
            out.extend(self._batch(pmids[start:start + ELINK_BATCH], linkname))
        return out

    def _batch(self, batch: list[str], linkname: str) -> list[Link]:
        from Bio import Entrez

        key = hashlib.sha1(",".join(batch).encode()).hexdigest()[:16]
        target = self.cache / f"{linkname}-{key}.xml"
        if not target.exists():
            self.cache.mkdir(parents=True, exist_ok=True)
            db = "pmc" if linkname == PMC_LINK else "pubmed"
            try:
                with _base_url(self.base):
                    self.requests += 1
                    _save(Entrez.elink(dbfrom="pubmed", db=db, id=list(batch), linkname=linkname), target)
            except OSError as exc:
                raise FetchError(f"E-utilities at {self.base} failed (ELink {linkname}): {exc}") from exc
            try:
                return _read_links(target, linkname)
            except FetchError:
                target.unlink()  # an error answer is not cached: the next run asks again
                raise
        return _read_links(target, linkname)


def _read_links(path: Path, linkname: str) -> list[Link]:
    from Bio import Entrez

    try:
        with open(path, "rb") as f:
            record = Entrez.read(f)
    except RuntimeError as exc:  # an <ERROR> element in the answer
        raise FetchError(f"{path}: ELink answered with an error: {exc}") from exc
    except Exception as exc:  # Biopython's parser raises several kinds on a damaged file
        raise FetchError(f"{path}: not a readable ELink answer ({exc}); delete it to ask again") from exc
    out: list[Link] = []
    for linkset in record:
        sources = [str(i) for i in linkset.get("IdList", [])]
        if len(sources) != 1:
            continue  # ELink merges the sources only when asked with a comma list; we never do
        for db in linkset.get("LinkSetDb", []):
            if db.get("LinkName") != linkname:
                continue
            for link in db.get("Link", []):
                out.append(Link(sources[0], linkname, str(link["Id"])))
    return out


def neighbourhood(seed: str, linker: Linker, *, depth: int = 1, max_articles: int = 200) -> Neighbourhood:
    """Choose the articles around `seed`, breadth first, at most `max_articles` (the seed included)."""
    if not seed.isdigit():
        raise FetchError(f"not a PMID: {seed!r}")
    if depth < 0 or max_articles < 1:
        raise FetchError(f"--depth must be 0 or more and --max 1 or more (got {depth} and {max_articles})")
    chosen: dict[str, int] = {seed: 0}
    links: list[Link] = []
    frontier = [seed]
    for level in range(1, depth + 1):
        if not frontier or len(chosen) >= max_articles:
            break
        found: list[str] = []
        for linkname, _ in LINKS:
            for link in linker.links(frontier, linkname):
                links.append(link)
                found.append(link.target)
        frontier = []
        for pmid in found:
            if len(chosen) >= max_articles:
                break
            if pmid.isdigit() and pmid not in chosen:
                chosen[pmid] = level
                frontier.append(pmid)
    kept = [lk for lk in dict.fromkeys(links) if lk.source in chosen and lk.target in chosen
            and lk.source != lk.target]
    return Neighbourhood(seed, tuple(chosen), tuple(chosen.items()), tuple(kept))


def pmc_ids(pmids: list[str], linker: Linker) -> list[str]:
    """PMC ids of the articles that have one (ELink pubmed_pmc), in the order of `pmids`."""
    return list(dict.fromkeys(lk.target for lk in linker.links(pmids, PMC_LINK)))


def citation_nquads(n: Neighbourhood, graph: str) -> str:
    """The citation links among the chosen articles as `cito:cites` N-Quads in `graph` (similar-article
    links are PubMed's computation, not a statement of either paper, and stay in the manifest only)."""
    from .. import iris
    from ..vocab import CITO

    lines = []
    for lk in n.links:
        if lk.linkname == "pubmed_pubmed_refs":
            citing, cited = lk.source, lk.target
        elif lk.linkname == "pubmed_pubmed_citedin":
            citing, cited = lk.target, lk.source
        else:
            continue
        lines.append(f"<{iris.article(citing)}> <{CITO.cites}> <{iris.article(cited)}> <{graph}> .\n")
    return "".join(sorted(set(lines)))


def write_manifest(n: Neighbourhood, path: Path) -> None:
    """A TSV of the neighbourhood (PMID, level, and every link with its kind) for people and scripts."""
    rows = ["pmid\tlevel\tlink\tfrom\n"]
    names = dict(LINKS)
    level = dict(n.level)
    seen: set[str] = set()
    for lk in n.links:
        rows.append(f"{lk.target}\t{level[lk.target]}\t{names.get(lk.linkname, lk.linkname)}\t{lk.source}\n")
        seen.add(lk.target)
    rows += [f"{p}\t{level[p]}\t\t\n" for p in n.pmids if p not in seen]
    tmp = path.with_suffix(".part")
    tmp.write_text("".join(rows), encoding="utf-8")
    os.replace(tmp, path)
