"""Fetch PubTator3 annotations (BioC JSON) for PMIDs into a cache folder, for `kg fetch --pubtator`.

PubTator3's export API takes up to 100 PMIDs per call (``publications/export/biocjson?pmids=1,2,3``) and
asks for at most 3 requests per second; we wait 0.35 s between calls, a little over 1/3 s so a clock
tick never puts two calls in one third of a second. The base URL is configurable (``--pubtator-url``,
``KG_PUBTATOR_URL``) so tests talk to a local server and mirrors work. Each batch is saved as one
``.biocjson`` file named by a hash of its PMIDs, so re-runs reuse the cache instead of asking again.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlencode

from .entrez import FetchError

PUBTATOR3_API = "https://www.ncbi.nlm.nih.gov/research/pubtator3-api/"
EXPORT_PATH = "publications/export/biocjson"
MAX_BATCH = 100  # PubTator3's limit of PMIDs per export call


def _get(url: str, *, tries: int, sleep: float, timeout: float) -> bytes:
    last: Exception | None = None
    for attempt in range(max(tries, 1)):
        try:
            req = urllib.request.Request(url, headers={"User-Agent": "kg (https://w3id.org/oncokg)"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body: bytes = resp.read()
                return body
        except urllib.error.HTTPError as exc:
            last = exc
            if exc.code not in (429, 500, 502, 503, 504):
                raise FetchError(f"PubTator3 answered {exc.code} {exc.reason} for {url}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last = exc
        time.sleep(sleep * (2 ** attempt))
    raise FetchError(f"PubTator3 could not be reached at {url} after {tries} tries: {last}")


def fetch(pmids: Iterable[str], *, cache: Path, base_url: str | None = None, batch_size: int = MAX_BATCH,
          full_text: bool = False, tries: int = 3, sleep: float = 0.35, timeout: float = 60.0,
          progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Fetch the BioC JSON of `pmids` in batches; returns the cache files (existing ones are reused).

    A batch whose answer holds no document (PMIDs PubTator3 does not know) is not saved.
    """
    ids = list(dict.fromkeys(p.strip() for p in pmids if p and p.strip()))
    bad = [p for p in ids if not p.isdigit()]
    if bad:
        raise FetchError(f"not PMIDs: {', '.join(bad[:5])}")
    base = (base_url or PUBTATOR3_API).rstrip("/") + "/"
    batch_size = max(1, min(batch_size, MAX_BATCH))
    cache.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    first = True
    for i in range(0, len(ids), batch_size):
        batch = ids[i:i + batch_size]
        key = hashlib.sha1((",".join(batch) + ("|full" if full_text else "")).encode()).hexdigest()[:16]
        target = cache / f"pubtator3-{key}.biocjson"
        if not target.exists():
            if not first:
                time.sleep(sleep)
            first = False
            query = {"pmids": ",".join(batch)}
            if full_text:
                query["full"] = "true"
            data = _get(f"{base}{EXPORT_PATH}?{urlencode(query)}", tries=tries, sleep=sleep, timeout=timeout)
            if not _has_documents(data):
                if progress:
                    progress(min(i + batch_size, len(ids)), len(ids))
                continue
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(target)  # a crash mid-write never leaves a half file that looks cached
        files.append(target)
        if progress:
            progress(min(i + batch_size, len(ids)), len(ids))
    return files


def _has_documents(data: bytes) -> bool:
    text = data.decode("utf-8", "replace").strip()
    if not text:
        return False
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return '"passages"' in text  # JSON lines: one document per line
    if isinstance(value, dict):
        docs = value.get("PubTator3", value.get("documents", [value] if "passages" in value else []))
        return bool(docs)
    return bool(value)


def pmids_in(paths: Iterable[Path]) -> list[str]:
    """The PMIDs of the articles in fetched PubMed files, in file order (for `kg fetch --query --pubtator`)."""
    from ..records import Article
    from . import read_path

    out: dict[str, None] = {}
    for p in paths:
        for rec in read_path(str(p), "pubmed"):
            if isinstance(rec, Article):
                out.setdefault(rec.pmid)
    return list(out)
