"""N-Triples term formatting: the one place where terms are escaped.

Every function returns a term in N-Triples syntax. IRIs given here are minted by `kg.iris` or validated
before (external identifiers go through `kg.prefixes`), so only literals need escaping.
"""

from __future__ import annotations

import re
from typing import Iterable

from ..vocab import XSD

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG_RE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")

XSD_STRING = XSD + "string"
XSD_BOOLEAN = f"<{XSD}boolean>"
XSD_INTEGER = f"<{XSD}integer>"
XSD_DATE = f"<{XSD}date>"
XSD_GYEARMONTH = f"<{XSD}gYearMonth>"
XSD_GYEAR = f"<{XSD}gYear>"
XSD_DATETIME = f"<{XSD}dateTime>"
XSD_DECIMAL = f"<{XSD}decimal>"
TRUE = f'"true"^^{XSD_BOOLEAN}'
FALSE = f'"false"^^{XSD_BOOLEAN}'


def iri(value: str) -> str:
    """An IRI term. Raises ValueError on characters N-Triples forbids (a bug or an unvalidated input)."""
    if _IRI_BAD.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def escape(text: str) -> str:
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def lit(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{escape(text)}"'


def lang(text: str, tag: str) -> str:
    if not _LANG_RE.match(tag):
        return lit(text)
    return f'"{escape(text)}"@{tag.lower()}'


def typed(lexical: str, datatype: str) -> str:
    """A typed literal; `datatype` is an N-Triples IRI term such as XSD_DATE."""
    return f'"{escape(lexical)}"^^{datatype}'


def integer(value: int) -> str:
    return f'"{int(value)}"^^{XSD_INTEGER}'


def boolean(value: bool) -> str:
    return TRUE if value else FALSE


def quad_line(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {p} {o} {g} .\n"


def graph_text(lines: Iterable[str]) -> tuple[str, int]:
    """One graph's N-Quads text and triple count, each line once.

    Why: a record may repeat a value (the same keyword twice, two references to one PMID); a store keeps
    the triple once, so the text and the count must too, or shards and summaries overstate the graph."""
    unique = dict.fromkeys(lines)
    return "".join(unique), len(unique)
