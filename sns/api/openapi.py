"""The OpenAPI 3.1 document, built from the API's own route list.

Every route and method of `sns.api.v1.endpoints()` becomes an operation: its
path parameters come from the route, its summary from the handler's
docstring, and the rest (query parameters, body, answers) from OPERATIONS
below. A route missing from OPERATIONS still appears, marked
`x-undocumented`, and a test fails until it is described.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from sns.api.declare import Body, Error, Media
from sns.api.fields import MAX_LIMIT, PATH_PARAMS
from sns.api.schemas import SCHEMAS, ref
from sns.settings import Settings

ERROR_TEXT = {
    400: "The input is not acceptable (see `field`).",
    401: "The token is missing where one is needed, revoked, or its account is suspended.",
    403: "The caller may not do this.",
    404: "No such record, or it is not shared with the caller.",
    409: "The request conflicts with the record's state (a locked topic, the last admin, a closed thread...).",
    413: "The request body is too large.",
    415: "The request body is not JSON.",
    429: "Too many posts in a short time; try again in a few minutes.",
}
LIMIT = {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
         "description": "How many items per page (the site's page size by default)."}
BEFORE = {"name": "before", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "Only items older than this id: follow the `next` link of the previous page."}
AUTHOR = {"name": "author", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "Only this resident's diaries (a username)."}
WRITE = (400, 401, 403, 413, 415)


def op(tag: str, ok: tuple[int, str | None], *, auth: bool = False, query=(), body: str | None = None,
       errors=(401,), media: str = "application/json") -> dict[str, Any]:
    """One operation's description; `media` is the body's type (a CSV upload is `text/csv`)."""
    return {"tag": tag, "ok": ok, "auth": auth, "query": list(query), "body": body, "errors": errors,
            "media": media}


OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/me"): op("people", (200, "Me"), auth=True),
    ("PATCH", "/api/v1/me/profile"): op("people", (200, "Me"), auth=True, body="ProfileEdit", errors=WRITE),
    ("GET", "/api/v1/people/{username}"): op("people", (200, "Profile"), errors=(401, 404)),
    ("GET", "/api/v1/friends"): op("friends", (200, "Friends"), auth=True),
    ("POST", "/api/v1/friends/{username}/{action}"): op("friends", (200, "FriendActionResult"), auth=True,
                                                        errors=(401, 403, 404)),
    ("GET", "/api/v1/notices"): op("notices", (200, "NoticePage"), query=(LIMIT, BEFORE), errors=(400, 401)),
    ("POST", "/api/v1/notices"): op("notices", (201, "Notice"), auth=True, body="NoticeNew", errors=WRITE),
    ("GET", "/api/v1/notices/{id}"): op("notices", (200, "Notice"), errors=(401, 404)),
    ("GET", "/api/v1/openapi.json"): op("meta", (200, "OpenAPI"), errors=()),
}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": ref(schema)}}


def _operation(route: Route, method: str, operations: dict, path_params: dict) -> dict[str, Any]:
    spec = operations.get((method, route.path))
    doc = (route.endpoint.__doc__ or "").strip()
    summary, _, description = doc.partition("\n")
    out: dict[str, Any] = {
        "operationId": f"{route.endpoint.__name__}",
        "summary": summary or route.path,
        "parameters": [{"name": name, "in": "path", "required": True, "schema": path_params.get(name, {})}
                       for name in route.param_convertors],
    }
    if description.strip():
        out["description"] = " ".join(description.split())
    if spec is None:
        out["x-undocumented"] = True
        out["responses"] = {"default": {"description": "Undocumented."}}
        return out
    out["tags"] = [spec["tag"]]
    out["parameters"] += spec["query"]
    out["security"] = [{"bearer": []}] if spec["auth"] else [{"bearer": []}, {}]
    if spec["body"]:
        out["requestBody"] = {"required": True, "content": {spec.get("media", "application/json"): {
            "schema": ref(spec["body"])}}}
    status, schema = spec["ok"]
    ok: dict[str, Any] = {"description": "Done." if schema is None else "The result."}
    if schema:
        ok["content"] = _json(schema)
    out["responses"] = {str(status): ok}
    for code in spec["errors"]:
        out["responses"][str(code)] = {"description": ERROR_TEXT[code], "content": _json("Error")}
    return out


class _Schemas(GenerateJsonSchema):
    """Pydantic's schemas without the titles it makes up from field names (the names say it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def model_schema(self, schema):
        out = super().model_schema(schema)
        out.pop("title", None)
        return out


