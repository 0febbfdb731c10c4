"""The certificate state machine, table-driven: brackets, renewals, changes and error diffs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchwire.clock import FrozenClock
from watchwire.engine.evaluate_certs import (
    EXPIRED,
    CertState,
    Profile,
    Reading,
    bracket_of,
    evaluate,
    expiry_days,
)
from watchwire.probes.base import Finding

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
A, B = "SHA256:aa", "SHA256:bb"


def finding(code: str, category: str, severity: str = "error") -> Finding:
    return Finding(
        code=code, severity=severity, message=f"{code} here", details={"category": category}
    )


MISMATCH = finding("name_mismatch", "name_mismatch")
SELF_SIGNED = finding("self_signed", "ca_failure")
REFUSED = finding("connection_failed", "connection_failure", "critical")
EXPIRING = finding("cert_expiring", "expiration", "warning")
UNKNOWN = finding("revocation_unknown", "ca_failure", "info")
CAA = finding("caa_violation", "caa_failure")


def ids() -> itertools.count[int]:
    return itertools.count(1)


def run(
    previous: CertState,
    fingerprint: str | None,
    days: float | None,
    findings: tuple[Finding, ...] = (),
    profile: Profile | None = None,
    clock: FrozenClock | None = None,
) -> tuple[CertState, list[tuple[str, object]]]:
    now = (clock or FrozenClock(START)).now()
    not_after = now + timedelta(days=days) if days is not None else None
    counter = ids()
    verdict = evaluate(
        previous,
        Reading(fingerprint, not_after, findings),
        profile or Profile(),
        now,
        lambda: f"CE{next(counter)}",
    )
    shown = [
        (e.type, e.data.get("expiry_days", e.data.get("new_fingerprint", "")))
        for e in verdict.events
        if not e.type.startswith("cert.error")
    ]
    shown += [
        (e.type, sorted(x["code"] for x in e.data.get("errors", e.data.get("resolved_errors", []))))
        for e in verdict.events
        if e.type.startswith("cert.error")
    ]
    return verdict.state, shown


@pytest.mark.parametrize(
    ("previous", "fingerprint", "days", "events", "bracket"),
    [
        # first sighting, far from expiry: nothing
        (CertState(), A, 80.5, [], None),
        # first sighting deep inside: only the nearest bracket
        (CertState(), A, 5.5, [("cert.expiration.trigger", 5)], 7),
        # same bracket again: quiet
        (CertState(A, 14), A, 13.5, [], 14),
        # a lower bracket: announced
        (CertState(A, 14), A, 6.5, [("cert.expiration.trigger", 6)], 7),
        # expired: its own bracket, negative days
        (CertState(A, 7), A, -0.5, [("cert.expiration.trigger", -1)], EXPIRED),
        (CertState(A, EXPIRED), A, -3.5, [], EXPIRED),
        # renewed while announced: resolve, no cert.changed
        (CertState(A, 7), B, 89.5, [("cert.expiration.resolve", 89)], None),
        (CertState(A, EXPIRED), B, 89.5, [("cert.expiration.resolve", 89)], None),
        # renewed to a certificate already inside a bracket: resolve, then the new bracket
        (
            CertState(A, 7),
            B,
            10.5,
            [("cert.expiration.resolve", 10), ("cert.expiration.trigger", 10)],
            14,
        ),
        # changed outside any expiry state
        (CertState(A, None), B, 80.5, [("cert.changed", B)], None),
        # unreachable: the certificate and its bracket are remembered
        (CertState(A, 14), None, None, [], 14),
    ],
)
def test_expiry_brackets_and_changes(
    previous: CertState,
    fingerprint: str | None,
    days: float | None,
    events: list[tuple[str, object]],
    bracket: int | None,
) -> None:
    state, shown = run(previous, fingerprint, days)
    assert shown == events
    assert state.bracket == bracket
    assert state.fingerprint == (fingerprint or previous.fingerprint)


def entry(code: str, category: str, id: str = "CEold") -> dict[str, object]:
    return {
        "id": id,
        "code": code,
        "error_type": category,
        "severity": "error",
        "message": "m",
        "first_seen": "2026-11-01T00:00:00Z",
        "last_seen": "2026-11-01T00:00:00Z",
    }


@pytest.mark.parametrize(
    ("before", "fingerprint", "findings", "events", "current"),
    [
        ({}, A, (MISMATCH,), [("cert.error.trigger", ["name_mismatch"])], {"name_mismatch"}),
        # only the new one is announced
        (
            {"name_mismatch": entry("name_mismatch", "name_mismatch")},
            A,
            (MISMATCH, SELF_SIGNED),
            [("cert.error.trigger", ["self_signed"])],
            {"name_mismatch", "self_signed"},
        ),
        # still there: quiet
        ({"name_mismatch": entry("name_mismatch", "name_mismatch")}, A, (MISMATCH,), [], None),
        # fixed
        (
            {"name_mismatch": entry("name_mismatch", "name_mismatch")},
            A,
            (),
            [("cert.error.resolve", ["name_mismatch"])],
            set(),
        ),
        # one fixed, one new: both events
        (
            {"name_mismatch": entry("name_mismatch", "name_mismatch")},
            A,
            (SELF_SIGNED,),
            [("cert.error.trigger", ["self_signed"]), ("cert.error.resolve", ["name_mismatch"])],
            {"self_signed"},
        ),
        # unreachable: certificate errors stay, the connection error is new
        (
            {"name_mismatch": entry("name_mismatch", "name_mismatch")},
            None,
            (REFUSED,),
            [("cert.error.trigger", ["connection_failed"])],
            {"name_mismatch", "connection_failed"},
        ),
        # reachable again: the connection error resolves
        (
            {"connection_failed": entry("connection_failed", "connection_failure")},
            A,
            (),
            [("cert.error.resolve", ["connection_failed"])],
            set(),
        ),
        # not errors: the probe's own expiry warning (brackets cover it), info findings,
        # and CAA (off by default in 003)
        ({}, A, (EXPIRING, UNKNOWN, CAA), [], set()),
    ],
)
def test_error_diffs(
    before: dict[str, dict[str, object]],
    fingerprint: str | None,
    findings: tuple[Finding, ...],
    events: list[tuple[str, object]],
    current: set[str] | None,
) -> None:
    state, shown = run(CertState(A, None, before), fingerprint, 80.5, findings)
    assert shown == events
    assert set(state.errors) == (set(before) if current is None else current)
    for code, error in state.errors.items():
        if code in before:
            assert error["id"] == "CEold" and error["first_seen"] == "2026-11-01T00:00:00Z"
        else:
            assert error["id"].startswith("CE") and error["id"] != "CEold"


@pytest.mark.parametrize(
    ("switch", "findings"),
    [
        ("alert_on_name_mismatch", (MISMATCH,)),
        ("alert_on_ca_failure", (SELF_SIGNED,)),
        ("alert_on_connection_failure", (REFUSED,)),
    ],
)
def test_a_switched_off_category_is_not_an_error(
    switch: str, findings: tuple[Finding, ...]
) -> None:
    profile = Profile(**{switch: False})  # type: ignore[arg-type]
    state, shown = run(CertState(A), A, 80.5, findings, profile)
    assert shown == [] and state.errors == {}


def test_caa_counts_when_switched_on() -> None:
    _, shown = run(CertState(A), A, 80.5, (CAA,), Profile(alert_on_caa_failure=True))
    assert shown == [("cert.error.trigger", ["caa_violation"])]


def test_switches_for_expiry_and_changes() -> None:
    quiet = Profile(alert_on_expiration=False, alert_on_changes=False)
    assert run(CertState(A), A, 3.5, profile=quiet)[1] == []
    assert run(CertState(A), B, 80.5, profile=quiet)[1] == []


def test_a_certificate_ageing_day_by_day_announces_each_bracket_once() -> None:
    clock = FrozenClock(START)
    not_after = START + timedelta(days=40, hours=6)
    state = CertState()
    announced: list[int] = []
    for _ in range(45):
        days = (not_after - clock.now()).total_seconds() / 86_400
        state, shown = run(state, A, days, clock=clock)
        announced += [int(str(d)) for t, d in shown if t == "cert.expiration.trigger"]
        clock.advance(86_400)
    assert announced == [30, 14, 7, -1]


@given(
    days=st.integers(min_value=-400, max_value=400),
    thresholds=st.lists(st.integers(0, 400), min_size=1, max_size=6),
)
def test_bracket_is_the_lowest_threshold_reached(days: int, thresholds: list[int]) -> None:
    bracket = bracket_of(days, thresholds)
    if days < 0:
        assert bracket == EXPIRED
    elif bracket is None:
        assert all(days > t for t in thresholds)
    else:
        assert days <= bracket and bracket in thresholds
        assert not any(days <= t < bracket for t in thresholds)


@given(seconds=st.integers(min_value=-(10**8), max_value=10**8))
def test_expiry_days_round_down(seconds: int) -> None:
    days = expiry_days(START + timedelta(seconds=seconds), START)
    assert days * 86_400 <= seconds < (days + 1) * 86_400
