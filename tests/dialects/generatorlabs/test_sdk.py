"""The published Python SDK (`pip install generatorlabs`), unchanged, against a real server on
loopback: a contacts and groups scenario with pagination, and its webhook verifier against a
delivery signed by watchwire."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from generatorlabs import Client, Config, Webhook
from generatorlabs import Exception as SdkError

from tests.delivery.helpers import emit, subscribe, worker
from tests.dialects.generatorlabs.helpers import sent_code
from tests.servers.generatorlabs_api import served_app
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["served_app", "webhook_receiver"]


def sdk(base_url: str, key: CreatedKey) -> Client:
    # No retries: a failure must show, not be retried away.
    config = Config(base_url=f"{base_url}/4.0/", max_retries=0, timeout=60.0)
    return Client(key.sid, key.secret, config)


async def test_contacts_and_groups_scenario(
    runtime: Runtime, served_app: str, account: CreatedKey
) -> None:
    client = sdk(served_app, account)
    groups = client.contact.groups
    contacts = client.contact.contacts

    def setup() -> tuple[list[dict[str, Any]], Any, str]:
        made = [groups.create({"name": f"team {i}"})["data"] for i in range(5)]
        groups.update(made[0]["id"], {"name": "on-call", "is_default": True})
        created = contacts.create(
            {
                "contact": "ops@example.com",
                "type": "email",
                "schedule": "every_check",
                "contact_group": [made[1]["id"], made[2]["id"]],
            }
        )
        resent = contacts.resend(created["data"]["id"])["status_message"]
        return made, created, resent

    made, created, resent = await asyncio.to_thread(setup)
    assert resent == "Contact authorization re-sent successfully."
    assert created["status_message"] == "Contact added successfully."
    assert created.rate_limit_info is not None
    assert created.rate_limit_info.limit == "1000;w=3600, 50;w=1"
    contact = created["data"]
    assert contact["contact_group"] == sorted([made[1]["id"], made[2]["id"]])
    code = await sent_code(runtime, contact["id"])

    def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        seen["all_groups"] = groups.get_all(page_size=2)
        seen["one_group"] = groups.get(made[0]["id"])
        seen["confirm"] = contacts.confirm(contact["id"], {"authcode": code})["status_message"]
        seen["pause"] = contacts.pause(contact["id"])["status_message"]
        seen["paused"] = contacts.get(contact["id"])["data"][0]["status"]
        seen["resume"] = contacts.resume(contact["id"])["status_message"]
        seen["update"] = contacts.update(contact["id"], {"contact_group": [made[3]["id"]]})[
            "status_message"
        ]
        seen["all_contacts"] = contacts.get_all(page_size=1)
        seen["delete_contact"] = contacts.delete(contact["id"])["status_message"]
        seen["delete_group"] = groups.delete(made[4]["id"])["status_message"]
        seen["left"] = groups.get({"page": 1, "page_size": 100})["total"]
        try:
            contacts.get(contact["id"])
        except SdkError as error:
            seen["gone"] = str(error)
        return seen

    seen = await asyncio.to_thread(scenario)
    assert sorted(g["id"] for g in seen["all_groups"]) == sorted(g["id"] for g in made)
    renamed = seen["one_group"]["data"][0]
    assert renamed["name"] == "on-call" and renamed["is_default"] is True
    assert seen["confirm"] == "Contact authorized successfully."
    assert (seen["pause"], seen["paused"]) == ("Contact paused successfully.", "paused")
    assert seen["resume"] == "Contact activated successfully."
    assert seen["update"] == "Contact updated successfully."
    [listed] = seen["all_contacts"]
    assert listed["status"] == "active" and listed["contact_group"] == [made[3]["id"]]
    assert seen["delete_contact"] == "Contact deleted successfully."
    assert seen["delete_group"] == "Contact Group deleted successfully."
    assert seen["left"] == 4
    assert "404" in seen["gone"]


async def test_sdk_sees_validation_errors_without_retrying(
    served_app: str, account: CreatedKey
) -> None:
    client = sdk(served_app, account)
    with pytest.raises(SdkError, match="400"):
        await asyncio.to_thread(client.contact.contacts.create, {"type": "email"})


async def test_sdk_webhook_helper_verifies_our_signature(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    hook = await subscribe(
        runtime, account.account_sid, webhook_receiver.url(), format="generatorlabs"
    )
    event = await emit(runtime, account.account_sid, "monitor.down")
    await worker(runtime).run_once()
    [request] = webhook_receiver.requests()
    header = request.headers["X-Webhook-Signature"]
    # The receiver's clock is the real one; the delivery was signed at the test's frozen
    # time, so the SDK's freshness window is turned off (0) for this one check.
    payload = Webhook.verify(request.body.decode(), header, hook.secret, tolerance=0)
    assert payload["event_sid"] == event.sid and payload["event_type"] == "monitor.down"
    with pytest.raises(SdkError, match="verification failed"):
        Webhook.verify(request.body.decode() + " ", header, hook.secret, tolerance=0)


async def test_rbl_and_cert_scenario(served_app: str, account: CreatedKey) -> None:
    client = sdk(served_app, account)
    rbl, cert = client.rbl, client.cert

    def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        catalogue = rbl.sources.get_all(page_size=50)
        source = rbl.sources.create({"host": "bl.example.net", "type": "rbl"})["data"]
        seen["source_paused"] = rbl.sources.pause(source["id"])["status_message"]
        seen["source_resumed"] = rbl.sources.resume(source["id"])["status_message"]
        seen["sources"] = (len(catalogue), rbl.sources.get({"page_size": 1})["total"])
        profile = rbl.profiles.create(
            {"name": "mail", "entries": [catalogue[0]["id"], source["id"]], "frequency": "6_hours"}
        )["data"]
        seen["profile"] = rbl.profiles.get(profile["id"])["data"][0]
        made = rbl.hosts.create({"host": "192.0.2.0/30", "name": "mail", "profile": profile["id"]})
        seen["hosts_made"] = len(made["data"])
        seen["hosts"] = rbl.hosts.get_all(page_size=3)
        seen["paused"] = rbl.hosts.pause(made["data"][0]["id"])["status_message"]
        seen["resumed"] = rbl.hosts.resume(made["data"][0]["id"])["status_message"]
        seen["listings"] = rbl.listings.get()["total_listed"]
        started = rbl.check.start({"host": "192.0.2.9", "details": True})
        seen["check"] = rbl.check.status(started["data"]["id"], {"details": True})["data"]
        cert_profile = cert.profiles.create({"name": "web", "expiration_thresholds": "30,7"})
        monitor = cert.monitors.create(
            {
                "hostname": "127.0.0.1",
                "protocol": "https",
                "name": "web",
                "profile": cert_profile["data"]["id"],
                "tags": ["prod", "web"],
            }
        )["data"]
        seen["monitor"] = cert.monitors.get(monitor["id"])["data"][0]
        seen["monitor_paused"] = cert.monitors.pause(monitor["id"])["status_message"]
        seen["errors"] = cert.errors.get()["total_errors"]
        seen["monitors"] = cert.monitors.get_all()
        return seen

    seen = await asyncio.to_thread(scenario)
    assert seen["source_paused"] == "Custom RBL paused successfully."
    assert seen["source_resumed"] == "Custom RBL activated successfully."
    assert seen["sources"][0] == seen["sources"][1] - 1  # the catalogue, then one custom
    assert seen["profile"]["frequency"] == "6_hours"
    assert seen["profile"]["sync_method"] == "use_my_selections"
    assert seen["hosts_made"] == 4 and len(seen["hosts"]) == 4  # a /30, over two pages
    assert {h["type"] for h in seen["hosts"]} == {"ip_range"}
    assert (seen["paused"], seen["resumed"]) == (
        "Host paused successfully.",
        "Host activated successfully.",
    )
    assert seen["listings"] == 0
    assert seen["check"]["status"] in ("pending", "running", "completed")
    assert seen["monitor"]["tags"] == ["prod", "web"]
    assert seen["monitor_paused"] == "Certificate Monitor paused successfully."
    assert seen["errors"] == 0
    assert [m["status"] for m in seen["monitors"]] == ["paused"]
