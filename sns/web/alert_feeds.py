"""Alerts in standard formats for pages and readers: the Atom feed (issue 6)."""

from __future__ import annotations

from starlette.routing import Route

ROUTES: list[Route] = []
