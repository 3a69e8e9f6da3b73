"""One declaration per API operation: what it reads, what it answers, and the document that says so.

An API module declares its operations on its own `API` list, next to the handlers:

    API = Operations("diaries")

    @API.post("/api/v1/diaries", answer=DiaryDetail, status=201, body=DiaryNew, auth=True,
              errors=(*WRITE, 429))
    async def create_diary(ctx: Ctx, body: DiaryNew) -> Reply: ...

From that one declaration come:
- the input: the JSON body, the query string and the path parameters are validated by pydantic
  (strict: a number is not a boolean, a string is not a number; unknown fields are refused), and a
  refusal is `{"error", "field"}` in the caller's language (`refusal`);
- the answer: what a handler returns is shaped by the declared model (fields it does not declare are
  not sent; optional fields left unset are absent), or is sent as it is when it is a Response (a CAP
  document, GeoJSON, 204);
- the OpenAPI 3.1 document (`sns.api.openapi`), limits and content types included.

A handler takes `ctx` and, by name, any of `request`, `body`, `query` and its path parameters.
Pydantic rather than msgspec: its JSON Schema output is JSON Schema 2020-12 as OpenAPI 3.1 wants
(descriptions, formats, limits, `$ref`s to components) and its errors carry a type, a location and the
limit that was broken, which is what a translated per-field message needs; msgspec is faster but the
API is not where residents wait (the pages are), and its schemas say less.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticInvalid
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import endpoint
from sns.api.refusals import refusal
from sns.context import Ctx
from sns.errors import Invalid, ServiceError
from sns.i18n import N_

Method = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
WRITE = (400, 401, 403, 413, 415)  # what a write can be refused with, besides its own
PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-zA-Z_][a-zA-Z0-9_]*)?}")  # as Starlette reads them


class TooLarge(ServiceError):
    status = 413


class UnsupportedMediaType(ServiceError):
    status = 415


def max_json_bytes(ctx: Ctx) -> int:
    """Room for the longest allowed body even when every character is escaped (\\uXXXX pairs)."""
    return max(256 * 1024, ctx.settings.max_body_chars * 12 + 16 * 1024)


class Input(BaseModel):
    """A request body or query: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Query(BaseModel):
    """A query string: its values are text, so numbers and booleans are read from it (lax)."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """An answer: what the caller may see, nothing more (undeclared keys are dropped)."""

    model_config = ConfigDict(extra="ignore")


class Error(Output):
    """Every refusal: `{"error", "field"}`."""

    error: str = Field(description="What went wrong, in the caller's language.")
    field: str | None = Field(description="The input field at fault, if any.")


@dataclass(frozen=True)
class Body:
    """A body the handler reads from `request` itself (a CSV file, or one that may be left out: `required`
    False); `schema` documents it."""

    media: str
    schema: dict[str, Any]
    required: bool = True


@dataclass(frozen=True)
class Media:
    """An answer that is not JSON, sent as the handler's Response; `schema` documents it if it has one."""

    media: str
    schema: type[BaseModel] | dict[str, Any] | None = None


@dataclass(frozen=True)
class Reply:
    """An answer with headers of its own (a Location after creating something)."""

    value: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    method: Method
    path: str
    handler: Callable[..., Awaitable[Any]]
    tag: str
    answer: type[BaseModel] | Media | None  # None: 204 No Content
    status: int
    body: type[BaseModel] | Body | None
    query: type[BaseModel] | None
    auth: bool
    errors: tuple[int, ...]
    name: str | None
    links: dict[str, dict[str, Any]]  # OpenAPI links from this answer to the operations that use it
    refuses: tuple[str, ...]  # fields a service may refuse though their form is right (an unknown district)

    @property
    def statuses(self) -> tuple[int, ...]:
        """Every status besides success it can answer: its own, and what any operation of its kind may
        (401 for a revoked token, 404 for an address that is not there, 400/413/415 for input)."""
        codes = set(self.errors) | {401, 404}
        if self.query is not None or self.body is not None or self.refuses:
            codes.add(400)
        if self.body is not None:
            codes.add(413)
        if isinstance(self.body, type):
            codes.add(415)
        return tuple(sorted(codes))

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def path_names(self) -> tuple[str, ...]:
        return tuple(PATH_PARAM.findall(self.path))  # `{id}.cap` too

    def route(self) -> Route:
        return Route(self.path, _endpoint(self), methods=[self.method], name=self.name)


