"""The JSON API (filled in by the API work; the pages and the API share services and policies)."""

from __future__ import annotations


def api_routes() -> list:
    return []
