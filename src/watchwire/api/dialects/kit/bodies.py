"""Collecting a dialect request's parameters: the query string, then the body on top of it
(form-urlencoded, multipart/form-data or JSON), into one `Fields`.

Form pairs follow the Rails/PHP conventions the documents' clients use: `name[]=a&name[]=b`
is the list `["a", "b"]` (`name[]=` alone an empty one, once blanks are dropped),
`name[key]=value` the map `{"key": "value"}`, and a repeated plain `name` keeps its last
value. Sending one name both plainly and with brackets is refused.

Text is UTF-8; a form body may say `charset=iso-8859-1` (or us-ascii). Bytes that do not
decode, a charset the kit does not read, malformed JSON or multipart and a body over the
size limit are refused with the field (or `body`) and the rule named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from watchwire.api.dialects.kit.fields import Fields, invalid
from watchwire.errors import ValidationError

# Dialect bodies are a few fields; a megabyte is far more than any client sends.
MAX_BODY = 1024 * 1024
_CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
}
_NESTED = re.compile(r"(?P<name>[^\[\]]+)\[(?P<key>[^\[\]]*)\]")


class BodyTooLarge(ValidationError):
    """The request body is over the dialect's limit."""

    code = "payload_too_large"
    status = 413


def _decode(field: str, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise invalid(field, "encoding", f"{field} is not valid {encoding} text") from None


def collect(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Name/value pairs as fields, with Rails' `name[]` lists and `name[key]` maps."""
    values: dict[str, Any] = {}
    for key, value in pairs:
        nested = _NESTED.fullmatch(key)
        name = nested["name"] if nested else key
        current = values.get(name)
        if nested is None:
            if isinstance(current, list | dict):
                raise _mixed(name)
            values[name] = value
        elif nested["key"] == "":
            if current is None:
                values[name] = current = []
            if not isinstance(current, list):
                raise _mixed(name)
            current.append(value)
        else:
            if current is None:
                values[name] = current = {}
            if not isinstance(current, dict):
                raise _mixed(name)
            current[nested["key"]] = value
    return values


def _mixed(name: str) -> ValidationError:
    return invalid(name, "shape", f"{name} is sent both as a value and as a list or map")


def form_pairs(
    raw: bytes, encoding: str = "utf-8", where: str = "body"
) -> Iterator[tuple[str, str]]:
    """The pairs of an `application/x-www-form-urlencoded` text (`where` is `body`) or of a
    query string (`query`), percent-decoded, then decoded from `encoding`; a pair without
    `=` has an empty value."""
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        raw_name, _, raw_value = chunk.partition(b"=")
        name = _decode(where, unquote_to_bytes(raw_name.replace(b"+", b" ")), encoding)
        value = _decode(name or where, unquote_to_bytes(raw_value.replace(b"+", b" ")), encoding)
        yield name, value


def multipart_pairs(body: bytes, boundary: bytes, encoding: str) -> list[tuple[str, str]]:
    """The fields of a `multipart/form-data` body; a file part is refused (no dialect
    takes uploads)."""
    pairs: list[tuple[str, str]] = []
    header: list[bytes] = [b"", b""]
    part: dict[str, Any] = {}

    def on_part_begin() -> None:
        part.clear()
        part["data"] = bytearray()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        if header[0].lower() == b"content-disposition":
            part["disposition"] = header[1]
        header[0] = header[1] = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part["data"] += data[start:end]

    def on_part_end() -> None:
        _, options = parse_options_header(part.get("disposition", b""))
        if b"name" not in options:
            raise invalid("body", "multipart", "every multipart part must have a name")
        name = _decode("body", options[b"name"], encoding)
        if b"filename" in options:
            raise invalid(name or "body", "string", f"{name} must be a value, not a file")
        pairs.append((name, _decode(name or "body", bytes(part["data"]), encoding)))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError:
        raise invalid("body", "multipart", "the multipart body is malformed") from None
    return pairs


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The whole body, refused (413) as soon as it is known to pass `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> BodyTooLarge:
    message = f"the request body must be at most {limit} bytes"
    return BodyTooLarge(
        message, details=[{"field": "body", "rule": "max_size", "message": message}]
    )


def _charset(options: dict[bytes, bytes]) -> str:
    named = options.get(b"charset", b"utf-8").decode("latin-1").strip().lower()
    if named not in _CHARSETS:
        raise invalid("body", "charset", f"charset {named!r} is not supported (use utf-8)")
    return _CHARSETS[named]


def body_fields(body: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a body: JSON when the type says so or the body is an object, multipart
    when the type says so, form-urlencoded otherwise (clients often omit the type)."""
    media, given = parse_options_header(content_type)
    options = {key.lower(): value for key, value in given.items()}
    encoding = _charset(options)
    if media == b"multipart/form-data":
        if not options.get(b"boundary"):
            raise invalid("body", "multipart", "the multipart body has no boundary")
        return collect(multipart_pairs(body, options[b"boundary"], encoding))
    if b"json" in media or body.lstrip()[:1] == b"{":
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise invalid("body", "json", "the request body is not valid JSON") from None
        if not isinstance(decoded, dict):
            raise invalid("body", "object", "the JSON body must be an object")
        return decoded
    return collect(form_pairs(body, encoding))


async def read_fields(request: Request, *, limit: int = MAX_BODY) -> Fields:
    """Query parameters, overridden field by field by the body's."""
    values = collect(form_pairs(request.scope.get("query_string", b""), where="query"))
    body = await read_body(request, limit)
    if body.strip():
        values.update(body_fields(body, request.headers.get("content-type", "")))
    return Fields(values)
