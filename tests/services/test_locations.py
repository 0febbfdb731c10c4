"""The location registry and where monitors run (services/locations.py, placements.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from watchwire.errors import AuthError, ConflictError, NotFoundError, ValidationError
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_locations import monitor_locations

FRA = {
    "code": "fra",
    "name": "Frankfurt",
    "city": "Frankfurt am Main",
    "country": "Germany",
    "country_code": "DE",
    "latitude": 50.11,
    "longitude": 8.68,
    "ipv4": "203.0.113.7",
    "ipv6": "2001:DB8::7",
}


async def _placements(runtime: Runtime) -> dict[str, set[str]]:
    async with runtime.db.connect() as conn:
        rows = (await conn.execute(sa.select(monitor_locations))).all()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.monitor_sid, set()).add(row.location)
    return found


async def _by_location(runtime: Runtime, sid: str) -> bool:
    async with runtime.db.connect() as conn:
        return bool(
            (
                await conn.execute(sa.select(monitors.c.by_location).where(monitors.c.sid == sid))
            ).scalar_one()
        )


async def test_registry_round_trip(runtime: Runtime) -> None:
    own = await runtime.locations.ensure_own()
    assert (own.code, own.name, own.has_agent) == ("local", "local", False)
    created, token = await runtime.locations.create(FRA)
    assert token is not None and token.startswith("wwa_")
    assert created.ipv6 == "2001:db8::7"  # stored in its canonical form
    assert (created.city, created.country_code, created.has_agent) == (
        "Frankfurt am Main",
        "DE",
        True,
    )
    assert [loc.code for loc in await runtime.locations.list()] == ["fra", "local"]
    assert await runtime.locations.authenticate(token) == "fra"
    changed = await runtime.locations.update("fra", {"city": "Offenbach", "timeout_minutes": 9})
    assert (changed.city, changed.timeout_minutes, changed.latitude) == ("Offenbach", 9, 50.11)
    renewed = await runtime.locations.new_token("fra")
    with pytest.raises(AuthError):
        await runtime.locations.authenticate(token)
    assert await runtime.locations.authenticate(renewed) == "fra"
    await runtime.locations.remove("fra")
    with pytest.raises(NotFoundError):
        await runtime.locations.get("fra")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "F"}, "code"),
        ({"country_code": "de"}, "country_code"),
        ({"latitude": 91}, "latitude"),
        ({"ipv4": "2001:db8::1"}, "ipv4"),
        ({"ipv6": "10.0.0.1"}, "ipv6"),
        ({"color": "red"}, "color"),
    ],
)
async def test_bad_fields_are_named(
    runtime: Runtime, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await runtime.locations.create({**FRA, **change})
    assert caught.value.details[0]["field"] == field


async def test_duplicates_and_the_own_location_are_refused(runtime: Runtime) -> None:
    await runtime.locations.ensure_own()
    await runtime.locations.create(FRA)
    with pytest.raises(ConflictError):
        await runtime.locations.create(FRA)
    with pytest.raises(ValidationError):
        await runtime.locations.remove("local")
    with pytest.raises(AuthError):
        await runtime.locations.authenticate("wwa_not-a-token")


async def test_monitors_follow_the_registry(runtime: Runtime, account: CreatedKey) -> None:
    await runtime.locations.ensure_own()
    body = {"kind": "tcp", "target": "127.0.0.1:9", "paused": True}
    everywhere = await runtime.monitors.create(account.account_sid, body, min_interval=15)
    # One location: today's monitor, run from its own schedule.
    assert await _placements(runtime) == {}
    assert not await _by_location(runtime, everywhere.sid)
    await runtime.locations.create(FRA)
    await runtime.locations.create({**FRA, "code": "syd", "ipv4": None, "ipv6": None})
    assert await _placements(runtime) == {everywhere.sid: {"fra", "local", "syd"}}
    assert await _by_location(runtime, everywhere.sid)
    chosen = await runtime.monitors.create(
        account.account_sid,
        {
            **body,
            "target": "127.0.0.1:10",
            "locations": ["fra", "syd"],
            "disabled_locations": ["syd"],
        },
        min_interval=15,
    )
    assert (chosen.locations, chosen.disabled_locations) == (("fra", "syd"), ("syd",))
    assert (await _placements(runtime))[chosen.sid] == {"fra"}
    await runtime.monitors.update(
        account.account_sid, everywhere.sid, {"disabled_locations": ["fra", "syd"]}, min_interval=15
    )
    assert everywhere.sid not in await _placements(runtime)  # back to the server's alone
    assert not await _by_location(runtime, everywhere.sid)
    await runtime.locations.remove("syd")
    assert (await _placements(runtime))[chosen.sid] == {"fra"}
    await runtime.monitors.delete(account.account_sid, chosen.sid)
    assert await _placements(runtime) == {}


async def test_unknown_or_no_location_is_refused(runtime: Runtime, account: CreatedKey) -> None:
    await runtime.locations.ensure_own()
    body = {"kind": "tcp", "target": "127.0.0.1:9", "paused": True}
    with pytest.raises(ValidationError) as caught:
        await runtime.monitors.create(
            account.account_sid, {**body, "locations": ["mars"]}, min_interval=15
        )
    assert caught.value.details[0]["field"] == "locations[0]"
    with pytest.raises(ValidationError) as caught:
        await runtime.monitors.create(
            account.account_sid, {**body, "disabled_locations": ["local"]}, min_interval=15
        )
    assert caught.value.details[0]["field"] == "locations"
