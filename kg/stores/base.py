"""The one Store interface: what every reader of a store and every vocabulary loader may rely on.

Both the embedded Oxigraph store (`kg.stores.oxigraph`) and a remote SPARQL 1.1 service
(`kg.stores.sparql`) satisfy it, so MeSH, ontologies and SSSOM mappings are written the same way as any
other source: one named graph replaced whole. Neither store's client object is part of the interface;
callers that need more than this go through a method added here, never through the store's innards.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence, runtime_checkable

import pyoxigraph as ox

from ..errors import StoreError

Bindings = Mapping[str, ox.NamedNode | ox.Literal]


@runtime_checkable
class Store(Protocol):
    """Named graphs replaced whole, quads read by pattern, SPARQL with bound values, then flush and close."""

    def replace_graph(self, graph: str, lines: Sequence[str]) -> None:
        """Replace named graph `graph` with the N-Triples `lines` (each ending in ' .\\n'), all or nothing:
        lines that do not parse raise before the graph is touched."""
        ...

    def quads(self, subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
              object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
              graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None matches anything). Without `graph`, every named graph (the
        embedded store adds its default graph, which `kg` never writes)."""
        ...

    def add_triples(self, graph: str, lines: Sequence[str]) -> None:
        """Add N-Triples `lines` to `graph`, keeping what it holds (a mapping set joins the mappings graph)."""
        ...

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (absent ones are ignored)."""
        ...

    def has_graph(self, graph: str) -> bool: ...

    def named_graphs(self) -> Iterator[str]: ...

    def query(self, sparql: str, bindings: Bindings | None = None) -> Any:
        """Run SPARQL with `bindings` bound as a VALUES block (`kg.binding`), never pasted into the text;
        answers are pyoxigraph's result objects."""
        ...

    def flush(self) -> None:
        """Everything written so far is durable."""
        ...

    def close(self) -> None:
        """Flush and release the store; the object is not used afterwards."""
        ...


def parse_ntriples(graph: str, lines: Sequence[str]) -> list[ox.Quad]:
    """`lines` as quads of `graph`, parsed strictly by Oxigraph before any store is touched. The readers
    format every line themselves, so a line that does not parse is a bug in `kg`, said as such."""
    g = ox.NamedNode(graph)
    try:
        return [ox.Quad(t.subject, t.predicate, t.object, g)
                for t in ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise StoreError(f"internal error: generated N-Triples for <{graph}> did not parse: {exc}") from exc
