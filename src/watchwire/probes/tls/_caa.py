"""CAA checks (RFC 8659): may the CA that issued a certificate issue for this name?

The relevant record set is found by climbing from the name towards the root; the first
non-empty CAA set decides. A wildcard certificate name `*.example.com` is looked up at
`example.com` and judged by `issuewild` records when there are any, else by `issue`.

Which CAA identifiers (e.g. `letsencrypt.org`) belong to the issuing CA cannot be read from the
certificate, so a small table maps well-known issuer organisations to their identifiers; a
caller may name the identifiers explicitly instead.
"""

from __future__ import annotations

from typing import Final

import dns.asyncresolver
import dns.name
import dns.rdatatype
import dns.resolver
from cryptography import x509
from pydantic import BaseModel

# Issuer organisation (the O= of the issuing certificate, lower case) -> CAA identifiers, from
# each CA's Certificate Practice Statement. Extend when a CA is missing.
CAA_IDENTIFIERS: Final[dict[str, tuple[str, ...]]] = {
    "let's encrypt": ("letsencrypt.org",),
    "digicert inc": ("digicert.com", "symantec.com", "geotrust.com", "thawte.com", "rapidssl.com"),
    "digicert, inc.": ("digicert.com",),
    "cloudflare, inc.": ("digicert.com", "letsencrypt.org", "pki.goog", "ssl.com"),
    "sectigo limited": ("sectigo.com", "comodoca.com", "comodo.com", "usertrust.com"),
    "zerossl": ("sectigo.com", "zerossl.com"),
    "google trust services": ("pki.goog",),
    "google trust services llc": ("pki.goog",),
    "amazon": ("amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"),
    "globalsign nv-sa": ("globalsign.com",),
    "godaddy.com, inc.": ("godaddy.com", "starfieldtech.com"),
    "starfield technologies, inc.": ("starfieldtech.com", "godaddy.com"),
    "entrust, inc.": ("entrust.net", "affirmtrust.com"),
    "microsoft corporation": ("microsoft.com",),
    "buypass as-983163327": ("buypass.com", "buypass.no"),
    "ssl corporation": ("ssl.com",),
    "asseco data systems s.a.": ("certum.pl",),
    "unizeto technologies s.a.": ("certum.pl",),
    "actalis s.p.a.": ("actalis.it",),
    "hellenic academic and research institutions ca": ("harica.gr",),
}


class CaaRecord(BaseModel):
    flags: int
    tag: str
    value: str


class CaaCheck(BaseModel):
    """The outcome of one CAA check."""

    name: str
    found_at: str | None
    records: list[CaaRecord]
    issuer_identifiers: list[str]
    allowed: bool | None
    reason: str


def issuer_identifiers(issuer: x509.Name) -> list[str]:
    """The CAA identifiers of a certificate's issuer, from its organisation; [] if unknown."""
    organisations = issuer.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    for attribute in organisations:
        known = CAA_IDENTIFIERS.get(str(attribute.value).strip().lower())
        if known:
            return list(known)
    return []


async def lookup_caa(
    name: str, nameserver: tuple[str, int] | None, timeout: float
) -> list[CaaRecord]:
    """The CAA records at exactly `name` (CNAMEs followed); [] when there are none.

    The one place this module touches DNS, so a shared lookup can replace it."""
    resolver = dns.asyncresolver.Resolver(configure=nameserver is None)
    if nameserver is not None:
        resolver.nameservers = [nameserver[0]]
        resolver.port = nameserver[1]
    resolver.lifetime = timeout
    try:
        answer = await resolver.resolve(name, dns.rdatatype.CAA, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    return [
        CaaRecord(
            flags=rr.flags,
            tag=rr.tag.decode("ascii", "replace"),
            value=rr.value.decode("utf-8", "replace"),
        )
        for rr in answer
        if rr.rdtype == dns.rdatatype.CAA
    ]


async def relevant_caa(
    name: str, nameserver: tuple[str, int] | None, timeout: float
) -> tuple[str | None, list[CaaRecord]]:
    """RFC 8659 §3: climb from the name to the parent until a non-empty CAA set is found.
    Returns where it was found and the set, or (None, []) when no name has one."""
    current = dns.name.from_text(name)
    while current != dns.name.root:
        records = await lookup_caa(current.to_text(), nameserver, timeout)
        if records:
            return current.to_text(omit_final_dot=True), records
        current = current.parent()
    return None, []


def issuer_domain(value: str) -> str:
    """The issuer-domain-name of an issue/issuewild value, without its parameters."""
    return value.split(";", 1)[0].strip().lower().rstrip(".")


# Properties with a meaning defined by RFC 8659 and RFC 8657/CA-B; any other property that
# carries the critical flag forbids issuance.
_KNOWN: Final = frozenset({"issue", "issuewild", "iodef", "contactemail", "contactphone"})


def judge(
    records: list[CaaRecord], identifiers: list[str], wildcard: bool
) -> tuple[bool | None, str]:
    """Whether the records allow a CA with these identifiers, and a sentence why."""
    unknown_critical = [r.tag for r in records if r.flags & 128 and r.tag.lower() not in _KNOWN]
    if unknown_critical:
        return False, f"a critical CAA property this checker does not know: {unknown_critical[0]}"
    issue = [r for r in records if r.tag.lower() == "issue"]
    issuewild = [r for r in records if r.tag.lower() == "issuewild"]
    use_issuewild = wildcard and bool(issuewild)
    relevant = issuewild if use_issuewild else issue
    tag = "issuewild" if use_issuewild else "issue"
    if not relevant:
        return True, f"the CAA records have no {tag} property, so any CA may issue"
    permitted = sorted({issuer_domain(r.value) for r in relevant} - {""})
    if not permitted:
        return False, f"the CAA {tag} records forbid every CA"
    if not identifiers:
        return None, "the issuing CA is not in the table of known CAA identifiers"
    if any(ident.lower() in permitted for ident in identifiers):
        return True, f"{tag} permits {', '.join(permitted)}"
    return False, (
        f"CAA {tag} permits only {', '.join(permitted)}, not the issuer ({', '.join(identifiers)})"
    )


async def check_caa(
    certificate_name: str,
    identifiers: list[str],
    nameserver: tuple[str, int] | None,
    timeout: float = 5.0,
) -> CaaCheck:
    """Check the CAA records for one certificate name (`*.example.com` or `www.example.com`).

    Raises dns.exception.DNSException when the lookups fail."""
    wildcard = certificate_name.startswith("*.")
    name = certificate_name.removeprefix("*.")
    found_at, records = await relevant_caa(name, nameserver, timeout)
    if found_at is None:
        return CaaCheck(
            name=certificate_name,
            found_at=None,
            records=[],
            issuer_identifiers=identifiers,
            allowed=True,
            reason="no CAA records on the name or its parents, so any CA may issue",
        )
    allowed, reason = judge(records, identifiers, wildcard)
    return CaaCheck(
        name=certificate_name,
        found_at=found_at,
        records=records,
        issuer_identifiers=identifiers,
        allowed=allowed,
        reason=reason,
    )
