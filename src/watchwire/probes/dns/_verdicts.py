"""DNSSEC verdicts: the four statuses, who decided (our own chain walk or a validating
resolver's AD bit), and the verdict a validating resolver gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import dns.flags
import dns.message
import dns.rcode

Status = Literal["secure", "insecure", "bogus", "indeterminate"]
Method = Literal["chain", "resolver-ad"]


@dataclass(slots=True)
class Verdict:
    """A DNSSEC status, the reason in one sentence, which method decided, and the zones whose
    keys were proven (anchor first)."""

    status: Status
    reason: str
    method: Method = "chain"
    zones: list[str] = field(default_factory=list)


def resolver_verdict(
    response: dns.message.Message, checking_disabled: dns.message.Message | None
) -> Verdict:
    """The verdict of a validating resolver: its AD bit, or its SERVFAIL when the same query
    with CD set gets an answer (the resolver refused data it could not validate)."""
    if response.flags & dns.flags.AD:
        return Verdict("secure", "the validating resolver set the AD bit", "resolver-ad")
    if response.rcode() == dns.rcode.SERVFAIL:
        if checking_disabled is not None and checking_disabled.rcode() != dns.rcode.SERVFAIL:
            return Verdict(
                "bogus",
                "the resolver answers only with checking disabled (CD): validation failed",
                "resolver-ad",
            )
        return Verdict("indeterminate", "the resolver answered SERVFAIL", "resolver-ad")
    return Verdict(
        "insecure",
        "the resolver did not set the AD bit (unsigned, or it does not validate)",
        "resolver-ad",
    )
