"""What a query may reach: SERVICE endpoints, checked before a query runs.

A SPARQL `SERVICE <url> { ... }` makes the store send a request to any URL a client names and hand the
answer back, so a server that runs queries for others must refuse it unless the operator allows the
endpoint (`--allow-service URL-PREFIX`). pyoxigraph does not expose its parsed query algebra nor a way
to switch federation off, so the query text is scanned here with a small SPARQL tokenizer that skips
comments, strings and IRIs the way the grammar does, so `#SERVICE`, `"SERVICE"` and `<.../service>` are
not mistaken for the keyword, while `service`, `Service` and `\\u0053ERVICE` are found.

The scan errs on the side of refusing: the one spot where SPARQL's lexing depends on the parser (`<` is
either an IRI's start or the less-than operator, as in `FILTER(?a<?b)`) is scanned both ways whenever the
IRI reading would hide the word, and a SERVICE whose endpoint is a variable or cannot be resolved is
refused even when some prefix is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import QueryError
from ..vocab import PREFIXES


class ServiceRefused(QueryError):
    """The query names a SERVICE endpoint the server was not told to allow."""


# One token at a time, in the order the SPARQL grammar's terminals must be tried.
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
  | (?P<bnode>_:[\w\-.]*(?<!\.))
  | (?P<pname>(?:[^\W\d_][\w\-.]*(?<!\.))?:(?:[\w:%\-.]|\\[_~.\-!$&'()*+,;=/?\#@%])*(?<!\.))
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>\w+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# Tokens after which `<` reads as less-than in an expression (and as an IRI in a triple pattern).
_VALUE_KINDS = {"var", "iri", "string", "pname", "bnode", "word", "number", "langtag", "close"}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_MAX_BRANCHES = 64


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _iter_tokens(text: str, start: int = 0) -> Iterator[_Tok]:
    pos = start
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None  # `other` matches any character
        kind = m.lastgroup or "other"
        tok = m.group()
        if kind == "other" and tok in ")]":
            kind = "close"
        if kind not in ("ws", "comment"):
            yield _Tok(kind, tok, pos)
        pos = m.end()


def _tokens(text: str, start: int = 0) -> list[_Tok]:
    return list(_iter_tokens(text, start))


def _branch_points(text: str, toks: list[_Tok]) -> list[int]:
    """Offsets just after a `<` read as an IRI where less-than is possible and the IRI hides the word."""
    out = []
    for prev, tok in zip([None, *toks], toks):
        if (tok.kind == "iri" and prev is not None and prev.kind in _VALUE_KINDS
                and "service" in tok.text.lower()):
            out.append(tok.pos + 1)
    return out


def _decode_escapes(text: str) -> str:
    """SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX), which the grammar applies before lexing."""
    def sub(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            whole: str = m.group()
            return whole
    return _ESCAPE.sub(sub, text)


@dataclass(frozen=True)
class ServiceUse:
    """One SERVICE clause: the endpoint IRI when it can be resolved, else why not."""

    endpoint: str | None
    problem: str = ""


def _prefix_map(toks: list[_Tok]) -> dict[str, list[str]]:
    """PREFIX declarations of the query over the project's implicit prefixes (every one seen, in case
    a prefix is declared twice)."""
    out: dict[str, list[str]] = {k: [v] for k, v in PREFIXES.items()}
    declared: dict[str, list[str]] = {}
    for a, b, c in zip(toks, toks[1:], toks[2:]):
        if a.kind == "word" and a.text.lower() == "prefix" and b.kind == "pname" and c.kind == "iri":
            declared.setdefault(b.text[:-1] if b.text.endswith(":") else b.text.split(":", 1)[0], []).append(
                c.text[1:-1])
    out.update(declared)
    return out


_KEYWORD = re.compile("service", re.IGNORECASE)


def _clause(src: str, pos: int, prefixes: dict[str, list[str]], *, strict: bool) -> list[ServiceUse]:
    """The SERVICE clause whose keyword ends at `pos`: `[SILENT] endpoint {`.

    SPARQL parsers may match a keyword without a word boundary after it (pyoxigraph runs
    `SERVICEr:x {}` and `SERVICESILENT<...> {}`), so what follows is lexed afresh from `pos`, and a
    following token that only starts with SILENT is split the same way. Not `strict`: only a complete
    clause counts (see `service_uses`)."""
    toks = _iter_tokens(src, pos)
    target = next(toks, None)
    if target is not None and target.kind in ("word", "pname") and target.text.lower().startswith("silent"):
        toks = _iter_tokens(src, target.pos + len("silent"))
        target = next(toks, None)
    after = next(toks, None)
    complete = (target is not None and target.kind in ("iri", "pname", "var") and after is not None
                and after.text == "{")
    if not strict and not complete:
        return []
    if target is None:
        return [ServiceUse(None, "SERVICE without an endpoint")]
    if target.kind == "iri":
        return [ServiceUse(target.text[1:-1])]
    if target.kind == "pname":
        pfx, _, local = target.text.partition(":")
        bases = prefixes.get(pfx)
        if not bases:
            return [ServiceUse(None, f"SERVICE {target.text}: unknown prefix {pfx!r}")]
        local = re.sub(r"\\(.)", r"\1", local)
        return [ServiceUse(b + local) for b in bases]
    if target.kind == "var":
        return [ServiceUse(None, f"SERVICE {target.text}: an endpoint chosen by a variable cannot be checked")]
    return [ServiceUse(None, f"SERVICE followed by {target.text!r}")]


def _uses(src: str, toks: list[_Tok], *, strict: bool = True) -> list[ServiceUse]:
    """The SERVICE clauses among the tokens.

    The word SERVICE alone is the keyword: in the plain reading (`strict`) anything after it that is not
    a clean endpoint is refused too. The letters inside a longer word or prefixed name (`1e1SERVICE`,
    `SERVICEr:x`), or in a rescan of an IRI's inside (not `strict`), count only as a complete
    `SERVICE [SILENT] endpoint {`, since the word is common there (`<http://example.org/service>`)."""
    prefixes = _prefix_map(toks)
    uses: list[ServiceUse] = []
    for tok in toks:
        if tok.kind not in ("word", "pname"):
            continue
        for m in _KEYWORD.finditer(tok.text):
            alone = tok.kind == "word" and m.start() == 0 and m.end() == len(tok.text)
            uses.extend(_clause(src, tok.pos + m.end(), prefixes, strict=strict and alone))
    return uses


def service_uses(text: str) -> list[ServiceUse]:
    """Every SERVICE clause of a query, in every reading the lexer leaves open (see the module doc)."""
    uses: list[ServiceUse] = []
    seen: set[tuple[str, int]] = set()
    todo = [(t, 0) for t in dict.fromkeys((text, _decode_escapes(text)))]
    while todo:
        src, start = todo.pop()
        if (src, start) in seen:
            continue
        seen.add((src, start))
        if len(seen) > _MAX_BRANCHES:
            return [ServiceUse(None, "the query is too ambiguous to check for SERVICE")]
        # A rescan from just after an ambiguous `<` reads it as the operator; the prefix declarations
        # come from the start of the query either way.
        toks = _tokens(src, start) if start == 0 else _tokens(src[:start - 1], 0) + _tokens(src, start)
        uses.extend(_uses(src, toks, strict=start == 0))
        todo.extend((src, p) for p in _branch_points(src, toks) if p > start)
    return uses


def allowed_by(endpoint: str, prefix: str) -> bool:
    """Does the endpoint start with the prefix at a boundary? `https://example.org` must not let through
    `https://example.org.evil.test/` or `https://example.org@evil.test/`."""
    if not prefix or not endpoint.startswith(prefix):
        return False
    rest = endpoint[len(prefix):]
    return rest == "" or prefix.endswith(("/", "?", "#", "&", "=")) or rest[0] in "/?#"


def check_service(text: str, allowed: tuple[str, ...] = ()) -> None:
    """Raise `ServiceRefused` unless every SERVICE endpoint of the query starts with an allowed prefix."""
    for use in service_uses(text):
        if use.endpoint is not None and any(allowed_by(use.endpoint, p) for p in allowed):
            continue
        what = use.problem or f"SERVICE <{use.endpoint}>"
        hint = ("allow an endpoint with --allow-service URL-PREFIX" if use.endpoint is not None and not use.problem
                else "name the endpoint as an IRI and allow it with --allow-service URL-PREFIX")
        raise ServiceRefused(f"federated query refused: {what} is not allowed on this server; {hint}")
