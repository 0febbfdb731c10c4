"""`/api/nodes`: the places checks run from, from the location registry, keyed by location
code (`{"fra": {ip, ip6, city, country, country_code, lat, lng}}`), and their addresses
for firewall allow-lists: `/ips` (IPv4 then IPv6), `/ipv4`, `/ipv6`. The server's own
location is among them, and it is where webhooks leave from, so the lists hold the webhook
senders too (001's "monitoring & webhooks"). Any valid key reads them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.updown.auth import Anyone
from watchwire.api.envelope import JsonResponse
from watchwire.services.locations import Location

router = APIRouter(tags=["nodes"])


def node(location: Location) -> dict[str, Any]:
    return {
        "ip": location.ipv4,
        "ip6": location.ipv6,
        "city": location.city or None,
        "country": location.country or None,
        "country_code": location.country_code or None,
        "lat": location.latitude,
        "lng": location.longitude,
    }


async def _locations(request: Request) -> list[Location]:
    return await runtime_of(request).locations.list()


@router.get("/api/nodes")
async def nodes(request: Request, principal: Anyone) -> JsonResponse:
    return JsonResponse({loc.code: node(loc) for loc in await _locations(request)})


@router.get("/api/nodes/ips")
async def ips(request: Request, principal: Anyone) -> JsonResponse:
    found = await _locations(request)
    return JsonResponse([loc.ipv4 for loc in found if loc.ipv4] + _v6(found))


@router.get("/api/nodes/ipv4")
async def ipv4(request: Request, principal: Anyone) -> JsonResponse:
    return JsonResponse([loc.ipv4 for loc in await _locations(request) if loc.ipv4])


def _v6(found: list[Location]) -> list[str]:
    return [loc.ipv6 for loc in found if loc.ipv6]


@router.get("/api/nodes/ipv6")
async def ipv6(request: Request, principal: Anyone) -> JsonResponse:
    return JsonResponse(_v6(await _locations(request)))
