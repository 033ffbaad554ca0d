"""Exceptions with messages a user can act on.

Every error names *where* (file, record PMID) and *what*; the CLI maps the classes to exit codes:
0 ok, 1 data did not conform or some records were rejected, 2 usage or runtime error.
"""

from __future__ import annotations

import re

_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@:]*(?::[^/\s@]*)?@")


def redact(text: str) -> str:
    """The text with the user and password of every URL in it replaced by ***, so that
    http://user:pw@host/sparql never reaches a terminal or a log."""
    return _CREDENTIALS.sub(r"\1***@", text)


class KgError(Exception):
    """Base of every error `kg` raises on purpose."""

    exit_code = 2


class InputError(KgError):
    """A source file or one record in it cannot be read.

    `path` and `pmid` are kept apart from the problem so reports can group by file and record.
    """

    exit_code = 1

    def __init__(self, problem: str, *, path: str | None = None, pmid: str | None = None,
                 line: int | None = None) -> None:
        self.problem = problem
        self.path = path
        self.pmid = pmid
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.path:
            where.append(f"{self.path}" + (f":{self.line}" if self.line else ""))
        if self.pmid:
            where.append(f"PMID {self.pmid}")
        return (": ".join([", ".join(where), self.problem]) if where else self.problem)


class UsageError(KgError):
    """The command line names something that cannot be used: a missing input, an empty folder."""


class ShapesError(KgError):
    """Shapes cannot be loaded or validation could not run."""


class QueryError(KgError):
    """A canned query is unknown, a parameter is missing or malformed, or the store refused the query."""


class StoreError(KgError):
    """The store cannot be opened or written."""


class IdentifierError(KgError):
    """An identifier has an unknown prefix or a malformed local part."""


class ConvertError(KgError):
    """`kg convert` cannot run as asked (an output URL without fsspec, an unreachable Dask scheduler)."""
