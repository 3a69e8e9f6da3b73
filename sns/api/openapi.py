"""The OpenAPI 3.1 document, built from the operations' own declarations (`sns.api.declare`).

Each declared operation becomes one: its summary and description from the handler's docstring, its
path parameters by name (`fields.PATH_PARAMS`), its query parameters, body and answer from its models'
JSON Schemas (limits, patterns, enums and formats included), every status it can answer, OpenAPI links
to the operations that use what it makes, and `x-refuses`. The models become the document's components.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from sns.api.declare import Body, Error, Media, Operation
from sns.api.fields import PATH_PARAMS
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


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _allows_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_allows_null(s) for s in [*schema.get("anyOf", ()), *schema.get("oneOf", ())])


class _Schemas(GenerateJsonSchema):
    """Pydantic's schemas without the titles it makes up from field names (the names say it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        """A field that may be left out but never be null (`title: Title = None`): no `default: null`,
        which its own schema would refuse."""
        out = super().default_schema(schema)
        if out.get("default", ...) is None and not _allows_null(out):
            out.pop("default")
        return out

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
    schema = model.model_json_schema(mode="validation", schema_generator=_Schemas)
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


def build(operations: list[Operation], settings: Settings) -> dict[str, Any]:
    paths, schemas = _declared_ops(operations)
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
