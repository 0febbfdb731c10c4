"""The rdap probe: a domain's registration — expiry date, registrar, statuses — from its
registry's RDAP service (RFC 9083), found through the IANA bootstrap data (RFC 9224).

The bootstrap file ships in the package (`watchwire/data/rdap/dns.json`); `watchwire rdap
update --from FILE` installs a newer one at the `rdap_bootstrap_file` setting, which wins
when present. A TLD the bootstrap data does not list has no RDAP service: the result says
`unknown`, plainly, instead of guessing from WHOIS.

The expiry is the `eventDate` of the `expiration` event in the domain object's `events`.
Requests go out with aiohttp under the target policy (names through the policy resolver,
literal addresses and every redirect hop checked before connecting).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from pydantic import Field

from watchwire.errors import ProbeError
from watchwire.hostport import host_name_problem
from watchwire.probes.base import ProbeContext, ProbeOptions, ProbeResult
from watchwire.target_policy.http import PolicyResolver, check_literal_host

MAX_REDIRECTS = 3
MAX_BODY = 2 * 1024 * 1024
ACCEPT = "application/rdap+json, application/json;q=0.9"


class Options(ProbeOptions):
    timeout: float = Field(default=10.0, gt=0, le=60)
    bootstrap_file: Path | None = Field(
        default=None, description="RFC 9224 dns.json to use instead of the shipped one"
    )


class Result(ProbeResult):
    kind: str = "rdap"
    domain: str
    # registered | expired | not_found | unknown (no RDAP, or no expiry published) | error
    status: Literal["registered", "expired", "not_found", "unknown", "error"]
    rdap_server: str | None = None
    expires_at: str | None = None
    days_left: int | None = None
    registered_at: str | None = None
    last_changed_at: str | None = None
    registrar: str | None = None
    statuses: list[str] = []
    nameservers: list[str] = []


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """RFC 9224 DNS bootstrap data: label suffix → base URLs."""

    publication: str
    services: dict[str, tuple[str, ...]]

    @classmethod
    def parse(cls, data: Any) -> Bootstrap:
        """Read a dns.json document; ValueError naming what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("services"), list):
            raise ValueError("not an RDAP bootstrap file: no 'services' list")
        services: dict[str, tuple[str, ...]] = {}
        for index, entry in enumerate(data["services"]):
            if (
                not isinstance(entry, list)
                or len(entry) != 2
                or not all(isinstance(part, list) for part in entry)
            ):
                raise ValueError(f"services[{index}] is not [[labels…], [urls…]]")
            urls = tuple(str(u) for u in entry[1] if str(u).startswith(("https://", "http://")))
            if not urls:
                raise ValueError(f"services[{index}] has no http(s) URL")
            for label in entry[0]:
                services[str(label).lower().strip(".")] = urls
        return cls(publication=str(data.get("publication", "")), services=services)

    def servers_for(self, domain: str) -> tuple[str, ...]:
        """Base URLs for `domain`: the longest matching label suffix (RFC 9224 §4)."""
        labels = domain.lower().strip(".").split(".")
        for start in range(len(labels)):
            urls = self.services.get(".".join(labels[start:]))
            if urls:
                # RFC 9224 §3: prefer https when a service lists both.
                return tuple(sorted(urls, key=lambda u: not u.startswith("https://")))
        return ()


SHIPPED = "data/rdap/dns.json"


def load_bootstrap(path: Path | None = None) -> Bootstrap:
    """The bootstrap data from `path` when it exists, else the shipped file."""
    if path is not None and path.exists():
        return _load_file(str(path), path.stat().st_mtime)
    return _shipped()


@lru_cache(maxsize=8)
def _load_file(path: str, _mtime: float) -> Bootstrap:
    return Bootstrap.parse(json.loads(Path(path).read_text()))


@lru_cache(maxsize=1)
def _shipped() -> Bootstrap:
    text = resources.files("watchwire").joinpath(SHIPPED).read_text("utf-8")
    return Bootstrap.parse(json.loads(text))


def shipped_path() -> Path:
    return Path(str(resources.files("watchwire").joinpath(SHIPPED)))


def normalise_domain(target: str) -> str:
    """The A-label form of a domain name; ProbeError when it is not one."""
    name = target.strip().rstrip(".").lower()
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ProbeError(
            f"{target!r} is not a domain name: {exc}", code="invalid_parameter"
        ) from exc
    if "." not in ascii_name or any(not part for part in ascii_name.split(".")):
        raise ProbeError(f"{target!r} is not a domain name", code="invalid_parameter")
    return ascii_name


