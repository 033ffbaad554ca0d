"""`kg serve`: the embedded store as a read-only SPARQL 1.1 Protocol endpoint (stdlib http.server).

GET /sparql?query=... , POST with `application/sparql-query` or a form `query=...`. Results by Accept:
SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as N-Triples or Turtle. Updates are refused
(the store is opened read-only). CORS is open so a Yasgui page can query it. GET /map/QUERY?NAME=VALUE
draws a canned query's answer as a mechanism map (HTML; /map/QUERY.svg for the SVG), as `kg map` does.
"""

from __future__ import annotations

import io
import logging
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox

from .errors import KgError, QueryError

log = logging.getLogger(__name__)

RESULT_TYPES = [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("application/xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
GRAPH_TYPES = [("application/n-triples", ox.RdfFormat.N_TRIPLES), ("text/turtle", ox.RdfFormat.TURTLE),
               ("text/plain", ox.RdfFormat.N_TRIPLES)]


def _pick(accept: str, table, default):
    for part in (accept or "").split(","):
        mt = part.split(";")[0].strip().lower()
        for name, fmt in table:
            if mt == name:
                return name, fmt
    return default


def make_handler(store):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-serve"

        def log_message(self, fmt, *args):  # quiet by default; -v shows requests
            log.info("%s " + fmt, self.address_string(), *args)

        def _reply(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def do_OPTIONS(self):
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.end_headers()

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query).get("query")
            if u.path.startswith("/map/"):
                return self._map(u.path[len("/map/"):], u.query)
            if u.path not in ("/", "/sparql", "/query"):
                return self._reply(404, b"not found: use /sparql\n", "text/plain")
            if not q:
                return self._reply(200, b"kg read-only SPARQL endpoint: GET or POST /sparql?query=...\n",
                                   "text/plain")
            self._run(q[0])

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-query":
                return self._run(body)
            form = urllib.parse.parse_qs(body)
            if "update" in form or ctype == "application/sparql-update":
                return self._reply(403, b"read-only endpoint: updates are refused\n", "text/plain")
            if "query" not in form:
                return self._reply(400, b"missing query\n", "text/plain")
            self._run(form["query"][0])

        def _map(self, name: str, query: str) -> None:
            """GET /map/QUERY?NAME=VALUE: the mechanism map as HTML; /map/QUERY.svg for the SVG."""
            from .viz import MAPPABLE, build_map, to_html, to_svg

            name = urllib.parse.unquote(name)
            svg = name.endswith(".svg")
            name = name[:-4] if svg else name
            if name not in MAPPABLE:
                return self._reply(404, f"no map for {name!r}; maps: {', '.join(MAPPABLE)}\n".encode(),
                                   "text/plain; charset=utf-8")
            values = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
            try:
                m = build_map(store, name, values)
            except KgError as exc:  # a bad parameter is the client's; anything else is ours
                code = 400 if isinstance(exc, QueryError) else 500
                return self._reply(code, f"{exc}\n".encode(), "text/plain; charset=utf-8")
            if svg:
                return self._reply(200, to_svg(m).encode(), "image/svg+xml; charset=utf-8")
            self._reply(200, to_html(m).encode(), "text/html; charset=utf-8")

        def _run(self, text: str) -> None:
            try:
                res = store.query(text)
            except QueryError as exc:
                return self._reply(400, f"{exc}\n".encode(), "text/plain; charset=utf-8")
            accept = self.headers.get("Accept", "")
            out = io.BytesIO()
            if isinstance(res, ox.QueryTriples):
                name, fmt = _pick(accept, GRAPH_TYPES, GRAPH_TYPES[0])
                ox.serialize(res, out, fmt)
            else:
                name, fmt = _pick(accept, RESULT_TYPES, RESULT_TYPES[0])
                res.serialize(out, fmt)
            self._reply(200, out.getvalue(), name + "; charset=utf-8")

    return Handler


def serve(store, bind: str = "127.0.0.1:7878") -> ThreadingHTTPServer:
    host, _, port = bind.rpartition(":")
    return ThreadingHTTPServer((host or "127.0.0.1", int(port)), make_handler(store))
