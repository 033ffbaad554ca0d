"""`kg serve`: the embedded store as a read-only SPARQL endpoint with a query page, safe by default.

Routes (see `ROUTES`; a new one is a function decorated with `@route(PATTERN)` in a module that
`kg/serve/__init__.py` imports; work that reads the store should go through `Handler.run_job` with a job
kind registered in `kg.serve.run.JOB_KINDS`, so it runs in a worker under the time-out and caps):
  /                 the query page (kg/serve/static/index.html: Yasgui, bundled, plus the canned queries)
  /static/NAME      the page's files
  /sparql           SPARQL 1.1 Protocol: GET ?query=, POST application/sparql-query or a form; updates refused
  /queries          the canned queries, their summaries and parameters, as JSON
  /query/NAME       a canned query run with ?PARAM=VALUE bound (as typed terms, never pasted into the text)
  /store            Graph Store Protocol, read side: ?graph=IRI, ?default, or the whole dataset
  /prefixes         the prefix map the page uses to show prefixed names
  /map/QUERY        a canned query's answer as a mechanism map (HTML; /map/QUERY.svg for the SVG), as `kg map`
Answers are negotiated from Accept with q-values; HEAD is GET without the body; unknown paths are 404.

Safety (issue 16): queries naming a SERVICE endpoint are refused unless `--allow-service` allows it; no
CORS header unless `--cors ORIGIN` names the origin, and a request from another origin is refused; the Host
header must name the bound address (or a `--host` name), which defeats DNS rebinding; each query runs in a
worker process that is killed at the time-out or when the client goes (`kg.serve.workers`), with the answer
capped in bytes; writers are kept out of the served store (`kg.serve.storelock`).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import select
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Callable

from ..errors import KgError
from .negotiate import choose
from .storelock import hold_store
from .workers import Answer, Gone, Job, TimedOut, WorkerPool

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")
STATIC_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".txt": "text/plain",
                ".svg": "image/svg+xml", ".json": "application/json"}
# The page loads only its own files and talks only to this server: no CDN, no third-party request.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@dataclass(frozen=True)
class ServeConfig:
    """Everything `kg serve` is told; the defaults are the safe ones."""

    store_path: str
    bind: str = "127.0.0.1:7878"
    allow_service: tuple[str, ...] = ()   # URL prefixes a SERVICE clause may name
    cors: tuple[str, ...] = ()            # origins that get Access-Control-Allow-Origin ("*" only if given)
    hosts: tuple[str, ...] = ()           # extra names the Host header may carry
    timeout: float = 30.0                 # seconds per query, waiting for a free worker included
    max_result_bytes: int = 64_000_000    # cap on one serialised answer
    workers: int = 2                      # query processes, so queries at once
    max_request_bytes: int = 1_000_000    # cap on a POST body
    max_memory_bytes: int = 0             # address-space cap of each query process (0: none)
    max_queued: int = 64                  # requests running or waiting for a query process at once


class BindError(KgError):
    """--bind is not HOST:PORT, or the address cannot be listened on."""


def parse_bind(bind: str) -> tuple[str, int]:
    """`HOST:PORT`, `[V6]:PORT` or `:PORT` (loopback) to a host and a port."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise BindError(f"--bind {bind!r}: expected HOST:PORT, for example 127.0.0.1:7878")
    host = host.strip("[]") or "127.0.0.1"
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
                raise BindError(f"--bind {bind!r}: {host!r} is not an IP address or host name") from None
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KgServer(ThreadingHTTPServer):
    """The HTTP server with its configuration, its query processes and the store's writer lock."""

    daemon_threads = True

    def __init__(self, config: ServeConfig) -> None:
        host, port = parse_bind(config.bind)
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.config = config
        self._lock_fd = hold_store(config.store_path)
        self.pool: WorkerPool | None = None
        try:
            self.pool = WorkerPool(config.store_path, config.workers, max_memory=config.max_memory_bytes)
            try:
                super().__init__((host, port), Handler)
            except OSError as exc:
                raise BindError(f"cannot listen on {config.bind}: {exc.strerror or exc}") from None
        except BaseException:
            self._release()
            raise
        self.host_names = self._host_names(host)
        self.admitted = threading.BoundedSemaphore(config.max_queued)

    def _host_names(self, host: str) -> set[str]:
        """Names the Host header may carry (without the port): the bound address, loopback, --host."""
        names = set(LOOPBACK_NAMES) | {h.lower() for h in self.config.hosts}
        if host not in ("0.0.0.0", "::"):
            names.add(host.lower())
            names.add(f"[{host.lower()}]")
        return names

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def _release(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def server_close(self) -> None:
        super().server_close()
        self._release()


def serve(config: ServeConfig) -> KgServer:
    """A server bound and ready (call `serve_forever`); `server_close` stops its workers and frees the store."""
    return KgServer(config)


Route = Callable[["Handler", "Request"], Answer]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    match: re.Match[str]


ROUTES: list[tuple[re.Pattern[str], tuple[str, ...], Route]] = []


def route(pattern: str, methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable[[Route], Route]:
    """Register a handler for a path (a regular expression matched whole); HEAD must come with GET."""
    def deco(fn: Route) -> Route:
        ROUTES.append((re.compile(pattern), methods, fn))
        return fn
    return deco


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


def static_file(name: str) -> bytes | None:
    """A file of the bundled page by name (no folders, so no path can leave the static folder)."""
    if not re.fullmatch(r"[\w.-]+", name) or name.startswith("."):
        return None
    for folder in ("static", "static/vendor"):
        f = resources.files("kg.serve").joinpath(folder).joinpath(name)
        if f.is_file():
            return f.read_bytes()
    return None


class Handler(BaseHTTPRequestHandler):
    server: KgServer
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send a request; a stalled one does not keep a thread forever

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet by default; -v shows requests
        log.info("%s " + fmt, self.address_string(), *args)

    # ---- checks every request passes ----------------------------------------------------------------
    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if not host:
            return False
        m = re.fullmatch(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d+))?", host)
        if not m:
            return False
        name, port = m.group(1), m.group(2)
        if port is not None and int(port) != self.server.port:
            return False
        if port is None and self.server.port != 80:
            return False
        return name in self.server.host_names

    def _origin(self) -> tuple[bool, str | None]:
        """(allowed, the Access-Control-Allow-Origin value to send or None)."""
        origin = self.headers.get("Origin")
        if origin is None:
            return True, None
        own = "http://" + (self.headers.get("Host") or "").strip().lower()
        cors = self.server.config.cors
        if origin in cors:
            return True, origin
        if "*" in cors:
            return True, "*"
        return origin.lower() == own, None

    def _client_gone(self) -> bool:
        """True once the client has closed its side (what an abandoned query looks like)."""
        try:
            poller = select.poll()  # poll, not select: no limit on descriptor numbers
            poller.register(self.connection, select.POLLIN | select.POLLHUP | select.POLLERR)
            events = poller.poll(0)
            if not events:
                return False
            if events[0][1] & (select.POLLHUP | select.POLLERR):
                return True
            gone: bool = self.connection.recv(1, socket.MSG_PEEK) == b""
            return gone
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    # ---- dispatch -----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_OPTIONS(self) -> None:
        self._dispatch("OPTIONS")

    def _dispatch(self, method: str) -> None:
        if not self._host_ok():
            self._drain()
            return self._send(_text(400, f"Host {self.headers.get('Host')!r} is not this server's address; "
                                         "name the host with kg serve --host NAME"), method)
        ok, allow_origin = self._origin()
        if not ok:
            self._drain()
            return self._send(_text(403, "cross-origin request refused; allow its origin with kg serve "
                                         "--cors ORIGIN"), method)
        url = urllib.parse.urlsplit(self.path)
        params = tuple(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        for pattern, methods, fn in ROUTES:
            m = pattern.fullmatch(url.path)
            if not m:
                continue
            if method == "OPTIONS" and allow_origin:
                return self._preflight(methods, allow_origin)
            if method not in methods:
                self._drain()
                return self._send(_text(405, f"{method} is not allowed on {url.path}; allowed: "
                                             f"{', '.join(methods)}"), method, allow=", ".join(methods))
            try:
                ans = fn(self, Request(method, url.path, params, m))
            except Gone:
                log.info("client left; its query was stopped")
                self.close_connection = True
                return None
            except TimedOut:
                ans = _text(503, f"query time-out: stopped after {self.server.config.timeout:g} s "
                                 "(kg serve --timeout)")
            except Exception as exc:  # a bug of ours: say so, keep serving, no traceback to the client
                log.error("internal error answering %s %s: %r", method, url.path, exc)
                ans = _text(500, f"internal error: {exc.__class__.__name__}; see the server's log")
            return self._send(ans, method, allow_origin=allow_origin)
        self._drain()
        self._send(_text(404, f"not found: {url.path}; the query page is /, the SPARQL endpoint /sparql"), method)

    def _drain(self) -> None:
        """Read and drop a request body we will not use, so the connection stays in step."""
        n = self.headers.get("Content-Length")
        if n and n.isdigit() and int(n) <= self.server.config.max_request_bytes:
            self.rfile.read(int(n))
        elif n:
            self.close_connection = True

    def _preflight(self, methods: tuple[str, ...], allow_origin: str) -> None:
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", allow_origin)
        self.send_header("Access-Control-Allow-Methods", ", ".join(m for m in methods if m != "HEAD"))
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Vary", "Origin")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, ans: Answer, method: str, *, allow_origin: str | None = None, allow: str | None = None,
              extra: dict[str, str] | None = None) -> None:
        try:
            self.send_response(ans.status)
            self.send_header("Content-Type", ans.ctype)
            self.send_header("Content-Length", str(len(ans.body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Vary", "Accept, Origin")
            if allow_origin:
                self.send_header("Access-Control-Allow-Origin", allow_origin)
            if allow:
                self.send_header("Allow", allow)
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            if ans.ctype.startswith("text/html"):
                self.send_header("Content-Security-Policy", PAGE_CSP)
                self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(ans.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ---- running work in the pool ---------------------------------------------------------------------
    def run_job(self, kind: str, text: str = "", params: tuple[tuple[str, str], ...] = ()) -> Answer:
        """Run work in a query process. At most `max_queued` requests wait or run at once; more are
        turned away at once (503) rather than piling up threads and sockets for the time-out."""
        cfg = self.server.config
        job = Job(kind, text, params, self.headers.get("Accept", ""), cfg.allow_service, cfg.max_result_bytes)
        assert self.server.pool is not None
        if not self.server.admitted.acquire(blocking=False):
            return Answer(503, "text/plain; charset=utf-8",
                          f"busy: {cfg.max_queued} queries are running or waiting; try again\n".encode())
        try:
            return self.server.pool.run(job, timeout=cfg.timeout, client_gone=self._client_gone)
        finally:
            self.server.admitted.release()

    def read_body(self) -> bytes | Answer:
        n = self.headers.get("Content-Length")
        if n is None or not n.isdigit():
            self.close_connection = True
            return _text(411, "a POST needs a Content-Length")
        if int(n) > self.server.config.max_request_bytes:
            self.close_connection = True
            return _text(413, f"request body over {self.server.config.max_request_bytes} bytes")
        return self.rfile.read(int(n))


# ---- routes -----------------------------------------------------------------------------------------
@route(r"/")
def page(h: Handler, req: Request) -> Answer:
    query = dict(req.params).get("query")
    if query is not None:  # `/?query=` as some clients send it
        return h.run_job("sparql", query)
    if choose(h.headers.get("Accept"), ["text/html"]) is None:
        return _text(406, "the page is text/html; the SPARQL endpoint is /sparql")
    body = static_file("index.html")
    assert body is not None, "kg/serve/static/index.html is missing from the package"
    return Answer(200, "text/html; charset=utf-8", body)


@route(r"/static/([\w.-]+)")
def static(h: Handler, req: Request) -> Answer:
    name = req.match.group(1)
    body = static_file(name)
    if body is None:
        return _text(404, f"not found: {req.path}")
    ctype = STATIC_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
    return Answer(200, ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""), body)


@route(r"/sparql", ("GET", "HEAD", "POST"))
def sparql(h: Handler, req: Request) -> Answer:
    if req.method in ("GET", "HEAD"):
        q = [v for k, v in req.params if k == "query"]
        if not q:
            return _text(400, "missing query: GET /sparql?query=... or POST it; the query page is /")
        return h.run_job("sparql", q[0])
    body = h.read_body()
    if isinstance(body, Answer):
        return body
    ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        return _text(403, "read-only endpoint: updates are refused")
    if ctype == "application/sparql-query":
        return h.run_job("sparql", body.decode("utf-8", "replace"))
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    if "update" in form:
        return _text(403, "read-only endpoint: updates are refused")
    if "query" not in form:
        return _text(400, "missing query: send query=... as a form or the text as application/sparql-query")
    return h.run_job("sparql", form["query"][0])


@route(r"/queries")
def canned_list(h: Handler, req: Request) -> Answer:
    from .. import queries

    listing = [{"name": q.name, "summary": q.summary,
                "params": [{"name": p.name, "type": p.type, "description": p.description,
                            "default": p.default, "required": p.required} for p in q.params]}
               for q in queries.list_queries()]
    return Answer(200, "application/json", json.dumps(listing, indent=1).encode("utf-8"))


@route(r"/query/([\w.-]+)")
def canned_run(h: Handler, req: Request) -> Answer:
    return h.run_job("canned", req.match.group(1), req.params)


@route(r"/store", ("GET", "HEAD"))
def graph_store(h: Handler, req: Request) -> Answer:
    return h.run_job("graph", "", req.params)


@route(r"/prefixes")
def prefix_map(h: Handler, req: Request) -> Answer:
    from ..stores.oxigraph import export_prefixes
    return Answer(200, "application/json", json.dumps(export_prefixes(), indent=1).encode("utf-8"))


@route(r"/map/([\w.-]+)")
def mechanism_map(h: Handler, req: Request) -> Answer:
    return h.run_job("map", req.match.group(1), req.params)
