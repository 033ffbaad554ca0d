"""Stores: where named graphs live. `STORES` maps a name to a factory; the embedded Oxigraph store is the default.

The store contract is small on purpose (replace graphs whole, delete a PMID, query with bound values,
dump), so that a SPARQL 1.1 server can stand behind the same interface.
"""

from __future__ import annotations

import os

DEFAULT_STORE = "./kg-store"


def default_store_path() -> str:
    return os.environ.get("KG_STORE", DEFAULT_STORE)
