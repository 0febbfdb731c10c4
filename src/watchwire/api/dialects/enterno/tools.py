"""000's one-off tools at `/api/v3/<tool>.php`, and the same under `/api/v4/` ("Use v3 —
identical in v4"), each over the tool of services/tools.py that its scope names:

    check.php   url, method, follow, timeout         → headers (status, headers, timings,
                                                        the 0-100 health score and grade)
    dns.php     domain, type, dnssec, server, validation  → dns
    ssl.php     host, port, protocol                  → ssl (chain details and findings)
    ip.php      ip or host, reverse_dns               → ip (geolocation, ASN, reverse DNS)
    ping.php    host, type=ping|port|traceroute, count, port, max_hops  → ping, port or
                                                        traceroute

Parameters come from the query or the body (GET or POST). A probe option's rule broken is
a 400 naming 000's parameter, not the probe's option (`follow`, not `follow_redirects`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.enterno import render
from watchwire.api.dialects.enterno.auth import admit, fields_of
from watchwire.api.dialects.enterno.envelope import V3, V4, Envelope, renamed, success
from watchwire.api.dialects.kit.fields import Fields, invalid
from watchwire.errors import ProbeError, ValidationError
from watchwire.services.tools import TOOLS, parse_options, run_tool

router = APIRouter(tags=["tools"])

_TARGET = 2048
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PING_TYPES = ("ping", "port", "traceroute")


@dataclass(frozen=True, slots=True)
class Call:
    """One tool run as a page's parameters ask for it; `names` maps the tool's fields back
    to the page's parameters for the errors."""

    tool: str
    target: str
    options: dict[str, Any]
    names: dict[str, str]
    # The code of a target that is not of the tool's form (check.php: GAPS.md's invalid_url).
    bad_target: str | None = None


def _present(**options: Any) -> dict[str, Any]:
    return {name: value for name, value in options.items() if value is not None}


def check_call(fields: Fields) -> Call:
    url = fields.text("url", max_length=_TARGET)
    if url is None:
        # GAPS.md: `{"error": {"code": "invalid_url", "message": "URL is required"}}`.
        raise ValidationError(
            "URL is required",
            code="invalid_url",
            details=[{"field": "url", "rule": "required", "message": "URL is required"}],
        )
    method = fields.text("method", max_length=16)
    if method is not None and method.upper() not in HTTP_METHODS:
        raise invalid("method", "enum", f"method must be one of {', '.join(HTTP_METHODS)}")
    options = _present(
        method=method.upper() if method else None,
        follow_redirects=fields.boolean("follow"),
        timeout=fields.optional_integer("timeout", minimum=1, maximum=60),
    )
    names = {"target": "url", "follow_redirects": "follow"}
    return Call("headers", url, options, names, bad_target="invalid_url")


def dns_call(fields: Fields) -> Call:
    domain = fields.text("domain", required=True, max_length=_TARGET) or ""
    kind = fields.text("type", max_length=16)
    options = _present(
        type=kind.upper() if kind else None,
        dnssec=fields.boolean("dnssec"),
        server=fields.text("server", max_length=300),
        validation=fields.text("validation", max_length=32),
    )
    return Call("dns", domain, options, {"target": "domain"})


def ssl_call(fields: Fields) -> Call:
    host = fields.text("host", required=True, max_length=_TARGET) or ""
    options = _present(
        port=fields.optional_integer("port", maximum=65535),
        protocol=fields.text("protocol", max_length=32),
    )
    return Call("ssl", host, options, {"target": "host"})


def ip_call(fields: Fields) -> Call:
    name = "ip" if fields.has("ip") else "host"
    target = fields.text(name, max_length=_TARGET)
    if target is None:
        raise invalid("ip", "required", "ip (or host) is required")
    options = _present(reverse_dns=fields.boolean("reverse_dns"))
    return Call("ip", target, options, {"target": name})


def ping_call(fields: Fields) -> Call:
    host = fields.text("host", required=True, max_length=_TARGET) or ""
    mode = fields.choice("type", PING_TYPES) or "ping"
    names = {"target": "host"}
    if mode == "port":
        port = fields.optional_integer("port", maximum=65535)
        if port is None:
            raise invalid("port", "required", "port is required for type=port")
        return Call("port", host, {"ports": [port]}, names)
    if mode == "traceroute":
        hops = fields.optional_integer("max_hops", maximum=64)
        return Call("traceroute", host, _present(max_hops=hops), names)
    count = fields.optional_integer("count", maximum=10)
    return Call("ping", host, _present(count=count), names)


# The scope of each page (000's scope table); the tools a page runs all need it.
SCOPES = {
    "check.php": "check",
    "dns.php": "dns",
    "ssl.php": "ssl",
    "ip.php": "ip",
    "ping.php": "ping",
}
PAGES: dict[str, Callable[[Fields], Call]] = {
    "check.php": check_call,
    "dns.php": dns_call,
    "ssl.php": ssl_call,
    "ip.php": ip_call,
    "ping.php": ping_call,
}
_RENDERERS = {"headers": render.check, "ping": render.ping}


def _named(exc: ProbeError | ValidationError, call: Call) -> None:
    """The error with the tool's field names replaced by the page's parameters."""
    details = exc.details if isinstance(exc.details, list) else []
    malformed = any(d.get("field") == "target" and d.get("rule") == "format" for d in details)
    if call.bad_target and isinstance(exc, ValidationError) and malformed:
        exc.code = call.bad_target
    renamed(exc, call.names)


def _endpoint(page: str) -> Callable[..., Any]:
    read, scope = PAGES[page], SCOPES[page]

    async def endpoint(request: Request) -> Envelope:
        await admit(request, scope, writes=False)
        call = read(await fields_of(request))
        tool = TOOLS[call.tool]
        try:
            options = parse_options(tool, call.options)
            result = await run_tool(tool, call.target, options, runtime_of(request).probe_ctx)
        except (ValidationError, ProbeError) as exc:
            _named(exc, call)
            raise
        shown = _RENDERERS.get(call.tool, render.tool)(result.to_json())
        return success(shown)

    endpoint.__name__ = page.replace(".", "_")
    return endpoint


for _page in PAGES:
    for _prefix in (V3, V4):
        router.add_api_route(f"{_prefix}/{_page}", _endpoint(_page), methods=["GET", "POST"])
