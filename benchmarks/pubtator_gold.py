"""Gold documents of a PubTator file for the text-mining benchmarks, read through `kg.ingest`.

Why: the benchmarks score `kg` against the same records a user's `kg ingest` reads, so a reader fix
(composite IDs, offsets, bad lines) reaches the scores too; a second, private PubTator parser here would
drift from it. Each benchmark turns these records into the dict shape its scorer wants.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.records import AnnotatedDocument  # noqa: E402


def documents(path: Path, who: str) -> Iterator[AnnotatedDocument]:
    """The annotated documents of `path`; a rejected record is reported on stderr under `who` and skipped."""
    from kg.ingest import read_path
    from kg.records import Rejected
    for rec in read_path(str(path), "pubtator"):
        if isinstance(rec, Rejected):
            print(f"{who}: {rec.error}", file=sys.stderr)
        elif isinstance(rec, AnnotatedDocument):
            yield rec


def title_and_abstract(doc: AnnotatedDocument) -> tuple[str, str]:
    """The title and abstract texts (PubTator has exactly these two passages)."""
    title = next((p.text for p in doc.passages if p.section == "title"), doc.passages[0].text)
    abstract = next((p.text for p in doc.passages if p.section == "abstract"),
                    doc.passages[1].text if len(doc.passages) > 1 else "")
    return title, abstract
