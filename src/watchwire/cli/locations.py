"""`watchwire location`: the operator's probe locations, on the database directly (like
`account`): add one (with its agent token, shown once), list, change, remove, and give an
agent a new token."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from watchwire.api.native.render_locations import location as location_json
from watchwire.cli._common import console, print_json
from watchwire.cli.admin import JsonOption, with_runtime
from watchwire.runtime import Runtime
from watchwire.services.locations import Location

location_app = typer.Typer(help="Probe locations and their agents.", no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(help="Location code: fra, syd, … (a-z, 0-9, -).")]
Name = Annotated[str | None, typer.Option(help="Display name (default: the code).")]
City = Annotated[str | None, typer.Option(help="City.")]
Country = Annotated[str | None, typer.Option(help="Country name.")]
CountryCode = Annotated[str | None, typer.Option(help="ISO 3166 alpha-2 code (DE).")]
Latitude = Annotated[float | None, typer.Option(help="Latitude, -90 to 90.")]
Longitude = Annotated[float | None, typer.Option(help="Longitude, -180 to 180.")]
Ipv4 = Annotated[str | None, typer.Option(help="Public IPv4 address checks come from.")]
Ipv6 = Annotated[str | None, typer.Option(help="Public IPv6 address checks come from.")]
Timeout = Annotated[
    int | None, typer.Option(help="Minutes of agent silence before agent.timeout (default 5).")
]


def _fields(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


@location_app.command("add")
def location_add(
    code: CodeArgument,
    name: Name = None,
    city: City = None,
    country: Country = None,
    country_code: CountryCode = None,
    latitude: Latitude = None,
    longitude: Longitude = None,
    ipv4: Ipv4 = None,
    ipv6: Ipv6 = None,
    timeout_minutes: Timeout = None,
    json_output: JsonOption = False,
) -> None:
    """Add a location and print its agent token (shown once)."""
    raw = _fields(
        code=code,
        name=name or code,
        city=city,
        country=country,
        country_code=country_code,
        latitude=latitude,
        longitude=longitude,
        ipv4=ipv4,
        ipv6=ipv6,
        timeout_minutes=timeout_minutes,
    )

    async def work(runtime: Runtime) -> tuple[Location, str | None]:
        await runtime.migrate()
        await runtime.locations.ensure_own()
        return await runtime.locations.create(raw)

    created, token = with_runtime(work)
    if json_output:
        print_json({**location_json(created), "token": token})
        return
    console.print(f"location [bold]{created.code}[/] added; agent token (shown once):")
    console.print(token, soft_wrap=True, highlight=False)


@location_app.command("update")
def location_update(
    code: CodeArgument,
    name: Name = None,
    city: City = None,
    country: Country = None,
    country_code: CountryCode = None,
    latitude: Latitude = None,
    longitude: Longitude = None,
    ipv4: Ipv4 = None,
    ipv6: Ipv6 = None,
    timeout_minutes: Timeout = None,
    json_output: JsonOption = False,
) -> None:
    """Change a location's place, addresses or agent timeout."""
    raw = _fields(
        name=name,
        city=city,
        country=country,
        country_code=country_code,
        latitude=latitude,
        longitude=longitude,
        ipv4=ipv4,
        ipv6=ipv6,
        timeout_minutes=timeout_minutes,
    )

    async def work(runtime: Runtime) -> Location:
        return await runtime.locations.update(code, raw)

    changed = with_runtime(work)
    if json_output:
        print_json(location_json(changed))
        return
    console.print(f"location [bold]{changed.code}[/] changed")


@location_app.command("token")
def location_token(code: CodeArgument, json_output: JsonOption = False) -> None:
    """Give the location's agent a new token (shown once); the old one stops working."""

    async def work(runtime: Runtime) -> str:
        return await runtime.locations.new_token(code)

    token = with_runtime(work)
    if json_output:
        print_json({"code": code, "token": token})
        return
    console.print(token, soft_wrap=True, highlight=False)


@location_app.command("list")
def location_list(json_output: JsonOption = False) -> None:
    """List the locations."""

    async def work(runtime: Runtime) -> list[Location]:
        return await runtime.locations.list()

    found = with_runtime(work)
    if json_output:
        print_json([location_json(value) for value in found])
        return
    table = Table("code", "name", "city", "country", "IPv4", "IPv6", "agent", "last seen")
    for value in found:
        seen = value.last_seen_at.isoformat() if value.last_seen_at else ""
        agent = ("timed out" if value.timed_out else "yes") if value.has_agent else "no"
        table.add_row(
            value.code,
            value.name,
            value.city,
            value.country_code or value.country,
            value.ipv4 or "",
            value.ipv6 or "",
            agent,
            seen,
        )
    console.print(table)


@location_app.command("remove")
def location_remove(code: CodeArgument, json_output: JsonOption = False) -> None:
    """Remove a location: monitors stop running there (their results are kept)."""

    async def work(runtime: Runtime) -> Location:
        return await runtime.locations.remove(code)

    removed = with_runtime(work)
    if json_output:
        print_json(location_json(removed))
        return
    console.print(f"location [bold]{removed.code}[/] removed")
