"""The api probe against a real local JSON API: JSON paths equal/contain/exist, numeric
comparisons, headers, status and response time; a failed assertion is down naming the
assertion and the actual value; bad assertions are refused by the options model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.servers.json_api import JsonApi, json_api
from tests.servers.plain_tls import free_port
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.http._assertions import parse_path
from watchwire.probes.http.api import Options, probe

__all__ = ["json_api"]

DOCUMENT = {
    "status": "ok",
    "version": "2.4.1",
    "queue": {"depth": 12, "workers": [{"name": "a", "busy": True}, {"name": "b", "busy": False}]},
    "tags": ["eu", "primary"],
    "ratio": 0.25,
    "count": "7",
    "maintenance": None,
    "a.b": {"c": 1},
}


def options(*assertions: dict[str, Any], **extra: Any) -> Options:
    return Options.model_validate({"assertions": list(assertions), **extra})


async def test_every_kind_of_assertion_passes_on_a_healthy_answer(
    json_api: JsonApi, probe_ctx: ProbeContext
) -> None:
    json_api.document = DOCUMENT
    json_api.headers = {"X-Build": "1234"}
    checks = options(
        {"source": "status", "op": "==", "value": 200},
        {"source": "status", "op": "<", "value": 300},
        {"source": "json", "path": "$.status", "value": "ok"},
        {"source": "json", "path": "$.queue.depth", "op": "<=", "value": 12},
        {"source": "json", "path": "$.queue.depth", "op": ">", "value": 3.5},
        {"source": "json", "path": "$.queue.workers[0].busy", "value": True},
        {"source": "json", "path": "$.queue.workers[-1].name", "op": "!=", "value": "a"},
        {"source": "json", "path": "$.tags", "op": "contains", "value": "primary"},
        {"source": "json", "path": "$.version", "op": "matches", "value": r"^2\.\d+"},
        {"source": "json", "path": "$.count", "op": ">=", "value": 7},
        {"source": "json", "path": "$.ratio", "op": "==", "value": 0.25},
        {"source": "json", "path": "$.maintenance", "op": "exists"},
        {"source": "json", "path": "$.maintenance", "value": None},
        {"source": "json", "path": "$.gone", "op": "not_exists"},
        {"source": "json", "path": "$['a.b'].c", "value": 1},
        {"source": "header", "name": "content-type", "op": "contains", "value": "json"},
        {"source": "header", "name": "X-Build", "op": ">", "value": 1000},
        {"source": "header", "name": "X-Absent", "op": "not_exists"},
        {"source": "body", "op": "contains", "value": '"status"'},
        {"source": "response_time", "op": "<", "value": 5000},
    )
    result = await probe(json_api.url, checks, probe_ctx)
    assert result.outcome == "up", result.reason
    assert result.kind == "api" and result.status == 200
    assert len(result.assertions) == 20 and all(a.passed for a in result.assertions)
    depth = result.assertions[3]
    assert depth.assertion == "json $.queue.depth <= 12" and depth.actual == 12


@pytest.mark.parametrize(
    ("assertion", "reason"),
    [
        (
            {"source": "json", "path": "$.status", "value": "ok"},
            'json $.status == "ok" failed: the value is "degraded"',
        ),
        (
            {"source": "json", "path": "$.queue.depth", "op": "<", "value": 100},
            "json $.queue.depth < 100 failed: the value is 250",
        ),
        (
            {"source": "json", "path": "$.queue.lag", "op": "exists"},
            "json $.queue.lag exists failed: there is no such value",
        ),
        (
            {"source": "json", "path": "$.tags", "op": "contains", "value": "primary"},
            'json $.tags contains "primary" failed: the value is ["eu"]',
        ),
        (
            {"source": "json", "path": "$.status", "op": ">", "value": 1},
            'json $.status > 1 failed: the value is "degraded", not a number',
        ),
        (
            {"source": "json", "path": "$.healthy", "value": True},
            'json $.healthy == true failed: the value is "true"',
        ),
        (
            {"source": "status", "value": 200},
            "status == 200 failed: the value is 503",
        ),
        (
            {"source": "header", "name": "Retry-After", "op": "<=", "value": 30},
            'header Retry-After <= 30 failed: the value is "120"',
        ),
    ],
)
async def test_a_failed_assertion_is_down_naming_it_and_the_actual_value(
    json_api: JsonApi, probe_ctx: ProbeContext, assertion: dict[str, Any], reason: str
) -> None:
    json_api.status = 503
    json_api.headers = {"Retry-After": "120"}
    json_api.document = {"status": "degraded", "queue": {"depth": 250}, "tags": ["eu"]}
    json_api.document["healthy"] = "true"
    result = await probe(json_api.url, options(assertion), probe_ctx)
    assert result.outcome == "down"
    assert result.reason == reason
    assert [f.code for f in result.findings] == ["assertion_failed"]


async def test_every_failure_is_reported_and_the_first_is_the_reason(
    json_api: JsonApi, probe_ctx: ProbeContext
) -> None:
    json_api.document = {"status": "ok", "errors": 3}
    checks = options(
        {"source": "json", "path": "$.status", "value": "ok"},
        {"source": "json", "path": "$.errors", "value": 0},
        {"source": "json", "path": "$.status", "op": "not_contains", "value": "o"},
    )
    result = await probe(json_api.url, checks, probe_ctx)
    assert [a.passed for a in result.assertions] == [True, False, False]
    assert result.reason == "json $.errors == 0 failed: the value is 3"
    assert len(result.findings) == 2


async def test_a_body_that_is_not_json_fails_json_assertions_only(
    json_api: JsonApi, probe_ctx: ProbeContext
) -> None:
    json_api.text = "<html>maintenance</html>"
    checks = options(
        {"source": "body", "op": "contains", "value": "maintenance"},
        {"source": "json", "path": "$.status", "op": "exists"},
    )
    result = await probe(json_api.url, checks, probe_ctx)
    assert [a.passed for a in result.assertions] == [True, False]
    assert result.reason == (
        'json $.status exists failed: the body is not JSON (it begins "<html>maintenance</html>")'
    )
    cut = options({"source": "json", "path": "$", "op": "exists"}, max_body_bytes=4)
    json_api.text = None
    json_api.document = DOCUMENT
    truncated = await probe(json_api.url, cut, probe_ctx)
    assert truncated.reason is not None and "max_body_bytes" in truncated.reason


async def test_no_answer_is_down_with_the_http_reason_and_no_assertion_checked(
    probe_ctx: ProbeContext,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    result = await probe(url, options({"source": "status", "value": 200}), probe_ctx)
    assert result.outcome == "down" and result.assertions == []
    assert result.reason is not None and result.reason.startswith("cannot connect")


@pytest.mark.parametrize(
    "bad",
    [
        {"source": "json", "value": 1},  # no path
        {"source": "json", "path": "status", "value": 1},  # not from $
        {"source": "json", "path": "$.a[", "value": 1},
        {"source": "json", "path": "$.content-type", "value": 1},  # ['content-type']
        {"source": "json", "path": "$.a[01]", "value": 1},
        {"source": "json", "path": "$['a\\n']", "value": 1},  # only \\ and quotes escape
        {"source": "status", "path": "$.a", "value": 1},
        {"source": "header", "value": "x"},  # no name
        {"source": "status", "op": "contains", "value": 2},
        {"source": "json", "path": "$.a", "op": "<", "value": "ten"},
        {"source": "json", "path": "$.a", "op": "matches", "value": "("},
        {"source": "body", "op": "contains"},
        {"source": "cookie", "value": 1},
        {"source": "status", "value": 200, "extra": 1},
    ],
)
def test_assertions_that_cannot_be_checked_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        options(bad)


def test_an_api_check_needs_an_assertion_and_paths_read_as_documented() -> None:
    with pytest.raises(ValidationError):
        Options.model_validate({})
    assert parse_path("$") == ()
    assert parse_path('$.data.items[0][\'a.b\']["c\\"d"][-2]') == (
        "data",
        "items",
        0,
        "a.b",
        'c"d',
        -2,
    )
    function, model = get_probe("api")
    assert function is probe and model is Options
