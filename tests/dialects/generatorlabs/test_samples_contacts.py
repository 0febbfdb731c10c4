"""Every request sample of 003's Contacts and Contact Groups sections, replayed as written
(placeholder ids replaced by real ones) against the app: status, `status_message`, shape."""

from __future__ import annotations

from typing import Any

import httpx

from tests.dialects.generatorlabs.helpers import replay, sent_code
from watchwire.runtime import Runtime

GROUP_A = "CG4f3e2d1c0b9a8776655443322110fedc"
GROUP_B = "CG5a6b7c8d9e0f1234567890abcdef1234"

PAGING = {"page", "page_size", "total_pages", "total"}
CONTACT_KEYS = {
    "id",
    "name",
    "contact",
    "type",
    "status",
    "schedule",
    "contact_group",
    "args",
    "confirmed",
    "confirmed_at",
    "created_at",
}
GROUP_KEYS = {"id", "name", "is_default", "contacts", "contact_count", "created_at"}

# 003, verbatim.
CREATE_GROUP = """curl -X POST https://api.generatorlabs.com/4.0/contact/groups.json \\
    -u 'your_account_sid:your_auth_token' \\
    -d name='Primary Contacts'"""
LIST_GROUPS = """curl -G https://api.generatorlabs.com/4.0/contact/groups.json \\
    -u 'your_account_sid:your_auth_token'"""
GET_GROUP = """curl -G https://api.generatorlabs.com/4.0/contact/groups/{id}.json \\
    -u 'your_account_sid:your_auth_token'"""
UPDATE_GROUP = """curl -X PUT https://api.generatorlabs.com/4.0/contact/groups/{id}.json \\
    -u 'your_account_sid:your_auth_token' \\
    -d name='Updated Contact Group'"""
DELETE_GROUP = """curl -X DELETE https://api.generatorlabs.com/4.0/contact/groups/{id}.json \\
    -u 'your_account_sid:your_auth_token'"""
LIST_CONTACTS = """curl -G https://api.generatorlabs.com/4.0/contact/contacts.json \\
    -u 'your_account_sid:your_auth_token'"""
CREATE_CONTACT = """curl -X POST https://api.generatorlabs.com/4.0/contact/contacts.json \\
    -u 'your_account_sid:your_auth_token' \\
    -d contact='admin@example.com' \\
    -d type='email' \\
    -d schedule='every_check' \\
    -d contact_group='CG4f3e2d1c0b9a8776655443322110fedc,CG5a6b7c8d9e0f1234567890abcdef1234'"""
GET_CONTACT = """curl -G https://api.generatorlabs.com/4.0/contact/contacts/{id}.json \\
    -u 'your_account_sid:your_auth_token'"""
UPDATE_CONTACT = """curl -X PUT https://api.generatorlabs.com/4.0/contact/contacts/{id}.json \\
    -u 'your_account_sid:your_auth_token' \\
    -d contact='updated@example.com' \\
    -d contact_group='CG4f3e2d1c0b9a8776655443322110fedc,CG5a6b7c8d9e0f1234567890abcdef1234'"""
DELETE_CONTACT = """curl -X DELETE https://api.generatorlabs.com/4.0/contact/contacts/{id}.json \\
    -u 'your_account_sid:your_auth_token'"""
PAUSE_CONTACT = """curl -X POST https://api.generatorlabs.com/4.0/contact/contacts/{id}/pause.json \\
    -u 'your_account_sid:your_auth_token'"""
RESUME_CONTACT = """curl -X POST https://api.generatorlabs.com/4.0/contact/contacts/{id}/resume.json \\
    -u 'your_account_sid:your_auth_token'"""
RESEND_CONTACT = """curl -X POST https://api.generatorlabs.com/4.0/contact/contacts/{id}/resend.json \\
    -u 'your_account_sid:your_auth_token'"""
CONFIRM_CONTACT = """curl -X POST https://api.generatorlabs.com/4.0/contact/contacts/{id}/confirm.json \\
    -d authcode='3Kx3se' \\
    -u 'your_account_sid:your_auth_token'"""


def expect(response: httpx.Response, message: str, keys: set[str]) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status_code"] == 200
    assert body["status_message"] == message
    assert set(body) == {"status_code", "status_message"} | keys
    return body


