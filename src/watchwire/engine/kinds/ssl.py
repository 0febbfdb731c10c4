"""`ssl` monitors, Enterno's `check_type=ssl`: a `tcps` monitor whose port defaults to 443,
so the target may be a bare host name (docs/decisions/0022). Same probe, options and
reading as `tcps`."""

from __future__ import annotations

from typing import Any

from watchwire.engine.kinds import tcps
from watchwire.engine.kinds.base import MonitorKind, host_and_port

# The tcps probe's own default too; named here so that loading the registry does not load
# the TLS family.
DEFAULT_PORT = 443


def check_target(target: str, options: Any) -> str | None:
    return host_and_port(target, options, DEFAULT_PORT)


KIND = MonitorKind(name="ssl", probe="tcps", interpret=tcps.interpret, check_target=check_target)
