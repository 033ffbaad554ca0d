"""A SPARQL 1.1 server as a store: Virtuoso, Fuseki, GraphDB, Oxigraph server, QLever, ...

Reads go through SPARQLWrapper and come back as the same pyoxigraph result objects the embedded store
returns (`QuerySolutions`, `QueryBoolean`, `QueryTriples`), so `kg query --endpoint` prints exactly what
`kg query` prints; a SELECT that Virtuoso cuts at `ResultSetMaxRows` is read again in pages (`page_query`,
`PagedSolutions`). Writes replace named graphs whole, in bounded requests (`GraphUploads`, in `upload`);
HTTP with credentials and retries is `HttpClient` (in `http`).

Credentials come only from KG_SPARQL_USER / KG_SPARQL_PASSWORD or ~/.netrc and never appear in a message.
Timeouts, connection resets and 5xx answers are retried with exponential backoff; a 4xx answer is a
`StoreError` naming the endpoint and the graph.
"""

from __future__ import annotations

import logging
import re
import time
import urllib.error
import urllib.parse
from typing import TYPE_CHECKING, Iterator, Union

import pyoxigraph as ox

from ...binding import UNDEF, declared_parameters, with_values
from ...errors import QueryError, StoreError
from ...vocab import PREFIXES
from ..base import Bindings
from .http import (TRANSIENT, HttpClient, _body_excerpt, _reason, _sw_message, check_endpoint, find_credentials,
                   public_url)
from .paging import DEFAULT_PAGE, PagedSolutions, PagePlan, _max_rows, page_query, without_comments
from .upload import DEFAULT_BATCH, MAX_BLOCK, GraphUploads

if TYPE_CHECKING:
    from email.message import Message

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_BATCH", "MAX_BLOCK", "Answer", "SparqlStore", "query_form", "with_prefixes"]

#: What `SparqlStore.query` answers: pyoxigraph's own result objects, or a SELECT read in pages.
Answer = Union[ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples, PagedSolutions]


class _SortLimit(QueryError):
    """Virtuoso refused ORDER BY with OFFSET + LIMIT beyond MaxSortedTopRows (SR353, SR352)."""


#: A server's refusal that every retry would meet again, by a marker in its message: what limit it names.
_LIMITS = (
    ("exceeds the limit", "the server's limit on its estimate of a query's cost, MaxQueryCostEstimationTime "
                          "in Virtuoso's [SPARQL] section"),  # refused before running
    ("SR171", "the server's limit on a query's run time, MaxQueryExecutionTime in Virtuoso's [SPARQL] section"),
)

