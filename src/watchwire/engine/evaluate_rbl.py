"""The listed/delisted state machine of a blocklist host: pure, no I/O.

A host's state is the set of sources that list it now (each with its detail entry). One check
gives every asked source a status; the new state is:

- sources that answered `listed` now;
- plus sources that listed it before and gave no usable answer this time (`unknown`,
  `error`, `blocked`): a timeout is no proof of a delisting, so the listing stands;
- sources that answered `not_listed`, or that are no longer asked (removed from the profile,
  paused), drop out.

Events of one check, in order:

| event | when |
|---|---|
| `rbl.host.check.completed` | always |
| `rbl.host.listed` | the host is listed after the check (003: "only triggered in the event the host is listed") |
| `rbl.host.delisted` | it was listed before and is listed nowhere now: the transition back only |

`rbl.host.check.started` is sent before the lookups, outside this evaluation. People (the
host's contact groups) are told only about changes — a first listing, a listing on another
list, the delisting — so an hourly check of a listed host does not page anyone every hour;
webhooks get every `rbl.host.listed`, as 003 describes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

USABLE = frozenset({"listed", "not_listed"})

COMPLETED = "rbl.host.check.completed"
LISTED = "rbl.host.listed"
DELISTED = "rbl.host.delisted"


@dataclass(frozen=True, slots=True)
class Answer:
    """One source's verdict about the host in this check; `detail` is its detail entry."""

    source_sid: str
    status: str  # listed | not_listed | blocked | error | unknown
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evaluation:
    listings: dict[str, dict[str, Any]]  # source SID -> detail entry, after the check
    newly_listed: tuple[str, ...]  # sources that list it now and did not before
    delisted: bool  # listed before, listed nowhere now
    events: tuple[str, ...]
    notify: bool  # tell the host's contact groups (a change people care about)

    @property
    def listed(self) -> bool:
        return bool(self.listings)


def evaluate(previous: Mapping[str, Mapping[str, Any]], answers: Sequence[Answer]) -> Evaluation:
    """The host's listings after one check, and the events it produces."""
    listings: dict[str, dict[str, Any]] = {}
    for answer in answers:
        if answer.status == "listed":
            listings[answer.source_sid] = dict(answer.detail)
        elif answer.status not in USABLE and answer.source_sid in previous:
            listings[answer.source_sid] = dict(previous[answer.source_sid])
    newly = tuple(sid for sid in listings if sid not in previous)
    delisted = bool(previous) and not listings
    events = [COMPLETED]
    if listings:
        events.append(LISTED)
    if delisted:
        events.append(DELISTED)
    return Evaluation(
        listings=listings,
        newly_listed=newly,
        delisted=delisted,
        events=tuple(events),
        notify=bool(newly) or delisted,
    )
