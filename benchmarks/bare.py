"""The baseline for the benchmarks: a bare Starlette route serving the same number of bytes, or the same bytes.

Served by uvicorn the same way as `sns serve` (one worker, access log on). The
byte sizes come from the environment: BENCH_SIZES='{"home": 12345, ...}', and
each name is served at /<name>. BENCH_FILES='{"alerts": "/path/to/body", ...}'
serves the bytes of each file instead (benchmarks/alerts.py: the page as it was fetched).
"""

from __future__ import annotations

import json
import os

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


def create_app() -> Starlette:
    sizes: dict[str, int] = json.loads(os.environ.get("BENCH_SIZES", "{}"))
    routes = []
    for name, size in sizes.items():
        body = (b"<!doctype html><p>" + b"x" * size)[:size]

        async def page(request, body=body, name=name):
            return Response(body, media_type="application/atom+xml" if name == "feed" else "text/html")

        routes.append(Route(f"/{name}", page, methods=["GET"]))
    files: dict[str, str] = json.loads(os.environ.get("BENCH_FILES", "{}"))
    for name, path in files.items():
        with open(path, "rb") as fh:
            body = fh.read()

        async def same(request, body=body):
            return Response(body, media_type="text/html")

        routes.append(Route(f"/{name}", same, methods=["GET"]))
    return Starlette(routes=routes)