_PROLOGUE = re.compile(r"(?is)^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*")


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first keyword after comments and the prologue."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    prologue = _PROLOGUE.match(body)             # always matches (maybe nothing)
    body = body[prologue.end():] if prologue else body
    m = re.match(r"\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.I)
    if not m:
        raise QueryError("only SELECT, CONSTRUCT, ASK and DESCRIBE queries can be sent (kg never updates "
                         "a server through kg query or kg sparql; use kg load)")
    return m.group(1).upper()


class SparqlStore(GraphUploads):
    """A remote SPARQL 1.1 service: query endpoint, optional update endpoint and Graph Store endpoint.
    Reads are here; writes (`update`, `replace_graphs`, the Store interface's writes) are `GraphUploads`."""

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, gsp: str | None = None,
                 quads: str | None = None, auth: str | None = None, timeout: float = 120.0, retries: int = 6, backoff: float = 0.5,
                 batch_triples: int = DEFAULT_BATCH, max_graphs: int = 200, max_rows: int | None = None,
                 resend_timed_out: bool = True) -> None:
        if auth not in (None, "basic", "digest"):
            raise StoreError(f"--auth must be basic or digest, not {auth!r}")
        for url, what in ((endpoint, "--endpoint"), (update_endpoint, "--update-endpoint"), (gsp, "--gsp"),
                          (quads, "--quads")):
            if url is not None:
                check_endpoint(url, what)
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.gsp = gsp
        # A dataset endpoint that takes N-Quads by POST (Oxigraph /store, Fuseki /DATASET, GraphDB
        # /repositories/ID/statements): a batch of graphs is one DROP request plus one POST.
        self.quads_url = quads
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.batch_triples = max(1, batch_triples)
        # Graphs per update request. Virtuoso compiles each GRAPH {} block to SQL and refuses a request
        # whose SQL passes 10,000 lines (SP031, ~30 blocks): on such a 400 the batch is halved and resent,
        # and the smaller size is kept. A single graph that is still refused is a real error, named.
        self.max_graphs = max(1, max_graphs)
        self.credentials = find_credentials(self.update_endpoint) if auth else None
        if auth and self.credentials is None:
            raise StoreError(f"--auth {auth} needs credentials: set KG_SPARQL_USER and KG_SPARQL_PASSWORD "
                             f"or add {urllib.parse.urlsplit(self.update_endpoint).hostname} to ~/.netrc")
        self.requests = 0  # write requests sent, for tests and progress
        # Rows at which this server cuts SELECT results without the X-SPARQL-MaxRows header (None: only
        # the header, which Virtuoso sends, starts paging). A first answer that long is read in pages.
        self.max_rows = max_rows if max_rows and max_rows > 0 else None
        # Whether a query that timed out is sent again: yes for kg's own small reads during `kg load` (a
        # server busy with a checkpoint answers the next try), no for a user's query (`kg query`), which
        # the server is most likely still running: a second copy would only queue beside it.
        self.resend_timed_out = resend_timed_out
        self._http = HttpClient(auth=auth, credentials=self.credentials, timeout=timeout, retries=retries,
                                backoff=backoff)

    def __repr__(self) -> str:
        return f"SparqlStore({public_url(self.endpoint)!r})"

    # ---- reading -------------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Bindings | None = None) -> Answer:
        """Same shape as `OxigraphStore.query`: bound values go in as a VALUES block, never pasted text.

        A SELECT that the server cuts short (Virtuoso's `ResultSetMaxRows`, announced only by the response
        header `X-SPARQL-MaxRows`) is asked again page by page (`page_query`), so every row comes back; a
        query that is not cut costs one request.
        """
        values: dict[str, object] = dict(bindings or {})
        # Declared parameters left unbound are passed as UNDEF: Virtuoso's compiler fails on a variable
        # that has no origin in the query (one only tested in FILTER (!BOUND(?x) || EXISTS {...})).
        for name in declared_parameters(sparql):
            values.setdefault(name, UNDEF)
        if values:
            sparql = with_values(sparql, values)
        # after the VALUES (declared parameters and the block's placement are read from comments), and
        # before the prefixes (a prefix named only in a comment needs no declaration)
        text = with_prefixes(without_comments(sparql))
        form = query_form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            # Virtuoso caps these too (at ResultSetMaxRows / MaxConstructTriples triples) and says nothing,
            # not even X-SPARQL-MaxRows: kg cannot tell a cut graph from a whole one (see the README).
            data, headers = self._request(text, form)
            ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
            fmt = ox.RdfFormat.from_media_type(ctype) or ox.RdfFormat.N_TRIPLES
            tmp = ox.Store()  # a real QueryTriples, so callers need not care where the triples came from
            tmp.load(data, format=fmt)
            return tmp.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        try:
            data, headers = self._request(text, form)
        except _SortLimit:
            if form != "SELECT":
                raise
            # The user's own ORDER BY with a large OFFSET/LIMIT: the paged form is not refused.
            return self._paged(text, None, None)
        if form != "SELECT":
            return self._parse(data)
        first = self._select(data)
        variables = [v.value for v in first.variables]
        cap = _max_rows(headers)
        if cap is None and self.max_rows:
            if sum(1 for _ in first) >= self.max_rows:
                cap = self.max_rows  # a server that cuts without saying so, at a size the user told us
            else:
                first = self._select(data)  # the counted copy is spent
        if cap is None:
            return first
        return self._paged(text, variables, cap)

    def _paged(self, text: str, variables: list[str] | None, cap: int | None) -> "PagedSolutions":
        """Page `text`; without `variables` (the first answer failed) one row is read first to learn them,
        without `cap` pages start at `DEFAULT_PAGE` rows and shrink to whatever cap the server announces."""
        where = public_url(self.endpoint)
        why = (f"cut the results at {cap} rows (Virtuoso's ResultSetMaxRows)" if cap else
               "refused the query's ORDER BY with LIMIT/OFFSET (Virtuoso's MaxSortedTopRows)")
        try:
            if variables is None:
                probe = page_query(text, ())
                data, _ = self._request(probe.text(0, 1), "SELECT")
                variables = [v.value for v in self._select(data).variables]
            plan = page_query(text, variables)
        except QueryError as exc:
            raise QueryError(f"{where} {why} and kg cannot page this query: {exc}; add ORDER BY ... "
                             "LIMIT/OFFSET yourself or raise the server's limit") from None
        log.info("%s %s; reading the results in pages", where, why)
        return PagedSolutions(self, plan, variables, cap or self.max_rows or DEFAULT_PAGE)

    def _page(self, plan: "PagePlan", offset: int, limit: int) -> tuple[list[ox.QuerySolution], int | None]:
        """One page: its solutions and the cap the server announced for it, if any."""
        data, headers = self._request(plan.text(offset, limit), "SELECT")
        return list(self._select(data)), _max_rows(headers)

    def _select(self, data: bytes) -> ox.QuerySolutions:
        """The answer to a SELECT: solutions (a boolean answer is the server's error, said so)."""
        got = self._parse(data)
        if not isinstance(got, ox.QuerySolutions):
            raise QueryError(f"{public_url(self.endpoint)} answered a SELECT query with a boolean")
        return got

    def _parse(self, data: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
        # Virtuoso writes blank nodes as `nodeID://b1234`, which is no blank-node label; its ids are
        # stable, so the label after the scheme names the same node on every page.
        data = data.replace(b"<bnode>nodeID://", b"<bnode>")
        try:
            return ox.parse_query_results(data, ox.QueryResultsFormat.XML)
        except SyntaxError as exc:
            raise QueryError(f"{public_url(self.endpoint)} sent results that do not parse as SPARQL XML: "
                             f"{exc}") from None

    def _request(self, text: str, form: str) -> tuple[bytes, Message]:
        """One query through SPARQLWrapper, retried on 5xx and transient failures: body and headers."""
        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper import SPARQLExceptions as SE

        sw = SPARQLWrapper(self.endpoint)
        sw.setMethod(POST)
        # setTimeout truncates to whole seconds (0.5 would become 0, no timeout at all); urlopen takes a float
        sw.timeout = self.timeout  # type: ignore[assignment]
        sw.setQuery(text)
        # SPARQLWrapper guesses the form from the first keyword it finds anywhere, comments included
        # ("kg mesh load" in a comment made it send a query as a LOAD update): say it ourselves.
        sw.queryType = form
        if self.auth and self.credentials:
            from SPARQLWrapper import BASIC, DIGEST
            sw.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            sw.setCredentials(self.credentials.user, self.credentials.password)
        if form in ("CONSTRUCT", "DESCRIBE"):
            sw.setOnlyConneg(True)
            sw.addCustomHttpHeader("Accept", "application/n-triples, text/plain;q=0.9")
        else:
            sw.setReturnFormat("xml")
        delay = self.backoff
        where = public_url(self.endpoint)
        for attempt in range(self.retries + 1):
            try:
                res = sw.query()
                return res.response.read(), res.response.headers
            except (SE.QueryBadFormed, SE.URITooLong) as exc:
                raise QueryError(f"{where} rejected the query: {_sw_message(exc)}") from None
            except SE.Unauthorized:
                raise QueryError(f"{where} refused the query: authentication failed; check --auth, "
                                 "KG_SPARQL_USER/KG_SPARQL_PASSWORD or ~/.netrc") from None
            except SE.EndPointNotFound:
                raise QueryError(f"{where}: no SPARQL endpoint here (HTTP 404)") from None
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt >= self.retries:
                    raise QueryError(f"{where} refused the query: HTTP {exc.code} {_body_excerpt(exc)}") from None
            except TimeoutError:
                if not self.resend_timed_out:
                    raise QueryError(f"{where} did not answer the query within {self.timeout:g} s; give it "
                                     "longer with --timeout SECONDS") from None
                if attempt >= self.retries:
                    raise QueryError(f"{where} failed the query after {attempt + 1} tries: timed out after "
                                     f"{self.timeout:g} s") from None
            except (SE.EndPointInternalError, *TRANSIENT) as exc:
                for marker, limit in _LIMITS:
                    if marker in str(exc):
                        raise QueryError(f"{where} refused the query: {_sw_message(exc)} ({limit})") from None
                if "SR353" in str(exc) or "SR352" in str(exc):
                    # Virtuoso's MaxSortedTopRows (ORDER BY with OFFSET + LIMIT past it): every retry fails
                    raise _SortLimit(f"{where} refused the query: {_sw_message(exc)} (Virtuoso sorts at most "
                                     "MaxSortedTopRows rows for ORDER BY with LIMIT/OFFSET)") from None
                if attempt >= self.retries:
                    raise QueryError(f"{where} failed the query after {attempt + 1} tries: {_reason(exc)}") from None
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def count(self, graph_prefix: str) -> int:
        """Triples in all named graphs whose IRI starts with `graph_prefix` (system graphs excluded)."""
        q = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             f"FILTER(STRSTARTS(STR(?g), {ox.Literal(graph_prefix)})) }}")
        for sol in self._solutions(q):
            return int(sol["n"].value)
        return 0

    def _solutions(self, sparql: str, bindings: Bindings | None = None) -> Iterator[ox.QuerySolution]:
        """The solutions of one of kg's own SELECT queries."""
        answer = self.query(sparql, bindings)
        if not isinstance(answer, (ox.QuerySolutions, PagedSolutions)):
            raise QueryError(f"internal error: {sparql!r} is not a SELECT query")
        return iter(answer)

    # ---- the reads of the Store interface (kg.stores.base); its writes are in GraphUploads --------------
    def quads(self, subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
              object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
              graph: str | None = None) -> Iterator[ox.Quad]:
        """The matching quads of the named graphs, asked as a SELECT with the pattern's terms bound."""
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for name, term in (("s", subject), ("p", predicate), ("o", object)):
            if isinstance(term, ox.BlankNode):
                raise StoreError("a SPARQL server cannot be asked about a blank node by its label")
            if term is not None:
                bound[name] = term
        if graph is not None:
            bound["g"] = ox.NamedNode(graph)
        for sol in self._solutions("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bound):
            yield ox.Quad(sol["s"], sol["p"], sol["o"], sol["g"])

    def has_graph(self, graph: str) -> bool:
        return bool(self.query("ASK WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(graph)}))

    def named_graphs(self) -> Iterator[str]:
        for sol in self._solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            yield sol["g"].value

    def flush(self) -> None:
        """Nothing to do: every write is a request the server has answered."""

    def close(self) -> None:
        """Nothing held open: each request opens its own connection."""


_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


def with_prefixes(sparql: str) -> str:
    """Declare the project's prefixes the query uses but does not declare (the embedded store gets them
    through pyoxigraph's `prefixes=`; a server needs them in the text)."""
    declared = set(m.group(1) or "" for m in _PREFIX_DECL.finditer(sparql))
    missing = [f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()
               if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", sparql)]
    return "".join(missing) + sparql


