"""A SPARQL 1.1 server as a store: Virtuoso, Fuseki, GraphDB, Oxigraph server, QLever, ...

Reads go through SPARQLWrapper and come back as the same pyoxigraph result objects the embedded store
returns (`QuerySolutions`, `QueryBoolean`, `QueryTriples`), so `kg query --endpoint` prints exactly what
`kg query` prints; a SELECT that Virtuoso cuts at `ResultSetMaxRows` is read again in pages (`page_query`,
`PagedSolutions`). Writes replace named graphs whole, either with the Graph Store Protocol (PUT) or with
SPARQL Update (`DROP SILENT GRAPH` + `INSERT DATA`), in bounded requests: Virtuoso hangs on very large
requests and refuses more than ~4,990 statements per `GRAPH {}` block (see docs/bulk-loading.md).

Credentials come only from KG_SPARQL_USER / KG_SPARQL_PASSWORD or ~/.netrc and never appear in a message.
Timeouts, connection resets and 5xx answers are retried with exponential backoff; a 4xx answer is a
`StoreError` naming the endpoint and the graph.
"""

from __future__ import annotations

import base64
import http.client
import logging
import netrc
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from ..binding import UNDEF, declared_parameters, with_values
from ..errors import QueryError, StoreError
from ..vocab import PREFIXES
from .base import parse_ntriples

log = logging.getLogger(__name__)

#: Statements per `GRAPH <g> { }` block of INSERT DATA: Virtuoso refuses ~4,990 and more (SP030).
MAX_BLOCK = 4000
#: Rows per page when a server refused a query before announcing its cap (Virtuoso's default cap).
DEFAULT_PAGE = 10_000
#: Statements per write request: far below the ~300k where Virtuoso hangs, big enough to be fast.
DEFAULT_BATCH = 10_000

TRANSIENT = (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError,
             http.client.RemoteDisconnected, http.client.IncompleteRead, http.client.BadStatusLine)


def public_url(url: str) -> str:
    """The URL without any user:password@ part, for messages."""
    p = urllib.parse.urlsplit(url)
    if p.username or p.password:
        host = p.hostname or ""
        if p.port:
            host += f":{p.port}"
        p = p._replace(netloc=host)
    return urllib.parse.urlunsplit(p)


