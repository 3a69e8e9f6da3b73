"""Pages for official alerts (issue 6)."""

from __future__ import annotations

from starlette.routing import Route

ROUTES: list[Route] = []
