"""The rbl probe: is an IP address or a domain listed on DNS blocklists?

Each list is asked the RFC 5782 way (reversed IPv4 octets, IPv6 nibbles or the domain, then
the zone) through one resolver the operator controls. Per list the answer becomes a status:

    listed       an A record in 127.0.0.0/8 that is a listing (of `custom_codes`, when given)
    not_listed   NXDOMAIN or no A record, or only codes outside `custom_codes`
    blocked      the list refused the query: a documented refusal code (Spamhaus
                 127.255.255.254 for public resolvers, URIBL/SURBL 127.0.0.1, …) or an answer
                 outside 127.0.0.0/8; never a listing
    error        SERVFAIL, REFUSED or another DNS failure; or a list that cannot answer for
                 this kind of target
    unknown      no answer in time; never taken for "not listed"

With `check_health` each list is also asked its RFC 5782 test points once per call, so a dead
list (its test entry is not listed) or a wildcarding one (it lists 127.0.0.1 / INVALID) is
flagged and its answers are not trusted. `check_hosts` checks many hosts in one call over one
c-ares channel with bounded concurrency; `probe` is the one-host form every probe shares.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from watchwire.errors import ProbeError
from watchwire.hostport import host_name_problem, parse_hostport
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult
from watchwire.probes.rbl._answers import (
    Status,
    Verdict,
    judge,
    query_a,
    query_txt,
    self_test_calls,
)
from watchwire.probes.rbl._channel import bounded, open_resolver, resolver_server
from watchwire.probes.rbl._plan import sources_for
from watchwire.probes.rbl._resolver import LoopResolver
from watchwire.probes.rbl.catalog import Purpose, RblSource, SourceType
from watchwire.probes.rbl.query import (
    Target,
    expand_hosts,
    normalise_domain,
    parse_target,
    query_name,
)

__all__ = [
    "ListHealth",
    "ListResult",
    "Options",
    "Result",
    "check_hosts",
    "check_list_health",
    "expand_hosts",
    "probe",
]

HealthStatus = Literal["ok", "dead", "wildcard", "refused", "unreachable"]


class Options(ProbeOptions):
    """What to ask and how. `lists` are zones; empty means the active built-in catalogue."""

    lists: list[str] = []
    # Per zone: the return codes that count as a listing (003's custom sources).
    custom_codes: dict[str, list[str]] = {}
    # HOST:PORT of the resolver for this call; else WATCHWIRE_RESOLVER.
    resolver: str | None = None
    timeout: float = Field(default=4.0, gt=0, le=60)
    concurrency: int = Field(default=100, ge=1, le=2000)
    fetch_reasons: bool = True
    check_health: bool = True

    @field_validator("lists")
    @classmethod
    def _check_lists(cls, zones: list[str]) -> list[str]:
        return list(dict.fromkeys(normalise_domain(zone) for zone in zones))

    @field_validator("custom_codes")
    @classmethod
    def _check_custom_codes(cls, codes: dict[str, list[str]]) -> dict[str, list[str]]:
        checked: dict[str, list[str]] = {}
        for zone, values in codes.items():
            addresses = [ipaddress.IPv4Address(value.strip()) for value in values]
            if not addresses or any(not a.is_loopback for a in addresses):
                raise ValueError(f"custom codes for {zone} must be 127.0.0.0/8 addresses")
            checked[normalise_domain(zone)] = [str(a) for a in addresses]
        return checked

    @field_validator("resolver")
    @classmethod
    def _check_resolver(cls, value: str | None) -> str | None:
        if value:
            parse_hostport(value, 53)
        return value or None


class ListHealth(BaseModel):
    """The RFC 5782 self-test of one list."""

    status: HealthStatus
    detail: str | None = None


class ListResult(BaseModel):
    """The answer of one list about one target."""

    id: str
    zone: str
    name: str
    type: SourceType
    purpose: Purpose = "block"
    custom: bool = False
    status: Status
    query: str | None = None
    return_codes: list[str] = Field(default_factory=list)
    meanings: list[str] = Field(default_factory=list)
    reason: str | None = None  # the list's TXT record
    note: str | None = None  # why it is blocked, error, unknown, or what was ignored
    lookup_ms: float = 0.0
    website: str | None = None
    delisting_url: str | None = None
    health: ListHealth | None = None


class Result(ProbeResult):
    kind: Literal["rbl"] = "rbl"
    target_type: SourceType
    resolver: str
    listed: int = 0  # blocklists that list the target
    total: int = 0  # blocklists asked
    allowlisted: int = 0  # allowlists (DNSWL) that vouch for it
    lists: list[ListResult] = Field(default_factory=list)


def check_target(target: str) -> str:
    """One host: an IPv4 or IPv6 address or a domain name (subnets are the CLI's)."""
    problem = host_name_problem(target)
    if problem:
        raise ValueError(problem)
    parse_target(target)
    return target.strip()


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Check one IP address or domain against the lists of `options`.

    Raises ProbeError when the target is not a host (subnets go through `expand_hosts` and
    `check_hosts`) or when no resolver is configured; a list that answers badly is a status
    in the result, never an exception."""
    return (await check_hosts([target], options, ctx))[0]


async def check_hosts(targets: Sequence[str], options: Options, ctx: ProbeContext) -> list[Result]:
    """Check many hosts at once over one resolver channel, at most `options.concurrency`
    lookups in flight; results in the order of `targets`."""
    parsed: list[Target] = []
    for text in targets:
        try:
            parsed.append(parse_target(text))
        except ValueError as exc:
            raise ProbeError(str(exc), code="invalid_target") from exc
    server = await resolver_server(options.resolver, ctx)
    # The plan depends only on the kind of target: build it once per kind, not per host.
    plan_by_type = {
        kind: sources_for(kind, options.lists, options.custom_codes)
        for kind in {t.type for t in parsed}
    }
    plans = [plan_by_type[target.type] for target in parsed]
    # Each list's self-test runs once per call, alongside the lookups it vouches for.
    usable = (
        {s.id: s for plan in plans for s, mismatch in plan if mismatch is None}
        if options.check_health
        else {}
    )
    started = time.perf_counter()
    with open_resolver(server, options.timeout) as resolver:
        health_calls = self_test_calls(resolver, list(usable.values()), options.timeout)
        lookup_calls = [
            functools.partial(_check_one, resolver, target, source, mismatch, options)
            for target, plan in zip(parsed, plans, strict=True)
            for source, mismatch in plan
        ]
        answers = await bounded([*health_calls, *lookup_calls], options.concurrency)
    elapsed = (time.perf_counter() - started) * 1000
    health = _health_by_source(list(usable.values()), answers[: len(health_calls)])
    lookups: list[ListResult] = answers[len(health_calls) :]
    results: list[Result] = []
    position = 0
    for target, plan in zip(parsed, plans, strict=True):
        lists = lookups[position : position + len(plan)]
        if health:
            lists = [_with_health(r, health.get(r.id)) for r in lists]
        position += len(plan)
        results.append(_summarise(target, server, lists, elapsed))
    return results


async def check_list_health(
    sources: Sequence[RblSource], options: Options, ctx: ProbeContext
) -> dict[str, ListHealth]:
    """The RFC 5782 self-test of each source (by source id): its test entry must be listed
    and its never-listed entry must not be."""
    server = await resolver_server(options.resolver, ctx)
    with open_resolver(server, options.timeout) as resolver:
        calls = self_test_calls(resolver, sources, options.timeout)
        verdicts = await bounded(calls, options.concurrency)
    return _health_by_source(sources, verdicts)


async def _check_one(
    resolver: LoopResolver,
    target: Target,
    source: RblSource,
    mismatch: str | None,
    options: Options,
) -> ListResult:
    if mismatch is not None:
        return _list_result(source, Verdict("error", (), mismatch), None, None, 0.0)
    name = query_name(target, source.zone)
    reason = None
    started = time.perf_counter()
    codes, errno = await query_a(resolver, name)
    lookup_ms = (time.perf_counter() - started) * 1000
    verdict = judge(source, codes, errno, options.timeout)
    if verdict.status == "listed" and options.fetch_reasons:
        reason = await query_txt(resolver, name)
    return _list_result(source, verdict, name, reason, lookup_ms)


def _list_result(
    source: RblSource, verdict: Verdict, name: str | None, reason: str | None, ms: float
) -> ListResult:
    meanings: list[str] = []
    undocumented: list[str] = []
    if verdict.status == "listed":
        for code in verdict.codes:
            meaning = source.meaning(code)
            if meaning:
                meanings.append(meaning)
            else:
                undocumented.append(code)
    note = verdict.note
    if undocumented and (source.codes or source.decode == "dnswl"):
        extra = f"undocumented return code {', '.join(undocumented)}"
        note = f"{note}; {extra}" if note else extra
    return ListResult(
        id=source.id,
        zone=source.zone,
        name=source.name,
        type=source.type,
        purpose=source.purpose,
        custom=source.custom,
        status=verdict.status,
        query=name,
        return_codes=list(verdict.codes),
        meanings=meanings,
        reason=reason,
        note=note,
        lookup_ms=round(ms, 3),
        website=source.website,
        delisting_url=source.delisting_url,
    )


def _health_by_source(
    sources: Sequence[RblSource], verdicts: Sequence[Verdict]
) -> dict[str, ListHealth]:
    """Each source's self-test, from the answers to `self_test_calls(…, sources, …)`."""
    return {
        source.id: _health_of(source, verdicts[2 * i], verdicts[2 * i + 1])
        for i, source in enumerate(sources)
    }


def _health_of(source: RblSource, positive: Verdict, negative: Verdict) -> ListHealth:
    """The self-test's verdict from the answers for the listed and the unlisted test point."""
    points = source.test_points
    for verdict in (positive, negative):
        if verdict.status in ("unknown", "error"):
            return ListHealth(status="unreachable", detail=verdict.note)
    if positive.status == "blocked":
        return ListHealth(status="refused", detail=positive.note)
    if negative.status in ("listed", "blocked"):
        return ListHealth(
            status="wildcard",
            detail=f"it answers for {points.unlisted}, which RFC 5782 says is never listed: "
            "the list answers for everything and cannot be trusted",
        )
    if positive.status != "listed":
        return ListHealth(
            status="dead",
            detail=f"its test entry {points.listed} is not listed: the list is gone, empty, "
            "or ignores this resolver",
        )
    return ListHealth(status="ok")


def _with_health(result: ListResult, health: ListHealth | None) -> ListResult:
    """Attach the list's self-test; answers of a failed list are not trusted."""
    if health is None:
        return result
    update: dict[str, Any] = {"health": health}
    if health.status == "wildcard" and result.status == "listed":
        update |= {"status": "error", "note": f"not trusted: {health.detail}"}
    elif health.status == "dead" and result.status == "not_listed":
        update |= {"status": "unknown", "note": f"not trusted: {health.detail}"}
    return result.model_copy(update=update)


def _summarise(target: Target, server: str, lists: list[ListResult], elapsed: float) -> Result:
    blocklists = [r for r in lists if r.purpose == "block"]
    listed = [r for r in blocklists if r.status == "listed"]
    allowlisted = [r for r in lists if r.purpose == "allow" and r.status == "listed"]
    answered = [r for r in lists if r.status in ("listed", "not_listed")]
    findings = [f for r in lists for f in _findings(target, r)]
    if listed:
        outcome: Literal["up", "down", "error"] = "down"
        zones = ", ".join(r.zone for r in listed)
        reason: str | None = f"listed on {len(listed)} of {len(blocklists)} blocklists: {zones}"
    elif not answered:
        outcome = "error"
        first = next((r.note for r in lists if r.note), None)
        reason = "no blocklist gave a usable answer" + (f": {first}" if first else "")
    else:
        outcome, reason = "up", None
    return Result(
        target=target.value,
        target_type=target.type,
        resolver=server,
        outcome=outcome,
        reason=reason,
        duration_ms=round(elapsed, 3),
        findings=findings,
        listed=len(listed),
        total=len(blocklists),
        allowlisted=len(allowlisted),
        lists=lists,
    )


def _findings(target: Target, r: ListResult) -> list[Finding]:
    found: list[Finding] = []
    if r.status == "listed" and r.purpose == "allow":
        found.append(
            Finding(code="rbl_allowlisted", severity="info", message=f"{r.name} vouches for it")
        )
    elif r.status == "listed":
        why = "; ".join(r.meanings) or r.reason or ", ".join(r.return_codes)
        found.append(
            Finding(
                code="rbl_listed",
                severity="error",
                message=f"{target.value} is listed on {r.name} ({why})",
                details=_details(r),
            )
        )
    elif r.status in ("blocked", "error", "unknown"):
        code = {"blocked": "rbl_query_refused", "error": "rbl_lookup_error"}.get(
            r.status, "rbl_no_answer"
        )
        found.append(Finding(code=code, message=f"{r.name}: {r.note}", details=_details(r)))
    if r.health is not None and r.health.status != "ok":
        found.append(
            Finding(
                code="rbl_list_unhealthy",
                message=f"{r.name} failed its RFC 5782 self-test ({r.health.status}): "
                f"{r.health.detail}",
                details={"zone": r.zone, "health": r.health.status},
            )
        )
    return found


def _details(r: ListResult) -> dict[str, Any]:
    # Built only for a finding: most lists of a sweep have none.
    return {"zone": r.zone, "return_codes": r.return_codes, "delisting_url": r.delisting_url}