def check_endpoint(url: str, what: str = "--endpoint") -> None:
    """Fail at once, with the reason, on an endpoint no retry can reach: no http(s) scheme, a malformed
    port, a host name that does not resolve, or a user:password in the URL (it would end up in messages;
    `--auth` with KG_SPARQL_USER/KG_SPARQL_PASSWORD or ~/.netrc is the way to give credentials)."""
    shown = public_url(url) if "://" in url else url
    try:
        p = urllib.parse.urlsplit(url)
        port = p.port
    except ValueError as exc:
        raise StoreError(f"{what} {shown} is not a valid URL ({exc})") from None
    if p.scheme not in ("http", "https") or not p.hostname:
        raise StoreError(f"{what} {shown} is not an http:// or https:// URL")
    if p.username or p.password:
        raise StoreError(f"{what} {shown}: do not put a user or password in the URL; use --auth basic|digest "
                         "with KG_SPARQL_USER and KG_SPARQL_PASSWORD, or ~/.netrc")
    try:
        socket.getaddrinfo(p.hostname, port or (443 if p.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            raise StoreError(f"{what} {shown}: unknown host {p.hostname} ({exc.strerror})") from None
    except (UnicodeError, OSError):
        pass  # a transient resolver failure: the request's own retries deal with it


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # never leak the password through a repr in a traceback or log
        return f"Credentials(user={self.user!r}, password=***)"


def find_credentials(url: str) -> Credentials | None:
    """KG_SPARQL_USER / KG_SPARQL_PASSWORD, else the ~/.netrc entry for the endpoint's host."""
    user, pw = os.environ.get("KG_SPARQL_USER"), os.environ.get("KG_SPARQL_PASSWORD")
    if user is not None and pw is not None:
        return Credentials(user, pw)
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        auth = netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        auth = None
    if auth and auth[0] and auth[2] is not None:
        return Credentials(auth[0], auth[2])
    if user is not None or pw is not None:
        raise StoreError("set both KG_SPARQL_USER and KG_SPARQL_PASSWORD (or a ~/.netrc entry for "
                         f"{host}), not only one of them")
    return None


class _SortLimit(QueryError):
    """Virtuoso refused ORDER BY with OFFSET + LIMIT beyond MaxSortedTopRows (SR353, SR352)."""


class Refused(StoreError):
    """The server answered 4xx (or 5xx after every retry): resending the same request will not help."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


_PROLOGUE = re.compile(r"(?is)^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*")


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first keyword after comments and the prologue."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    body = body[_PROLOGUE.match(body).end():]
    m = re.match(r"\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.I)
    if not m:
        raise QueryError("only SELECT, CONSTRUCT, ASK and DESCRIBE queries can be sent (kg never updates "
                         "a server through kg query or kg sparql; use kg load)")
    return m.group(1).upper()


class SparqlStore:
    """A remote SPARQL 1.1 service: query endpoint, optional update endpoint and Graph Store endpoint."""

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, gsp: str | None = None,
                 quads: str | None = None, auth: str | None = None, timeout: float = 120.0, retries: int = 6, backoff: float = 0.5,
                 batch_triples: int = DEFAULT_BATCH, max_graphs: int = 200, max_rows: int | None = None) -> None:
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
        self.quads = quads
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
        self._opener = self._build_opener()

    def __repr__(self) -> str:
        return f"SparqlStore({public_url(self.endpoint)!r})"

    # ---- HTTP ----------------------------------------------------------------------------------
    def _build_opener(self) -> urllib.request.OpenerDirector:
        # Digest is done here, preemptively (RFC 7616 nonce reuse with a counter), not by urllib's
        # handler: that one sends every body twice, and Virtuoso answers the first, unauthenticated
        # upload with 401 and a closed socket (broken pipe) before the body is read.
        self._digest = _Digest(self.credentials) if self.auth == "digest" and self.credentials else None
        return urllib.request.build_opener()

    def _headers(self, method: str, url: str) -> dict[str, str]:
        if self.auth == "basic" and self.credentials:
            token = base64.b64encode(f"{self.credentials.user}:{self.credentials.password}".encode()).decode()
            return {"Authorization": "Basic " + token}  # preemptive: many servers never challenge
        if self._digest is not None:
            if self._digest.challenge is None:
                self._fetch_challenge(url)
            h = self._digest.header(method, url)
            return {"Authorization": h} if h else {}
        return {}

    def _fetch_challenge(self, url: str) -> None:
        """A bodyless GET to learn the digest realm and nonce (answered 401 with WWW-Authenticate)."""
        try:
            with self._opener.open(urllib.request.Request(url, method="GET"), timeout=self.timeout):
                return
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                self._digest.learn(exc.headers.get("WWW-Authenticate", ""))
        except TRANSIENT:
            return  # the real request will fail and be retried

    def _send(self, method: str, url: str, body: bytes | None, content_type: str | None, *,
              what: str, accept: str = "*/*") -> tuple[bytes, Mapping[str, str]]:
        """One HTTP request with retries on transient failures; 4xx (and 5xx after retries) -> StoreError."""
        delay = self.backoff
        renewed = False
        attempt = 0
        while True:
            headers = {"Accept": accept, **self._headers(method, url)}
            if content_type:
                headers["Content-Type"] = content_type
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    return resp.read(), resp.headers
            except urllib.error.HTTPError as exc:
                detail = _body_excerpt(exc)
                if exc.code == 401 and self._digest is not None and not renewed:
                    renewed = True  # stale or first nonce: learn the new one and try once more
                    self._digest.learn(exc.headers.get("WWW-Authenticate", ""))
                    continue
                if exc.code >= 500 and attempt < self.retries:
                    log.warning("%s: HTTP %s for %s; retrying in %.1fs", public_url(url), exc.code, what, delay)
                elif exc.code in (401, 403):
                    who = f" as user {self.credentials.user!r}" if self.credentials else " (no credentials given)"
                    raise Refused(f"{public_url(url)} refused {what}{who}: HTTP {exc.code} "
                                  f"{'authentication failed' if exc.code == 401 else 'forbidden'}; check "
                                  "--auth, KG_SPARQL_USER/KG_SPARQL_PASSWORD or ~/.netrc", code=exc.code) from None
                else:
                    raise Refused(f"{public_url(url)} refused {what}: HTTP {exc.code} {exc.reason}"
                                  + (f": {detail}" if detail else ""), code=exc.code) from None
            except TRANSIENT as exc:
                if attempt >= self.retries:
                    raise StoreError(f"{public_url(url)} did not answer {what} after {attempt + 1} tries: "
                                     f"{_reason(exc)}") from None
                log.warning("%s: %s during %s; retrying in %.1fs", public_url(url), _reason(exc), what, delay)
                if self._digest is not None:
                    self._digest.challenge = None  # a restarted server has forgotten its nonces
            attempt += 1
            time.sleep(delay)
            delay = min(delay * 2, 30.0)

    # ---- reading -------------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None):
        """Same shape as `OxigraphStore.query`: bound values go in as a VALUES block, never pasted text.

        A SELECT that the server cuts short (Virtuoso's `ResultSetMaxRows`, announced only by the response
        header `X-SPARQL-MaxRows`) is asked again page by page (`page_query`), so every row comes back; a
        query that is not cut costs one request.
        """
        values: dict = dict(bindings or {})
        # Declared parameters left unbound are passed as UNDEF: Virtuoso's compiler fails on a variable
        # that has no origin in the query (one only tested in FILTER (!BOUND(?x) || EXISTS {...})).
        for name in declared_parameters(sparql):
            values.setdefault(name, UNDEF)
        if values:
            sparql = with_values(sparql, values)
        text = with_prefixes(sparql)
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
        first = self._parse(data)
        if form != "SELECT":
            return first
        variables = [v.value for v in first.variables]
        cap = _max_rows(headers)
        if cap is None and self.max_rows:
            if sum(1 for _ in first) >= self.max_rows:
                cap = self.max_rows  # a server that cuts without saying so, at a size the user told us
            else:
                first = self._parse(data)  # the counted copy is spent
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
                variables = [v.value for v in self._parse(data).variables]
            plan = page_query(text, variables)
        except QueryError as exc:
            raise QueryError(f"{where} {why} and kg cannot page this query: {exc}; add ORDER BY ... "
                             "LIMIT/OFFSET yourself or raise the server's limit") from None
        log.info("%s %s; reading the results in pages", where, why)
        return PagedSolutions(self, plan, variables, cap or self.max_rows or DEFAULT_PAGE)

    def _page(self, plan: "PagePlan", offset: int, limit: int) -> tuple[list, int | None]:
        """One page: its solutions and the cap the server announced for it, if any."""
        data, headers = self._request(plan.text(offset, limit), "SELECT")
        return list(self._parse(data)), _max_rows(headers)

    def _parse(self, data: bytes):
        # Virtuoso writes blank nodes as `nodeID://b1234`, which is no blank-node label; its ids are
        # stable, so the label after the scheme names the same node on every page.
        data = data.replace(b"<bnode>nodeID://", b"<bnode>")
        try:
            return ox.parse_query_results(data, ox.QueryResultsFormat.XML)
        except SyntaxError as exc:
            raise QueryError(f"{public_url(self.endpoint)} sent results that do not parse as SPARQL XML: "
                             f"{exc}") from None

    def _request(self, text: str, form: str) -> tuple[bytes, Mapping[str, str]]:
        """One query through SPARQLWrapper, retried on 5xx and transient failures: body and headers."""
        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper import SPARQLExceptions as SE

        sw = SPARQLWrapper(self.endpoint)
        sw.setMethod(POST)
        sw.setTimeout(int(self.timeout))
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
            except (SE.EndPointInternalError, *TRANSIENT) as exc:
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
        for sol in self.query(q):
            return int(sol["n"].value)
        return 0

    # ---- writing -------------------------------------------------------------------------------
    def update(self, text: str, *, what: str = "an update") -> None:
        self.requests += 1
        self._send("POST", self.update_endpoint, text.encode("utf-8"),
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
                self._put_graph(g, lines)
            return
        if self.quads:
            self._post_quads(graphs)
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

    def _post_quads(self, graphs: Iterable[tuple[str, Sequence[str]]]) -> None:
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
                self._flush_quads(batch)
                batch, size = [], 0
            batch.append((g, lines))
            size += len(lines)
        self._flush_quads(batch)

    def _flush_quads(self, batch: list[tuple[str, Sequence[str]]]) -> None:
        if not batch:
            return
        graphs = [g for g, _ in batch]
        self.drop_graphs(graphs)
        # N-Triples lines end in " .\n": the graph goes in before the final dot.
        body = "".join(f"{line[:-2]}<{g}> .\n" for g, lines in batch for line in lines)
        if body:
            self.requests += 1
            self._send("POST", self.quads, body.encode("utf-8"), "application/n-quads",
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

    def _put_graph(self, g: str, lines: Sequence[str]) -> None:
        """GSP: PUT the first chunk (replaces), POST the rest (adds). N-Triples, which every server reads."""
        url = self.gsp + ("&" if "?" in self.gsp else "?") + urllib.parse.urlencode({"graph": g})
        if not lines:
            self.requests += 1
            try:
                self._send("DELETE", url, None, None, what=_what("deleting", [g]))
            except StoreError as exc:
                if "HTTP 404" not in str(exc):
                    raise
            return
        for i in range(0, len(lines), self.batch_triples):
            body = "".join(lines[i:i + self.batch_triples]).encode("utf-8")
            self.requests += 1
            self._send("PUT" if i == 0 else "POST", url, body, "application/n-triples",
                       what=_what("writing", [g]))

    # ---- the Store interface (kg.stores.base), as the vocabulary loaders use it ------------------------
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
            by_graph.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
        for g, lines in by_graph.items():  # one GRAPH block per request: Virtuoso's SQL-size limit
            for i in range(0, len(lines), MAX_BLOCK):
                self.update("DELETE DATA {\n" + "".join(_blocks(g, lines[i:i + MAX_BLOCK])) + "}\n",
                            what=_what("deleting from", [g]))

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
        for sol in self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bound):
            yield ox.Quad(sol["s"], sol["p"], sol["o"], sol["g"])

    def has_graph(self, graph: str) -> bool:
        return bool(self.query("ASK WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(graph)}))

    def named_graphs(self) -> Iterator[str]:
        for sol in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            yield sol["g"].value

    def flush(self) -> None:
        """Nothing to do: every write is a request the server has answered."""

    def close(self) -> None:
        """Nothing held open: each request opens its own connection."""


# ---- paging a SELECT that the server cuts short ------------------------------------------------------
# Virtuoso cuts SELECT results at ResultSetMaxRows and says so only in the X-SPARQL-MaxRows header. The
# query is then asked again in pages, in one deterministic order:
#
#   PREFIX ...                                     (the user's prologue)
#   SELECT * FROM ...                              (the user's dataset clause, if any: not allowed inside)
#   WHERE { { SELECT ... WHERE { ... } GROUP BY ... HAVING ...
#             ORDER BY <the user's keys> ?v1 ?v2 ...   (every projected variable breaks ties)
#           } }                                    (a trailing VALUES goes into the WHERE group)
#   LIMIT n OFFSET m                               (the user's own LIMIT/OFFSET are paged within)
#
# The ORDER BY sits in the subquery and LIMIT/OFFSET outside: Virtuoso refuses ORDER BY with
# OFFSET + LIMIT beyond MaxSortedTopRows (10,000: error SR353) in one query, but not in this form, and it
# keeps the subquery's order (measured on Virtuoso 7.2; tests/test_sparql_paging.py). Without the
# tie-breaking variables, rows that tie on the user's keys changed places between pages and some were
# lost. Nothing is pasted in but the query's own parts (split at its top-level tokens), integers and the
# projected variable names the server sent back (checked to be variable names).

_TOKEN = re.compile(r"""
    (?P<string>'{3}(?:[^'\\]|\\.|'(?!''))*'{3}|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
   |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
   |(?P<comment>\#[^\n]*)
   |(?P<space>\s+)
   |(?P<word>[\w:.%$?\-]+)
   |(?P<other>.)
""", re.X | re.S)
_VARNAME = re.compile(r"^[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+$")


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of each token but spaces and comments."""
    out = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup not in ("space", "comment"):
            out.append((m.lastgroup, m.group(), m.start(), m.end()))
    return out


@dataclass(frozen=True)
class PagePlan:
    prologue: str
    dataset: str
    inner: str
    offset: int = 0          # the user's OFFSET
    limit: int | None = None  # the user's LIMIT

    def text(self, offset: int, limit: int) -> str:
        return (f"{self.prologue}SELECT *{self.dataset} WHERE {{ {{\n{self.inner}\n}} }}\n"
                f"LIMIT {int(limit)} OFFSET {int(offset)}")


def page_query(text: str, variables: Sequence[str]) -> PagePlan:
    """Split a SELECT query at its top level and plan its pages (see the comment above)."""
    toks = _tokens(text)
    i = 0
    while i < len(toks) and toks[i][1].upper() in ("PREFIX", "BASE"):  # PREFIX p: <iri> / BASE <iri>
        i += 3 if toks[i][1].upper() == "PREFIX" else 2
    if i >= len(toks) or toks[i][1].upper() != "SELECT":
        raise QueryError("it is not a SELECT query")
    prologue = text[:toks[i][2]]
    select_at = i
    # The SELECT clause runs to the dataset clause, WHERE, or the group that opens the WHERE clause.
    depth = 0
    dataset: list[str] = []
    select_end = None
    while i < len(toks):
        kind, t, a, b = toks[i]
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif depth == 0 and kind == "word" and t.upper() == "FROM":
            select_end = a if select_end is None else select_end
            j = i + 1
            if j < len(toks) and toks[j][1].upper() == "NAMED":
                j += 1
            if j >= len(toks):
                raise QueryError("its FROM clause is cut short")
            dataset.append(text[a:toks[j][3]])
            i = j
        elif depth == 0 and kind == "word" and t.upper() == "WHERE":
            select_end = a if select_end is None else select_end
        elif depth == 0 and t == "{":
            break
        i += 1
    if i >= len(toks):
        raise QueryError("no WHERE { ... } group was found")
    select_clause = text[toks[select_at][2]:toks[i][2] if select_end is None else select_end]
    open_at, depth = i, 0
    while i < len(toks):
        if toks[i][1] == "{":
            depth += 1
        elif toks[i][1] == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    if i >= len(toks):
        raise QueryError("its WHERE group is not closed")
    group = text[toks[open_at][2]:toks[i][3]]
    # Solution modifiers and a trailing VALUES clause, at the top level.
    tail = toks[i + 1:]
    marks: dict[str, int] = {}
    depth = 0
    for k, (kind, t, a, b) in enumerate(tail):
        if t in ("(", "{"):
            depth += 1
        elif t in (")", "}"):
            depth -= 1
        elif depth == 0 and kind == "word" and t.upper() in ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
            if t.upper() in marks:
                raise QueryError(f"it has two {t.upper()} clauses")
            marks[t.upper()] = k
            if t.upper() == "VALUES":
                break
    values = text[tail[marks["VALUES"]][2]:] if "VALUES" in marks else ""

    def _int(key: str) -> int | None:
        if key not in marks:
            return None
        k = marks[key] + 1
        if k >= len(tail) or not tail[k][1].isdigit():
            raise QueryError(f"its {key} is not a whole number")
        return int(tail[k][1])

    limit, offset = _int("LIMIT"), _int("OFFSET")
    # where the GROUP BY / HAVING part ends: at ORDER, LIMIT, OFFSET or VALUES, whichever comes first
    stops = [marks[k] for k in ("ORDER", "LIMIT", "OFFSET", "VALUES") if k in marks]
    stop_at = tail[min(stops)][2] if stops else len(text)
    grouping = text[tail[0][2]:stop_at] if tail and (not stops or min(stops) > 0) else ""
    keys = ""
    if "ORDER" in marks:
        k = marks["ORDER"]
        if k + 1 >= len(tail) or tail[k + 1][1].upper() != "BY":
            raise QueryError("ORDER is not followed by BY")
        after = [marks[x] for x in ("LIMIT", "OFFSET", "VALUES") if x in marks and marks[x] > k]
        keys_end = tail[min(after)][2] if after else len(text)
        keys = text[tail[k + 1][3]:keys_end].strip()
    for v in variables:
        if not _VARNAME.match(v):
            raise QueryError(f"the server named a result variable {v!r}")
    # Each variable breaks ties by its kind first, then by itself: Virtuoso's order of a
    # variable mixing IRIs and literals is not the same from one page to the next (rows were lost).
    # A grouped query orders by the plain variables: Virtuoso refuses expressions over aggregates there.
    ties = " ".join(f"?{v}" if "GROUP" in marks else f"isLiteral(?{v}) isBlank(?{v}) ?{v}" for v in variables)
    order = " ".join(x for x in (keys, ties) if x)
    if not order and variables:
        raise QueryError("it projects no variables to order the pages by")
    if values:  # joined with the WHERE group either way; Virtuoso fails on VALUES after a subquery (SQ200)
        group = f"{group[:-1]}\n{values.strip()}\n}}"
    inner = f"{select_clause.strip()} WHERE {group}\n{grouping.strip()}" + (f"\nORDER BY {order}" if order else "")
    return PagePlan(prologue, "".join(f" {d}" for d in dataset), inner, offset or 0, limit)


class PagedSolutions:
    """The rows of a SELECT read page by page; iterated like pyoxigraph's `QuerySolutions` (once).

    The first page is read at once, so a server that refuses the paged form fails `query()` itself.
    """

    def __init__(self, store: "SparqlStore", plan: PagePlan, variables: Sequence[str], cap: int) -> None:
        self.variables = [ox.Variable(v) for v in variables]
        self.pages = 0
        self._store, self._plan, self._size = store, plan, max(1, cap)
        self._offset = plan.offset
        self._remaining = plan.limit
        self._next = self._fetch()

    def _fetch(self) -> list | None:
        """The next page, or None after the last one."""
        while True:
            want = self._size if self._remaining is None else min(self._size, self._remaining)
            if want <= 0:
                return None
            rows, announced = self._store._page(self._plan, self._offset, want)
            if announced is not None and announced < want and len(rows) >= announced:
                self._size = announced  # the server cut the page itself: ask for smaller ones
                continue
            self.pages += 1
            self._offset += len(rows)
            if self._remaining is not None:
                self._remaining -= len(rows)
            if len(rows) < want:
                self._remaining = 0  # a short page is the last one
            return rows

    def __iter__(self):
        while self._next is not None:
            rows, self._next = self._next, None
            yield from rows
            if rows:
                self._next = self._fetch()


def _max_rows(headers: Mapping[str, str]) -> int | None:
    """The cap Virtuoso announces when it cut a SELECT (X-SPARQL-MaxRows), else None."""
    v = (headers.get("X-SPARQL-MaxRows") or "").strip()
    return int(v) if v.isdigit() and int(v) > 0 else None


class _Digest:
    """HTTP Digest (MD5, qop=auth) computed ahead of each request from the last challenge."""

    def __init__(self, cred: Credentials) -> None:
        self.cred = cred
        self.challenge: dict[str, str] | None = None
        self.nc = 0

    def learn(self, www_authenticate: str) -> None:
        if not www_authenticate.lower().startswith("digest "):
            return
        items = urllib.request.parse_http_list(www_authenticate[7:])
        self.challenge = urllib.request.parse_keqv_list(items)
        self.nc = 0

    def header(self, method: str, url: str) -> str | None:
        import hashlib

        c = self.challenge
        if not c:
            return None
        md5 = lambda x: hashlib.md5(x.encode("utf-8")).hexdigest()  # noqa: E731 - RFC 2617 notation
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        realm, nonce = c.get("realm", ""), c.get("nonce", "")
        ha1 = md5(f"{self.cred.user}:{realm}:{self.cred.password}")
        ha2 = md5(f"{method}:{uri}")
        self.nc += 1
        nc = f"{self.nc:08x}"
        cnonce = os.urandom(8).hex()
        qop = "auth" if "auth" in c.get("qop", "").split(",") else None
        resp = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}") if qop else md5(f"{ha1}:{nonce}:{ha2}")
        h = (f'Digest username="{self.cred.user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
             f'response="{resp}", algorithm=MD5')
        if qop:
            h += f', qop={qop}, nc={nc}, cnonce="{cnonce}"'
        if "opaque" in c:
            h += f', opaque="{c["opaque"]}"'
        return h


def _blocks(g: str, lines: Sequence[str]) -> Iterable[str]:
    for i in range(0, len(lines), MAX_BLOCK):
        yield f"GRAPH <{g}> {{\n" + "".join(lines[i:i + MAX_BLOCK]) + "}\n"


def _what(verb: str, graphs: Sequence[str]) -> str:
    if len(graphs) == 1:
        return f"{verb} graph <{graphs[0]}>"
    return f"{verb} {len(graphs)} graphs (<{graphs[0]}> ... <{graphs[-1]}>)"


_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


def with_prefixes(sparql: str) -> str:
    """Declare the project's prefixes the query uses but does not declare (the embedded store gets them
    through pyoxigraph's `prefixes=`; a server needs them in the text)."""
    declared = set(m.group(1) or "" for m in _PREFIX_DECL.finditer(sparql))
    missing = [f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()
               if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", sparql)]
    return "".join(missing) + sparql


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return f"{exc.reason}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _body_excerpt(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the body is only decoration for the message
        return ""
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:400]


def _sw_message(exc: Exception) -> str:
    return " ".join(str(exc).split())[:400]
