"""A SPARQL 1.1 server as a store, split by concern:

- `http`: endpoint checks, credentials, Digest auth, retry messages (nothing about SPARQL);
- `paging`: a SELECT the server cuts short, read again page by page, and the SPARQL tokenizer;
- `store`: `SparqlStore`, the `kg.stores.base.Store` interface over query, update and Graph Store endpoints.
"""

from __future__ import annotations

from .http import Credentials, Refused, check_endpoint, find_credentials, public_url
from .paging import DEFAULT_PAGE, PagedSolutions, PagePlan, page_query
from .store import DEFAULT_BATCH, MAX_BLOCK, SparqlStore, query_form, with_prefixes

__all__ = ["Credentials", "Refused", "check_endpoint", "find_credentials", "public_url", "DEFAULT_PAGE",
           "PagedSolutions", "PagePlan", "page_query", "DEFAULT_BATCH", "MAX_BLOCK", "SparqlStore", "query_form",
           "with_prefixes"]
