"""HTTP content negotiation (RFC 9110 section 12.5.1): Accept with q-values, wildcards and specificity.

A browser's `text/html,...,application/xml;q=0.9,*/*;q=0.8` and a SPARQL client's
`application/sparql-results+json` must both get the best type the server offers, in the order the client
prefers it; among equal q-values the server's order (its default first) decides, as the RFC allows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str      # "text", "application", "*"
    subtype: str   # "csv", "*"
    q: float

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type == "*" or self.type == t) and (self.subtype == "*" or self.subtype == s)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed parts are skipped, a missing header is `*/*`."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    out = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        t, sep, s = bits[0].lower().partition("/")
        if not sep or not t or not s:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append(MediaRange(t, s, q))
    return out


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives a type: that of the most specific range matching it (0 if none)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered type the client prefers most (ties: the first offered), or None if it accepts none."""
    ranges = parse_accept(header)
    scored = [(quality(ranges, t), -i, t) for i, t in enumerate(offered)]
    q, _, t = max(scored)
    return t if q > 0 else None
