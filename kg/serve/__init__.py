"""`kg serve`: the store as a read-only SPARQL endpoint with a query page (see `kg.serve.http`)."""

from __future__ import annotations

from .guard import ServiceRefused, check_service
from .http import ROUTES, BindError, KgServer, ServeConfig, is_loopback, parse_bind, route, serve

__all__ = ["ROUTES", "BindError", "KgServer", "ServeConfig", "ServiceRefused", "check_service", "is_loopback",
           "parse_bind", "route", "serve"]
