"""DNSSEC trust anchors: the root's key-signing keys shipped in code, anchors read from
zone-file text or a file, and whether a DNSKEY matches a DS record (how an anchor or a
parent zone vouches for a key)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dns.dnssec
import dns.exception
import dns.name
import dns.rdatatype
import dns.zonefile
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS

from watchwire.errors import ProbeError

# The root zone's key-signing keys as IANA publishes them (root-anchors.xml): KSK-2017 and
# KSK-2024. Shipped in code so validation needs no download; override with trust_anchor.
ROOT_TRUST_ANCHORS = """\
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
"""

DIGEST_TYPES = {1: "SHA1", 2: "SHA256", 4: "SHA384"}


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """The zone validation starts from and the DS and/or DNSKEY records trusted for it."""

    zone: dns.name.Name
    ds: tuple[DS, ...] = ()
    dnskeys: tuple[DNSKEY, ...] = ()


def parse_trust_anchor(text: str) -> TrustAnchor:
    """A trust anchor from zone-file lines of DS and/or DNSKEY records of one zone (the format
    of `dig DS`/`dig DNSKEY` output, unbound's trust-anchor-file, /usr/share/dns/root.ds).
    Raises ValueError when the text holds no such records or several zones."""
    try:
        rrsets = dns.zonefile.read_rrsets(text, rdclass=None, default_ttl=0)
    except dns.exception.DNSException as exc:
        raise ValueError(f"trust anchor does not parse: {exc}") from exc
    ds = tuple(r for rrset in rrsets if rrset.rdtype == dns.rdatatype.DS for r in rrset)
    keys = tuple(r for rrset in rrsets if rrset.rdtype == dns.rdatatype.DNSKEY for r in rrset)
    zones = {
        rrset.name for rrset in rrsets if rrset.rdtype in (dns.rdatatype.DS, dns.rdatatype.DNSKEY)
    }
    if not zones:
        raise ValueError("trust anchor holds no DS or DNSKEY record")
    if len(zones) > 1:
        raise ValueError("trust anchor names more than one zone")
    return TrustAnchor(zones.pop(), ds, keys)


def load_trust_anchor(path: Path | None) -> TrustAnchor:
    """The anchor in `path`, or the root KSKs. Raises ProbeError when the file is unusable."""
    if path is None:
        return parse_trust_anchor(ROOT_TRUST_ANCHORS)
    try:
        return parse_trust_anchor(path.read_text())
    except (OSError, ValueError) as exc:
        raise ProbeError(f"cannot use trust anchor {path}: {exc}", code="dns_error") from exc


def key_matches_ds(owner: dns.name.Name, key: DNSKEY, ds: DS) -> bool:
    digest = DIGEST_TYPES.get(ds.digest_type)
    if digest is None or key.algorithm != ds.algorithm:
        return False
    if dns.dnssec.key_id(key) != ds.key_tag:
        return False
    try:
        return bool(dns.dnssec.make_ds(owner, key, digest, validating=True) == ds)
    except (dns.exception.DNSException, ValueError):
        return False