def check_target(target: str) -> str:
    """A registered domain name (at least two labels)."""
    problem = host_name_problem(target)
    if problem:
        raise ValueError(problem)
    try:
        normalise_domain(target)
    except ProbeError as exc:
        raise ValueError(exc.message) from None
    return target.strip()


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def event_date(document: dict[str, Any], action: str) -> datetime | None:
    """The date of the first event with `eventAction` == action (RFC 9083 §4.5)."""
    for event in document.get("events") or []:
        if isinstance(event, dict) and str(event.get("eventAction", "")).lower() == action:
            return _date(event.get("eventDate"))
    return None


def registrar_name(document: dict[str, Any]) -> str | None:
    """The `fn` of the entity with the role "registrar" (its vCard), else its handle."""
    for entity in document.get("entities") or []:
        if not isinstance(entity, dict) or "registrar" not in (entity.get("roles") or []):
            continue
        card = entity.get("vcardArray")
        if isinstance(card, list) and len(card) == 2 and isinstance(card[1], list):
            for item in card[1]:
                if isinstance(item, list) and len(item) >= 4 and item[0] == "fn":
                    return str(item[3])
        handle = entity.get("handle")
        return str(handle) if handle else None
    return None


def read_domain(result: Result, document: dict[str, Any], now: datetime) -> None:
    """Fill `result` from an RDAP domain object."""
    expires = event_date(document, "expiration")
    result.expires_at = _iso(expires)
    result.registered_at = _iso(event_date(document, "registration"))
    result.last_changed_at = _iso(event_date(document, "last changed"))
    result.registrar = registrar_name(document)
    result.statuses = [str(s) for s in document.get("status") or []]
    result.nameservers = sorted(
        str(ns.get("ldhName", "")).lower().rstrip(".")
        for ns in document.get("nameservers") or []
        if isinstance(ns, dict) and ns.get("ldhName")
    )
    if expires is None:
        result.status, result.outcome = "unknown", "error"
        result.reason = "the registry publishes no expiration date for this domain"
        return
    result.days_left = (expires - now).days
    if expires <= now:
        result.status, result.outcome = "expired", "down"
        result.reason = f"the registration expired on {result.expires_at}"
    else:
        result.status, result.outcome = "registered", "up"


async def _fetch(
    session: aiohttp.ClientSession, url: str, ctx: ProbeContext
) -> tuple[int, Any, str]:
    """(status, parsed JSON or None, final URL), following up to MAX_REDIRECTS hops, each
    checked against the target policy before connecting."""
    for _ in range(MAX_REDIRECTS + 1):
        host = urlsplit(url).hostname or ""
        check_literal_host(host, ctx.policy)
        async with session.get(url, allow_redirects=False, headers={"Accept": ACCEPT}) as reply:
            if reply.status in (301, 302, 303, 307, 308) and "Location" in reply.headers:
                url = urljoin(url, reply.headers["Location"])
                continue
            body = await reply.content.read(MAX_BODY)
            try:
                document = json.loads(body) if body else None
            except ValueError:
                document = None
            return reply.status, document, url
    raise ProbeError(f"more than {MAX_REDIRECTS} redirects", code="rdap_error")


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    started = time.perf_counter()
    domain = normalise_domain(target)
    result = Result(target=target, domain=domain, outcome="error", status="unknown")
    servers = load_bootstrap(options.bootstrap_file).servers_for(domain)
    if not servers:
        tld = domain.rsplit(".", 1)[-1]
        result.reason = f"the registry of .{tld} has no RDAP service (IANA bootstrap data)"
        return result
    base = servers[0] if servers[0].endswith("/") else servers[0] + "/"
    url = urljoin(base, f"domain/{domain}")
    result.rdap_server = base
    connector = aiohttp.TCPConnector(resolver=PolicyResolver(ctx.policy), force_close=True)
    try:
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=options.timeout)
        ) as session:
            status, document, _ = await _fetch(session, url, ctx)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        result.status = "error"
        result.reason = f"RDAP server {base} did not answer: {exc or type(exc).__name__}"
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result
    result.duration_ms = (time.perf_counter() - started) * 1000
    if status == 404:
        result.status, result.outcome = "not_found", "down"
        result.reason = f"{domain} is not registered (RDAP 404)"
    elif status != 200 or not isinstance(document, dict):
        result.status = "error"
        result.reason = f"RDAP server {base} answered HTTP {status}" + (
            "" if isinstance(document, dict) or status != 200 else " without an RDAP document"
        )
    else:
        read_domain(result, document, ctx.clock.now())
    return result
