"""The http probe: one request (GET, HEAD, POST, …) with redirects followed hop by hop.

Every hop gets a fresh connection whose address passes the target policy, and is timed on
that real connection (DNS lookup, TCP connect, TLS handshake, first byte, transfer), like
updown's and blackbox_exporter's HTTP checks. The probe follows redirects itself so each hop
is policy-checked and recorded; a loop or too many hops ends the probe with a clear outcome.
The body is read up to `max_body_bytes` for keyword and regex matching and no further.

A target that answers badly (wrong status, keyword missing, refused connection, timeout) is a
normal result with `outcome="down"`. A target refused by the target policy raises
`TargetNotAllowed`; a redirect to a refused address ends with `outcome="error"` and the chain.
"""

from __future__ import annotations

import asyncio
import functools
import re
import secrets
from dataclasses import dataclass
from typing import Annotated, Literal

import aiohttp
from pydantic import AfterValidator, Field, field_validator
from yarl import URL

from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes import targets
from watchwire.probes._deadlines import arm
from watchwire.probes.base import Finding, ProbeContext, ProbeModel, ProbeOptions, ProbeResult
from watchwire.probes.http._exchange import USER_AGENT, Exchange, HopRecord, Outcome
from watchwire.probes.http._match import decode_body, parse_status_spec, status_expected
from watchwire.probes.http._transport import close_sessions, session_for

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _checked_headers(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid header name")
        if "\r" in value or "\n" in value:
            raise ValueError(f"the value of {name} contains a line break")
    return headers


RequestHeaders = Annotated[
    dict[str, str],
    AfterValidator(_checked_headers),
    # The same rule, stated for the API description (names are RFC 9110 tokens).
    Field(
        json_schema_extra={
            "propertyNames": {"pattern": _HEADER_NAME.pattern},
            "additionalProperties": {"type": "string", "pattern": r"^[^\r\n]*$"},
        }
    ),
]
"""Request headers a user adds: token names, values without line breaks."""


class Options(ProbeOptions):
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    headers: RequestHeaders = {}
    body: str | None = None
    follow_redirects: bool = True
    max_redirects: int = Field(default=10, ge=0, le=30)
    # Each entry a code ("200"), a class ("2xx") or an inclusive range ("200-299").
    expected_status: list[str] = Field(default=["2xx", "3xx"], min_length=1)
    keyword: str | None = Field(default=None, min_length=1)
    regex: str | None = Field(default=None, min_length=1)
    # True: the keyword/regex must NOT appear (e.g. "error" on a healthy page).
    match_absent: bool = False
    timeout: float = Field(default=10.0, gt=0, le=120)
    ip_version: Literal[4, 6] | None = None
    verify_tls: bool = True
    # How much of the body is kept for matching; reading stops beyond it.
    max_body_bytes: int = Field(default=1_048_576, ge=0, le=67_108_864)
    # A random query parameter on every request, so caches between here and the origin
    # answer with the origin's answer (Enterno's `cache_bust`: `enterno_nocache=<random>`).
    cache_bust: bool = False

    @field_validator("expected_status")
    @classmethod
    def _check_status(cls, specs: list[str]) -> list[str]:
        for spec in specs:
            parse_status_spec(spec)
        return specs

    @field_validator("regex")
    @classmethod
    def _check_regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return pattern


class RedirectHop(ProbeModel):
    """One answered request that pointed elsewhere."""

    url: str
    status: int
    location: str
    address: str | None
    total_ms: float


class Timings(ProbeModel):
    """Milliseconds per phase of the final request, measured on its own connection.

    `redirects_ms` is the time spent on the hops before it; `total_ms` covers everything."""

    dns_lookup_ms: float | None = None
    tcp_connect_ms: float | None = None
    tls_handshake_ms: float | None = None
    first_byte_ms: float | None = None
    transfer_ms: float | None = None
    redirects_ms: float = 0.0
    total_ms: float = 0.0


class Result(ProbeResult):
    kind: str = "http"
    url: str
    method: str
    final_url: str | None = None
    status: int | None = None
    http_version: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    set_cookies: list[str] = Field(default_factory=list)
    address: str | None = None
    tls_version: str | None = None
    tls_cipher: str | None = None
    size_bytes: int = 0
    content_length: int | None = None
    body_truncated: bool = False
    redirects: list[RedirectHop] = Field(default_factory=list)
    timings: Timings = Field(default_factory=Timings)
    keyword_found: bool | None = None
    regex_matched: bool | None = None


CACHE_BUST_PARAMETER = "enterno_nocache"


def check_target(target: str) -> str:
    """An http(s) URL; a bare host (or host/path) means https:// as for the probe."""
    text = target.strip()
    targets.url(text if "://" in text else f"https://{text}")
    return text


@functools.lru_cache(maxsize=4096)  # monitors repeat their targets; URLs are immutable
def target_url(target: str) -> URL:
    """The target as an absolute http(s) URL; a bare host means https://host/."""
    text = target.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        url = URL(text)
    except (ValueError, TypeError) as exc:
        raise ProbeError(f"{target!r} is not a valid URL", code="invalid_url") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ProbeError(f"{target!r} is not an http:// or https:// URL", code="invalid_url")
    # yarl prints "https://host" without the slash the request will use anyway.
    return url if str(url).count("/") > 2 else url.with_path("/")


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Request `target` as the options say and describe what came back.

    Raises ProbeError for a target that is not an http(s) URL and TargetNotAllowed when the
    policy refuses the target's own address."""
    return (await fetch(target, options, ctx))[0]


async def fetch(
    target: str, options: Options, ctx: ProbeContext
) -> tuple[Result, HopRecord | None]:
    """What `probe` answers, and the final response with its body as read (up to
    `max_body_bytes`), for the probes that judge the body further (api)."""
    url = target_url(target)
    if options.cache_bust:
        url = url.update_query({CACHE_BUST_PARAMETER: secrets.token_hex(8)})
    loop = asyncio.get_running_loop()  # once: a getpid() system call on Python 3.11
    session = await session_for(
        loop, ctx.policy, options.ip_version, options.verify_tls, ctx.ca_file
    )
    exchange = Exchange(session, ctx.policy, options.ip_version, options.max_body_bytes)
    # A coalesced deadline rather than asyncio.timeout (see probes/_deadlines.py), armed
    # inline rather than through within(): one coroutine fewer for every step of the probe.
    deadline = arm(loop, options.timeout)
    try:
        outcome = await _follow(exchange, url, options)
    except asyncio.CancelledError:
        if not deadline.fired():
            raise
        outcome = exchange.timed_out(options.timeout)
    finally:
        deadline.disarm()
        exchange.close()
    return _result(url, options, exchange, outcome), exchange.final


async def _follow(exchange: Exchange, url: URL, options: Options) -> Outcome:
    """Send the request and follow redirects until a final answer, a loop or the hop limit."""
    method, body, headers = options.method, options.body, _request_headers(options)
    seen = {(method, str(url))}
    for hop_number in range(options.max_redirects + 1):
        try:
            hop = await exchange.send(method, url, headers, body)
        except TargetNotAllowed as exc:
            if hop_number == 0:
                raise
            return Outcome("error", "target_not_allowed", f"redirect refused: {exc.message}")
        except ProbeError as exc:
            if hop_number == 0 and exc.code != "dns_error":
                raise
            return Outcome("down", exc.code, exc.message)
        except aiohttp.ClientError as exc:
            return exchange.failed(exc, url)
        location = hop.response.headers.get("Location")
        if not options.follow_redirects or hop.status not in REDIRECT_STATUSES or not location:
            try:
                return await exchange.finish(hop)
            except aiohttp.ClientError as exc:
                return exchange.failed(exc, url)
        exchange.record_redirect(hop, location)
        next_url = _redirect_target(url, location)
        if next_url is None:
            return Outcome("down", "bad_redirect", f"redirect to an invalid URL: {location}")
        if hop.status == 303 or (hop.status in (301, 302) and method == "POST"):
            # What browsers do: the follow-up is a GET without the original body.
            method, body = ("HEAD" if method == "HEAD" else "GET"), None
        if next_url.origin() != url.origin():
            for secret in ("Authorization", "Cookie", "Proxy-Authorization"):
                headers = {k: v for k, v in headers.items() if k.lower() != secret.lower()}
        if (method, str(next_url)) in seen:
            return Outcome("down", "redirect_loop", f"redirect loop back to {next_url}")
        seen.add((method, str(next_url)))
        url = next_url
    return Outcome("down", "too_many_redirects", f"more than {options.max_redirects} redirects")


def _request_headers(options: Options) -> dict[str, str]:
    """The options' headers, with watchwire's User-Agent unless they name their own."""
    if any(name.lower() == "user-agent" for name in options.headers):
        return dict(options.headers)
    return {"User-Agent": USER_AGENT, **options.headers}


def _redirect_target(url: URL, location: str) -> URL | None:
    """Where a Location points, resolved against the URL that sent it; None when it is not a
    usable http(s) URL."""
    try:
        target = url.join(URL(location))
    except (ValueError, TypeError):
        return None
    return target if target.scheme in ("http", "https") and target.host else None


@dataclass(slots=True)
class _Verdict:
    outcome: Literal["up", "down", "error"]
    reason: str | None
    findings: list[Finding]
    keyword_found: bool | None = None
    regex_matched: bool | None = None


def _judge(final: HopRecord, options: Options) -> _Verdict:
    """Apply the expectations (status, keyword, regex) to the final response."""
    failures: list[Finding] = []
    if not status_expected(final.status, options.expected_status):
        message = f"status {final.status} is not one of {', '.join(options.expected_status)}"
        failures.append(Finding(code="unexpected_status", severity="error", message=message))
    verdict = _Verdict("up", None, failures)
    text = decode_body(final.body or b"", final.charset) if options.keyword or options.regex else ""
    note = " (in the first bytes read only)" if final.truncated else ""
    if options.keyword is not None:
        verdict.keyword_found = options.keyword in text
        if verdict.keyword_found == options.match_absent:
            failures.append(_match_failure("keyword", options.keyword, options.match_absent, note))
    if options.regex is not None:
        verdict.regex_matched = re.search(options.regex, text) is not None
        if verdict.regex_matched == options.match_absent:
            failures.append(_match_failure("regex", options.regex, options.match_absent, note))
    if failures:
        verdict.outcome, verdict.reason = "down", failures[0].message
    if final.truncated:
        message = f"body read stopped at {options.max_body_bytes} bytes"
        failures.append(Finding(code="body_truncated", severity="info", message=message))
    return verdict


def _match_failure(what: str, pattern: str, absent: bool, note: str) -> Finding:
    if absent:
        code, message = f"{what}_present", f"{what} {pattern!r} found{note}"
    else:
        code, message = f"{what}_missing", f"{what} {pattern!r} not found{note}"
    return Finding(code=code, severity="error", message=message)


def _result(url: URL, options: Options, exchange: Exchange, outcome: Outcome) -> Result:
    final = exchange.final
    if outcome.code is None and final is not None:
        verdict = _judge(final, options)
    else:
        message = outcome.reason or outcome.code or ""
        findings = [Finding(code=outcome.code, severity="error", message=message)]
        verdict = _Verdict(outcome.outcome, outcome.reason, findings if outcome.code else [])
    phases = exchange.timings()
    # Every value below is the probe's own: built without validation (docs/decisions/0008).
    timings: Timings = Timings.unvalidated(
        dns_lookup_ms=phases["dns_lookup_ms"],
        tcp_connect_ms=phases["tcp_connect_ms"],
        tls_handshake_ms=phases["tls_handshake_ms"],
        first_byte_ms=phases["first_byte_ms"],
        transfer_ms=phases["transfer_ms"],
        redirects_ms=exchange.redirects_ms,
        total_ms=phases["total_ms"] or 0.0,
    )
    text_url = str(url)
    result: Result = Result.unvalidated(
        target=text_url,
        url=text_url,
        method=options.method,
        outcome=verdict.outcome,
        reason=verdict.reason,
        findings=verdict.findings,
        duration_ms=timings.total_ms,
        timings=timings,
        redirects=[RedirectHop.unvalidated(**hop) for hop in exchange.redirects],
        keyword_found=verdict.keyword_found,
        regex_matched=verdict.regex_matched,
        final_url=final.url if final else None,
        status=final.status if final else None,
        http_version=final.http_version if final else None,
        headers=final.headers if final else {},
        set_cookies=final.set_cookies if final else [],
        address=final.address if final else None,
        tls_version=final.tls[0] if final else None,
        tls_cipher=final.tls[1] if final else None,
        size_bytes=final.size_bytes if final else 0,
        content_length=final.content_length if final else None,
        body_truncated=final.truncated if final else False,
    )
    return result


__all__ = [
    "Options",
    "RedirectHop",
    "Result",
    "Timings",
    "close_sessions",
    "fetch",
    "probe",
    "target_url",
]
