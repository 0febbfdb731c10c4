"""Every place the native API takes a URL to call later (webhook subscriptions, endpoint
and CloudWatch contacts, blocklist check callbacks) refuses one the HTTP client would
refuse outright, with a 400 naming the field and saying why (they used to be accepted and
then retried 25 times)."""

from __future__ import annotations

from typing import Any

import httpx

REFUSED = {
    "http://2130706433/": "not a canonical IPv4 address",
    "http://0x7f.1/hook": "not a canonical IPv4 address",
    "http://127.1:9/hook": "not a canonical IPv4 address",
    "http://127.0.0.1./hook": "not a canonical IPv4 address",
    "http://[::1]x/": "is not a valid URL",
    "http://127.0.0.1:70000/": "is not a valid URL",
}
CLOUDWATCH = {
    "region": "eu-west-1",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "log_group": "ops",
    "log_stream": "watchwire",
}


def _writes(url: str, hook: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """(method, path, body, the field named) of every write that takes a URL to call."""
    return [
        ("POST", "/v1/webhooks", {"url": url}, "url"),
        ("PATCH", f"/v1/webhooks/{hook}", {"url": url}, "url"),
        ("POST", "/v1/rbl/checks", {"host": "192.0.2.7", "callback": url}, "callback"),
        ("POST", "/v1/contacts", {"type": "endpoint", "contact": url}, "args.url"),
        ("POST", "/v1/contacts", {"type": "endpoint", "contact": "ops", "args": {"url": url}},
         "args.url"),
        ("POST", "/v1/contacts", {"type": "aws-cloudwatch", "contact": "logs",
                                  "args": {**CLOUDWATCH, "endpoint": url}}, "args.endpoint"),
    ]  # fmt: skip


async def test_urls_the_client_refuses_are_refused_at_creation(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    hook = await client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=auth)
    assert hook.status_code == 201, hook.text
    sid = hook.json()["data"]["id"]
    for url, why in REFUSED.items():
        for method, path, body, field in _writes(url, sid):
            response = await client.request(method, path, json=body, headers=auth)
            assert response.status_code == 400, (path, body, response.text)
            [detail] = response.json()["error"]["details"]
            assert detail["field"] == field, (path, detail)
            assert why in detail["message"], (path, detail)


async def test_canonical_urls_are_still_accepted(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    hook = await client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=auth)
    for method, path, body, _ in _writes("http://127.0.0.1:9/ok", hook.json()["data"]["id"]):
        response = await client.request(method, path, json=body, headers=auth)
        assert response.status_code < 300, (path, response.text)