class Operations(list):
    """One API module's operations, in the order they are matched."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def _declare(self, method: Method, path: str, *, answer: type[BaseModel] | Media | None, status: int = 200,
                 body: type[BaseModel] | Body | None = None, query: type[BaseModel] | None = None,
                 auth: bool = False, errors: tuple[int, ...] = (401,), name: str | None = None,
                 tag: str | None = None, links: dict[str, dict[str, Any]] | None = None,
                 refuses: tuple[str, ...] = ()):
        def declare(handler):
            self.append(Operation(method, path, handler, tag or self.tag, answer, status, body, query, auth,
                                  tuple(errors), name, links or {}, tuple(refuses)))
            return handler

        return declare

    def get(self, path: str, **kw):
        return self._declare("GET", path, **kw)

    def post(self, path: str, **kw):
        return self._declare("POST", path, **kw)

    def put(self, path: str, **kw):
        return self._declare("PUT", path, **kw)

    def patch(self, path: str, **kw):
        return self._declare("PATCH", path, **kw)

    def delete(self, path: str, **kw):
        kw.setdefault("answer", None)
        kw.setdefault("status", 204)
        return self._declare("DELETE", path, **kw)

    def routes(self) -> list[Route]:
        return [op.route() for op in self]


async def read_body(request: Request, ctx: Ctx) -> bytes:
    """The body of a JSON request, bounded before and while it is read."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(N_("Send the request body as JSON (Content-Type: application/json)."))
    limit = max_json_bytes(ctx)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 15 or int(declared) > limit):
        raise TooLarge(N_("The request body is too large (at most %(kb)d KB)."), kb=limit // 1024)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(N_("The request body is too large (at most %(kb)d KB)."), kb=limit // 1024)
            chunks.append(chunk)
    except ClientDisconnect:  # nobody is left to answer; do not log it as our failure
        raise Invalid(N_("The request body is not valid JSON.")) from None
    return b"".join(chunks)


def _json_body(model: type[BaseModel], raw: bytes) -> BaseModel:
    try:
        return model.model_validate_json(raw, strict=True)
    except PydanticInvalid as exc:
        raise refusal(model, exc) from None


def _query(model: type[BaseModel], request: Request) -> BaseModel:
    params = request.query_params
    data = {name: params.get(name) for name in params.keys()}
    try:
        return model.model_validate(data)
    except PydanticInvalid as exc:
        raise refusal(model, exc) from None


def shaped(model: type[BaseModel], value: Any) -> bytes:
    """`value` (a model, or plain data of its shape) as the declared model's JSON."""
    if not isinstance(value, BaseModel):
        value = model.model_validate(value)
    return value.model_dump_json(exclude_unset=True).encode()


def _endpoint(op: Operation):
    wanted = set(inspect.signature(op.handler).parameters)

    async def run(request: Request, ctx: Ctx) -> Response:
        if op.auth:
            require_user(ctx)
        kwargs: dict[str, Any] = {}
        if "request" in wanted:
            kwargs["request"] = request
        for name in op.path_names:
            if name in wanted:
                kwargs[name] = request.path_params[name]
        if op.query is not None:
            kwargs["query"] = _query(op.query, request)
        if isinstance(op.body, type):
            kwargs["body"] = _json_body(op.body, await read_body(request, ctx))
        result = await op.handler(ctx, **kwargs)
        headers: dict[str, str] = {}
        if isinstance(result, Reply):
            result, headers = result.value, result.headers
        if isinstance(result, Response):
            return result
        if op.answer is None:
            return Response(status_code=op.status, headers=headers)
        if isinstance(op.answer, Media):
            raise TypeError(f"{op.operation_id} answers {op.answer.media}: return a Response")
        return Response(shaped(op.answer, result), status_code=op.status, headers=headers,
                        media_type="application/json")

    run.__name__ = run.__qualname__ = op.operation_id
    run.__doc__ = op.handler.__doc__
    return endpoint(run)
