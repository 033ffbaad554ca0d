"""Stores: where named graphs live. `STORES` maps a name to an opener; the embedded Oxigraph store is the default.

Every store satisfies one small interface, `kg.stores.base.Store` (replace a graph whole, read quads by
pattern, query with bound values, flush, close), so a SPARQL 1.1 server stands behind the same calls as
the embedded store and the vocabulary loaders (`kg.vocabularies`) write to either. Openers import their
store lazily: `kg --help` does not load pyoxigraph's store or the HTTP client.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .base import Store

DEFAULT_STORE = "./kg-store"


def default_store_path() -> str:
    return os.environ.get("KG_STORE", DEFAULT_STORE)


def _open_oxigraph(location: str | None, **options: Any) -> Store:
    """The embedded store at folder `location` (None: in memory); `read_only=True` to only read."""
    from .oxigraph import OxigraphStore
    return OxigraphStore(location, **options)


def _open_sparql(location: str, **options: Any) -> Store:
    """A SPARQL 1.1 service at query endpoint `location` (options: update_endpoint, gsp, quads, auth, ...)."""
    from .sparql import SparqlStore
    return SparqlStore(location, **options)


#: Store kind -> opener(location, **options). A new kind of store is one module and one line here.
STORES: dict[str, Callable[..., Store]] = {"oxigraph": _open_oxigraph, "sparql": _open_sparql}
DEFAULT_KIND = "oxigraph"


def open_store(kind: str, location: str | None, **options: Any) -> Store:
    """Open a store by kind, through `STORES`."""
    from ..errors import StoreError
    try:
        opener = STORES[kind]
    except KeyError:
        raise StoreError(f"no store kind {kind!r}; known: {', '.join(STORES)}") from None
    return opener(location, **options)
