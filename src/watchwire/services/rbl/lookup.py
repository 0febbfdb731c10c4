"""Asking the lists about one host: the rbl probe over the operator's resolver, with each
list's RFC 5782 self-test run once per list every HEALTH_TTL seconds rather than per host, so
a wildcarding list's "listed" and a dead list's "not listed" are not trusted."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from watchwire.engine.evaluate_rbl import Answer, Evaluation
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl import rbl
from watchwire.services.rbl.model import LOOKUP_TIMEOUT, Source, detail_entry, probe_options

HEALTH_TTL = 900.0
MAX_CACHED = 10_000


@dataclass(frozen=True, slots=True)
class Lookup:
    """One host's answers: every list's detail entry, and the verdicts for the evaluator."""

    entries: list[dict[str, Any]]
    answers: list[Answer]

    def summary(self, evaluation: Evaluation | None = None) -> dict[str, Any]:
        listed = (
            list(evaluation.listings.values())
            if evaluation is not None
            else [e for e in self.entries if e["listed"]]
        )
        return {
            "listed": bool(listed),
            "listed_count": len(listed),
            "checked_count": sum(e["status"] in ("listed", "not_listed") for e in self.entries),
            "total_count": len(self.entries),
            "listed_details": listed,
            "details": self.entries,
        }


def _trusted(result: rbl.ListResult, health: rbl.ListHealth | None) -> rbl.ListResult:
    if health is None:
        return result
    if health.status == "wildcard" and result.status == "listed":
        return result.model_copy(
            update={"status": "error", "note": f"not trusted: {health.detail}"}
        )
    if health.status == "dead" and result.status == "not_listed":
        return result.model_copy(
            update={"status": "unknown", "note": f"not trusted: {health.detail}"}
        )
    return result


class ListLookup:
    """The lookups of one process, with the self-test verdicts it keeps between checks."""

    def __init__(self, probe_ctx: ProbeContext) -> None:
        self.probe_ctx = probe_ctx
        self._health: dict[tuple[Any, str], tuple[float, rbl.ListHealth]] = {}

    async def _list_health(self, sources: list[Source]) -> dict[str, rbl.ListHealth]:
        """The self-test of each source (by SID), from the cache when it is fresh. Keyed by
        resolver too: a list may answer one resolver and refuse another."""
        ctx = self.probe_ctx
        clock = time.monotonic()
        stale = [s for s in sources if self._health.get((ctx.resolver, s.sid), (0.0,))[0] <= clock]
        if stale:
            if len(self._health) > MAX_CACHED:
                self._health.clear()
            options = rbl.Options(timeout=LOOKUP_TIMEOUT)
            found = await rbl.check_list_health([s.probe_source() for s in stale], options, ctx)
            for source in stale:
                health = found[source.probe_source().id]
                self._health[(ctx.resolver, source.sid)] = (clock + HEALTH_TTL, health)
        return {s.sid: self._health[(ctx.resolver, s.sid)][1] for s in sources}

    async def lookup(self, value: str, target_type: str, sources: list[Source]) -> Lookup:
        """Ask every list of `sources` that can answer for this host. Raises ProbeError when
        the check cannot run (no resolver)."""
        options, by_zone = probe_options(sources, target_type)
        if not by_zone:
            return Lookup([], [])
        health = await self._list_health(list(by_zone.values()))
        result = (await rbl.check_hosts([value], options, self.probe_ctx))[0]
        entries: list[dict[str, Any]] = []
        answers: list[Answer] = []
        for answer in result.lists:
            source = by_zone[answer.zone]
            trusted = _trusted(answer, health.get(source.sid))
            entry = detail_entry(source, trusted)
            entries.append(entry)
            answers.append(Answer(source.sid, trusted.status, entry))
        return Lookup(entries, answers)
