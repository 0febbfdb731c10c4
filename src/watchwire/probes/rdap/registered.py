"""The registered domain of a host name: `www.shop.example.co.uk` → `example.co.uk`, the name
a registry holds and RDAP answers for.

The suffixes are the ICANN section of the Public Suffix List (shipped as
`watchwire/data/publicsuffix/public_suffix_list.dat`), applied by the list's own algorithm:
the matching rule with the most labels wins, `*` matches one label, a `!` rule is an
exception one label shorter, and a name no rule matches has its last label as suffix. The
private section (`github.io`, `herokuapp.com`) is left out on purpose: those names are not
registered at a registry, so their registration is their provider's domain's.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from watchwire.errors import ProbeError
from watchwire.probes.rdap.rdap import normalise_domain
from watchwire.target_policy.http import literal_address


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str]]:
    """(rules, exceptions) of the shipped list, each a dotted lowercase suffix."""
    text = (
        resources.files("watchwire")
        .joinpath("data/publicsuffix/public_suffix_list.dat")
        .read_text(encoding="utf-8")
    )
    rules: set[str] = set()
    exceptions: set[str] = set()
    for line in text.splitlines():
        rule = line.strip().split(" ", 1)[0]
        if not rule or rule.startswith("//"):
            continue
        if not rule.isascii():
            try:
                rule = rule.encode("idna").decode("ascii")
            except UnicodeError:
                continue  # no A-label form under IDNA 2003: no host name can end in it
        (exceptions if rule.startswith("!") else rules).add(rule.lstrip("!").lower())
    return frozenset(rules), frozenset(exceptions)


def _suffix_length(labels: list[str]) -> int:
    """How many trailing labels of `labels` are the public suffix."""
    rules, exceptions = _rules()
    best = 1  # the implicit "*" rule
    for size in range(1, len(labels) + 1):
        tail = labels[-size:]
        name = ".".join(tail)
        if name in exceptions:
            return size - 1
        wildcard = ".".join(["*", *tail[1:]])
        if name in rules or wildcard in rules:
            best = size
    return best


@lru_cache(maxsize=4096)  # monitors name the same few hosts over and over
def registered_domain(host: str) -> str | None:
    """The registered domain of `host`, or None for an address, a single label
    (`localhost`) or a public suffix itself (`co.uk`)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name or literal_address(name) is not None:
        return None
    try:
        labels = normalise_domain(name).split(".")
    except ProbeError:
        return None
    suffix = _suffix_length(labels)
    if len(labels) <= suffix:
        return None
    return ".".join(labels[-(suffix + 1) :])
