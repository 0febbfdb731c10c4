"""Monitor kinds, in the style of blackbox_exporter's prober map: one module per kind, each
with one `MonitorKind` entry (its probe, how a result reads, its time limit and lease
factor), and this registry, the only place that lists them.

Adding a kind is a module here with its `KIND` and one line below; the service validates
monitors against `KINDS` and the engine runs them through it.
"""

from __future__ import annotations

from watchwire.engine.kinds import api, dns, headers, heartbeat, http, ping, ssl, tcp, tcps, udp
from watchwire.engine.kinds.base import MonitorKind

KINDS: dict[str, MonitorKind] = {
    kind.name: kind
    for kind in (
        http.KIND,
        headers.KIND,
        tcp.KIND,
        ping.KIND,
        dns.KIND,
        tcps.KIND,
        ssl.KIND,
        udp.KIND,
        api.KIND,
        heartbeat.KIND,
    )
}


def get_kind(name: str) -> MonitorKind:
    """The entry of a monitor kind; KeyError for a kind that does not exist."""
    return KINDS[name]
