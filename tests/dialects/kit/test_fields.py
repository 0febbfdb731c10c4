"""The kit's typed readers: every boolean spelling, bounded integers, lists in every shape
clients send them, SIDs, objects, and control characters refused — each failure naming the
field and the rule."""

from __future__ import annotations

import string
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchwire.api.dialects.kit.fields import (
    FALSE_SPELLINGS,
    MAX_INTEGER,
    TRUE_SPELLINGS,
    Fields,
)
from watchwire.errors import ValidationError

SID = "CG" + "0" * 32


def refusal(read: Any) -> tuple[str, str]:
    """The (field, rule) a reader call refused with."""
    with pytest.raises(ValidationError) as caught:
        read()
    (detail,) = caught.value.details
    assert detail["field"] in detail["message"]
    return detail["field"], detail["rule"]


def casings(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(sorted({c.lower(), c.upper()})) for c in word)).map("".join)


@given(st.sampled_from(sorted(TRUE_SPELLINGS | FALSE_SPELLINGS)).flatmap(casings), st.booleans())
def test_every_boolean_spelling_in_any_case(spelling: str, padded: bool) -> None:
    sent = f"  {spelling} " if padded else spelling
    assert Fields({"flag": sent}).boolean("flag") is (spelling.lower() in TRUE_SPELLINGS)


@given(st.text(max_size=12))
def test_other_texts_are_not_booleans(value: str) -> None:
    if value.strip().lower() in TRUE_SPELLINGS | FALSE_SPELLINGS:
        return
    assert refusal(lambda: Fields({"flag": value}).boolean("flag")) == ("flag", "boolean")


def test_json_booleans_and_absent_ones() -> None:
    assert Fields({"a": True, "b": 0, "c": 1}).boolean("a") is True
    assert Fields({"b": 0}).boolean("b") is False and Fields({"c": 1}).boolean("c") is True
    assert Fields({}).boolean("flag") is None and Fields({"flag": None}).boolean("flag") is None
    for wrong in (2, 1.0, ["true"], {"x": "1"}):
        assert refusal(lambda w=wrong: Fields({"flag": w}).boolean("flag")) == ("flag", "boolean")


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_integers_within_bounds_or_refused_by_bound(number: int) -> None:
    def read() -> int:
        return Fields({"n": str(number)}).integer("n", 7, minimum=1, maximum=MAX_INTEGER)

    if 1 <= number <= MAX_INTEGER:
        assert read() == number
    else:
        assert refusal(read) == ("n", "minimum" if number < 1 else "maximum")


@given(st.text(max_size=20))
def test_integers_are_ascii_digits_only(value: str) -> None:
    stripped = value.strip()
    if not stripped or all(c in string.digits + "+-" for c in stripped):
        return
    assert refusal(lambda: Fields({"n": value}).integer("n", 1)) == ("n", "integer")


def test_integer_edge_cases() -> None:
    assert Fields({}).integer("n", 5) == 5 and Fields({"n": ""}).integer("n", 5) == 5
    assert Fields({"n": 12}).integer("n", 5) == 12  # JSON
    assert Fields({"n": " 0012 "}).integer("n", 5) == 12
    for wrong in ("1_000", "\u0661\u0662", "1.5", "1e3", 2.0, True, ["1"]):
        assert refusal(lambda w=wrong: Fields({"n": w}).integer("n", 1)) == ("n", "integer")
    assert refusal(lambda: Fields({"n": "9" * 5000}).integer("n", 1)) == ("n", "maximum")
    assert refusal(lambda: Fields({"n": "-" + "9" * 5000}).integer("n", 1)) == ("n", "minimum")
    assert Fields({"n": "0" * 5000 + "3"}).integer("n", 1) == 3
    assert Fields({}).optional_integer("n") is None


@pytest.mark.parametrize(
    "sent",
    [
        "a, b,,c ",
        ["a", " b", "", "c"],
        {"0": "a", "1": "b", "2": "c"},
        {"1": "b", "0": "a", "10": "", "2": "c"},
    ],
    ids=["comma", "json-or-rails-list", "php-indexed", "php-unordered"],
)
def test_lists_in_every_shape(sent: Any) -> None:
    assert Fields({"tags": sent}).items("tags") == ["a", "b", "c"]


