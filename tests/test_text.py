"""The one text rule: which characters single-line text refuses, and where a NUL hides."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchwire.errors import ValidationError
from watchwire.text import SingleLine, control_character, nul_location, refuse_control_characters


class Named(pydantic.BaseModel):
    name: SingleLine


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("plain name", None),
        ("café, ünïcode ✓", None),
        ("tab\there", "U+0009"),
        ("nul\x00", "U+0000"),
        ("del\x7f", "U+007F"),
        ("c1 \x85", "U+0085"),
        ("line\u2028separator", "U+2028"),
    ],
)
def test_control_characters_are_found_and_named(value: str, found: str | None) -> None:
    assert control_character(value) == found
    if found is None:
        assert Named(name=value).name == value
        return
    with pytest.raises(pydantic.ValidationError) as raised:
        Named(name=value)
    assert raised.value.errors()[0]["type"] == "control_character"
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(value, "name")
    assert refused.value.details == [
        {
            "field": "name",
            "rule": "control_character",
            "message": f"name: must be one line of printable text (it holds {found})",
        }
    ]


def test_nul_location_names_the_dotted_path() -> None:
    assert nul_location({"a": [{"b": "ok"}, {"c": "x\x00"}]}) == "a.1.c"
    assert nul_location({"headers": {"X-\x00": "v"}}) == "headers.X-\x00"
    assert nul_location("\x00") == "body"
    assert nul_location({"a": ["\t", 1, None, True], "b": {"c": "\n"}}) is None


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_nul_location_is_none_exactly_when_no_string_holds_a_nul(value: object) -> None:
    def strings(item: object) -> list[str]:
        if isinstance(item, str):
            return [item]
        if isinstance(item, list):
            return [s for inner in item for s in strings(inner)]
        if isinstance(item, dict):
            return [s for key, inner in item.items() for s in [key, *strings(inner)]]
        return []

    assert (nul_location(value) is None) == all("\x00" not in s for s in strings(value))
