"""`ssl` monitors, Enterno's `check_type=ssl`: a `tcps` monitor whose port defaults to 443
(the tcps probe's default), so the target may be a bare host name (docs/decisions/0022).
Same probe, options and reading as `tcps`."""

from __future__ import annotations

from watchwire.engine.kinds import tcps
from watchwire.engine.kinds.base import MonitorKind
from watchwire.engine.kinds.targets import HOST_OPTIONAL_PORT

KIND = MonitorKind(
    name="ssl",
    probe="tcps",
    interpret=tcps.interpret,
    target_form=HOST_OPTIONAL_PORT,
    watches_certificate=True,
)
