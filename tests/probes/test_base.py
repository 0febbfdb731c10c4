"""What every probe result shares: the unvalidated builder and the millisecond helpers."""

from __future__ import annotations

import pytest

from watchwire.probes.base import Finding, ProbeResult, ms_between
from watchwire.probes.dns import dns
from watchwire.probes.http import http
from watchwire.probes.net import tcp


def test_an_unvalidated_result_is_the_validated_one() -> None:
    fields = {
        "target": "127.0.0.1:80",
        "outcome": "up",
        "host": "127.0.0.1",
        "address": "127.0.0.1",
        "ports": [tcp.PortStatus(port=80, state="open", connect_ms=1.5)],
        "duration_ms": 2.25,
    }
    built = tcp.Result.unvalidated(**fields)
    validated = tcp.Result(**fields)
    assert built == validated
    # Same JSON, keys in declaration order.
    assert built.model_dump_json() == validated.model_dump_json()
    assert list(built.to_json()) == list(tcp.Result.model_fields)


def test_unvalidated_gives_each_result_its_own_mutable_defaults() -> None:
    first = tcp.Result.unvalidated(target="a:1", outcome="up")
    second = tcp.Result.unvalidated(target="a:1", outcome="up")
    first.findings.append(Finding(code="x", message="x"))
    assert second.findings == []
    assert first.ports is not second.ports


def test_an_unvalidated_result_can_still_be_changed_like_any_model() -> None:
    result = tcp.Result.unvalidated(target="a:1", outcome="up")
    result.outcome = "down"
    result.reason = "port 1 refused"
    assert result.to_json()["outcome"] == "down"
    assert "reason" in result.model_fields_set


def test_unvalidated_refuses_a_missing_or_unknown_field() -> None:
    with pytest.raises(TypeError, match="outcome"):
        tcp.Result.unvalidated(target="a:1")
    with pytest.raises(TypeError, match="colour"):
        tcp.Result.unvalidated(target="a:1", outcome="up", colour="red")


@pytest.mark.parametrize(
    ("result_class", "required"),
    [
        (tcp.Result, {}),
        (http.Result, {"url": "http://127.0.0.1/", "method": "GET"}),
        (dns.Result, {"name": "example.test.", "type": "A", "server": "127.0.0.1:53"}),
    ],
)
def test_every_result_class_gets_its_own_builder(
    result_class: type[ProbeResult], required: dict[str, str]
) -> None:
    fields = {"target": "t", "outcome": "error", "reason": "r", **required}
    built = result_class.unvalidated(**fields)
    assert type(built) is result_class
    assert built == result_class(**fields)


def test_milliseconds_are_rounded_to_the_microsecond() -> None:
    assert ms_between(1.0, 1.0012344) == 1.234
    assert ms_between(1.0, 1.0012346) == 1.235
    assert ms_between(2.0, 2.0) == 0.0
