"""monitors.php: monitor CRUD with 000's fields (GAPS.md), the monitor service's rules in
000's codes (`monitor_exists`, `monitor_limit_reached`, `invalid_url`), secrets never read
back, and status pages over the status-page service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.dialects.enterno.conftest import asgi_client, data_of, error_of
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables import plans

PHP = "/api/v3/monitors.php"
MONITOR_KEYS = {
    "id",
    "name",
    "url",
    "check_type",
    "interval",
    "regions",
    "port",
    "keyword",
    "method",
    "request_header_names",
    "has_request_body",
    "cache_bust",
    "alerts",
    "tags",
    "group_name",
    "note",
    "status",
    "last_check_at",
    "response_time_ms",
    "last_error",
    "created_at",
    "updated_at",
}


async def _create(client: httpx.AsyncClient, **fields: object) -> dict[str, object]:
    created = data_of(await client.post(PHP, params={"action": "create"}, json=fields), 201)
    assert set(created) == MONITOR_KEYS
    return created  # type: ignore[no-any-return]


async def test_monitor_crud_with_enternos_fields(enterno: httpx.AsyncClient) -> None:
    created = await _create(
        enterno,
        name="Shop",
        url="https://shop.example.test/health",
        interval=120,
        tags=["prod", "shop"],
        keyword="OK",
        method="post",
        body='{"probe": "s3cret-body"}',
        headers={"Authorization": "Bearer s3cret-token"},
        cache_bust=True,
        note="Checks the basket too.\nCall Ann if down.",
        group_name="Shops",
    )
    assert (created["check_type"], created["interval"], created["status"]) == (
        "http",
        120,
        "pending",
    )
    assert created["tags"] == ["prod", "shop"] and created["method"] == "POST"
    got = await enterno.get(PHP, params={"action": "get", "id": created["id"]})
    assert data_of(got) == created
    assert "s3cret" not in got.text
    assert created["request_header_names"] == ["Authorization"] and created["has_request_body"]
    assert created["cache_bust"] is True and created["group_name"] == "Shops"
    assert created["note"] == "Checks the basket too.\nCall Ann if down."

    updated = data_of(
        await enterno.post(
            PHP,
            params={"action": "update", "id": created["id"]},
            data={"interval": "300", "tags[]": ["prod"]},
        )
    )
    assert (updated["interval"], updated["tags"], updated["keyword"]) == (300, ["prod"], "OK")
    assert (updated["note"], updated["group_name"]) == (created["note"], "Shops")  # kept
    paused = data_of(await enterno.post(PHP, data={"action": "pause", "id": created["id"]}))
    assert paused["status"] == "paused"
    listed = await enterno.get(PHP, params={"action": "list", "per_page": 10})
    assert [m["id"] for m in data_of(listed)] == [created["id"]]
    assert listed.json()["meta"]["pagination"] == {
        "total": 1,
        "page": 1,
        "per_page": 10,
        "pages": 1,
    }
    gone = data_of(await enterno.delete(PHP, params={"action": "delete", "id": created["id"]}))
    assert gone == {"id": created["id"], "deleted": True}
    error_of(
        await enterno.get(PHP, params={"action": "get", "id": created["id"]}), 404, "not_found"
    )


async def test_monitor_ids_are_integers(enterno: httpx.AsyncClient, runtime: Runtime) -> None:
    """000 shows integer ids: a monitor's is its alias, the same on every read and in the
    status pages that name it; the native SID is taken too; an unknown integer is 404."""
    first = await _create(enterno, url="https://one.example.test/")
    second = await _create(enterno, url="https://two.example.test/")
    assert isinstance(first["id"], int) and isinstance(second["id"], int)
    assert first["id"] != second["id"]
    sid = await runtime.aliases.sid_of("monitor", int(str(first["id"])))
    by_sid = data_of(await enterno.get(PHP, params={"action": "get", "id": sid}))
    assert by_sid == first
    error_of(await enterno.get(PHP, params={"action": "get", "id": "987654"}), 404, "not_found")
    page = data_of(
        await enterno.post(
            PHP,
            json={"action": "status_page_create", "name": "All", "monitors": [second["id"]]},
        ),
        201,
    )
    assert page["monitors"] == [second["id"]]
    error_of(
        await enterno.post(
            PHP, json={"action": "status_page_create", "name": "x", "monitors": [987654]}
        ),
        404,
        "not_found",
    )
    gone = data_of(await enterno.post(PHP, data={"action": "delete", "id": str(second["id"])}))
    assert gone == {"id": second["id"], "deleted": True}
    third = await _create(enterno, url="https://three.example.test/")
    assert third["id"] not in (first["id"], second["id"])  # an id is never given twice


async def test_regions_are_the_monitors_locations(
    enterno: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    """`regions`: codes of the location registry, the monitor's `locations` natively; an
    unknown one is a 400 naming `regions[i]`; none sent, or sent empty: every location."""
    await runtime.locations.ensure_own()
    await runtime.locations.create({"code": "fra", "city": "Frankfurt"}, agent=False)
    plain = await _create(enterno, url="https://plain.example.test/")
    assert plain["regions"] == []
    placed = await _create(enterno, url="https://placed.example.test/", regions=["fra", "local"])
    assert placed["regions"] == ["fra", "local"]
    sid = await runtime.aliases.sid_of("monitor", int(str(placed["id"])))
    native = await runtime.monitors.get(account.account_sid, sid)
    assert native.locations == ("fra", "local")
    moved = data_of(
        await enterno.post(PHP, data={"action": "update", "id": placed["id"], "regions": "fra"})
    )
    assert moved["regions"] == ["fra"]
    got = data_of(await enterno.get(PHP, params={"action": "get", "id": placed["id"]}))
    assert got["regions"] == ["fra"]
    unknown = error_of(
        await enterno.post(
            PHP, data={"action": "update", "id": placed["id"], "regions": "fra,mars"}
        ),
        400,
        "missing_parameter",
    )
    assert unknown["details"][0]["field"] == "regions[1]"
    assert unknown["details"][0]["rule"] == "unknown_location"
    bad = await enterno.post(
        PHP, params={"action": "create"}, json={"url": "https://x.test/", "regions": ["FRA!"]}
    )
    assert error_of(bad, 400, "missing_parameter")["details"][0]["field"].startswith("regions")
    everywhere = data_of(
        await enterno.post(PHP, json={"action": "update", "id": placed["id"], "regions": []})
    )
    assert everywhere["regions"] == []


async def test_alert_switches(
    enterno: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    """`alerts` is the monitor's mute (off: muted for good); any other alert switch is a 400
    naming it, never silently dropped."""
    quiet = await _create(enterno, url="https://quiet.example.test/", alerts=False)
    assert quiet["alerts"] is False
    sid = await runtime.aliases.sid_of("monitor", int(str(quiet["id"])))
    assert (await runtime.monitors.get(account.account_sid, sid)).mute_until == "forever"
    loud = data_of(
        await enterno.post(PHP, data={"action": "update", "id": quiet["id"], "alerts": "on"})
    )
    assert loud["alerts"] is True
    assert (await runtime.monitors.get(account.account_sid, sid)).mute_until is None
    for switch in ("alert_email", "notify_telegram", "notifications", "alerts_sms"):
        refused = error_of(
            await enterno.post(
                PHP, params={"action": "create"}, data={"url": "https://x.test/", switch: "1"}
            ),
            400,
            "missing_parameter",
        )
        assert refused["details"][0]["field"] == switch
        assert refused["details"][0]["rule"] == "not_supported"
    nested = await enterno.post(
        PHP, data={"action": "update", "id": quiet["id"], "notify[email]": "1"}
    )
    assert error_of(nested, 400, "missing_parameter")["details"][0]["rule"] == "not_supported"


async def test_check_types(enterno: httpx.AsyncClient) -> None:
    port = await _create(enterno, check_type="port", url="db.example.test", port=5432)
    assert (port["check_type"], port["url"], port["port"]) == ("port", "db.example.test", 5432)
    web = await _create(enterno, check_type="tcp", url="web.example.test")
    assert web["port"] == 80  # GAPS.md: a port check defaults to 80
    ssl = await _create(enterno, check_type="ssl", url="shop.example.test")
    assert ssl["check_type"] == "ssl"
    udp = await _create(enterno, check_type="udp", url="dns.example.test", port=53)
    assert (udp["check_type"], udp["port"]) == ("udp", 53)
    beat = await _create(enterno, check_type="heartbeat", name="nightly backup", interval=3600)
    got = await enterno.get(PHP, params={"action": "get", "id": beat["id"]})
    assert data_of(got)["check_type"] == "heartbeat"
    assert "token" not in got.text and "/pulse/" not in got.text
    api = await _create(
        enterno,
        check_type="api",
        url="https://api.example.test/v1/health",
        assertions=[{"source": "status", "op": "==", "value": 200}],
    )
    assert api["check_type"] == "api"
    error_of(
        await enterno.post(
            PHP,
            params={"action": "create"},
            json={"check_type": "api", "url": "https://a.test/", "keyword": "x"},
        ),
        400,
        "missing_parameter",
    )
    error_of(
        await enterno.post(
            PHP, params={"action": "create"}, json={"check_type": "ftp", "url": "a.test"}
        ),
        400,
        "missing_parameter",
    )


async def test_the_services_rules_in_enternos_codes(
    app: FastAPI, enterno: httpx.AsyncClient, runtime: Runtime
) -> None:
    await _create(enterno, url="https://once.example.test/")
    again = await enterno.post(
        PHP, params={"action": "create"}, json={"url": "https://once.example.test/"}
    )
    error_of(again, 409, "monitor_exists")
    tags = [f"t{i}" for i in range(11)]
    many = error_of(
        await enterno.post(
            PHP, params={"action": "create"}, json={"url": "https://t.test/", "tags": tags}
        ),
        400,
        "missing_parameter",
    )
    assert many["details"][0]["rule"] == "max_items"
    error_of(
        await enterno.post(PHP, params={"action": "create"}, json={"name": "no url"}),
        400,
        "invalid_url",
    )
    error_of(
        await enterno.post(PHP, params={"action": "create"}, json={"url": "mailto:x@y.test"}),
        400,
        "invalid_url",
    )
    error_of(
        await enterno.get(PHP, params={"action": "get", "id": "12a"}), 400, "missing_parameter"
    )
    error_of(await enterno.get(PHP, params={"action": "explode"}), 400, "missing_parameter")

    async with runtime.db.transaction() as conn:
        await conn.execute(
            plans.insert().values(
                name="tiny",
                title="Tiny",
                requests_per_minute=60,
                requests_per_day=1000,
                scopes=["monitors"],
                max_webhooks=0,
                event_types=None,
                min_interval_seconds=60,
                max_monitors=1,
            )
        )
    tiny = await runtime.accounts.create_account("tiny", plan="tiny")
    async with asgi_client(app, tiny) as client:
        await _create(client, url="https://first.example.test/")
        full = await client.post(
            PHP, params={"action": "create"}, json={"url": "https://second.test/"}
        )
        error_of(full, 403, "monitor_limit_reached")


async def test_status_pages(enterno: httpx.AsyncClient) -> None:
    monitor = await _create(enterno, name="Shop", url="https://shop.example.test/")
    created = data_of(
        await enterno.post(
            PHP,
            data={
                "action": "status_page_create",
                "name": "Shop status",
                "monitors[]": monitor["id"],
            },
        ),
        201,
    )
    assert (created["name"], created["monitors"], created["visibility"]) == (
        "Shop status",
        [monitor["id"]],
        "public",
    )
    assert created["url"] == f"/p/{created['id']}"
    listed = data_of(await enterno.get(PHP, params={"action": "status_pages"}))
    assert [p["id"] for p in listed] == [created["id"]]
    changed = data_of(
        await enterno.post(
            PHP,
            data={"action": "status_page_update", "id": created["id"], "description": "All shops"},
        )
    )
    assert changed["description"] == "All shops" and changed["monitors"] == [monitor["id"]]
    got = data_of(await enterno.get(PHP, params={"action": "status_page_get", "id": created["id"]}))
    assert got == changed
    gone = data_of(
        await enterno.post(PHP, data={"action": "status_page_delete", "id": created["id"]})
    )
    assert gone == {"id": created["id"], "deleted": True}
    error_of(
        await enterno.get(PHP, params={"action": "status_page_get", "id": created["id"]}),
        404,
        "not_found",
    )
    error_of(
        await enterno.post(
            PHP, data={"action": "status_page_create", "name": "x", "monitors": "MO" + "0" * 32}
        ),
        400,
        "missing_parameter",
    )


async def test_host_and_port_of_non_http_checks(enterno: httpx.AsyncClient) -> None:
    inline = await _create(enterno, check_type="port", url="tcp://db.example.test:5433/")
    assert (inline["url"], inline["port"]) == ("db.example.test", 5433)
    v6 = await _create(enterno, check_type="udp", url="2001:db8::53", port=53)
    assert (v6["url"], v6["port"]) == ("2001:db8::53", 53)
    moved = data_of(
        await enterno.post(
            PHP, data={"action": "update", "id": inline["id"], "url": "db2.example.test"}
        )
    )
    assert (moved["url"], moved["port"]) == ("db2.example.test", 5433)  # the port stays
    reported = data_of(
        await enterno.post(PHP, data={"action": "update", "id": inline["id"], "port": "6543"})
    )
    assert (reported["url"], reported["port"]) == ("db2.example.test", 6543)
