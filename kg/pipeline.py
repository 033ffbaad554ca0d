"""The ingest pipeline: records -> per-article N-Quads -> (validation) -> store, in batches.

This is the one place that wires ingestors, mapping and store together; the CLI calls `ingest`, the
benchmarks call `article_nquads`, and `kg convert` (shards without a store) reuses the same mapping.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from . import iris
from .errors import InputError
from .ingest import read_paths
from .records import Article, Deletion, Rejected
from .records import AnnotatedDocument  # issue 3: PubTator/BioC
from .rdf.pubtator import pubtator_nquads  # issue 3: PubTator/BioC
from .records import FullText  # issue 3: JATS full text, graph pmc/PMID
from .rdf.fulltext import fulltext_nquads  # issue 3: JATS full text
from .rdf.article import article_triples
from .rdf.nt import iri
from .rdf.provenance import graph_triples, now
from .stores.oxigraph import GraphWrite, OxigraphStore


class Validator(Protocol):
    """Checks a batch of article graphs before they are stored; returns {pmid: [problems]} for the bad ones."""

    def __call__(self, graphs: list[tuple[str, str]]) -> dict[str, list[str]]: ...


@dataclass
class Summary:
    files: int = 0
    articles: int = 0
    triples: int = 0
    deleted: int = 0
    rejected: int = 0
    skipped_older: int = 0
    errors: list[InputError] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"files": self.files, "articles": self.articles, "triples": self.triples,
                "deleted": self.deleted, "rejected": self.rejected, "skipped_older": self.skipped_older}


def article_nquads(article: Article, *, path: str, fmt: str, generated: str,
                   source: str = "pubmed", nlp: bool = False) -> tuple[str, str, int]:
    """(graph IRI, N-Quads text, triple count) of one article, provenance included.

    With `nlp`, the mentions, assertions and co-occurrences of its title and abstract too (issue 3).
    """
    graph = iris.article_graph(article.pmid, source)
    g = iri(graph)
    lines = [f"{s} {p} {o} {g} .\n" for s, p, o in article_triples(article)]
    if nlp:  # issue 3: text mining of title and abstract (kg.nlp.annotate)
        from .nlp import annotate
        lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in annotate(article, source=source))
    lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in
                 graph_triples(graph, path=path, fmt=fmt, article=iris.article(article.pmid), generated=generated))
    return graph, "".join(lines), len(lines)


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal (pipes and logs stay clean)."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, s: Summary, force: bool = False) -> None:
        if not self.enabled:
            return
        t = time.monotonic()
        if force or t - self.last > 0.5:
            self.last = t
            rate = s.articles / max(t - self.start, 1e-9)
            sys.stderr.write(f"\r{s.files} files, {s.articles} articles ({rate:,.0f}/s), {s.triples} triples, "
                             f"{s.deleted} deleted, {s.rejected} rejected")
            sys.stderr.flush()

    def close(self, s: Summary) -> None:
        if self.enabled:
            self.update(s, force=True)
            sys.stderr.write("\n")


def ingest(paths: Iterable[str], store: OxigraphStore, *, fmt: str | None = None,
           validator: Validator | None = None, batch_size: int = 1000,
           progress: Progress | None = None,
           on_reject: Callable[[InputError], None] | None = None, nlp: bool = True) -> Summary:
    """Read every record of `paths` into `store`; bad records are reported, never half-stored.

    `nlp` tags titles, abstracts and full text (mentions, assertions, co-occurrences; issue 3)."""
    summary = Summary()
    progress = progress or Progress(enabled=False)
    generated = now()
    pending: dict[str, tuple[int, GraphWrite, int]] = {}
    seen_files: set[str] = set()

    def reject(err: InputError) -> None:
        summary.rejected += 1
        summary.errors.append(err)
        if on_reject:
            on_reject(err)

    def flush() -> None:
        if not pending:
            return
        items = list(pending.items())
        pending.clear()
        if validator is not None:
            bad = validator([(w.graph, w.nquads) for _, (_, w, _) in items])
            kept = []
            for pmid, entry in items:
                if pmid in bad:
                    reject(InputError("failed validation: " + "; ".join(bad[pmid]), pmid=pmid))
                else:
                    kept.append((pmid, entry))
            items = kept
        store.clear_tombstones(p for p, _ in items)
        store.replace_graphs([w for _, (_, w, _) in items])
        summary.articles += len(items)
        summary.triples += sum(n for _, (_, _, n) in items)
        progress.update(summary)

    for path, rec in read_paths(paths, fmt):
        if path not in seen_files:
            seen_files.add(path)
            summary.files += 1
        if isinstance(rec, Article):
            current = pending.get(rec.pmid)
            if current is not None and current[0] > rec.version:
                summary.skipped_older += 1
                continue
            if current is None:
                stored = store.version_of(rec.pmid)
                if stored is not None and stored > rec.version:
                    summary.skipped_older += 1
                    continue
            try:
                graph, text, n = article_nquads(rec, path=path, fmt=fmt or "pubmed", generated=generated,
                                                nlp=nlp)
            except ValueError as exc:
                reject(InputError(f"cannot map to RDF: {exc}", path=path, pmid=rec.pmid))
                continue
            pending[rec.pmid] = (rec.version, GraphWrite(graph, text), n)
            if len(pending) >= batch_size:
                flush()
        elif isinstance(rec, Deletion):
            pending.pop(rec.pmid, None)
            flush()
            store.delete_pmid(rec.pmid, when=generated)
            summary.deleted += 1
        elif isinstance(rec, AnnotatedDocument):  # issue 3, PubTator/BioC import: graph pubtator/PMID
            try:
                graph, text, n = pubtator_nquads(rec, path=path, generated=generated)
            except ValueError as exc:
                reject(InputError(f"cannot map to RDF: {exc}", path=path, pmid=rec.pmid))
                continue
            pending["pubtator/" + rec.pmid] = (0, GraphWrite(graph, text), n)  # key apart from the PubMed graph's
            if len(pending) >= batch_size:
                flush()
        elif isinstance(rec, FullText) and rec.pmid:  # issue 3, JATS full text: graph pmc/PMID
            try:
                graph, text, n = fulltext_nquads(rec, path=path, generated=generated, nlp=nlp)
            except ValueError as exc:
                reject(InputError(f"cannot map to RDF: {exc}", path=path, pmid=rec.pmid))
                continue
            pending["pmc/" + rec.pmid] = (0, GraphWrite(graph, text), n)  # key apart from the PubMed graph's
            if len(pending) >= batch_size:
                flush()
        elif isinstance(rec, Rejected):
            reject(rec.error)
    flush()
    store.flush()
    progress.close(summary)
    return summary
