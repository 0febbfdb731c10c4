"""The whole Entri Monitor cycle as an Entri customer meets it: domains added through the
dialect, a real knotd serving the customer's zone (changed during the test), the hourly check,
and 002's webhooks arriving at a real receiver that checks `Entri-Signature-V2` with GAPS.md's
formula written out here, not with watchwire's code:

    Entri-Signature-V2 = hex(SHA-256(payload.id + Entri-Timestamp + client_secret))

The client secret is the one `POST /token` takes: the API key's secret, set as the entri
webhook's secret (docs/dialects/entri.md, "Webhooks")."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from fastapi import FastAPI

from tests.delivery.helpers import subscribe, worker
from tests.dialects.entri.conftest import asgi_client, signed_in
from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.engine.jobs import JobRunner
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["knot_factory", "webhook_receiver"]

ZONE = "shop.test."
IN_PLACE = "www CNAME app.saas.example.\n@ A 192.0.2.10\n"
RECORDS = [
    {"type": "CNAME", "host": "www", "value": "app.saas.example", "ttl": 300},
    {"type": "A", "host": "@", "value": "192.0.2.10", "ttl": 300},
]
CNAME, APEX = ({k: r[k] for k in ("type", "host", "value")} for r in RECORDS)
SKEW = 300  # Entri's receivers refuse a timestamp more than 5 minutes off


def entri_signature(document_id: str, timestamp: str, client_secret: str) -> str:
    return hashlib.sha256(f"{document_id}{timestamp}{client_secret}".encode()).hexdigest()


def received(receiver: Receiver, client_secret: str, now: int) -> list[dict[str, Any]]:
    """The webhooks that arrived, each checked as an Entri receiver checks it."""
    payloads = []
    for request in receiver.requests():
        payload = orjson.loads(request.body)
        timestamp = request.headers["Entri-Timestamp"]
        assert abs(int(timestamp) - now) <= SKEW
        expected = entri_signature(payload["id"], timestamp, client_secret)
        assert hmac.compare_digest(request.headers["Entri-Signature-V2"], expected)
        assert set(payload) == {"id", "user_id", "domain", "subdomain", "type", "data"}
        payloads.append(payload)
    receiver.received.clear()
    return payloads


async def hour_passes(runtime: Runtime, receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """The hourly check of every due domain, then the webhooks it caused."""
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(3600)
    job = JobRunner(runtime.db, runtime.clock, runtime.domains.records_job, "test-worker")
    assert await job.run_once() == 1
    await worker(runtime).run_once()
    return received(receiver, secret, int(runtime.clock.now().timestamp()))


async def shown(app: FastAPI, account: CreatedKey) -> dict[str, Any]:
    """The domain as the dialect shows it (a fresh token: an hour has passed)."""
    async with asgi_client(app) as client:
        await signed_in(client, account)
        response = await client.get("/monitor/domains/shop.test")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_missing_then_restored_only_when_all_are_back(
    app: FastAPI,
    runtime: Runtime,
    account: CreatedKey,
    entri: httpx.AsyncClient,
    knot_factory: Callable[..., KnotServer],
    webhook_receiver: Receiver,
) -> None:
    knot = knot_factory([Zone(ZONE, IN_PLACE)])
    runtime.domains.records_job.probe_ctx = ProbeContext(
        policy=TargetPolicy(allow_private=True), resolver=knot.address, clock=runtime.clock
    )
    secret = account.secret  # the client secret of /token signs the webhooks too
    await subscribe(
        runtime, account.account_sid, webhook_receiver.url("/entri"), format="entri", secret=secret
    )
    body = {"domain": "shop.test", "user_id": "customer-42", "dnsRecords": RECORDS}
    assert (await entri.post("/monitor/domains", json=body)).status_code == 201

    # Records in place: the first check finds them, and nothing is sent.
    assert await hour_passes(runtime, webhook_receiver, secret) == []
    state = await shown(app, account)
    assert (state["state"], state["records_propagated"]) == ("ok", [CNAME, APEX])

    # The customer points www elsewhere: record_missing.
    knot.serve(Zone(ZONE, "www CNAME competitor.example.\n@ A 192.0.2.10\n"))
    [missing] = await hour_passes(runtime, webhook_receiver, secret)
    assert (missing["type"], missing["user_id"], missing["domain"]) == (
        "domain.record_missing",
        "customer-42",
        "shop.test",
    )
    assert missing["subdomain"] == "www"
    assert missing["data"] == {"records_propagated": [APEX], "records_non_propagated": [CNAME]}

    # Then the apex A record changes too: another record missing, announced again.
    knot.serve(Zone(ZONE, "www CNAME competitor.example.\n@ A 192.0.2.99\n"))
    [again] = await hour_passes(runtime, webhook_receiver, secret)
    assert again["type"] == "domain.record_missing" and again["id"] != missing["id"]
    assert again["data"] == {"records_propagated": [], "records_non_propagated": [CNAME, APEX]}

    # One of the two comes back: nothing (002: restored only when ALL records are back).
    knot.serve(Zone(ZONE, "www CNAME app.saas.example.\n@ A 192.0.2.99\n"))
    assert await hour_passes(runtime, webhook_receiver, secret) == []
    state = await shown(app, account)
    assert (state["state"], state["records_non_propagated"]) == ("missing", [APEX])

    # The last one comes back: record_restored, with every record propagated.
    knot.serve(Zone(ZONE, IN_PLACE))
    [restored] = await hour_passes(runtime, webhook_receiver, secret)
    assert restored["type"] == "domain.record_restored"
    assert (restored["user_id"], restored["domain"]) == ("customer-42", "shop.test")
    assert restored["data"] == {
        "records_propagated": [CNAME, APEX],
        "records_non_propagated": [],
    }
    assert (await shown(app, account))["state"] == "ok"


async def test_a_failing_receiver_gets_the_first_attempt_and_three_retries(
    runtime: Runtime,
    account: CreatedKey,
    entri: httpx.AsyncClient,
    knot_factory: Callable[..., KnotServer],
    webhook_receiver: Receiver,
) -> None:
    knot = knot_factory([Zone(ZONE, "www CNAME competitor.example.\n@ A 192.0.2.10\n")])
    runtime.domains.records_job.probe_ctx = ProbeContext(
        policy=TargetPolicy(allow_private=True), resolver=knot.address, clock=runtime.clock
    )
    webhook_receiver.behave("/down", status=500)
    await subscribe(
        runtime,
        account.account_sid,
        webhook_receiver.url("/down"),
        format="entri",
        secret=account.secret,
    )
    body = {"domain": "shop.test", "dnsRecords": RECORDS}
    assert (await entri.post("/monitor/domains", json=body)).status_code == 201
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(60)
    job = JobRunner(runtime.db, runtime.clock, runtime.domains.records_job, "test-worker")
    assert await job.run_once() == 1
    delivery = worker(runtime, max_attempts=25, warn_after=())
    for _ in range(8):  # bounded: more rounds than attempts
        await delivery.run_once()
        runtime.clock.advance(24 * 3600)
    attempts = webhook_receiver.requests("/down")
    assert len(attempts) == 4
    ids = {orjson.loads(a.body)["id"] for a in attempts}
    assert len(ids) == 1  # the same event each time
