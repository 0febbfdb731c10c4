"""The blocklist service: sources, profiles, hosts and manual checks, for every face, over one
checker (checker.py) whose jobs the engine runs. Each part lives in its own module; this one
puts them together with what they share.

Every call is scoped to an account: another account's row is "not found".
"""

from __future__ import annotations

from watchwire.clock import Clock
from watchwire.probes.base import ProbeContext
from watchwire.services.rbl.checker import RblChecker, RblCheckJob, RblHostJob
from watchwire.services.rbl.checks import RblChecks
from watchwire.services.rbl.hosts import RblHosts
from watchwire.services.rbl.profiles import RblProfiles
from watchwire.services.rbl.sources import RblSources
from watchwire.store.database import Database


class RblService(RblSources, RblProfiles, RblHosts, RblChecks):
    def __init__(
        self, db: Database, clock: Clock, probe_ctx: ProbeContext, *, allow_http: bool = False
    ) -> None:
        self.db = db
        self.clock = clock
        self.probe_ctx = probe_ctx
        # Callback URLs may be plain http when the operator allows it for webhooks.
        self.allow_http = allow_http
        # One per runtime: the caches of the checks live as long as it does.
        self.checker = RblChecker(db, clock, probe_ctx)
        # The scheduled work, registered with the engine at assembly (background.py).
        self.host_job = RblHostJob(self.checker)
        self.check_job = RblCheckJob(self.checker)
