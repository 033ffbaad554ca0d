"""A SPARQL 1.1 server as a store, split by concern:

- `http`: endpoint checks, credentials, `HttpClient` (auth headers, Digest, retries), messages (nothing
  about SPARQL);
- `paging`: a SELECT the server cuts short, read again page by page, and the SPARQL tokenizer;
- `upload`: `GraphUploads`, the writes: graphs replaced whole in bounded update, GSP or N-Quads requests;
- `store`: `SparqlStore`, the `kg.stores.base.Store` interface over query, update and Graph Store endpoints.
"""

from __future__ import annotations

from .http import Credentials, HttpClient, Refused, check_endpoint, find_credentials, public_url
from .paging import DEFAULT_PAGE, PagedSolutions, PagePlan, page_query
from .store import Answer, SparqlStore, query_form, with_prefixes
from .upload import DEFAULT_BATCH, MAX_BLOCK, GraphUploads

__all__ = ["Credentials", "HttpClient", "Refused", "check_endpoint", "find_credentials", "public_url",
           "DEFAULT_PAGE", "PagedSolutions", "PagePlan", "page_query", "Answer", "SparqlStore", "query_form",
           "with_prefixes", "DEFAULT_BATCH", "MAX_BLOCK", "GraphUploads"]
