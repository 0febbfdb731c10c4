"""Probes: pure I/O functions, one module per kind, each exposing `Options`, `Result` and
`async def probe(target, options, ctx) -> Result`. They know nothing of accounts, monitors or
storage (they import neither store, services, engine nor api).

The kinds are grouped by family, one package each, and a kind's module is named after it:

    http/   http.py  headers.py  api.py         HTTP requests; the header health score;
                                                assertions on a response (JSON paths, headers)
    net/    tcp.py  udp.py  icmp.py             ports, a datagram and its reply, ping,
            traceroute.py                       the path to a host
    dns/    dns.py                              one question to one server, DNSSEC on request
    tls/    tls.py  tcps.py                     the certificate chain over any of 15 protocols;
                                                a TLS handshake with the certificate checked
    rbl/    rbl.py                              DNS blocklists
    rdap/   rdap.py                             domain registration data
    geo/    geo.py                              IP geolocation, offline

What every probe shares sits here: `base.py` (options and result bases, `ProbeContext`),
`_deadlines.py` (coalesced timeouts) and `_target.py` (host/port split, address family,
resolution through the target policy).

One rule for names: a leading underscore means private to where it is defined. An
`_module` is imported only by the modules of its own package (`probes/_target.py` by every
family, `probes/http/_transport.py` only by the http family); an `_name` is used only inside
its own module. Tests of that code are the one exception. A module without an underscore is
public: a kind, or a helper that other layers use (`rbl/catalog.py`, `rbl/query.py`,
`dns/transport.py`, `geo/data.py`, `tls/certificate.py`, `tls/starttls.py`).

This registry is the one place that names the kinds; modules are imported on first use so a
CLI call loads only the probe it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

PROBE_MODULES: dict[str, str] = {
    "http": "watchwire.probes.http.http",
    "headers": "watchwire.probes.http.headers",
    "api": "watchwire.probes.http.api",
    "tcp": "watchwire.probes.net.tcp",
    "udp": "watchwire.probes.net.udp",
    "icmp": "watchwire.probes.net.icmp",
    "traceroute": "watchwire.probes.net.traceroute",
    "dns": "watchwire.probes.dns.dns",
    "geo": "watchwire.probes.geo.geo",
    "tls": "watchwire.probes.tls.tls",
    "tcps": "watchwire.probes.tls.tcps",
    "rbl": "watchwire.probes.rbl.rbl",
    "rdap": "watchwire.probes.rdap.rdap",
}

ProbeFunction = Callable[[str, Any, Any], Awaitable[Any]]


def probe_module(kind: str) -> ModuleType:
    """The module of a probe kind; KeyError for a kind that does not exist."""
    return importlib.import_module(PROBE_MODULES[kind])


# The syntax rule of a kind's target (probes/targets.py): the target as the probe takes it,
# or ValueError saying what is wrong.
TargetCheck = Callable[[str], str]


def _any_target(target: str) -> str:
    return target.strip()


def target_check(kind: str) -> TargetCheck:
    """A kind's `check_target`, applied by the faces before the probe runs; a kind without
    one accepts any text (its probe reports what it cannot use)."""
    check: TargetCheck = getattr(probe_module(kind), "check_target", _any_target)
    return check


def get_probe(kind: str) -> tuple[ProbeFunction, type[Any]]:
    """The probe function and its Options model for a kind."""
    module = probe_module(kind)
    return module.probe, module.Options