def test_lists_refuse_what_is_not_a_list_of_values() -> None:
    assert refusal(lambda: Fields({"tags": {"k": "v"}}).items("tags")) == ("tags", "list")
    assert refusal(lambda: Fields({"tags": ["a", ["b"]]}).items("tags")) == ("tags[1]", "string")
    assert refusal(lambda: Fields({"tags": True}).items("tags")) == ("tags", "string")
    long = Fields({"tags": ["a", "x" * 2000]})
    assert refusal(lambda: long.items("tags", max_length=64)) == ("tags[1]", "max_length")
    assert Fields({"tags": [1, 2.5]}).items("tags") == ["1", "2.5"]
    many = Fields({"ids": ",".join(["a"] * 1001)})
    assert refusal(lambda: many.items("ids")) == ("ids", "max_items")
    assert len(Fields({"ids": ["a"] * 1000}).items("ids") or []) == 1000
    assert Fields({"tags": ""}).items("tags") == [] and Fields({}).items("tags") is None


@given(st.text(max_size=40))
def test_sid_lists_accept_only_the_pattern(value: str) -> None:
    try:
        sids = Fields({"contact_group": value}).sids("contact_group", "contact_group")
    except ValidationError as exc:
        assert exc.details[0]["field"].startswith("contact_group[")
        assert exc.details[0]["rule"] in ("pattern", "control")
    else:
        assert all(s.startswith("CG") and len(s) == 34 for s in sids or [])


def test_single_sids() -> None:
    assert Fields({"profile": f" {SID} "}).sid("profile", "contact_group") == SID
    assert Fields({"profile": ""}).sid("profile", "contact_group") is None
    wrong = Fields({"profile": f"{SID},{SID}"})
    assert refusal(lambda: wrong.sid("profile", "contact_group")) == ("profile", "pattern")
    assert refusal(lambda: Fields({}).sids("ids", "contact_group", required=True)) == (
        "ids",
        "required",
    )


def test_text_reads_strings_and_json_numbers_only() -> None:
    assert Fields({"name": "  ops  "}).text("name") == "ops"
    assert Fields({"name": 5}).text("name") == "5"
    assert Fields({"name": "   "}).text("name") is None
    assert refusal(lambda: Fields({"name": " "}).text("name", required=True)) == (
        "name",
        "required",
    )
    for wrong in (["a"], {"a": "b"}, True):
        assert refusal(lambda w=wrong: Fields({"name": w}).text("name")) == ("name", "string")
    too_long = Fields({"name": "x" * 256})
    assert refusal(lambda: too_long.text("name", max_length=255)) == ("name", "max_length")
    assert Fields({"c": "a"}).choice("c", ("a", "b")) == "a"
    assert refusal(lambda: Fields({"c": "z"}).choice("c", ("a", "b"))) == ("c", "enum")


CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]


@given(st.text(max_size=10), st.sampled_from(CONTROLS), st.text(max_size=10))
def test_control_characters_are_refused(before: str, control: str, after: str) -> None:
    value = f"x{before}{control}{after}x"  # not at the edges, where strip() would take it
    assert refusal(lambda: Fields({"name": value}).text("name")) == ("name", "control")
    if control not in "\t\n\r":
        lines = Fields({"body": value})
        assert refusal(lambda: lines.text("body", lines=True)) == ("body", "control")
    assert refusal(lambda: Fields({"tags": ["ok", value]}).items("tags")) == (
        "tags[1]",
        "control",
    )


@given(st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=30))
def test_text_without_control_characters_comes_back_stripped(value: str) -> None:
    assert all(unicodedata.category(c) != "Cc" for c in value)
    assert Fields({"name": value}).text("name") == (value.strip() or None)


def test_multi_line_text_keeps_line_breaks() -> None:
    assert Fields({"body": "a\n\tb\r\nc"}).text("body", lines=True) == "a\n\tb\r\nc"


def test_mappings() -> None:
    assert Fields({"args": {"url": "https://x"}}).mapping("args") == {"url": "https://x"}
    assert Fields({"args": '{"url": "https://x"}'}).mapping("args") == {"url": "https://x"}
    assert Fields({"args": ""}).mapping("args") is None
    for wrong in ("[1]", "nope", ["a"], 3):
        assert refusal(lambda w=wrong: Fields({"args": w}).mapping("args")) == ("args", "object")
    nested = Fields({"args": {"headers": {"X": ["ok", "bad\x00"]}}})
    assert refusal(lambda: nested.mapping("args")) == ("args.headers.X[1]", "control")
    assert refusal(lambda: Fields({"args": {"k\x01": "v"}}).mapping("args")) == (
        "args",
        "control",
    )


def test_present_drops_what_was_not_sent() -> None:
    assert Fields.present({"a": None, "b": "", "c": [], "d": False}) == {
        "b": "",
        "c": [],
        "d": False,
    }
