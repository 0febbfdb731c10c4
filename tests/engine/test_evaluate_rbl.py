"""The listed/delisted state machine of blocklist hosts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from watchwire.engine.evaluate_rbl import COMPLETED, DELISTED, LISTED, Answer, evaluate

SOURCES = ["RB" + str(i) * 32 for i in range(4)]
STATUSES = ["listed", "not_listed", "blocked", "error", "unknown"]


def detail(sid: str) -> dict[str, object]:
    return {"id": sid, "listed": True}


def test_clean_host_stays_clean_with_only_the_completed_event() -> None:
    result = evaluate({}, [Answer(SOURCES[0], "not_listed"), Answer(SOURCES[1], "unknown")])
    assert result.events == (COMPLETED,)
    assert not result.listed and not result.notify


def test_first_listing_then_still_listed_then_delisted() -> None:
    first = evaluate({}, [Answer(SOURCES[0], "listed", detail(SOURCES[0]))])
    assert first.events == (COMPLETED, LISTED)
    assert first.newly_listed == (SOURCES[0],) and first.notify

    again = evaluate(first.listings, [Answer(SOURCES[0], "listed", detail(SOURCES[0]))])
    assert again.events == (COMPLETED, LISTED)  # 003: sent while listed …
    assert not again.notify  # … but people are not paged again

    gone = evaluate(again.listings, [Answer(SOURCES[0], "not_listed")])
    assert gone.events == (COMPLETED, DELISTED)
    assert gone.delisted and gone.notify and gone.listings == {}


def test_a_list_that_does_not_answer_keeps_its_listing() -> None:
    before = {SOURCES[0]: detail(SOURCES[0])}
    for status in ("unknown", "error", "blocked"):
        result = evaluate(before, [Answer(SOURCES[0], status)])
        assert result.listings == before and not result.delisted
        assert result.events == (COMPLETED, LISTED)


def test_listed_on_one_more_list_tells_people() -> None:
    before = {SOURCES[0]: detail(SOURCES[0])}
    answers = [
        Answer(SOURCES[0], "listed", detail(SOURCES[0])),
        Answer(SOURCES[1], "listed", detail(SOURCES[1])),
    ]
    result = evaluate(before, answers)
    assert result.newly_listed == (SOURCES[1],) and result.notify


def test_a_list_no_longer_asked_drops_out() -> None:
    result = evaluate({SOURCES[0]: detail(SOURCES[0])}, [Answer(SOURCES[1], "not_listed")])
    assert result.delisted and result.events == (COMPLETED, DELISTED)


previous_st = st.dictionaries(st.sampled_from(SOURCES), st.just({"x": 1}), max_size=4)
answers_st = st.dictionaries(st.sampled_from(SOURCES), st.sampled_from(STATUSES), max_size=4)


@given(previous_st, answers_st)
def test_properties(previous: dict[str, dict[str, int]], statuses: dict[str, str]) -> None:
    answers = [Answer(sid, status, detail(sid)) for sid, status in statuses.items()]
    result = evaluate(previous, answers)
    # every listing is backed by this check: listed now, or listed before and unanswered
    for sid in result.listings:
        assert statuses[sid] == "listed" or (
            sid in previous and statuses[sid] not in ("not_listed",)
        )
    # every "listed" answer is a listing
    assert {s for s, v in statuses.items() if v == "listed"} <= set(result.listings)
    assert result.events[0] == COMPLETED
    assert (LISTED in result.events) == bool(result.listings)
    assert (DELISTED in result.events) == (bool(previous) and not result.listings)
    assert LISTED not in result.events or DELISTED not in result.events
    assert result.notify == (bool(set(result.listings) - set(previous)) or result.delisted)
