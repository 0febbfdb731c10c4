"""`/v1/monitors` end to end: CRUD, validation, pause/resume, and the history endpoints fed
by the engine running against a real local site."""

from __future__ import annotations

from typing import Any

import httpx

from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime

__all__ = ["site"]


async def _create(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/monitors", json=body, headers=auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_create_read_list_update_delete(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await _create(
        client,
        auth,
        kind="http",
        target="https://example.com/health",
        name="shop",
        interval=120,
        options={"expected_status": ["200"], "keyword": "ok"},
        tags=["prod"],
    )
    assert created["sid"].startswith("MO")
    assert created["state"] == "pending"
    assert created["confirmations"] == 2 and created["recoveries"] == 1
    assert created["options"] == {"expected_status": ["200"], "keyword": "ok"}
    sid = created["sid"]

    assert (await client.get(f"/v1/monitors/{sid}", headers=auth)).json()["data"] == created
    await _create(client, auth, kind="tcp", target="db.example.com:5432")
    listed = (await client.get("/v1/monitors", headers=auth)).json()
    assert listed["meta"]["pagination"]["total"] == 2
    tagged = (await client.get("/v1/monitors?tag=prod", headers=auth)).json()["data"]
    assert [m["sid"] for m in tagged] == [sid]

    changed = await client.patch(
        f"/v1/monitors/{sid}", json={"name": "shop v2", "degraded_ms": 800}, headers=auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["name"] == "shop v2"
    assert changed.json()["data"]["interval"] == 120  # untouched fields stay

    assert (await client.delete(f"/v1/monitors/{sid}", headers=auth)).status_code == 200
    assert (await client.get(f"/v1/monitors/{sid}", headers=auth)).status_code == 404


async def test_bad_input_names_the_field(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    cases = [
        ({"kind": "http", "target": "http://x", "options": {"timeout": -1}}, "options.timeout"),
        ({"kind": "http", "target": "http://x", "options": {"nope": 1}}, "options.nope"),
        ({"kind": "http", "target": "http://x", "interval": 10}, "interval"),
        ({"kind": "http", "target": "http://x", "interval": 90_000}, "interval"),
        ({"kind": "smtp", "target": "x"}, "kind"),
        ({"kind": "tcp", "target": "x:1", "expect": ["1.2.3.4"]}, "expect"),
        ({"kind": "http", "target": "http://x", "contact_groups": ["nope"]}, "contact_groups"),
        ({"kind": "http", "target": "http://x", "interval": 30, "timeout": 45}, "timeout"),
    ]
    for body, field in cases:
        response = await client.post("/v1/monitors", json=body, headers=auth)
        assert response.status_code == 400, (body, response.text)
        fields = [d["field"] for d in response.json()["error"]["details"]]
        assert field in fields, (body, fields)


async def test_plan_minimum_interval(runtime: Runtime, client: httpx.AsyncClient) -> None:
    pro = await runtime.accounts.create_account("pro", plan="pro")  # 60 s minimum
    body = {"kind": "http", "target": "http://x", "interval": 30}
    response = await client.post("/v1/monitors", json=body, headers={"X-API-Key": pro.key})
    assert response.status_code == 400
    assert "60 s" in response.json()["error"]["message"]


async def test_fifteen_second_periods_where_the_plan_allows(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """updown's smallest period: the business plan (auth's) takes 15 s; 14 s is below every
    plan; a pro account is told its plan's minimum."""
    body = {"kind": "http", "target": "http://127.0.0.1:9/", "interval": 15, "timeout": 5}
    created = await client.post("/v1/monitors", json=body, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["data"]["interval"] == 15
    account = (await client.get("/v1/account", headers=auth)).json()["data"]
    assert account["plan"]["min_interval_seconds"] == 15
    too_short = await client.post("/v1/monitors", json={**body, "interval": 14}, headers=auth)
    assert too_short.status_code == 400
    assert too_short.json()["error"]["details"][0]["field"] == "interval"
    pro = await runtime.accounts.create_account("pro", plan="pro")
    refused = await client.post("/v1/monitors", json=body, headers={"X-API-Key": pro.key})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "interval"
    assert "your plan allows 60 s" in refused.json()["error"]["message"]
    # The default timeout (10 s) is below 15 s; one of 15 s is not.
    slow = await client.post("/v1/monitors", json={**body, "timeout": 15}, headers=auth)
    assert slow.status_code == 400
    assert slow.json()["error"]["details"][0]["field"] == "timeout"


async def test_pause_and_resume(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await _create(client, auth, kind="ping", target="127.0.0.1"))["sid"]
    paused = await client.post(f"/v1/monitors/{sid}/pause", headers=auth)
    assert paused.json()["data"]["paused"] is True
    resumed = await client.post(f"/v1/monitors/{sid}/resume", headers=auth)
    assert resumed.json()["data"]["paused"] is False


async def test_read_only_key_reads_but_cannot_change(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    sid = (await _create(client, auth, kind="tcp", target="127.0.0.1:22"))["sid"]
    key = await client.post("/v1/keys", json={"read_only": True}, headers=auth)
    read_only = {"X-API-Key": key.json()["data"]["key"]}
    assert (await client.get(f"/v1/monitors/{sid}", headers=read_only)).status_code == 200
    assert (await client.get(f"/v1/monitors/{sid}/metrics", headers=read_only)).status_code == 200
    assert (await client.post(f"/v1/monitors/{sid}/pause", headers=read_only)).status_code == 403


async def test_history_endpoints(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
    site: SwitchableSite,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = (
        await _create(
            client, auth, kind="http", target=site.url, confirmations=1, apdex_t_ms=10_000
        )
    )["sid"]
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=4))
    clock.advance(10)
    plan = [200] * 6 + [500] * 3 + [200] * 3  # 12 checks a minute apart
    for status in plan:
        site.status = status
        await engine.run_once()
        clock.advance(60)

    results = (await client.get(f"/v1/monitors/{sid}/results?per_page=5", headers=auth)).json()
    assert results["meta"]["pagination"]["total"] == 12
    assert [r["outcome"] for r in results["data"]] == ["up"] * 3 + ["down"] * 2
    assert results["data"][0]["timings"]["connect"] >= 0
    recent = await client.get(f"/v1/monitors/{sid}/results?from=-4m", headers=auth)
    assert recent.json()["meta"]["pagination"]["total"] == 4
    bad = await client.get(f"/v1/monitors/{sid}/results?from=someday", headers=auth)
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "from"

    metrics = (
        await client.get(f"/v1/monitors/{sid}/metrics?from=-1d&group=hour", headers=auth)
    ).json()["data"]
    assert metrics["checks"] == 12 and metrics["failures"] == 3
    # 3 of 12 minutes down (the first check stands for a whole interval too).
    assert metrics["uptime"] == 75.0
    assert metrics["apdex"] == 0.75  # every answer well within T; failures are frustrated
    assert metrics["response_time"]["p50"] is not None
    assert metrics["response_time"]["p99"] >= metrics["response_time"]["p50"]
    assert set(metrics["timings"]) >= {"redirect", "connect", "first_byte"}
    assert metrics["timings"]["redirect"] == 0  # no redirect: updown's average includes it
    assert sum(g["checks"] for g in metrics["groups"]) == 12
    # Exact counts in updown's shape: the local answers all come within 125 ms.
    requests = metrics["requests"]
    assert (requests["samples"], requests["failures"]) == (12, 3)
    assert (requests["satisfied"], requests["tolerated"]) == (9, 0)
    assert set(requests["by_response_time"].values()) == {9}
    assert list(requests["by_response_time"]) == [
        f"under{edge}" for edge in (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
    ]

    outages = (await client.get(f"/v1/monitors/{sid}/downtimes", headers=auth)).json()["data"]
    assert len(outages) == 1
    assert outages[0]["duration"] == 180 and not outages[0]["ongoing"]
    assert "500" in outages[0]["error"]


async def _group(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> str:
    response = await client.post("/v1/contact-groups", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


async def test_a_monitor_without_groups_tells_the_default_group(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    default = await _group(client, auth, name="Primary", is_default=True)
    other = await _group(client, auth, name="Night")
    body = {"kind": "tcp", "target": "127.0.0.1:1", "allow_duplicate": True}
    assert (await _create(client, auth, **body))["contact_groups"] == [default]
    assert (await _create(client, auth, **body, contact_groups=[]))["contact_groups"] == []
    chosen = await _create(client, auth, **body, contact_groups=[other, other])
    assert chosen["contact_groups"] == [other]

    path = f"/v1/monitors/{chosen['sid']}"
    renamed = await client.patch(path, json={"name": "db"}, headers=auth)
    assert renamed.json()["data"]["contact_groups"] == [other]  # groups not given stay
    reset = await client.patch(path, json={"contact_groups": None}, headers=auth)
    assert reset.json()["data"]["contact_groups"] == [default]


async def test_groups_of_another_account_or_made_up_are_refused(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    stranger = await runtime.accounts.create_account("stranger", plan="business")
    theirs = await _group(client, {"X-API-Key": stranger.key}, name="Theirs", is_default=True)
    made_up = "CG" + "0" * 32
    body = {"kind": "tcp", "target": "127.0.0.1:1"}
    for groups in ([theirs], [made_up]):
        response = await client.post(
            "/v1/monitors", json={**body, "contact_groups": groups}, headers=auth
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["details"][0]["field"] == "contact_groups[0]"

    mine = await _create(client, auth, **body)
    assert mine["contact_groups"] == []  # this account has no default group
    for groups in ([theirs], [made_up]):
        response = await client.patch(
            f"/v1/monitors/{mine['sid']}", json={"contact_groups": groups}, headers=auth
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["details"][0]["field"] == "contact_groups[0]"
    shown = (await client.get(f"/v1/monitors/{mine['sid']}", headers=auth)).json()["data"]
    assert shown["contact_groups"] == []


async def test_recipients_and_mute_are_checked_and_kept(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    stranger = await runtime.accounts.create_account("stranger", plan="business")
    theirs = await _group(client, {"X-API-Key": stranger.key}, name="Theirs")
    mine = await _group(client, auth, name="Mine")
    body = {"kind": "tcp", "target": "127.0.0.1:1"}
    for recipients in ([theirs], ["WH" + "0" * 32], ["XX1"]):
        response = await client.post(
            "/v1/monitors", json={**body, "recipients": recipients}, headers=auth
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["details"][0]["field"].startswith("recipients")
    created = await _create(client, auth, **body, recipients=[mine], mute_until="forever")
    assert created["recipients"] == [mine] and created["mute_until"] == "forever"
    response = await client.patch(
        f"/v1/monitors/{created['sid']}", json={"mute_until": None}, headers=auth
    )
    assert response.status_code == 200 and response.json()["data"]["mute_until"] is None
    response = await client.patch(
        f"/v1/monitors/{created['sid']}", json={"mute_until": "2000-01-01T00:00:00Z"}, headers=auth
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "mute_until"


async def test_a_published_monitor_has_a_public_page_of_its_own(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await _create(
        client, auth, kind="tcp", target="127.0.0.1:9", name="Billing", published=True
    )
    assert created["published"] is True
    url = created["published_url"]
    assert url.startswith("http://") and "/p/" in url
    page = await client.get(url)  # no key: a public page
    assert page.status_code == 200 and "Billing" in page.text
    # Said again: the same page. False removes it; the monitor stays.
    same = await client.patch(
        f"/v1/monitors/{created['sid']}", json={"published": True}, headers=auth
    )
    assert same.json()["data"]["published_url"] == url
    off = await client.patch(
        f"/v1/monitors/{created['sid']}", json={"published": False}, headers=auth
    )
    assert off.json()["data"]["published"] is False and off.json()["data"]["published_url"] is None
    assert (await client.get(url)).status_code == 404
    # Deleting a published monitor removes its page.
    again = await client.patch(
        f"/v1/monitors/{created['sid']}", json={"published": True}, headers=auth
    )
    url = again.json()["data"]["published_url"]
    assert (await client.delete(f"/v1/monitors/{created['sid']}", headers=auth)).status_code == 200
    assert (await client.get(url)).status_code == 404
    pages = await client.get("/v1/status-pages", headers=auth)
    assert pages.json()["data"] == []
    live = await _create(client, auth, kind="tcp", target="127.0.0.1:7", name="Other")
    refused = await client.patch(
        f"/v1/monitors/{live['sid']}", json={"published": "yes please"}, headers=auth
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "published"
