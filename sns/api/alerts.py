"""The API for official alerts (see sns/api/v1.py): the same services and policies as the pages."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

ENDPOINTS: list[Route] = []
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}
SCHEMAS: dict[str, Any] = {}
PATH_PARAMS: dict[str, Any] = {}
