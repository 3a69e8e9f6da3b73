"""Open311 GeoReport v2's two formats (docs/open311.md): the same fields as JSON or as XML, and its error array.

The services' answers are plain dicts (or lists of them) keyed by the specification's field names, in its
order. XML is built with lxml's element tree (never by joining strings), UTF-8 with the XML declaration the
specification asks for; each list has the specification's element names (`services/service`,
`service_requests/request`, `errors/error`, `endpoints/endpoint`, `formats/format`). JSON is UTF-8 too,
with `null` where XML has an empty element.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree
from starlette.responses import Response

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# a list's element name -> the name of each item in it
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}
NO_STORE = "private, no-store"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _xml_safe(str(value))


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters (lxml refuses them): those few are dropped."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ch >= " ")


def _fill(element: etree._Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(etree.SubElement(element, name), inner)
    elif isinstance(value, (list, tuple)):
        item = ITEMS.get(element.tag, "item")
        for inner in value:
            _fill(etree.SubElement(element, item), inner)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = etree.Element(root)
    _fill(element, value)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def answer(fmt: str, root: str, value: Any, status: int = 200, cache: str = NO_STORE) -> Response:
    """`value` as `fmt` ("json" or "xml"); `root` names the XML document's element."""
    body = to_xml(root, value) if fmt == "xml" else to_json(value)
    response = Response(body, status, media_type=FORMATS.get(fmt, FORMATS["json"]))
    response.headers["Cache-Control"] = cache
    if status < 400 and cache != NO_STORE:  # what a visitor may read, also from a partner's web page
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, description: str) -> Response:
    """The specification's error array: `[{"code": 400, "description": "..."}]`, `<errors><error>...`."""
    return answer(fmt if fmt in FORMATS else "json", "errors", [{"code": status, "description": description}],
                  status)
