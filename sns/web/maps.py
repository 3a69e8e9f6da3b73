"""Pages for maps (issue 5)."""

from __future__ import annotations

from starlette.routing import Route

ROUTES: list[Route] = []
