"""The ping face of heartbeat monitors over HTTP, on SQLite and PostgreSQL: plain-text
answers, no API key, bodies kept up to the cap and cut past it, a budget per monitor, and
the same 404 for every token no monitor has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.services.heartbeats import BODY_LIMIT

PER_MINUTE = 5


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-hashing-key",
        allow_private_targets=True,
        heartbeat_pings_per_minute=PER_MINUTE,
    )


async def _heartbeat(client: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> Any:
    body = {"kind": "heartbeat", "interval": 300, **fields}
    answer = await client.post("/v1/monitors", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


async def _pings(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> Any:
    answer = await client.get(f"/v1/monitors/{sid}/pings", headers=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


async def test_bodies_are_kept_up_to_the_cap_and_cut_past_it(
    client: httpx.AsyncClient, auth: dict[str, str], clock: FrozenClock
) -> None:
    monitor = await _heartbeat(client, auth)
    url = monitor["ping_url"]
    log = "€" * 6000  # 18,000 bytes: the cap falls inside a character
    answer = await client.post(url + "/fail", content=log.encode(), headers={"User-Agent": "cron"})
    assert answer.status_code == 200 and answer.text.startswith("OK: ")
    exact = b"x" * BODY_LIMIT
    clock.advance(1)
    assert (await client.post(url, content=exact)).status_code == 200
    clock.advance(1)
    assert (await client.post(url + "/start", content=b"a\x00b")).status_code == 200

    nul, whole, cut = await _pings(client, auth, monitor["sid"])
    assert (cut["kind"], cut["body_bytes"], cut["truncated"]) == ("fail", 18_000, True)
    assert cut["body"] == "€" * 3333 + "\ufffd"  # the cut character replaced, not an error
    assert cut["user_agent"] == "cron" and cut["remote_addr"] == "127.0.0.1"
    assert (whole["body"], whole["truncated"], whole["body_bytes"]) == (
        "x" * BODY_LIMIT,
        False,
        BODY_LIMIT,
    )
    assert nul["kind"] == "start" and nul["body"] == "a\ufffdb"


async def test_get_and_head_ping_without_a_key(
    client: httpx.AsyncClient, auth: dict[str, str], clock: FrozenClock
) -> None:
    monitor = await _heartbeat(client, auth)
    assert (await client.get(monitor["ping_url"])).status_code == 200
    clock.advance(1)
    assert (await client.head(monitor["ping_url"] + "/start")).status_code == 200
    assert [p["method"] for p in await _pings(client, auth, monitor["sid"])] == ["HEAD", "GET"]


async def test_pings_past_the_budget_are_refused_per_monitor(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    busy, quiet = await _heartbeat(client, auth), await _heartbeat(client, auth)
    for _ in range(PER_MINUTE):
        assert (await client.get(busy["ping_url"])).status_code == 200
    refused = await client.get(busy["ping_url"] + "/fail")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1 and "pings a minute" in refused.text
    assert (await client.get(quiet["ping_url"])).status_code == 200
    assert len(await _pings(client, auth, busy["sid"])) == PER_MINUTE


async def test_unknown_tokens_get_one_answer_that_tells_nothing(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    monitor = await _heartbeat(client, auth)
    other = await client.post(
        "/v1/monitors", json={"kind": "tcp", "target": "127.0.0.1:9", "paused": True}, headers=auth
    )
    token = monitor["ping_url"].rsplit("/", 1)[1]
    deleted = await _heartbeat(client, auth)
    assert (await client.delete(f"/v1/monitors/{deleted['sid']}", headers=auth)).status_code == 200
    answers = [
        await client.get("/pulse/" + "A" * len(token)),
        await client.post("/pulse/" + token[:-1] + "/fail", content=b"x"),
        await client.get("/pulse/" + token + "x" * 100),
        await client.get(deleted["ping_url"]),
        await client.get("/pulse/" + other.json()["data"]["sid"]),
        await client.get("/pulse/%20"),
    ]
    assert {(a.status_code, a.text, a.headers["content-type"]) for a in answers} == {
        (404, "Not found", "text/plain; charset=utf-8")
    }
    assert await _pings(client, auth, monitor["sid"]) == []


async def test_the_monitor_shows_its_ping_url_and_other_kinds_none(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    monitor = await _heartbeat(client, auth, name="backup")
    listed = (await client.get("/v1/monitors", headers=auth)).json()["data"]
    assert [m["ping_url"] for m in listed] == [monitor["ping_url"]]
    changed = await client.patch(
        f"/v1/monitors/{monitor['sid']}", json={"name": "db backup"}, headers=auth
    )
    assert changed.json()["data"]["ping_url"] == monitor["ping_url"]  # the token stays
    tcp = await client.post(
        "/v1/monitors", json={"kind": "tcp", "target": "127.0.0.1:9"}, headers=auth
    )
    assert tcp.json()["data"]["ping_url"] is None
    assert await _pings(client, auth, tcp.json()["data"]["sid"]) == []
