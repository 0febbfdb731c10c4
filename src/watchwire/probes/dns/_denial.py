"""Authenticated denial of existence (RFC 4035 NSEC, RFC 5155 NSEC3): what a set of
already signature-checked NSEC/NSEC3 records proves about a name.

These functions only read records; checking their signatures is the caller's job.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3

OPT_OUT = 0x01


class NameState(Enum):
    """What the denial records say about a name and a type."""

    TYPE_ABSENT = "the name exists without the type"
    TYPE_PRESENT = "the type is listed as present"
    DELEGATION_WITHOUT_DS = "an unsigned delegation (NS, no DS)"
    OPT_OUT = "covered by an NSEC3 opt-out span (may be an unsigned delegation)"
    NAME_ABSENT = "the name does not exist"
    UNPROVEN = "nothing proves it"


@dataclass(frozen=True, slots=True)
class Denial:
    state: NameState
    method: str  # "NSEC" or "NSEC3", or "" when unproven


def _types(rdata: NSEC | NSEC3) -> set[int]:
    found: set[int] = set()
    for window, bitmap in rdata.windows:
        for index, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    found.add(window * 256 + index * 8 + bit)
    return found


def _state_from_types(types: set[int], rdtype: int) -> NameState:
    if rdtype in types or dns.rdatatype.CNAME in types:
        return NameState.TYPE_PRESENT
    if rdtype == dns.rdatatype.DS and dns.rdatatype.NS in types and dns.rdatatype.SOA not in types:
        return NameState.DELEGATION_WITHOUT_DS
    return NameState.TYPE_ABSENT


def _nsec_covers(owner: dns.name.Name, nxt: dns.name.Name, name: dns.name.Name) -> bool:
    if owner < nxt:
        return bool(owner < name < nxt)
    return bool(name > owner or name < nxt)  # the last NSEC of a zone wraps to the apex


def _nsec_state(records: list[dns.rrset.RRset], name: dns.name.Name, rdtype: int) -> NameState:
    for rrset in records:
        for rdata in rrset:
            assert isinstance(rdata, NSEC)
            if rrset.name == name:
                return _state_from_types(_types(rdata), rdtype)
    for rrset in records:
        for rdata in rrset:
            assert isinstance(rdata, NSEC)
            if _nsec_covers(rrset.name, rdata.next, name):
                # An empty non-terminal sits between owner and next: it exists, with no data.
                if rdata.next.is_subdomain(name):
                    return NameState.TYPE_ABSENT
                encloser = max(
                    _common_ancestor(name, rrset.name), _common_ancestor(name, rdata.next), key=len
                )
                if _nsec_wildcard_denied(records, encloser):
                    return NameState.NAME_ABSENT
                return NameState.UNPROVEN
    return NameState.UNPROVEN


def _common_ancestor(a: dns.name.Name, b: dns.name.Name) -> dns.name.Name:
    _, _, common_labels = a.fullcompare(b)
    return a.split(common_labels)[1]


def _nsec_wildcard_denied(records: list[dns.rrset.RRset], encloser: dns.name.Name) -> bool:
    """No wildcard at the closest encloser could have answered instead (RFC 4035 5.4)."""
    wildcard = dns.name.Name((b"*", *encloser.labels))
    return any(
        _nsec_covers(rrset.name, rdata.next, wildcard)
        for rrset in records
        for rdata in rrset
        if isinstance(rdata, NSEC)
    )


def _hash(name: dns.name.Name, rdata: NSEC3) -> str:
    return dns.dnssec.nsec3_hash(name, rdata.salt, rdata.iterations, rdata.algorithm)


def _nsec3_entries(records: list[dns.rrset.RRset]) -> list[tuple[str, str, NSEC3]]:
    entries = []
    for rrset in records:
        owner_hash = rrset.name.labels[0].decode().upper()
        for rdata in rrset:
            assert isinstance(rdata, NSEC3)
            next_hash = base64.b32hexencode(rdata.next).decode().upper()
            entries.append((owner_hash, next_hash, rdata))
    return entries


def _nsec3_match(entries: list[tuple[str, str, NSEC3]], name: dns.name.Name) -> NSEC3 | None:
    for owner_hash, _, rdata in entries:
        if _hash(name, rdata) == owner_hash:
            return rdata
    return None


def _nsec3_cover(entries: list[tuple[str, str, NSEC3]], name: dns.name.Name) -> NSEC3 | None:
    for owner_hash, next_hash, rdata in entries:
        hashed = _hash(name, rdata)
        inside = (
            owner_hash < hashed < next_hash
            if owner_hash < next_hash
            else hashed > owner_hash or hashed < next_hash
        )
        if inside:
            return rdata
    return None


def _nsec3_state(
    records: list[dns.rrset.RRset], name: dns.name.Name, rdtype: int, zone: dns.name.Name
) -> NameState:
    entries = _nsec3_entries(records)
    matched = _nsec3_match(entries, name)
    if matched is not None:
        return _state_from_types(_types(matched), rdtype)
    # Closest encloser proof: an ancestor that exists, and the next closer name covered.
    closer = name
    while closer != zone and closer.parent().is_subdomain(zone):
        encloser = closer.parent()
        if _nsec3_match(entries, encloser) is not None:
            cover = _nsec3_cover(entries, closer)
            if cover is None:
                return NameState.UNPROVEN
            if cover.flags & OPT_OUT:
                return NameState.OPT_OUT
            if _nsec3_cover(entries, dns.name.Name((b"*", *encloser.labels))) is None:
                return NameState.UNPROVEN  # a wildcard could have answered
            return NameState.NAME_ABSENT
        closer = encloser
    return NameState.UNPROVEN


def prove(
    records: Iterable[dns.rrset.RRset],
    name: dns.name.Name,
    rdtype: int,
    zone: dns.name.Name,
) -> Denial:
    """What `records` (the NSEC or NSEC3 RRsets of an answer's authority section, already
    validated as signed by `zone`) prove about `name` and `rdtype`."""
    nsec = [r for r in records if r.rdtype == dns.rdatatype.NSEC]
    nsec3 = [r for r in records if r.rdtype == dns.rdatatype.NSEC3]
    if nsec:
        state = _nsec_state(nsec, name, rdtype)
        if state is not NameState.UNPROVEN:
            return Denial(state, "NSEC")
    if nsec3:
        state = _nsec3_state(nsec3, name, rdtype, zone)
        if state is not NameState.UNPROVEN:
            return Denial(state, "NSEC3")
    return Denial(NameState.UNPROVEN, "")


def proves_no_closer_match(
    records: Iterable[dns.rrset.RRset], name: dns.name.Name, signed_labels: int
) -> str:
    """For an answer synthesised from a wildcard (its RRSIG counts `signed_labels` labels,
    fewer than `name` has): "NSEC" or "NSEC3" when `records` prove that no name closer than
    the wildcard exists (RFC 4035 5.3.4, RFC 5155 8.8), else ""."""
    nsec = [r for r in records if r.rdtype == dns.rdatatype.NSEC]
    nsec3 = [r for r in records if r.rdtype == dns.rdatatype.NSEC3]
    for rrset in nsec:
        for rdata in rrset:
            if isinstance(rdata, NSEC) and _nsec_covers(rrset.name, rdata.next, name):
                return "NSEC"
    # The next closer name: one label more than the wildcard's parent (+1 for the root).
    next_closer = name.split(signed_labels + 2)[1]
    if nsec3 and _nsec3_cover(_nsec3_entries(nsec3), next_closer) is not None:
        return "NSEC3"
    return ""
