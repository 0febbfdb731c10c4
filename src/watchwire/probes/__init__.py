"""Probes: one module per kind, each exposing `Options`, `Result` and
`async def probe(target, options, ctx) -> Result`.

This registry is the one place that names the kinds; modules are imported on first use so a
CLI call loads only the probe it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

PROBE_MODULES: dict[str, str] = {
    "http": "watchwire.probes.http",
    "headers": "watchwire.probes.headers",
    "tcp": "watchwire.probes.tcp",
    "icmp": "watchwire.probes.icmp",
    "traceroute": "watchwire.probes.traceroute",
    "dns": "watchwire.probes.dns",
    "geo": "watchwire.probes.geo",
    "tls": "watchwire.probes.tls",
    "rbl": "watchwire.probes.rbl",
    "rdap": "watchwire.probes.rdap",
}

ProbeFunction = Callable[[str, Any, Any], Awaitable[Any]]


def probe_module(kind: str) -> ModuleType:
    """The module of a probe kind; KeyError for a kind that does not exist."""
    return importlib.import_module(PROBE_MODULES[kind])


def get_probe(kind: str) -> tuple[ProbeFunction, type[Any]]:
    """The probe function and its Options model for a kind."""
    module = probe_module(kind)
    return module.probe, module.Options
