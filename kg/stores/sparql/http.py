"""HTTP for the SPARQL store: endpoint checks, credentials (never shown), Digest auth computed ahead of
each request, and the messages a failed request turns into. Nothing here knows SPARQL."""

from __future__ import annotations

import base64
import hashlib
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
from typing import Mapping

from ...errors import StoreError

log = logging.getLogger(__name__)

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


class Refused(StoreError):
    """The server answered 4xx (or 5xx after every retry): resending the same request will not help."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


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
        c = self.challenge
        if not c:
            return None

        def md5(x: str) -> str:  # RFC 2617 notation
            return hashlib.md5(x.encode("utf-8")).hexdigest()
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


class HttpClient:
    """HTTP requests to one server's write endpoints: credentials sent ahead of each request (Basic, or
    Digest computed here), transient failures retried with exponential backoff, 4xx answers (and 5xx after
    every retry) turned into a `Refused` naming the endpoint and what was being done."""

    def __init__(self, *, auth: str | None, credentials: Credentials | None, timeout: float, retries: int,
                 backoff: float) -> None:
        self.auth = auth
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        # Digest is done here, preemptively (RFC 7616 nonce reuse with a counter), not by urllib's
        # handler: that one sends every body twice, and Virtuoso answers the first, unauthenticated
        # upload with 401 and a closed socket (broken pipe) before the body is read.
        self._digest = _Digest(credentials) if auth == "digest" and credentials else None
        self._opener = urllib.request.build_opener()

    def _headers(self, method: str, url: str) -> dict[str, str]:
        if self.auth == "basic" and self.credentials:
            token = base64.b64encode(f"{self.credentials.user}:{self.credentials.password}".encode()).decode()
            return {"Authorization": "Basic " + token}  # preemptive: many servers never challenge
        if self._digest is not None:
            if self._digest.challenge is None:
                self._fetch_challenge(self._digest, url)
            h = self._digest.header(method, url)
            return {"Authorization": h} if h else {}
        return {}

    def _fetch_challenge(self, digest: _Digest, url: str) -> None:
        """A bodyless GET to learn the digest realm and nonce (answered 401 with WWW-Authenticate)."""
        try:
            with self._opener.open(urllib.request.Request(url, method="GET"), timeout=self.timeout):
                return
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                digest.learn(exc.headers.get("WWW-Authenticate", ""))
        except TRANSIENT:
            return  # the real request will fail and be retried

    def send(self, method: str, url: str, body: bytes | None, content_type: str | None, *,
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
