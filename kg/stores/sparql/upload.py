"""Writing named graphs to a SPARQL server in bounded requests: SPARQL Update (`DROP SILENT GRAPH` +
`INSERT DATA`), the Graph Store Protocol (PUT) or a dataset endpoint that takes N-Quads by POST.

Virtuoso hangs on very large requests and refuses more than ~4,990 statements per `GRAPH {}` block, or
an update whose SQL passes 10,000 lines (see docs/bulk-loading.md): every write here is cut to fit, and
a refused batch is halved and resent. `GraphUploads` is the writing half of `SparqlStore`.
"""

from __future__ import annotations

import logging
import urllib.parse
from typing import Iterable, Sequence

import pyoxigraph as ox

from ...errors import StoreError
from ..base import parse_ntriples
from .http import HttpClient, Refused, public_url

log = logging.getLogger(__name__)

#: Statements per `GRAPH <g> { }` block of INSERT DATA: Virtuoso refuses ~4,990 and more (SP030).
MAX_BLOCK = 4000
#: Statements per write request: far below the ~300k where Virtuoso hangs, big enough to be fast.
DEFAULT_BATCH = 10_000


class GraphUploads:
    """The writes of `SparqlStore`: graphs replaced whole, triples added, quads removed. The store sets the
    attributes below; this half only reads them (and lowers `max_graphs` when a server refuses a batch)."""

    update_endpoint: str
    gsp: str | None
    quads_url: str | None
    batch_triples: int
    max_graphs: int
    requests: int           # write requests sent, for tests and progress
    _http: HttpClient

    def update(self, text: str, *, what: str = "an update") -> None:
        self.requests += 1
        self._http.send("POST", self.update_endpoint, text.encode("utf-8"),
                        "application/sparql-update; charset=utf-8", what=what)

    def drop_graphs(self, graphs: Sequence[str]) -> None:
        for i in range(0, len(graphs), 500):
            chunk = graphs[i:i + 500]
            self.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in chunk),
                        what=_what("dropping", chunk))

    def replace_graphs(self, graphs: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Replace each graph whole. `graphs` yields (IRI, N-Triples lines ending in ' .\\n').

        Several small graphs share one request; a graph bigger than a request is dropped and then sent in
        several. A request that fails part-way is resent whole (DROP first), so a retry never duplicates.
        """
        if self.gsp:
            for g, lines in graphs:
                self._put_graph(self.gsp, g, lines)
            return
        if self.quads_url:
            self._post_quads(self.quads_url, graphs)
            return
        batch: list[tuple[str, Sequence[str]]] = []
        size = 0
        for g, lines in graphs:
            if len(lines) > self.batch_triples:
                self._flush(batch)
                batch, size = [], 0
                self._send_big(g, lines)
                continue
            if (size + len(lines) > self.batch_triples or len(batch) >= self.max_graphs) and batch:
                self._flush(batch)
                batch, size = [], 0
            batch.append((g, lines))
            size += len(lines)
        self._flush(batch)

    def _flush(self, batch: list[tuple[str, Sequence[str]]]) -> None:
        if not batch:
            return
        parts = [f"DROP SILENT GRAPH <{g}> ;\n" for g, _ in batch]
        blocks = [b for g, lines in batch for b in _blocks(g, lines)]
        if blocks:
            parts.append("INSERT DATA {\n" + "".join(blocks) + "}\n")
        try:
            self.update("".join(parts), what=_what("writing", [g for g, _ in batch]))
        except Refused as exc:
            if len(batch) == 1 or exc.code in (401, 403) or exc.code >= 500:
                raise
            half = len(batch) // 2
            self.max_graphs = max(1, min(self.max_graphs, half))
            log.info("%s: request refused (%s); sending %d graphs per request", public_url(self.update_endpoint),
                     exc.code, self.max_graphs)
            self._flush(batch[:half])
            self._flush(batch[half:])

    def _post_quads(self, url: str, graphs: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Dataset POST: per batch of about `batch_triples` triples, drop its graphs, then POST their quads.

        Why: one N-Quads request per batch instead of a request per graph (GSP) or a parsed SPARQL Update
        (measured on the Oxigraph server in the benchmark). Not atomic (Oxigraph's `?no_transaction` even
        less so), which the load checkpoint covers: a batch is marked unsent until this returns, so a cut
        batch is dropped and sent again whole by the next run.
        """
        batch: list[tuple[str, Sequence[str]]] = []
        size = 0
        for g, lines in graphs:
            if batch and size + len(lines) > self.batch_triples:
                self._flush_quads(url, batch)
                batch, size = [], 0
            batch.append((g, lines))
            size += len(lines)
        self._flush_quads(url, batch)

    def _flush_quads(self, url: str, batch: list[tuple[str, Sequence[str]]]) -> None:
        if not batch:
            return
        graphs = [g for g, _ in batch]
        self.drop_graphs(graphs)
        # N-Triples lines end in " .\n": the graph goes in before the final dot.
        body = "".join(f"{line[:-2]}<{g}> .\n" for g, lines in batch for line in lines)
        if body:
            self.requests += 1
            self._http.send("POST", url, body.encode("utf-8"), "application/n-quads",
                            what=_what("writing", graphs))

    def _send_big(self, g: str, lines: Sequence[str]) -> None:
        self.update(f"DROP SILENT GRAPH <{g}>", what=_what("dropping", [g]))
        step = min(self.batch_triples, MAX_BLOCK)  # one GRAPH block per request
        i = 0
        while i < len(lines):
            part = lines[i:i + step]
            try:
                self.update("INSERT DATA {\n" + "".join(_blocks(g, part)) + "}\n",
                            what=f"writing graph <{g}> (triples {i + 1}-{i + len(part)})")
            except Refused as exc:  # Virtuoso's SQL-size limit (SP031): smaller pieces
                if exc.code >= 500 or exc.code in (401, 403) or step <= 100:
                    raise
                step //= 2
                continue
            i += len(part)

    def _put_graph(self, gsp: str, g: str, lines: Sequence[str]) -> None:
        """GSP: PUT the first chunk (replaces), POST the rest (adds). N-Triples, which every server reads."""
        url = gsp + ("&" if "?" in gsp else "?") + urllib.parse.urlencode({"graph": g})
        if not lines:
            self.requests += 1
            try:
                self._http.send("DELETE", url, None, None, what=_what("deleting", [g]))
            except StoreError as exc:
                if "HTTP 404" not in str(exc):
                    raise
            return
        for i in range(0, len(lines), self.batch_triples):
            body = "".join(lines[i:i + self.batch_triples]).encode("utf-8")
            self.requests += 1
            self._http.send("PUT" if i == 0 else "POST", url, body, "application/n-triples",
                            what=_what("writing", [g]))

    # ---- the writes of the Store interface (kg.stores.base), as the vocabulary loaders use them ------------
    def replace_graph(self, graph: str, lines: Sequence[str]) -> None:
        """One graph replaced whole, checked first (nothing is sent when a line does not parse)."""
        parse_ntriples(graph, lines)
        self.replace_graphs([(graph, list(lines))])

    def add_triples(self, graph: str, lines: Sequence[str]) -> None:
        parse_ntriples(graph, lines)
        step = min(self.batch_triples, MAX_BLOCK)
        for i in range(0, len(lines), step):
            self.update("INSERT DATA {\n" + "".join(_blocks(graph, lines[i:i + step])) + "}\n",
                        what=_what("writing", [graph]))

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """DELETE DATA, written by pyoxigraph's own term serialisation (blank nodes cannot be named there)."""
        todo = list(quads)
        for q in todo:
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                raise StoreError(f"cannot remove a quad with a blank node from a SPARQL server: {q}")
        by_graph: dict[str, list[str]] = {}
        for q in todo:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise StoreError(f"cannot remove a quad outside a named graph from a SPARQL server: {q}")
            by_graph.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
        for g, lines in by_graph.items():  # one GRAPH block per request: Virtuoso's SQL-size limit
            for i in range(0, len(lines), MAX_BLOCK):
                self.update("DELETE DATA {\n" + "".join(_blocks(g, lines[i:i + MAX_BLOCK])) + "}\n",
                            what=_what("deleting from", [g]))


def _blocks(g: str, lines: Sequence[str]) -> Iterable[str]:
    for i in range(0, len(lines), MAX_BLOCK):
        yield f"GRAPH <{g}> {{\n" + "".join(lines[i:i + MAX_BLOCK]) + "}\n"


def _what(verb: str, graphs: Sequence[str]) -> str:
    if len(graphs) == 1:
        return f"{verb} graph <{graphs[0]}>"
    return f"{verb} {len(graphs)} graphs (<{graphs[0]}> ... <{graphs[-1]}>)"
