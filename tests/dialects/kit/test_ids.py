"""SID patterns matched whole, and integer ids bounded by what the databases store."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchwire.api.dialects.kit.ids import MAX_INTEGER_ID, check_sid, integer_id, path_sid
from watchwire.errors import ValidationError

SID = "CO" + "ab" * 16


def test_sids_match_their_whole_pattern() -> None:
    assert path_sid("contact", SID) == SID
    for wrong in (SID + "\n", " " + SID, SID.upper(), "CG" + SID[2:], SID[:-1], SID + "\x00"):
        with pytest.raises(ValidationError) as caught:
            check_sid("contact_group[2]", "contact", wrong)
        detail = caught.value.details[0]
        assert detail["field"] == "contact_group[2]" and detail["rule"] == "pattern"
        assert "^CO[0-9a-f]{32}$" in detail["message"]


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_integer_ids_within_bounds(number: int) -> None:
    if 1 <= number <= MAX_INTEGER_ID:
        assert integer_id("id", str(number)) == number == integer_id("id", number)
        return
    with pytest.raises(ValidationError) as caught:
        integer_id("id", str(number))
    assert caught.value.details[0]["rule"] == ("range" if number >= 0 else "integer")


@pytest.mark.parametrize("wrong", ["", "abc", "1.0", "1e3", "\u0661", "+1", True, "9" * 5000])
def test_integer_ids_are_plain_digits(wrong: str | bool) -> None:
    with pytest.raises(ValidationError) as caught:
        integer_id("webhook_id", wrong)
    assert caught.value.details[0]["field"] == "webhook_id"
    assert caught.value.details[0]["rule"] in ("integer", "range")


def test_leading_zeros() -> None:
    assert integer_id("id", "0" * 100 + "12") == 12
