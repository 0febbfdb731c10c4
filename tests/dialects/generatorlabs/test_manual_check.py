"""003's manual check end to end through the dialect: start (form body, `details=true`,
callback), the check job against a real rbldnsd on loopback, status polled with details,
and the completed payload delivered to the callback, verified with the published SDK's own
helper. Also a listed host as `rbl/listings` shows it."""

from __future__ import annotations

import httpx
from generatorlabs import Webhook

from tests.delivery.helpers import worker
from tests.servers.rbl_monitoring import rbl_server, rbldnsd_factory, settings
from tests.servers.rbldnsd import RbldnsdServer
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.engine.jobs import JobRunner
from watchwire.runtime import Runtime

__all__ = ["rbl_server", "rbldnsd_factory", "settings", "webhook_receiver"]


async def _local_profile(gl: httpx.AsyncClient) -> tuple[str, str]:
    """Two custom lists on the local rbldnsd and a default profile checking only them."""
    one = await gl.post("/rbl/sources.json", data={"host": "bl-one.test", "type": "rbl"})
    two = await gl.post(
        "/rbl/sources.json",
        data={"host": "bl-two.test", "type": "rbl", "custom_codes": "127.0.0.2"},
    )
    entries = f"{one.json()['data']['id']},{two.json()['data']['id']}"
    body = {"name": "local", "entries": entries, "frequency": "1_hour", "is_default": "1"}
    profile = await gl.post("/rbl/profiles.json", data=body)
    assert profile.status_code == 200, profile.text
    return profile.json()["data"]["id"], one.json()["data"]["id"]


async def _deliver(runtime: Runtime) -> None:
    sender = worker(runtime)
    while await sender.run_once():
        pass
    await sender.sender.close()


async def test_manual_check_with_callback_and_details(
    runtime: Runtime,
    gl: httpx.AsyncClient,
    rbl_server: RbldnsdServer,
    webhook_receiver: Receiver,
) -> None:
    _, listing_source = await _local_profile(gl)
    rbl_server.write_zone("bl-one.test", ["192.0.2.77 :127.0.0.3:manual check"])
    rbl_server.reload()

    body = {"host": "192.0.2.77", "callback": webhook_receiver.url("/cb"), "details": "true"}
    started = await gl.post("/rbl/check/start.json", data=body)
    assert started.status_code == 200, started.text
    assert started.headers["RateLimit-Limit"] == "1000;w=3600, 20;w=1"
    check = started.json()["data"]
    assert check["id"].startswith("PP") and [r["host"] for r in check["rbls"]] == [
        "bl-one.test",
        "bl-two.test",
    ]

    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.rbl.check_job, "test-worker").run_once()
        == 1
    )
    status = await gl.get(f"/rbl/check/status/{check['id']}.json", params={"details": "True"})
    assert status.json()["status_message"] == "Check status retrieved successfully."
    done = status.json()["data"]
    assert (done["status"], done["listed"], done["listed_count"]) == ("completed", True, 1)
    assert {d["host"]: d["listed"] for d in done["details"]} == {
        "bl-one.test": True,
        "bl-two.test": False,
    }
    brief = (await gl.get(f"/rbl/check/status/{check['id']}.json")).json()["data"]
    assert "details" not in brief

    await _deliver(runtime)
    [request] = webhook_receiver.requests("/cb")
    payload = Webhook.verify(
        request.body.decode(),
        request.headers["X-Webhook-Signature"],
        check["callback_secret"],
        tolerance=0,  # signed at the tests' frozen time
    )
    assert payload["event_type"] == "rbl.host.check.completed"
    assert payload["check_sid"] == check["id"] and payload["listed"] is True
    assert [(d["id"], d["return_code"]) for d in payload["details"]] == [
        (listing_source, "127.0.0.3")
    ]


async def test_a_listed_host_shows_in_listings(
    runtime: Runtime, gl: httpx.AsyncClient, rbl_server: RbldnsdServer
) -> None:
    await _local_profile(gl)
    rbl_server.write_zone("bl-one.test", ["192.0.2.10 :127.0.0.2:spam source"])
    rbl_server.reload()
    for address in ("192.0.2.10", "192.0.2.11"):
        await gl.post("/rbl/hosts.json", data={"host": address, "name": address})
    while await JobRunner(
        runtime.db, runtime.clock, runtime.rbl.host_job, "test-worker"
    ).run_once():
        pass
    listings = (await gl.get("/rbl/listings.json")).json()
    assert (listings["status_message"], listings["total"], listings["total_listed"]) == (
        "Listings",
        1,
        1,
    )
    [host] = listings["listings"]
    assert host["host"] == "192.0.2.10" and host["listed"] is True
    assert host["listed_details"][0]["host"] == "bl-one.test"
    hosts = (await gl.get("/rbl/hosts.json")).json()
    assert (hosts["total"], hosts["total_listed"]) == (2, 1)
    assert (await gl.get("/rbl/listings/count")).text == "1"
