"""The registry of account-owned resources for the cross-account property test.

Every endpoint that reaches a row belonging to an account is listed here with a way to
create such a row. Adding a resource = adding one entry; the property test then checks that
another account gets 404 (never 403, never the row) on every listed request, and that the
owner's row is unchanged afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Create = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[str]]


@dataclass(frozen=True)
class OwnedResource:
    name: str
    create: Create
    # (method, path with {id}, JSON body or None)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    # path with {id} that the owner reads to prove the row is untouched
    read_back: str = ""


async def _create_key(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/keys", json={"name": "isolated"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_contact(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"type": "email", "contact": "ops@example.com"}
    response = await client.post("/v1/contacts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_contact_group(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/contact-groups", json={"name": "ops"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_monitor(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"kind": "tcp", "target": "127.0.0.1:9", "paused": True, "allow_duplicate": True}
    response = await client.post("/v1/monitors", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_webhook(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"url": "http://127.0.0.1:9/hook", "name": "isolated"}
    response = await client.post("/v1/webhooks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _create_delivery(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    hook = await _create_webhook(client, headers)
    response = await client.post(f"/v1/webhooks/{hook}/test", headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["delivery_id"])


async def _create_domain(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {
        "domain": "isolated.example",
        "paused": True,
        "records": [{"type": "A", "host": "www", "value": "192.0.2.1", "ttl": 300}],
    }
    response = await client.post("/v1/domains", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_domain_batch(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"domains": [{"domain": "batch.example"}]}
    response = await client.post("/v1/domains/batch", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["request_id"])


async def _create_cert_profile(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/cert-profiles", json={"name": "isolated"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_cert_monitor(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"hostname": "127.0.0.1", "protocol": "https", "port": 9, "paused": True}
    response = await client.post("/v1/cert-monitors", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def _create_rbl_host(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/rbl/hosts", json={"host": "192.0.2.1"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"][0]["id"])


async def _create_rbl_profile(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/rbl/profiles", json={"name": "mine"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _create_rbl_source(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"host": "bl.example.net", "type": "rbl"}
    response = await client.post("/v1/rbl/sources", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _create_rbl_check(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/rbl/checks", json={"host": "192.0.2.1"}, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["id"])


async def _create_status_page(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/status-pages", json={"name": "isolated"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["token"])


async def _create_incident(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """`{token}/incidents/{sid}`: an incident is reached through its page."""
    token = await _create_status_page(client, headers)
    response = await client.post(
        f"/v1/status-pages/{token}/incidents", json={"title": "down"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return f"{token}/incidents/{response.json()['data']['sid']}"


RESOURCES: list[OwnedResource] = [
    OwnedResource(
        name="api key",
        create=_create_key,
        requests=[("GET", "/v1/keys/{id}", None), ("DELETE", "/v1/keys/{id}", None)],
        read_back="/v1/keys/{id}",
    ),
    OwnedResource(
        name="contact",
        create=_create_contact,
        requests=[
            ("GET", "/v1/contacts/{id}", None),
            ("PATCH", "/v1/contacts/{id}", {"name": "stolen"}),
            ("DELETE", "/v1/contacts/{id}", None),
            ("POST", "/v1/contacts/{id}/pause", None),
            ("POST", "/v1/contacts/{id}/resume", None),
            ("POST", "/v1/contacts/{id}/confirm", {"authcode": "abc123"}),
            ("POST", "/v1/contacts/{id}/resend", None),
        ],
        read_back="/v1/contacts/{id}",
    ),
    OwnedResource(
        name="contact group",
        create=_create_contact_group,
        requests=[
            ("GET", "/v1/contact-groups/{id}", None),
            ("PATCH", "/v1/contact-groups/{id}", {"name": "stolen", "is_default": True}),
            ("DELETE", "/v1/contact-groups/{id}", None),
        ],
        read_back="/v1/contact-groups/{id}",
    ),
    OwnedResource(
        name="monitor",
        create=_create_monitor,
        requests=[
            ("GET", "/v1/monitors/{id}", None),
            ("PATCH", "/v1/monitors/{id}", {"name": "stolen"}),
            ("DELETE", "/v1/monitors/{id}", None),
            ("POST", "/v1/monitors/{id}/pause", None),
            ("POST", "/v1/monitors/{id}/resume", None),
            ("GET", "/v1/monitors/{id}/results", None),
            ("GET", "/v1/monitors/{id}/metrics", None),
            ("GET", "/v1/monitors/{id}/downtimes", None),
            ("GET", "/v1/monitors/{id}/pings", None),
        ],
        read_back="/v1/monitors/{id}",
    ),
    OwnedResource(
        name="webhook",
        create=_create_webhook,
        requests=[
            ("GET", "/v1/webhooks/{id}", None),
            ("PATCH", "/v1/webhooks/{id}", {"name": "stolen"}),
            ("PUT", "/v1/webhooks/{id}", {"name": "stolen"}),
            ("DELETE", "/v1/webhooks/{id}", None),
            ("POST", "/v1/webhooks/{id}/test", None),
            ("POST", "/v1/webhooks/{id}/rotate-secret", None),
        ],
        read_back="/v1/webhooks/{id}",
    ),
    OwnedResource(
        name="delivery",
        create=_create_delivery,
        requests=[
            ("GET", "/v1/deliveries/{id}", None),
            ("POST", "/v1/deliveries/{id}/redeliver", None),
        ],
        read_back="/v1/deliveries/{id}",
    ),
    OwnedResource(
        name="monitored domain",
        create=_create_domain,
        requests=[
            ("GET", "/v1/domains/{id}", None),
            ("PUT", "/v1/domains/{id}", {"user_id": "stolen"}),
            ("DELETE", "/v1/domains/{id}", None),
            ("GET", "/v1/domains/{id}/records", None),
            (
                "POST",
                "/v1/domains/{id}/records",
                {"records": [{"type": "A", "value": "192.0.2.9"}]},
            ),
            ("PUT", "/v1/domains/{id}/records", {"records": [{"type": "A", "value": "192.0.2.9"}]}),
            (
                "DELETE",
                "/v1/domains/{id}/records",
                {"records": [{"type": "A", "host": "www", "value": "192.0.2.1"}]},
            ),
            ("POST", "/v1/domains/{id}/check", None),
        ],
        read_back="/v1/domains/{id}",
    ),
    OwnedResource(
        name="domain batch",
        create=_create_domain_batch,
        requests=[("GET", "/v1/domains/batch/{id}", None)],
        read_back="/v1/domains/batch/{id}",
    ),
    OwnedResource(
        name="certificate profile",
        create=_create_cert_profile,
        requests=[
            ("GET", "/v1/cert-profiles/{id}", None),
            ("PATCH", "/v1/cert-profiles/{id}", {"name": "stolen", "is_default": True}),
            ("DELETE", "/v1/cert-profiles/{id}", None),
        ],
        read_back="/v1/cert-profiles/{id}",
    ),
    OwnedResource(
        name="certificate monitor",
        create=_create_cert_monitor,
        requests=[
            ("GET", "/v1/cert-monitors/{id}", None),
            ("PATCH", "/v1/cert-monitors/{id}", {"name": "stolen"}),
            ("DELETE", "/v1/cert-monitors/{id}", None),
            ("POST", "/v1/cert-monitors/{id}/pause", None),
            ("POST", "/v1/cert-monitors/{id}/resume", None),
            ("POST", "/v1/cert-monitors/{id}/check", None),
        ],
        read_back="/v1/cert-monitors/{id}",
    ),
    OwnedResource(
        name="rbl host",
        create=_create_rbl_host,
        requests=[
            ("GET", "/v1/rbl/hosts/{id}", None),
            ("PATCH", "/v1/rbl/hosts/{id}", {"name": "stolen"}),
            ("PUT", "/v1/rbl/hosts/{id}", {"name": "stolen"}),
            ("DELETE", "/v1/rbl/hosts/{id}", None),
            ("POST", "/v1/rbl/hosts/{id}/pause", None),
            ("POST", "/v1/rbl/hosts/{id}/resume", None),
            ("POST", "/v1/rbl/hosts/{id}/check", None),
        ],
        read_back="/v1/rbl/hosts/{id}",
    ),
    OwnedResource(
        name="rbl profile",
        create=_create_rbl_profile,
        requests=[
            ("GET", "/v1/rbl/profiles/{id}", None),
            ("PATCH", "/v1/rbl/profiles/{id}", {"name": "stolen"}),
            ("PUT", "/v1/rbl/profiles/{id}", {"name": "stolen"}),
            ("DELETE", "/v1/rbl/profiles/{id}", None),
        ],
        read_back="/v1/rbl/profiles/{id}",
    ),
    OwnedResource(
        name="rbl source",
        create=_create_rbl_source,
        requests=[
            ("GET", "/v1/rbl/sources/{id}", None),
            ("PATCH", "/v1/rbl/sources/{id}", {"host": "stolen.example"}),
            ("PUT", "/v1/rbl/sources/{id}", {"host": "stolen.example"}),
            ("DELETE", "/v1/rbl/sources/{id}", None),
            ("POST", "/v1/rbl/sources/{id}/pause", None),
            ("POST", "/v1/rbl/sources/{id}/resume", None),
        ],
        read_back="/v1/rbl/sources/{id}",
    ),
    OwnedResource(
        name="rbl check",
        create=_create_rbl_check,
        requests=[("GET", "/v1/rbl/checks/{id}", None)],
        read_back="/v1/rbl/checks/{id}",
    ),
    OwnedResource(
        "status page",
        create=_create_status_page,
        requests=[
            ("GET", "/v1/status-pages/{id}", None),
            ("PATCH", "/v1/status-pages/{id}", {"name": "taken"}),
            ("DELETE", "/v1/status-pages/{id}", None),
            ("GET", "/v1/status-pages/{id}/incidents", None),
            ("POST", "/v1/status-pages/{id}/incidents", {"title": "theirs"}),
        ],
        read_back="/v1/status-pages/{id}",
    ),
    OwnedResource(
        "status page incident",
        create=_create_incident,
        requests=[
            ("GET", "/v1/status-pages/{id}", None),
            ("PATCH", "/v1/status-pages/{id}", {"title": "taken"}),
            ("DELETE", "/v1/status-pages/{id}", None),
            ("POST", "/v1/status-pages/{id}/updates", {"state": "resolved"}),
        ],
        read_back="/v1/status-pages/{id}",
    ),
]
