"""The OpenAPI document describes every API route, and every reference in it resolves."""

import re

from starlette.routing import Route

from sns import areas


def api_operations(app):
    """(method, path) of every route the app serves under /api/, except the catch-all answer."""
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/") and route.name != "api_fallback":
            for method in route.methods - {"HEAD"}:
                yield method.lower(), route.path


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


async def test_every_api_route_is_in_the_document(api, site):
    r = await api.client().get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "http://test.example"}]
    served = set(api_operations(site.app))
    assert len(served) >= 17
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served == documented
    seen_ids = set()
    for path, ops in doc["paths"].items():
        for method, operation in ops.items():
            where = (method, path)
            assert not operation.get("x-undocumented"), f"declare {where} (sns/api/declare.py)"
            assert operation["summary"] and operation["tags"] and operation["responses"], where
            assert operation["operationId"] not in seen_ids, where
            seen_ids.add(operation["operationId"])
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), where
            assert all(p["schema"] for p in operation["parameters"]), where
            if method in ("post", "patch") and "{action}" not in path:
                assert "requestBody" in operation, where
            assert any(code.startswith("2") for code in operation["responses"]), where


async def test_every_reference_resolves(api):
    doc = (await api.client().get("/api/v1/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    for target in set(refs(doc)):
        assert target.startswith("#/components/schemas/") and target.rsplit("/", 1)[1] in schemas, target


def test_the_route_list_has_no_duplicates():
    pairs = [(op.method, op.path) for op in areas.site().operations]
    assert len(pairs) == len(set(pairs))
