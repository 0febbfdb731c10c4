"""Prefixed SIDs: two upper-case letters and 32 lowercase hex digits (64 for checks)."""

from __future__ import annotations

import re
import secrets
from typing import Final

# One place that names every prefix; a dialect that shows integer ids maps them, never a
# second id space.
PREFIXES: Final[dict[str, str]] = {
    "account": "AC",
    "api_key": "AK",
    "monitor": "MO",
    "event": "TA",
    "webhook": "WH",
    "delivery": "DL",
    "rbl_host": "HT",
    "rbl_profile": "RP",
    "rbl_source": "RB",
    "rbl_check": "PP",
    "cert_monitor": "CM",
    "cert_profile": "CP",
    "cert_error": "CE",
    "contact": "CO",
    "contact_group": "CG",
    "domain": "DM",
    "batch": "BR",
    "status_notice": "SN",
    "user": "US",
}

_LONG = {"PP"}


def new_sid(kind: str) -> str:
    """A fresh random SID for a resource kind named in PREFIXES."""
    prefix = PREFIXES[kind]
    nbytes = 32 if prefix in _LONG else 16
    return prefix + secrets.token_hex(nbytes)


def sid_pattern(kind: str) -> re.Pattern[str]:
    prefix = PREFIXES[kind]
    length = 64 if prefix in _LONG else 32
    return re.compile(rf"^{prefix}[0-9a-f]{{{length}}}$")


def is_sid(kind: str, value: str) -> bool:
    return bool(sid_pattern(kind).match(value))
