"""The headers probe: Enterno's "HTTP header check + health score".

It runs the http probe, then grades the final response's security and hygiene headers (HSTS,
CSP, framing, MIME sniffing, Referrer-Policy, Permissions-Policy, HTTPS enforcement, cookie
flags, information leakage, compression, caching, response time) into a 0-100 score and a
letter A+…F, with every check's weight and a one-line fix. For an https target it also asks
the site's http:// form whether it redirects to https://. The grading itself is the pure
function in `_grading`; docs/probes/health-score.md is its table.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from pydantic import BaseModel, Field
from yarl import URL

from watchwire.errors import ProbeError
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult
from watchwire.probes.http import http
from watchwire.probes.http._grading import grade
from watchwire.probes.http._scorecard import Check, HttpForm, Observation

_PERMANENT = frozenset({301, 308})


class Options(ProbeOptions):
    timeout: float = Field(default=10.0, gt=0, le=120)
    ip_version: Literal[4, 6] | None = None
    verify_tls: bool = True
    headers: http.RequestHeaders = {}
    # The request graded (Enterno's check.php takes both): GET and following redirects, as
    # a browser arrives; a HEAD answers the same headers without the body.
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    follow_redirects: bool = True
    # For an https target: also request its http:// form to see whether it redirects.
    check_http_redirect: bool = True
    # Port of that http:// form; None = 80.
    http_port: int | None = Field(default=None, ge=1, le=65535)


class CheckScore(BaseModel):
    code: str
    weight: int
    lost: int
    passed: bool
    severity: str
    message: str
    fix: str


class CategoryScore(BaseModel):
    name: str
    weight: int
    score: int
    checks: list[CheckScore]


class Result(ProbeResult):
    kind: str = "headers"
    url: str
    final_url: str | None = None
    status: int | None = None
    score: int | None = None
    grade: str | None = None
    categories: list[CategoryScore] = Field(default_factory=list)
    http_form: HttpForm | None = None
    response_ms: float | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    set_cookies: list[str] = Field(default_factory=list)
    response: http.Result | None = None


def _http_options(options: Options, **changes: object) -> http.Options:
    return http.Options.model_validate(
        {
            "timeout": options.timeout,
            "ip_version": options.ip_version,
            "verify_tls": options.verify_tls,
            "headers": options.headers,
            "method": options.method,
            "follow_redirects": options.follow_redirects,
            "expected_status": ["100-599"],  # any answer can be graded
            **changes,
        }
    )


async def _http_form(url: URL, options: Options, ctx: ProbeContext) -> HttpForm | None:
    """How the plain-http form of an https URL answers (None when not checked)."""
    if url.scheme != "https" or not options.check_http_redirect:
        return None
    plain = url.with_scheme("http").with_port(options.http_port)
    try:
        answer = await http.probe(
            str(plain), _http_options(options, method="GET", follow_redirects=True), ctx
        )
    except ProbeError:
        return None
    return _form_from_chain(answer)


def _form_from_chain(response: http.Result) -> HttpForm:
    """Whether an http:// request was sent on to https://, and whether the first redirect
    was permanent (a temporary one is not cached, so every visit starts in plain text)."""
    targets = [URL(hop.url).join(URL(hop.location)) for hop in response.redirects]
    if any(target.scheme == "https" for target in targets):
        return (
            "permanent_redirect"
            if response.redirects[0].status in _PERMANENT
            else ("temporary_redirect")
        )
    if response.status is None and not response.redirects:
        return "unreachable"
    return "serves_plain"


def _finding(check: Check) -> Finding:
    return Finding(
        code=check.code,
        severity=check.severity,
        message=check.message,
        details={
            "category": check.category,
            "weight": check.weight,
            "lost": check.lost,
            "fix": check.fix,
        },
    )


check_target = http.check_target


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Fetch `target` and grade its response headers.

    Raises what the http probe raises (an invalid URL, a target the policy refuses)."""
    url = http.target_url(target)
    # The http:// form is asked alongside; if the main probe raises, it is not left running.
    form_task = asyncio.ensure_future(_http_form(url, options, ctx))
    try:
        response = await http.probe(str(url), _http_options(options), ctx)
    except BaseException:
        form_task.cancel()
        raise
    form = await form_task
    result = Result(
        target=str(url),
        url=str(url),
        outcome=response.outcome,
        reason=response.reason,
        duration_ms=response.duration_ms,
        response=response,
    )
    if response.status is None or response.final_url is None:
        result.findings = response.findings
        return result
    if url.scheme == "http":
        form = _form_from_chain(response)
    observation = Observation(
        url=response.final_url,
        headers=response.headers,
        set_cookies=response.set_cookies,
        body_bytes=response.size_bytes,
        response_ms=response.timings.total_ms,
        http_form=form,
    )
    graded = grade(observation)
    result.final_url, result.status = response.final_url, response.status
    result.headers, result.set_cookies = response.headers, response.set_cookies
    result.http_form, result.response_ms = form, response.timings.total_ms
    result.score, result.grade = graded.score, graded.grade
    result.categories = [
        CategoryScore(
            name=category.name,
            weight=category.weight,
            score=category.score,
            checks=[
                CheckScore(
                    code=c.code,
                    weight=c.weight,
                    lost=c.lost,
                    passed=c.passed,
                    severity=c.severity,
                    message=c.message,
                    fix=c.fix,
                )
                for c in category.checks
            ],
        )
        for category in graded.categories
    ]
    result.findings = [_finding(check) for check in graded.failed]
    return result
