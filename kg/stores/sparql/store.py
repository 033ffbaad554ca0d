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
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from ...binding import UNDEF, declared_parameters, with_values
from ...errors import QueryError, StoreError
from ...vocab import PREFIXES
from ..base import parse_ntriples
from .http import (TRANSIENT, Refused, _body_excerpt, _Digest, _reason, _sw_message, check_endpoint,
                   find_credentials, public_url)
from .paging import DEFAULT_PAGE, PagedSolutions, PagePlan, _max_rows, page_query

log = logging.getLogger(__name__)

#: Statements per `GRAPH <g> { }` block of INSERT DATA: Virtuoso refuses ~4,990 and more (SP030).
MAX_BLOCK = 4000
#: Statements per write request: far below the ~300k where Virtuoso hangs, big enough to be fast.
DEFAULT_BATCH = 10_000

class _SortLimit(QueryError):
    """Virtuoso refused ORDER BY with OFFSET + LIMIT beyond MaxSortedTopRows (SR353, SR352)."""


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
        if self.quads_url:
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
            self._send("POST", self.quads_url, body.encode("utf-8"), "application/n-quads",
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


