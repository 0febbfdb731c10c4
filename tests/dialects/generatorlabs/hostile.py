"""What a hostile or unlucky client sends the /4.0 routes, as hypothesis strategies, and the
one check every answer must pass (`is_003s_answer`).

Fields are drawn mostly from the ones the route reads (ROUTE_FIELDS) and merged into a valid
body (VALID_BODIES), so a bad value is usually the only thing wrong with a request and
travels as far as the services and the database.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from watchwire.api.dialects.generatorlabs.app import ROUTERS
from watchwire.ids import PREFIXES
from watchwire.services.certs.spec import SWITCHES

ROUTES = sorted(
    (method, route.path)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute)
    for method in route.methods or ()
)
READS = [(method, path) for method, path in ROUTES if method == "GET"]
# The writes that read a body (pause, resume and resend read none).
WRITES = [
    (method, path)
    for method, path in ROUTES
    if method in ("POST", "PUT")
    and not path.endswith(("/pause.json", "/resume.json", "/resend.json"))
]
LISTS = [
    "/contact/contacts.json",
    "/contact/groups.json",
    "/rbl/hosts.json",
    "/rbl/listings.json",
    "/rbl/profiles.json",
    "/rbl/sources.json",
    "/cert/monitors.json",
    "/cert/profiles.json",
    "/cert/errors.json",
]
# Derandomized and bounded: the same examples on every run, a few seconds per test.
# HOSTILE_EXAMPLES=1000 HOSTILE_RANDOM=1 runs a longer campaign with fresh examples.
SETTINGS = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "100")),
    deadline=None,
    derandomize="HOSTILE_RANDOM" not in os.environ,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

VALID_BODIES: dict[str, dict[str, str]] = {
    "/contact/contacts.json": {"contact": "ops@example.com", "type": "email"},
    "/contact/groups.json": {"name": "ops"},
    "/rbl/hosts.json": {"host": "192.0.2.1", "name": "mail"},
    "/rbl/profiles.json": {"name": "mine"},
    "/rbl/sources.json": {"host": "bl.example.net", "type": "rbl"},
    "/rbl/check/start.json": {"host": "192.0.2.1"},
    "/cert/monitors.json": {"hostname": "127.0.0.1", "protocol": "https", "name": "mine"},
    "/cert/profiles.json": {"name": "mine"},
    "/contact/contacts/{id}/confirm.json": {"authcode": "abc123"},
}
# The fields each family of routes reads (by path prefix); lists read the paging fields.
_FAMILY_FIELDS = {
    "/contact/contacts": "contact type schedule contact_group args name authcode",
    "/contact/groups": "name is_default contacts",
    "/rbl/hosts": "host name profile contact_group tags ids",
    "/rbl/listings": "",
    "/rbl/profiles": "name entries frequency sync_method is_default",
    "/rbl/sources": "host type custom_codes",
    "/rbl/check": "host callback details",
    "/cert/monitors": "hostname protocol name profile contact_group tags port",
    "/cert/profiles": " ".join(("name expiration_thresholds is_default", *SWITCHES)),
    "/cert/errors": "",
}
FIELD_NAMES = sorted(
    {name for names in _FAMILY_FIELDS.values() for name in names.split()} | {"page", "page_size"}
)


def route_fields(method: str, path: str) -> list[str]:
    """The fields a route reads: paging (and `ids`) for lists, its family's otherwise."""
    if method == "GET" and path in LISTS:
        return ["page", "page_size", "ids"] if path == "/rbl/hosts.json" else ["page", "page_size"]
    family = next(f for f in _FAMILY_FIELDS if path.startswith(f))
    return _FAMILY_FIELDS[family].split() or ["page", "page_size"]


def names_for(method: str, path: str, *, brackets: bool = True) -> st.SearchStrategy[str]:
    """Mostly the route's own fields — plain or (`brackets`) Rails-bracketed —, sometimes
    any field."""
    own = st.sampled_from(route_fields(method, path))
    if not brackets:
        return st.one_of(own, own, st.sampled_from(FIELD_NAMES))
    return st.one_of(
        own,
        own,
        own.map(lambda n: n + "[]"),
        own.map(lambda n: n + "[url]"),
        st.sampled_from(FIELD_NAMES),
    )


NUMERIC_FIELDS = frozenset({"page", "page_size", "port"})
SIDS = [prefix + "0" * (64 if prefix == "PP" else 32) for prefix in PREFIXES.values()]
HUGE = [
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999",
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "0x10",
    "1_000",
]
PLAUSIBLE = [
    "true",
    "no",
    "ops",
    "a@example.com",
    "192.0.2.1",
    "192.0.2.0/30",
    "bl.example.net",
    "https",
    "email",
    "rbl",
    "every_check",
    "30,14,7",
    "127.0.0.2",
    "https://127.0.0.1/callback",
    '{"url": "https://127.0.0.1/x"}',
    *SIDS,
]
CONTROL_TEXT = st.text(st.characters(max_codepoint=0xA0), min_size=1, max_size=12)
# NUL, other control characters and huge numbers: what databases and parsers choke on.
NASTY = st.one_of(
    st.sampled_from(["\x00", "ops\x00", "a@example.com\x00", "192.0.2.1\x00", "\x1b[31m"]),
    st.builds(lambda a, b: f"{a}\x00{b}", st.sampled_from(PLAUSIBLE), CONTROL_TEXT),
    st.sampled_from(HUGE),
    CONTROL_TEXT,
)
TEXTS = st.one_of(
    NASTY,
    st.sampled_from(["x" * 300, "x" * 5000, "é" * 3000, "a," * 3000, "CG" + "0" * 32 + ",x" * 500]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    st.sampled_from(PLAUSIBLE),
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXTS,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=3),
    ),
    max_leaves=6,
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "",
            "text/plain",
            "application/xml",
            "application/octet-stream",
            "application/json; charset=latin1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=iso-8859-1",
            "multipart/form-data",
            "multipart/form-data; boundary=nothing-like-the-body",
            "application/json",
            "application/x-www-form-urlencoded",
            ";;;=",
        ]
    ),
    st.text(st.characters(max_codepoint=0x7E), max_size=30),
)
RAW_BODIES = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            b"name=%FF%FE&host=%C0%AF",
            b"name=\xff\xfe\x00",
            b"name=ops%00&host=192.0.2.1%00",
            b'{"name": "\xff"}',
            b'{"name": "\\ud800"}',
            b'{"name": "ops\\u0000", "host": "192.0.2.1"}',
            b"{oops",
            b"[1, 2]",
            b"null",
            b'"text"',
            b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--",
        ]
    ),
)


def merged(path: str, hostile: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The route's valid body with the hostile fields in place of (or beside) its own."""
    sent = {name.partition("[")[0] for name, _ in hostile}
    base = VALID_BODIES.get(path, {})
    return [(k, v) for k, v in base.items() if k not in sent] + hostile


def is_003s_answer(response: httpx.Response) -> None:
    """Never a 5xx; every 4xx (and any JSON answer) in 003's envelope."""

    assert response.status_code < 500, response.text[:2000]
    if response.status_code >= 400 or response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        body = response.json()
        assert body["status_code"] == response.status_code, body
        assert isinstance(body["status_message"], str) and body["status_message"], body