def _declared_ops(ops) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The paths and component schemas of operations declared with `sns.api.declare`."""
    models: list[tuple[type, str]] = [(Error, "serialization")]
    for o in ops:
        if isinstance(o.body, type):
            models.append((o.body, "validation"))
        answer = o.answer.schema if isinstance(o.answer, Media) else o.answer
        if isinstance(answer, type):
            models.append((answer, "serialization"))
    keys, defs = models_json_schema(list(dict.fromkeys(models)), ref_template="#/components/schemas/{model}",
                                    schema_generator=_Schemas)
    schemas = defs.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for o in ops:
        paths.setdefault(o.path, {})[o.method.lower()] = _declared(o, keys)
    return paths, schemas


def _query_parameters(model) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        if "anyOf" in prop and {"type": "null"} in prop["anyOf"]:  # optional in the query: absent, never null
            rest = [p for p in prop.pop("anyOf") if p != {"type": "null"}]
            prop.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
            prop.pop("default", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        out.append(param)
    return out


def _declared(o, keys) -> dict[str, Any]:
    doc = (o.handler.__doc__ or "").strip()
    summary, _, description = doc.partition("\n")
    out: dict[str, Any] = {
        "operationId": o.operation_id,
        "summary": summary or o.path,
        "tags": [o.tag],
        "parameters": [{"name": name, "in": "path", "required": True, "schema": PATH_PARAMS.get(name, {})}
                       for name in o.path_names],
        "security": [{"bearer": []}] if o.auth else [{"bearer": []}, {}],
    }
    if description.strip():
        out["description"] = " ".join(description.split())
    if o.query is not None:
        out["parameters"] += _query_parameters(o.query)
    if isinstance(o.body, Body):
        out["requestBody"] = {"required": o.body.required, "content": {o.body.media: {"schema": o.body.schema}}}
    elif o.body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": keys[(o.body, "validation")]}}}
    ok: dict[str, Any] = {"description": "Done." if o.answer is None else "The result."}
    if isinstance(o.answer, Media):
        schema = o.answer.schema
        if isinstance(schema, type):
            schema = keys[(schema, "serialization")]
        ok["content"] = {o.answer.media: {"schema": schema or {}}}
    elif o.answer is not None:
        ok["content"] = {"application/json": {"schema": keys[(o.answer, "serialization")]}}
    if o.links:
        ok["links"] = o.links
    out["responses"] = {str(o.status): ok}
    for code in o.statuses:
        out["responses"][str(code)] = {"description": ERROR_TEXT[code], "content": _json("Error")}
    if o.refuses:  # what the form cannot say: checked against the town's records and rules
        out["x-refuses"] = list(o.refuses)
        out["responses"]["400"]["description"] += (" Besides its form, the service checks " + ", ".join(
            f"`{name}`" for name in o.refuses) + " against the town's records and rules.")
    return out


def build(routes: list[Route], settings: Settings, areas=(), declared=()) -> dict[str, Any]:
    """`areas`: the API modules that describe their own endpoints (OPERATIONS, SCHEMAS, PATH_PARAMS);
    `declared`: the operations declared with `sns.api.declare` (their schemas come from their models)."""
    operations, schemas, path_params = dict(OPERATIONS), dict(SCHEMAS), dict(PATH_PARAMS)
    for area in areas:
        operations.update(getattr(area, "OPERATIONS", {}))
        schemas.update(getattr(area, "SCHEMAS", {}))
        path_params.update(getattr(area, "PATH_PARAMS", {}))
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(route.path, {})[method.lower()] = _operation(route, method, operations, path_params)
    declared_paths, declared_schemas = _declared_ops(declared)
    for path, methods in declared_paths.items():
        paths.setdefault(path, {}).update(methods)
    schemas.update(declared_schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Local SNS API",
            "version": "1",
            "description": "Diaries, comments, friends, profiles, official notices, communities, events, "
                           "internal mail, the city's departments, albums and search of a town's local SNS. "
                           "Send `Authorization: Bearer TOKEN` (make a token on /settings or with "
                           "`sns token create USER`); without it you read only what visitors may read. "
                           "Errors are `{\"error\", \"field\"}` in the language of `Accept-Language`.",
        },
        "servers": [{"url": settings.base_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A personal API token."}},
        },
    }
