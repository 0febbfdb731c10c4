"""The state machines of monitored domains, as pure functions.

Records (002): each expected record is compared with what the domain's DNS answers for its
type and host. A record is *propagated* when one of the answers equals its value (compared
in each type's canonical form: addresses parsed, names without the trailing dot and case,
TXT strings joined). The TTL is not compared: resolvers count it down.

    state     missing set now           event
    any       has a record not missing before        domain.record_missing (newly missing named)
    missing   empty                                  domain.record_restored (ALL records back)
    missing   smaller, not empty                     — (wait until all are back)
    ok        empty                                  —

So nothing repeats while nothing changes, and `record_restored` is sent only when every
monitored record is back (002). Records removed from monitoring leave the missing set.

Expiry: threshold brackets like certificates — `domain.expiring` once per threshold crossed
(the nearest one when first seen deep inside), once more when it has expired; a renewal
resets the watch.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

EXPIRED = -1


@dataclass(frozen=True, slots=True)
class ExpectedRecord:
    type: str
    host: str
    value: str
    priority: str | None = None

    @property
    def lookup(self) -> str:
        """The (type, host) query this record is answered by, as one key: "A www"."""
        return f"{self.type} {self.host}"

    @property
    def key(self) -> str:
        """Identity of the record: type, host and canonical value."""
        return f"{self.type} {self.host} {canonical(self.type, self.value, self.priority)}"

    def to_json(self) -> dict[str, str]:
        """002's record shape in webhooks: {type, host, value}."""
        return {"type": self.type, "host": self.host, "value": self.value}


def canonical(rtype: str, value: str, priority: str | None = None) -> str:
    """A value in the form answers and expectations are compared in."""
    text = value.strip()
    if rtype in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    if rtype == "TXT":
        return _unquote_txt(text)
    if rtype == "MX":
        parts = text.split()
        if len(parts) == 2 and parts[0].isdigit():
            return f"{int(parts[0])} {_name(parts[1])}"
        return f"{int(priority)} {_name(text)}" if priority and priority.isdigit() else _name(text)
    if rtype in ("CNAME", "NS", "PTR"):
        return _name(text)
    return " ".join(text.split()).lower()


def _name(text: str) -> str:
    return text.rstrip(".").lower()


def _unquote_txt(text: str) -> str:
    # Zone-file form "part1" "part2" is one string on the wire: join the parts.
    if not text.startswith('"'):
        return text
    parts: list[str] = []
    current: list[str] = []
    inside = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and inside:
            escaped = True
        elif char == '"':
            if inside:
                parts.append("".join(current))
                current = []
            inside = not inside
        elif inside:
            current.append(char)
    return "".join(parts)


def propagated(record: ExpectedRecord, answers: Iterable[str]) -> bool:
    """Whether one of the canonical answers for the record's (type, host) is its value.
    An MX expectation without a priority accepts any priority."""
    wanted = canonical(record.type, record.value, record.priority)
    for answer in answers:
        if answer == wanted:
            return True
        if record.type == "MX" and " " not in wanted and answer.split(" ", 1)[-1] == wanted:
            return True
    return False


@dataclass(frozen=True, slots=True)
class RecordVerdict:
    state: str  # ok | missing
    missing: list[str]  # keys of non-propagated records, in the order of `expected`
    event: str | None  # domain.record_missing | domain.record_restored | None
    newly_missing: list[str]
    propagated: list[ExpectedRecord]
    non_propagated: list[ExpectedRecord]


def evaluate_records(
    expected: list[ExpectedRecord],
    observed: Mapping[str, list[str]],
    previous_state: str,
    previous_missing: Iterable[str],
) -> RecordVerdict:
    """Compare expected records with the canonical answers per lookup key and decide the
    event. `previous_state` is the domain's state before this check (pending, ok, missing,
    error); `previous_missing` the keys missing at the last decisive check."""
    good: list[ExpectedRecord] = []
    bad: list[ExpectedRecord] = []
    for record in expected:
        (good if propagated(record, observed.get(record.lookup, [])) else bad).append(record)
    keys = {r.key for r in expected}
    before = {k for k in previous_missing if k in keys}
    missing = [r.key for r in bad]
    newly = [k for k in missing if k not in before]
    was_missing = previous_state == "missing" or (previous_state == "error" and bool(before))
    event: str | None = None
    if newly:
        event = "domain.record_missing"
    elif not missing and was_missing:
        event = "domain.record_restored"
    return RecordVerdict(
        state="missing" if missing else "ok",
        missing=missing,
        event=event,
        newly_missing=newly,
        propagated=good,
        non_propagated=bad,
    )


@dataclass(frozen=True, slots=True)
class ExpiryVerdict:
    bracket: int | None
    event: str | None  # domain.expiring | None
    threshold: int | None = None


def expiry_status(days_left: int, thresholds: list[int]) -> str:
    """ok | expiring | expired, for the domain's expiry fields."""
    if days_left < 0:
        return "expired"
    return "expiring" if any(days_left <= t for t in thresholds) else "ok"


def evaluate_expiry(days_left: int, thresholds: list[int], announced: int | None) -> ExpiryVerdict:
    """The bracket the registration is in and whether to announce it. `announced` is the
    threshold already announced (EXPIRED after the expired announcement)."""
    if days_left < 0:
        if announced == EXPIRED:
            return ExpiryVerdict(EXPIRED, None)
        return ExpiryVerdict(EXPIRED, "domain.expiring", threshold=0)
    crossed = [t for t in thresholds if days_left <= t]
    if not crossed:
        return ExpiryVerdict(None, None)  # renewed or far from expiry: start afresh
    bracket = min(crossed)
    if announced == bracket:
        return ExpiryVerdict(bracket, None)
    # A nearer bracket, or a farther one after a renewal that is still short: announce it.
    return ExpiryVerdict(bracket, "domain.expiring", threshold=bracket)
