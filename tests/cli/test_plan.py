"""What apply would change, worked out without a server (cli/plan.py)."""

from __future__ import annotations

from typing import Any

import pytest

from watchwire.cli.plan import BY_NAME, Names, exported, plan, same
from watchwire.errors import ValidationError


@pytest.mark.parametrize(
    ("wanted", "current", "equal"),
    [
        ({"keyword": "ok"}, {"keyword": "ok", "timeout": 10}, True),  # unstated keys stay
        ({"keyword": "ok"}, {"keyword": "no"}, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        (60, 60.0, True),
        (True, 1, False),
        ("pushover-token-abcd", "****abcd", True),  # a masked credential, same last four
        ("pushover-token-wxyz", "****abcd", False),
        ("short", "****", False),
    ],
)
def test_what_counts_as_the_same(wanted: Any, current: Any, equal: bool) -> None:
    assert same(wanted, current) is equal


def _monitor(name: str, **fields: Any) -> dict[str, Any]:
    return {"sid": f"MO{name:0>32}"[:34], "name": name, "kind": "http", "target": "t"} | fields


def test_only_the_files_sections_are_pruned_and_only_when_asked() -> None:
    current = {
        "monitors": [_monitor("a", interval=60), _monitor("b")],
        "webhooks": [{"sid": "WH" + "0" * 32, "name": "w", "url": "u"}],
    }
    wanted: dict[str, list[dict[str, Any]] | None] = {
        "monitors": [{"name": "a", "kind": "http", "target": "t", "interval": 120}]
    }
    changes, counts = plan(wanted, current, Names(), prune=False)
    assert [(c.action, c.name, c.fields) for c in changes] == [("update", "a", ("interval",))]
    assert counts == {"kept:monitors": 1}
    changes, _ = plan(wanted, current, Names(), prune=True)
    assert [(c.action, c.name) for c in changes] == [("delete", "b"), ("update", "a")]


def test_a_reference_to_nothing_is_refused_and_one_to_come_is_a_change() -> None:
    wanted: dict[str, list[dict[str, Any]] | None] = {
        "monitors": [{"name": "a", "kind": "http", "target": "t", "recipients": ["ops"]}]
    }
    current = {"monitors": [_monitor("a", recipients=[])]}
    with pytest.raises(ValidationError, match="no contact or webhook named 'ops'"):
        plan(wanted, current, Names(), prune=False)
    names = Names(coming={"contacts": {"ops"}})
    changes, _ = plan(wanted, current, names, prune=False)
    assert [(c.action, c.fields) for c in changes] == [("update", ("recipients",))]


def test_export_leaves_defaults_out_and_names_the_files_own() -> None:
    names = Names()
    names.of("contacts")["On call"] = "CO" + "1" * 32
    record = _monitor(
        "a", interval=60, paused=False, recipients=["CO" + "1" * 32, "WH" + "2" * 32],
        contact_groups=["CG" + "3" * 32], options={}, tags=[],
    )  # fmt: skip
    entry = exported(BY_NAME["monitors"], record, names, default_group="CG" + "3" * 32)
    assert entry == {
        "name": "a",
        "kind": "http",
        "target": "t",
        "recipients": ["On call", "WH" + "2" * 32],
    }
