"""The api probe: an http request whose response must meet a list of assertions (status,
body, headers, response time, values of a JSON body by path; Gatus' conditions, Enterno's
`check_type=api` with `assert_body`). The request is the http probe's (`http.fetch`), the
assertions are `_assertions`.

Every assertion is checked and reported; the first that fails makes the result down, its
reason naming the assertion and the actual value. The status is judged by the assertions
alone (`expected_status` accepts any answer unless set), so `status == 404` can be asserted.
A request that got no answer is down with the http probe's reason, and no assertion is
checked.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from watchwire.probes.base import Finding, ProbeContext
from watchwire.probes.http import http
from watchwire.probes.http._assertions import Assertion, AssertionOutcome, Response, check_all
from watchwire.probes.http._match import decode_body


class Options(http.Options):
    expected_status: list[str] = Field(default=["100-599"], min_length=1)
    assertions: list[Assertion] = Field(min_length=1, max_length=50)


class Result(http.Result):
    kind: str = "api"
    assertions: list[AssertionOutcome] = Field(default_factory=list)


_HTTP_FIELDS = tuple(http.Result.model_fields)


# The same URLs as the http probe's.
check_target = http.check_target


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Request `target` and check the options' assertions on the answer. Raises as the http
    probe does (ProbeError for a target that is not an http(s) URL, TargetNotAllowed)."""
    answered, final = await http.fetch(target, options, ctx)
    fields: dict[str, Any] = {name: getattr(answered, name) for name in _HTTP_FIELDS}
    result: Result = Result.unvalidated(**{**fields, "kind": "api"})
    if final is None or answered.outcome != "up":
        return result
    response = Response(
        status=final.status,
        headers=final.headers,
        text=decode_body(final.body or b"", final.charset),  # no body for HEAD
        truncated=final.truncated,
        total_ms=answered.timings.total_ms,
    )
    result.assertions = check_all(options.assertions, response)
    failed = [outcome for outcome in result.assertions if not outcome.passed]
    if failed:
        result.outcome = "down"
        result.reason = failed[0].message
        result.findings = [
            *result.findings,
            *(
                Finding(code="assertion_failed", severity="error", message=outcome.message or "")
                for outcome in failed
            ),
        ]
    return result
