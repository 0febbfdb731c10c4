"""Collecting a request's fields: Rails arrays and maps in query strings and forms,
multipart and JSON bodies, charsets, and the body size limit — and, over any bytes with any
content type, nothing but a value or a ValidationError."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.dialects.kit.requests import raw_request
from watchwire.api.dialects.kit.bodies import (
    MAX_BODY,
    BodyTooLarge,
    body_fields,
    collect,
    form_pairs,
    read_fields,
)
from watchwire.errors import ValidationError

# Any text that UTF-8 can carry (no lone surrogates).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
NAMES = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="[]"), min_size=1)
# A map's keys are not empty: `name[]` is a list.
VALUES = st.one_of(
    TEXT,
    st.lists(TEXT, min_size=1, max_size=4),
    st.dictionaries(NAMES, TEXT, min_size=1, max_size=4),
)


def rails_form(fields: dict[str, Any], plus: bool) -> bytes:
    """`fields` encoded the way Rails clients (and updown's) encode them."""
    encode = quote_plus if plus else quote
    pairs = []
    for name, value in fields.items():
        if isinstance(value, list):
            pairs += [(f"{name}[]", item) for item in value]
        elif isinstance(value, dict):
            pairs += [(f"{name}[{key}]", item) for key, item in value.items()]
        else:
            pairs.append((name, value))
    return "&".join(f"{encode(k, safe='')}={encode(v, safe='')}" for k, v in pairs).encode()


@given(st.dictionaries(NAMES, VALUES, max_size=6), st.booleans())
def test_rails_forms_round_trip(fields: dict[str, Any], plus: bool) -> None:
    assert collect(form_pairs(rails_form(fields, plus))) == fields


def test_rails_conventions() -> None:
    form = b"recipients[]=a&recipients[]=b&custom_headers[X-Token]=t&alias=x&alias=y&empty[]="
    assert collect(form_pairs(form)) == {
        "recipients": ["a", "b"],
        "custom_headers": {"X-Token": "t"},
        "alias": "y",
        "empty": [""],
    }
    assert collect(form_pairs(b"flag&a=1&&b")) == {"flag": "", "a": "1", "b": ""}
    assert collect(form_pairs(b"a[b][c]=1")) == {"a[b][c]": "1"}  # deeper nesting: no meaning


@pytest.mark.parametrize(
    "form", [b"tags=a&tags[]=b", b"tags[]=a&tags=b", b"args[k]=a&args[]=b", b"args[]=a&args[k]=b"]
)
def test_one_name_as_a_value_and_a_list_is_refused(form: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        collect(form_pairs(form))
    assert caught.value.details[0]["rule"] == "shape"
    assert caught.value.details[0]["field"] in ("tags", "args")


def test_invalid_utf8_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        collect(form_pairs(b"name=%FF%FE"))
    assert caught.value.details[0] == {
        **caught.value.details[0],
        "field": "name",
        "rule": "encoding",
    }
    with pytest.raises(ValidationError) as caught:
        collect(form_pairs(b"%FF=1", where="query"))
    assert caught.value.details[0]["field"] == "query"


def test_charsets() -> None:
    latin = "name=caf%E9"
    assert body_fields(latin.encode(), "application/x-www-form-urlencoded; charset=ISO-8859-1") == {
        "name": "café"
    }
    assert body_fields(b"name=caf%C3%A9", "application/x-www-form-urlencoded; Charset=UTF-8") == {
        "name": "café"
    }
    with pytest.raises(ValidationError) as caught:
        body_fields(b"name=x", "application/x-www-form-urlencoded; charset=utf-16")
    assert caught.value.details[0]["rule"] == "charset"


def test_json_bodies() -> None:
    assert body_fields(b'{"a": [1, {"b": null}]}', "application/json") == {"a": [1, {"b": None}]}
    assert body_fields(b' {"a": 1}', "") == {"a": 1}  # an object needs no content type
    for body, rule in [(b"{oops", "json"), (b"[1, 2]", "object"), (b'"\\ud800"', "json")]:
        with pytest.raises(ValidationError) as caught:
            body_fields(body, "application/json")
        assert caught.value.details[0]["rule"] == rule, body


def multipart(parts: list[tuple[str, str, bytes]], boundary: str = "b0undary") -> bytes:
    """A multipart/form-data body of (disposition parameters, content type, data) parts."""
    lines = b""
    for params, ctype, data in parts:
        lines += f"--{boundary}\r\nContent-Disposition: form-data; {params}\r\n".encode()
        if ctype:
            lines += f"Content-Type: {ctype}\r\n".encode()
        lines += b"\r\n" + data + b"\r\n"
    return lines + f"--{boundary}--\r\n".encode()


def test_multipart_bodies() -> None:
    body = multipart(
        [
            ('name="name"', "", "café".encode()),
            ('name="tags[]"', "", b"a"),
            ('name="tags[]"', "text/plain", b"b"),
            ('name="args[url]"', "", b"https://x"),
        ]
    )
    assert body_fields(body, "multipart/form-data; boundary=b0undary") == {
        "name": "café",
        "tags": ["a", "b"],
        "args": {"url": "https://x"},
    }


@pytest.mark.parametrize(
    ("body", "content_type", "field", "rule"),
    [
        (multipart([('name="f"; filename="x.txt"', "", b"x")]), None, "f", "string"),
        (multipart([('nom="f"', "", b"x")]), None, "body", "multipart"),
        (multipart([('name="f"', "", b"\xff")]), None, "f", "encoding"),
        (b"garbage", None, "body", "multipart"),
        (b"--b0undary\r\nno end", None, "body", "multipart"),
        (b"x", "multipart/form-data", "body", "multipart"),
    ],
    ids=["file", "no-name", "bad-utf8", "garbage", "truncated", "no-boundary"],
)
def test_malformed_multipart_is_refused(
    body: bytes, content_type: str | None, field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        body_fields(body, content_type or "multipart/form-data; boundary=b0undary")
    assert (caught.value.details[0]["field"], caught.value.details[0]["rule"]) == (field, rule)


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "",
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=b0undary",
            "multipart/form-data",
            "text/plain; charset=latin1",
            "application/xml",
            "application/json; charset=utf-7",
        ]
    ),
    st.text(st.characters(max_codepoint=0xFF), max_size=40),
)


@given(st.binary(max_size=200), CONTENT_TYPES)
def test_any_bytes_give_fields_or_a_validation_error(body: bytes, content_type: str) -> None:
    try:
        fields = body_fields(body, content_type)
    except ValidationError as exc:
        assert exc.details and exc.details[0]["field"]
    else:
        assert isinstance(fields, dict)


async def test_body_overrides_query_field_by_field() -> None:
    request = raw_request(b"b=body&c[]=1", "application/x-www-form-urlencoded", b"a=q&b=q")
    assert (await read_fields(request)).values == {"a": "q", "b": "body", "c": ["1"]}
    request = raw_request(b'{"b": 2}', "application/json", b"a=q&b=q")
    assert (await read_fields(request)).values == {"a": "q", "b": 2}
    assert (await read_fields(raw_request(b"  \r\n", "application/json", b"a=1"))).values == {
        "a": "1"
    }


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_bodies_over_the_limit_answer_413(declared: bool) -> None:
    body = b"name=" + b"x" * MAX_BODY
    with pytest.raises(BodyTooLarge) as caught:
        await read_fields(raw_request(body, chunks=64, declared_length=declared))
    assert caught.value.status == 413 and caught.value.details[0]["field"] == "body"
    small = raw_request(b"name=x", chunks=3, declared_length=declared)
    assert (await read_fields(small)).values == {"name": "x"}