async def test_contact_group_samples(gl: httpx.AsyncClient) -> None:
    created = expect(
        await replay(gl, CREATE_GROUP, {}), "Contact group added successfully.", {"data"}
    )
    group = created["data"]
    assert set(group) == GROUP_KEYS
    assert group["name"] == "Primary Contacts" and group["id"].startswith("CG")
    ids = {"{id}": group["id"]}

    listed = expect(
        await replay(gl, LIST_GROUPS, {}), "Contact Groups", PAGING | {"data", "groups"}
    )
    assert (listed["page"], listed["page_size"], listed["total_pages"], listed["total"]) == (
        1,
        100,
        1,
        1,
    )
    assert listed["data"] == listed["groups"] == [group]

    got = expect(await replay(gl, GET_GROUP, ids), "Contact Groups", PAGING | {"data", "groups"})
    assert got["total"] == 1 and got["data"] == [group]

    expect(await replay(gl, UPDATE_GROUP, ids), "Contact group updated successfully.", set())
    renamed = (await replay(gl, GET_GROUP, ids)).json()["data"][0]
    assert renamed["name"] == "Updated Contact Group"

    expect(await replay(gl, DELETE_GROUP, ids), "Contact Group deleted successfully.", set())
    gone = await replay(gl, GET_GROUP, ids)
    assert gone.status_code == 404
    assert gone.json()["status_code"] == 404


async def _two_groups(gl: httpx.AsyncClient) -> dict[str, str]:
    real = {}
    for placeholder, name in ((GROUP_A, "Primary"), (GROUP_B, "Secondary")):
        response = await gl.post("/contact/groups.json", data={"name": name})
        real[placeholder] = response.json()["data"]["id"]
    return real


async def test_contact_samples(runtime: Runtime, gl: httpx.AsyncClient) -> None:
    groups = await _two_groups(gl)
    created = expect(
        await replay(gl, CREATE_CONTACT, groups), "Contact added successfully.", {"data"}
    )
    contact = created["data"]
    assert set(contact) == CONTACT_KEYS
    assert (contact["contact"], contact["type"], contact["schedule"]) == (
        "admin@example.com",
        "email",
        "every_check",
    )
    assert contact["status"] == "pending" and contact["confirmed"] is False
    assert contact["contact_group"] == sorted(groups.values())
    ids = {"{id}": contact["id"], **groups}

    listed = expect(await replay(gl, LIST_CONTACTS, {}), "Contacts", PAGING | {"data", "contacts"})
    assert listed["total"] == 1 and listed["contacts"] == listed["data"] == [contact]
    got = expect(await replay(gl, GET_CONTACT, ids), "Contacts", PAGING | {"data", "contacts"})
    assert got["data"] == [contact]

    expect(await replay(gl, UPDATE_CONTACT, ids), "Contact updated successfully.", set())
    updated = (await replay(gl, GET_CONTACT, ids)).json()["data"][0]
    assert updated["contact"] == "updated@example.com" and updated["status"] == "pending"

    expect(
        await replay(gl, RESEND_CONTACT, ids), "Contact authorization re-sent successfully.", set()
    )
    code = await sent_code(runtime, contact["id"])
    confirm = await replay(gl, CONFIRM_CONTACT, {**ids, "3Kx3se": code})
    expect(confirm, "Contact authorized successfully.", set())
    assert (await replay(gl, GET_CONTACT, ids)).json()["data"][0]["status"] == "active"

    expect(await replay(gl, PAUSE_CONTACT, ids), "Contact paused successfully.", set())
    assert (await replay(gl, GET_CONTACT, ids)).json()["data"][0]["status"] == "paused"
    expect(await replay(gl, RESUME_CONTACT, ids), "Contact activated successfully.", set())
    assert (await replay(gl, GET_CONTACT, ids)).json()["data"][0]["status"] == "active"

    expect(await replay(gl, DELETE_CONTACT, ids), "Contact deleted successfully.", set())
    assert (await replay(gl, GET_CONTACT, ids)).status_code == 404


async def test_the_dialect_takes_only_003s_eleven_types(gl: httpx.AsyncClient) -> None:
    """Watchwire's own types (ntfy, teams, …) are the native API's; 003's clients see its list."""
    response = await gl.post(
        "/contact/contacts.json",
        data={"type": "ntfy", "contact": "https://ntfy.example.com/alerts"},
    )
    assert response.status_code == 400
    assert "type" in response.text
