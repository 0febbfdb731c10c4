"""One-off tools: run a probe now, with the server's target policy and resolver.

The tool names are the public ones (000's scopes: check, dns, ssl, ip, ping; 003's rbl); each
maps to one probe kind. This table is the one place that says which scope a tool needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydantic

from watchwire.errors import ProbeError, ValidationError
from watchwire.probes import get_probe, target_check
from watchwire.probes.base import ProbeContext, ProbeResult
from watchwire.text import refuse_control_characters


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    probe_kind: str
    scope: str
    summary: str
    # Options naming files on the server: fine on the command line, refused over the API.
    local_only: frozenset[str] = frozenset()


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("http", "http", "check", "HTTP request with redirects, keyword match and timings"),
        Tool("headers", "headers", "check", "HTTP header check with a 0-100 health score"),
        Tool("port", "tcp", "ping", "TCP ports: open, refused or filtered, with banners"),
        Tool("ping", "icmp", "ping", "ICMP echo: round-trip times and loss"),
        Tool("traceroute", "traceroute", "ping", "The route to a host, hop by hop"),
        Tool(
            "dns",
            "dns",
            "dns",
            "DNS lookup of any record type, with DNSSEC validation",
            frozenset({"trust_anchor"}),
        ),
        Tool("ip", "geo", "ip", "IP geolocation and ASN from local data"),
        Tool(
            "ssl",
            "tls",
            "ssl",
            "TLS certificate chain and findings, over 15 protocols",
            frozenset({"ca_file"}),
        ),
        Tool("rbl", "rbl", "rbl", "An IP or domain against DNS blocklists"),
    )
}


def parse_options(tool: Tool, raw: dict[str, Any], *, remote: bool = True) -> Any:
    """Validate a tool's options once, at the face; ValidationError names field and rule.
    `remote` callers (the API) may not name files on the server."""
    for name in sorted(tool.local_only & raw.keys() if remote else set()):
        raise ValidationError.field(
            name,
            "local_only",
            f"{name} names a file on the server and is not accepted over the API",
        )
    _, options_model = get_probe(tool.probe_kind)
    try:
        return options_model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc.errors()) from None


def checked_target(probe_kind: str, target: str) -> str:
    """The target by its kind's syntax rule; ValidationError naming `target` otherwise."""
    try:
        return target_check(probe_kind)(target)
    except ValueError as exc:
        raise ValidationError.field("target", "format", str(exc)) from None


# What a probe that could not run says of its target, by its error code.
_PROBE_RULES = {"dns_error": "resolves", "target_not_allowed": "allowed"}
TARGET_RULES = ("format", "resolves", "allowed", "runnable")
"""Every rule a tool's 400 can name of `target` beyond its schema (api/native/tools.py)."""


async def run_tool(tool: Tool, target: str, options: Any, ctx: ProbeContext) -> ProbeResult:
    """Run the tool's probe and return its result."""
    if not target:
        raise ValidationError.field("target", "required", "target must not be empty")
    if not target.strip():
        raise ValidationError.field("target", "format", "target must not be blank")
    refuse_control_characters(target, "target")
    target = checked_target(tool.probe_kind, target)
    probe, _ = get_probe(tool.probe_kind)
    try:
        result: ProbeResult = await probe(target.strip(), options, ctx)
    except ProbeError as exc:
        # The probe could not run against this target: say so of `target`, like any rule.
        if exc.details is None:
            rule = _PROBE_RULES.get(exc.code, "runnable")
            exc.details = [{"field": "target", "rule": rule, "message": exc.message}]
        raise
    return result
