"""IndexedRouter (sns/web/router.py) picks, for every path the site has, the route Starlette's own loop over
all routes picks; what matches nothing in full (405, a slash redirect, 404) is answered as before."""

from __future__ import annotations

import re

from starlette.routing import Match, Mount, Route

from sns.app import create_app
from sns.web.router import IndexedRouter

PARAM = re.compile(r"\{([^}:]+)(?::([^}]+))?\}")


def sample(path: str) -> str:
    return PARAM.sub(lambda m: "12" if m.group(2) == "int" else "0192f1e2-aaaa-7000-8000-000000000001", path)


def first_full(routes, scope):
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def test_every_route_is_found_as_starlette_finds_it(tmp_path):
    from sns.settings import load_settings
    from sns.keys import ensure_keys

    settings = load_settings(tmp_path)
    ensure_keys(settings.keys_dir)
    router = create_app(settings).router
    assert isinstance(router, IndexedRouter)
    checked = 0
    for route in router.routes:
        if not isinstance(route, (Route, Mount)):
            continue
        path = sample(route.path) + ("/x.css" if isinstance(route, Mount) else "")
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
            expected = first_full(router.routes, scope)
            assert first_full(router._candidates(path), scope) is expected, (method, path)
            checked += 1
    assert checked > 200


async def test_what_matches_nothing_in_full_is_answered_as_before(site):
    client = site.client()
    assert (await client.get("/no/such/page")).status_code == 404
    assert (await client.put("/api/v1/alerts")).status_code == 405  # a route for the path, not the method
    assert (await client.get("/alerts")).status_code == 200
    assert (await client.get("/static/style.css")).status_code == 200  # a mount
