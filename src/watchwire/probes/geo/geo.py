"""IP geolocation probe (Enterno's `ip.php`): country, region, city, coordinates, autonomous
system and organisation of an address, or of every address a host name resolves to.

Offline only: nothing is sent to the address. The embedded data (DB-IP Lite country, ASN from
RouteViews, the RIRs and DB-IP; CC BY 4.0; see docs/probes/geo.md) gives country and ASN;
MaxMind-format databases named in the context's `geoip_mmdb` (WATCHWIRE_GEOIP_MMDB) add region, city and coordinates
and take precedence where they have a value. Private, loopback, link-local, CGNAT, multicast
and reserved addresses are labelled with their category and not looked up.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import socket
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from watchwire.errors import ProbeError
from watchwire.probes import targets
from watchwire.probes._target import SOCKET_FAMILY, Family, reverse_name
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult, ms_since
from watchwire.probes.geo import _mmdb
from watchwire.probes.geo.data import GeoData
from watchwire.target_policy import IPAddress, classify

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
EMBEDDED_DATA = DATA_DIR / "ipgeo.bin.xz"
COUNTRY_NAMES = DATA_DIR / "country_names.json"


class Options(ProbeOptions):
    reverse_dns: bool = True
    family: Family = "any"


class AddressInfo(BaseModel):
    ip: str
    version: int
    # public, private, loopback, link-local, cgnat, metadata, multicast, unspecified, reserved
    category: str
    reverse_name: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    asn: int | None = None
    organisation: str | None = None
    sources: list[str] = []  # which data answered: "embedded" and/or mmdb file names


class Result(ProbeResult):
    kind: Literal["geo"] = "geo"
    host: str = ""
    addresses: list[AddressInfo] = Field(default_factory=list)


def check_target(target: str) -> str:
    """An IP address or a host name (each address it resolves to is located)."""
    return targets.host(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    started = time.perf_counter()
    host = target.strip().strip("[]")
    addresses = await _addresses(host, options.family)
    # The first load takes about half a second: off the event loop.
    data = _loaded if _loaded is not None else await asyncio.to_thread(embedded_data)
    mmdb_paths = ctx.geoip_mmdb
    infos = [locate(address, data, mmdb_paths) for address in addresses]
    if options.reverse_dns:
        names = await asyncio.gather(*(reverse_name(info.ip) for info in infos))
        for info, name in zip(infos, names, strict=True):
            info.reverse_name = name
    findings = [
        Finding(
            code="no_geo_data",
            severity="info",
            message=f"no location data for {info.ip}",
            details={"ip": info.ip},
        )
        for info in infos
        if info.category == "public" and not info.sources
    ]
    return Result(
        target=target,
        outcome="up",
        host=host,
        addresses=infos,
        findings=findings,
        duration_ms=ms_since(started),
    )


def locate(address: IPAddress, data: GeoData, mmdb_paths: tuple[Path, ...] = ()) -> AddressInfo:
    """Everything the local data says about one address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    info = AddressInfo(ip=str(address), version=address.version, category=classify(address))
    if info.category != "public":
        return info  # labelled, not guessed: no registry places these anywhere
    fields: dict[str, Any] = {}
    country = data.country(address)
    if country:
        fields["country_code"] = country
    autonomous_system = data.asn(address)
    if autonomous_system:
        fields["asn"] = autonomous_system.number
        fields["organisation"] = autonomous_system.organisation
    if fields:
        info.sources.append("embedded")
    for path in mmdb_paths:
        found = _mmdb.lookup(path, str(address))
        if found:
            fields.update(found)
            info.sources.append(path.name)
    code = fields.get("country_code")
    if code and not fields.get("country_name"):
        fields["country_name"] = country_names().get(code)
    for name, value in fields.items():
        setattr(info, name, value)
    return info


async def _addresses(host: str, family: Family) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            host, None, family=SOCKET_FAMILY[family], type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise ProbeError(f"cannot resolve {host}: {exc.strerror}", code="dns_error") from exc
    except UnicodeError as exc:  # no IDNA form: not a name any resolver could look up
        raise ProbeError(f"{host!r} is not a valid host name", code="dns_error") from exc
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


_loaded: GeoData | None = None


def embedded_data() -> GeoData:
    """The shipped (or last `watchwire geo update`d) data, loaded once per process."""
    global _loaded
    if _loaded is None:
        try:
            _loaded = GeoData.load(EMBEDDED_DATA)
        except (OSError, ValueError) as exc:
            raise ProbeError(
                f"the embedded geo data {EMBEDDED_DATA} cannot be read ({exc}); reinstall "
                "watchwire or rebuild it with `watchwire geo update --from FILE`"
            ) from exc
    return _loaded


@functools.cache
def country_names() -> dict[str, str]:
    names: dict[str, str] = json.loads(COUNTRY_NAMES.read_text(encoding="utf-8"))
    return names
