"""The domain state machines: records missing/restored, and expiry threshold brackets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from watchwire.engine.evaluate_domains import (
    EXPIRED,
    ExpectedRecord,
    canonical,
    evaluate_expiry,
    evaluate_records,
    expiry_status,
    propagated,
)

WWW = ExpectedRecord("CNAME", "www", "app.example.net")
APEX = ExpectedRecord("A", "@", "192.0.2.10")
SPF = ExpectedRecord("TXT", "@", "v=spf1 include:mail.example.net -all")
ALL = [WWW, APEX, SPF]
GOOD = {
    "CNAME www": ["app.example.net"],
    "A @": ["192.0.2.10", "192.0.2.11"],
    "TXT @": ["v=spf1 include:mail.example.net -all", "google-site-verification=x"],
}


def test_values_compare_in_canonical_form() -> None:
    assert canonical("CNAME", "App.Example.NET.") == "app.example.net"
    assert canonical("AAAA", "2001:DB8:0:0::1") == "2001:db8::1"
    assert canonical("TXT", '"v=spf1 " "-all"') == "v=spf1 -all"
    assert canonical("TXT", "plain text") == "plain text"
    assert canonical("MX", "mail.example.com.", "10") == "10 mail.example.com"
    assert canonical("MX", "10 Mail.Example.com") == "10 mail.example.com"
    assert propagated(ExpectedRecord("MX", "@", "mail.example.com"), ["20 mail.example.com"])
    assert not propagated(
        ExpectedRecord("MX", "@", "mail.example.com", "10"), ["20 mail.example.com"]
    )


def test_all_present_is_ok_without_event() -> None:
    verdict = evaluate_records(ALL, GOOD, "pending", [])
    assert (verdict.state, verdict.missing, verdict.event) == ("ok", [], None)
    assert verdict.propagated == ALL


def test_a_changed_value_is_missing_and_says_which() -> None:
    observed = {**GOOD, "CNAME www": ["competitor.example.org"]}
    verdict = evaluate_records(ALL, observed, "ok", [])
    assert verdict.state == "missing"
    assert verdict.event == "domain.record_missing"
    assert verdict.non_propagated == [WWW]
    assert verdict.newly_missing == [WWW.key]
    assert verdict.propagated == [APEX, SPF]


def test_no_repeat_while_nothing_changes() -> None:
    observed = {**GOOD, "A @": []}
    first = evaluate_records(ALL, observed, "ok", [])
    again = evaluate_records(ALL, observed, first.state, first.missing)
    assert first.event == "domain.record_missing"
    assert (again.state, again.event) == ("missing", None)


def test_another_record_going_missing_is_announced() -> None:
    first = evaluate_records(ALL, {**GOOD, "A @": []}, "ok", [])
    second = evaluate_records(ALL, {**GOOD, "A @": [], "TXT @": []}, "missing", first.missing)
    assert second.event == "domain.record_missing"
    assert second.newly_missing == [SPF.key]
    assert second.non_propagated == [APEX, SPF]


def test_restored_only_when_all_records_are_back() -> None:
    both = evaluate_records(ALL, {**GOOD, "A @": [], "CNAME www": []}, "ok", [])
    one_back = evaluate_records(ALL, {**GOOD, "A @": []}, both.state, both.missing)
    assert (one_back.state, one_back.event) == ("missing", None)
    all_back = evaluate_records(ALL, GOOD, one_back.state, one_back.missing)
    assert (all_back.state, all_back.event) == ("ok", "domain.record_restored")


def test_a_failed_lookup_in_between_does_not_hide_the_restore() -> None:
    missing = evaluate_records(ALL, {**GOOD, "A @": []}, "ok", [])
    # The domain went to "error" (resolver timeout) keeping its missing set.
    back = evaluate_records(ALL, GOOD, "error", missing.missing)
    assert back.event == "domain.record_restored"
    fine = evaluate_records(ALL, GOOD, "error", [])
    assert fine.event is None


def test_missing_at_the_first_check_is_announced() -> None:
    verdict = evaluate_records(ALL, {}, "pending", [])
    assert verdict.event == "domain.record_missing"
    assert len(verdict.newly_missing) == 3


def test_a_record_no_longer_monitored_leaves_the_missing_set() -> None:
    missing = evaluate_records(ALL, {**GOOD, "A @": []}, "ok", [])
    without = evaluate_records([WWW, SPF], GOOD, missing.state, missing.missing)
    assert (without.state, without.event) == ("ok", "domain.record_restored")


KEYS = st.sets(st.sampled_from(ALL))


@given(st.lists(KEYS, min_size=1, max_size=12))
def test_event_sequence_properties(absent_per_check: list[set[ExpectedRecord]]) -> None:
    """Over any sequence of checks: restored only follows a missing and comes when all
    records are present; missing is sent only when a new record went missing."""
    state, missing = "ok", list[str]()
    announced_missing = False
    for absent in absent_per_check:
        observed = {k: v for k, v in GOOD.items() if not any(r.lookup == k for r in absent)}
        verdict = evaluate_records(ALL, observed, state, missing)
        if verdict.event == "domain.record_restored":
            assert announced_missing and not verdict.missing
            announced_missing = False
        if verdict.event == "domain.record_missing":
            assert set(verdict.newly_missing) - set(missing)
            announced_missing = True
        if verdict.event is None and verdict.missing:
            assert set(verdict.missing) <= set(missing)
        state, missing = verdict.state, verdict.missing
    assert announced_missing == bool(missing)


def test_expiry_brackets_announce_each_threshold_once() -> None:
    thresholds = [30, 14, 7, 1]
    assert evaluate_expiry(90, thresholds, None).event is None
    first = evaluate_expiry(29, thresholds, None)
    assert (first.bracket, first.event, first.threshold) == (30, "domain.expiring", 30)
    assert evaluate_expiry(20, thresholds, first.bracket).event is None
    deep = evaluate_expiry(6, thresholds, first.bracket)
    assert (deep.bracket, deep.threshold) == (7, 7)
    expired = evaluate_expiry(-1, thresholds, deep.bracket)
    assert (expired.bracket, expired.event) == (EXPIRED, "domain.expiring")
    assert evaluate_expiry(-5, thresholds, EXPIRED).event is None
    renewed = evaluate_expiry(365, thresholds, EXPIRED)
    assert (renewed.bracket, renewed.event) == (None, None)


def test_first_seen_deep_inside_announces_only_the_nearest_threshold() -> None:
    verdict = evaluate_expiry(3, [30, 14, 7, 1], None)
    assert (verdict.bracket, verdict.threshold) == (7, 7)


@given(st.lists(st.integers(min_value=-10, max_value=60), min_size=1, max_size=30))
def test_expiry_never_announces_the_same_bracket_twice_in_a_row(days: list[int]) -> None:
    announced: int | None = None
    for left in days:
        verdict = evaluate_expiry(left, [30, 14, 7, 1], announced)
        if verdict.event:
            assert verdict.bracket != announced
        assert expiry_status(left, [30, 14, 7, 1]) in ("ok", "expiring", "expired")
        announced = verdict.bracket
