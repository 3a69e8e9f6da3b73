"""The declarations themselves: the document they make is valid OpenAPI 3.1, and they keep the rules
that make a request valid by the document acceptable to the server (tests/api/test_api_contract.py
checks the server against it)."""

from __future__ import annotations

from typing import Annotated, get_args, get_origin

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from sns import areas
from sns.api import fields, openapi
from sns.api.declare import Input
from sns.settings import Settings

OPERATIONS = list(areas.site().operations)
PYDANTIC_ONLY = {"ge", "le", "gt", "lt", "max_length", "min_length", "multiple_of", "strict"}


def document() -> dict:
    return openapi.build(OPERATIONS, Settings(public_url="http://test.example"))


def test_the_document_is_valid_openapi_3_1():
    validate(document())  # raises with the first error


def test_every_limit_reaches_the_document():
    """A constraint pydantic could not turn into JSON Schema stays as its own key (`ge`), which no
    client reads: the server would refuse what the document allows."""
    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                assert key not in PYDANTIC_ONLY or (where and where[-1] == "properties"), (where, key)
                yield from walk(value, [*where, key])
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, [*where, str(i)])
        yield None

    list(walk(document(), []))


def _bare_int(tp) -> bool:
    """`int` not made by `fields.whole()` (which takes 5.0 as 5, as JSON Schema's integer does)."""
    if tp is int:
        return True
    if get_origin(tp) is Annotated:
        base, *meta = get_args(tp)
        return base is int and not any(getattr(m, "func", None) is fields._whole for m in meta)
    return any(_bare_int(arg) for arg in get_args(tp))


def _models(model: type[BaseModel], seen: set):
    if model in seen:
        return
    seen.add(model)
    yield model
    for info in model.model_fields.values():
        for tp in (info.annotation, *get_args(info.annotation)):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                yield from _models(tp, seen)


BODIES = sorted({m for op in OPERATIONS if isinstance(op.body, type) for m in _models(op.body, set())},
                key=lambda m: m.__name__)


@pytest.mark.parametrize("model", BODIES, ids=[m.__name__ for m in BODIES])
def test_bodies_are_strict_and_take_whole_numbers_as_json_schema_does(model):
    assert issubclass(model, Input), f"{model.__name__}: a body is an Input (strict, unknown fields refused)"
    for name, info in model.model_fields.items():
        annotated = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        assert not _bare_int(annotated), f"{model.__name__}.{name}: use fields.whole() for a whole number"


def test_every_operation_says_what_it_does_and_links_to_real_operations():
    ids = {op.operation_id for op in OPERATIONS}
    for op in OPERATIONS:
        assert (op.handler.__doc__ or "").strip(), op.operation_id
        for link in op.links.values():
            assert link["operationId"] in ids, (op.operation_id, link)
