"""Deprecated import path, kept for code written before issue 14: everything moved to `kg.validation`."""

from __future__ import annotations

from .validation import *  # noqa: F401,F403
from .validation import __all__  # noqa: F401
