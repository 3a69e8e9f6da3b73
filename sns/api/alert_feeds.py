"""Alerts as CAP 1.2 documents (see sns/api/v1.py)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

ENDPOINTS: list[Route] = []
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}
SCHEMAS: dict[str, Any] = {}
PATH_PARAMS: dict[str, Any] = {}
