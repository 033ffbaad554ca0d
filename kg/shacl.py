"""Deprecated import path, kept for code written before issue 14: the compiled checker is now
`kg.validation` (compile, checks, data, terms, model)."""

from __future__ import annotations

from .validation import *  # noqa: F401,F403
from .validation import __all__  # noqa: F401
