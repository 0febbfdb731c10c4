"""DNSSEC chain-of-trust validation for one DNS answer, from a trust anchor down.

dnspython checks one RRset against its RRSIGs; this module builds the chain around that:

1. the anchor zone's DNSKEY set must contain a key matching the anchor (DS digest or the
   DNSKEY itself) and be signed by it;
2. for every name between the anchor and the zone that signed the answer, top-down, a DS
   query: a signed DS set is a zone cut — the child's DNSKEY set must contain a key matching
   one of the DS records and be signed by it ("DS link"); no DS must be proven by NSEC/NSEC3,
   and a proven unsigned delegation ends the walk as `insecure`;
3. the answer's RRsets (or, for a negative answer, its SOA and NSEC/NSEC3 records and what
   they prove) must verify with the keys of the zone that signed them.

Verdicts: `secure` (the whole chain verified), `insecure` (an unsigned delegation was
proven), `bogus` (a signature, a DS link or a denial proof failed — the reason says which),
`indeterminate` (the chain could not be followed: no answer, server failure, a name outside
the anchor, an unsupported algorithm).

The anchors it starts from are in `_anchors`, the verdicts it gives (and a validating
resolver's) in `_verdicts`.

Every query of the walk goes to the one server the probe uses, with the CD bit set so a
validating resolver hands over data it would refuse: that server must answer for every zone
of the chain (a recursive resolver does; an authoritative server does for the zones it
serves). The walk does not follow referrals itself.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zonefile
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from watchwire.errors import WatchwireError
from watchwire.probes.dns._anchors import TrustAnchor, key_matches_ds
from watchwire.probes.dns._denial import NameState, prove, proves_no_closer_match
from watchwire.probes.dns._verdicts import Status, Verdict

QueryFunction = Callable[[dns.name.Name, dns.rdatatype.RdataType], Awaitable[dns.message.Message]]


class _Stop(Exception):
    """Ends the walk early with a verdict (bogus, insecure or indeterminate)."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _rrsets(
    section: list[dns.rrset.RRset],
) -> tuple[
    list[dns.rrset.RRset], dict[tuple[dns.name.Name, dns.rdatatype.RdataType], dns.rrset.RRset]
]:
    data = [r for r in section if r.rdtype != dns.rdatatype.RRSIG]
    sigs = {(r.name, r.covers): r for r in section if r.rdtype == dns.rdatatype.RRSIG}
    return data, sigs


def _signer(sigs: dns.rrset.RRset | None) -> dns.name.Name | None:
    return sigs[0].signer if sigs else None


class ChainWalker:
    """Validates answers from one server against one trust anchor; caches the zone keys it
    has proven so a second RRset in the same zone costs no query."""

    def __init__(self, query: QueryFunction, anchor: TrustAnchor, now: float | None = None):
        self.query = query
        self.anchor = anchor
        self.now = now
        self.keys: dict[dns.name.Name, dns.rdataset.Rdataset] = {}
        self.zones: list[str] = []
        self.notes: list[str] = []

    async def validate(
        self, response: dns.message.Message, qname: dns.name.Name, rdtype: int
    ) -> Verdict:
        """The verdict for `response`, the answer to (qname, rdtype) with the DO bit set."""
        try:
            status, reason = await self._validate(response, qname, rdtype)
        except _Stop as stop:
            status, reason = stop.status, stop.reason
        except WatchwireError as exc:
            status, reason = "indeterminate", exc.message
        return Verdict(status, reason, "chain", list(self.zones))

    # --- the answer ------------------------------------------------------------------------

    async def _validate(
        self, response: dns.message.Message, qname: dns.name.Name, rdtype: int
    ) -> tuple[Status, str]:
        if not qname.is_subdomain(self.anchor.zone):
            raise _Stop("indeterminate", f"{qname} is outside the trust anchor {self.anchor.zone}")
        rcode = response.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise _Stop("indeterminate", f"the server answered {dns.rcode.to_text(rcode)}")
        await self._anchor_keys()
        data, sigs = _rrsets(response.answer)
        for rrset in data:
            await self._check_rrset(rrset, sigs.get((rrset.name, rrset.rdtype)), response)
        answered = any(r.name == qname or r.rdtype == dns.rdatatype.CNAME for r in data)
        if rcode == dns.rcode.NOERROR and answered:
            notes = "".join(f"; {note}" for note in self.notes)
            return "secure", f"{len(data)} RRset(s) verified from the trust anchor down{notes}"
        return await self._check_negative(response, _last_name(data, qname), rdtype)

    async def _check_rrset(
        self,
        rrset: dns.rrset.RRset,
        sigs: dns.rrset.RRset | None,
        response: dns.message.Message | None = None,
    ) -> None:
        signer = _signer(sigs)
        name = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
        if sigs is None or signer is None:
            # Unsigned data is fine only below a proven unsigned delegation.
            await self._zone_keys(rrset.name, allow_descend_to_owner=True)
            raise _Stop("bogus", f"{name} has no RRSIG though every zone above it is signed")
        if not rrset.name.is_subdomain(signer) or not signer.is_subdomain(self.anchor.zone):
            raise _Stop("bogus", f"{name} is signed by {signer}, which is not its zone")
        keys = await self._zone_keys(signer)
        self._verify(rrset, sigs, signer, keys, name)
        if sigs[0].labels < len(rrset.name) - 1:
            self._check_wildcard(response, rrset, sigs[0].labels, signer, keys)

    def _check_wildcard(
        self,
        response: dns.message.Message | None,
        rrset: dns.rrset.RRset,
        signed_labels: int,
        zone: dns.name.Name,
        keys: dns.rdataset.Rdataset,
    ) -> None:
        """A wildcard expansion is only as good as the proof that no closer name exists."""
        what = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
        if response is None:
            raise _Stop("bogus", f"{what} was synthesised from a wildcard without proof")
        data, sigs = _rrsets(response.authority)
        proofs = [r for r in data if r.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3)]
        for proof in proofs:
            self._verify(proof, sigs.get((proof.name, proof.rdtype)), zone, keys, str(proof.name))
        method = proves_no_closer_match(proofs, rrset.name, signed_labels)
        if not method:
            raise _Stop("bogus", f"{what} was synthesised from a wildcard without proof")
        self.notes.append(f"{rrset.name} expanded from a wildcard ({method} proves it)")

    async def _check_negative(
        self, response: dns.message.Message, name: dns.name.Name, rdtype: int
    ) -> tuple[Status, str]:
        data, sigs = _rrsets(response.authority)
        soa = next((r for r in data if r.rdtype == dns.rdatatype.SOA), None)
        if soa is None:
            raise _Stop("indeterminate", f"the negative answer for {name} carries no SOA")
        await self._check_rrset(soa, sigs.get((soa.name, soa.rdtype)))
        zone = soa.name
        keys = await self._zone_keys(zone)
        proofs = [r for r in data if r.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3)]
        for rrset in proofs:
            self._verify(rrset, sigs.get((rrset.name, rrset.rdtype)), zone, keys, str(rrset.name))
        denial = prove(proofs, name, rdtype, zone)
        wanted = (
            {NameState.NAME_ABSENT}
            if response.rcode() == dns.rcode.NXDOMAIN
            else {NameState.TYPE_ABSENT, NameState.DELEGATION_WITHOUT_DS, NameState.OPT_OUT}
        )
        what = "does not exist" if NameState.NAME_ABSENT in wanted else "has no such record"
        if denial.state in wanted:
            return "secure", f"{denial.method} proves that {name} {what}"
        raise _Stop("bogus", f"no valid NSEC/NSEC3 proof that {name} {what}")

    # --- the chain -------------------------------------------------------------------------

    async def _anchor_keys(self) -> dns.rdataset.Rdataset:
        zone = self.anchor.zone
        if zone in self.keys:
            return self.keys[zone]
        try:
            keys, sigs = await self._dnskeys(
                zone,
                # No DS above an anchor: the anchor itself is the link that breaks.
                f"the trust anchor says {zone} is signed, but {zone} publishes no DNSKEY on "
                f"this server (an unsigned copy of {zone}?): the chain has no key to start from",
            )
        except _Stop as stop:
            if stop.status != "indeterminate":
                raise
            raise _Stop(
                "indeterminate",
                f"{stop.reason}: this server does not show the chain from the trust anchor "
                f"{zone} (ask a resolver, or give the zone's own trust_anchor)",
            ) from None
        trusted = [
            key
            for key in keys
            if key in self.anchor.dnskeys
            or any(key_matches_ds(zone, key, d) for d in self.anchor.ds)
        ]
        if not trusted:
            raise _Stop("bogus", f"no DNSKEY of {zone} matches the trust anchor")
        self._verify(keys, sigs, zone, _rdataset(trusted), f"{zone} DNSKEY (trust anchor)")
        self.keys[zone] = keys
        self.zones.append(zone.to_text())
        return keys

    async def _zone_keys(
        self, target: dns.name.Name, allow_descend_to_owner: bool = False
    ) -> dns.rdataset.Rdataset:
        """The proven DNSKEY set of zone `target`, walking DS links down from the deepest zone
        already proven. With `allow_descend_to_owner`, `target` is any name (not a zone) and
        the walk ends at the deepest zone cut above or at it."""
        zone = max((z for z in self.keys if target.is_subdomain(z)), key=len)
        for depth in range(len(zone) + 1, len(target) + 1):
            child = target.split(depth)[1]
            if await self._descend(zone, child):
                zone = child
        if zone != target and not allow_descend_to_owner:
            raise _Stop("bogus", f"{target} signs records but is not a zone cut below {zone}")
        return self.keys[zone]

    async def _descend(self, parent: dns.name.Name, child: dns.name.Name) -> bool:
        """Whether `child` is a signed zone cut below `parent` (its keys then proven). Stops
        the walk as insecure for a proven unsigned delegation, bogus for a broken link."""
        response = await self._ask(child, dns.rdatatype.DS)
        data, sigs = _rrsets(response.answer)
        ds = next((r for r in data if r.rdtype == dns.rdatatype.DS and r.name == child), None)
        if ds is None:
            self._check_no_ds(response, parent, child)
            return False
        self._verify(
            ds, sigs.get((child, dns.rdatatype.DS)), parent, self.keys[parent], f"{child} DS"
        )
        keys, key_sigs = await self._dnskeys(
            child, f"DS link broken: {child} has a DS in {parent} but publishes no DNSKEY"
        )
        linked = [k for k in keys if any(key_matches_ds(child, k, d) for d in ds)]
        if not linked:
            raise _Stop("bogus", f"DS link broken: no DNSKEY of {child} matches the DS in {parent}")
        self._verify(keys, key_sigs, child, _rdataset(linked), f"{child} DNSKEY")
        self.keys[child] = keys
        self.zones.append(child.to_text())
        return True

    def _check_no_ds(
        self, response: dns.message.Message, parent: dns.name.Name, child: dns.name.Name
    ) -> None:
        data, sigs = _rrsets(response.authority)
        proofs = [r for r in data if r.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3)]
        for rrset in proofs:
            signer = _signer(sigs.get((rrset.name, rrset.rdtype)))
            if signer != parent:
                raise _Stop("bogus", f"the proof that {child} has no DS is not signed by {parent}")
            self._verify(
                rrset,
                sigs.get((rrset.name, rrset.rdtype)),
                parent,
                self.keys[parent],
                str(rrset.name),
            )
        denial = prove(proofs, child, dns.rdatatype.DS, parent)
        if denial.state in (NameState.DELEGATION_WITHOUT_DS, NameState.OPT_OUT):
            raise _Stop(
                "insecure",
                f"{child} is an unsigned delegation from {parent} ({denial.method} proves no DS)",
            )
        if denial.state in (NameState.TYPE_ABSENT, NameState.NAME_ABSENT):
            return  # not a zone cut: the name belongs to `parent`
        if denial.state is NameState.TYPE_PRESENT:
            raise _Stop("bogus", f"{parent} claims a DS for {child} but returned none")
        raise _Stop("bogus", f"no valid NSEC/NSEC3 proof that {child} has no DS")

    async def _dnskeys(
        self, zone: dns.name.Name, missing: str
    ) -> tuple[dns.rrset.RRset, dns.rrset.RRset | None]:
        """The DNSKEY set of `zone` with its RRSIGs; bogus with `missing` (which names the
        link that needs the keys) when the zone publishes none."""
        response = await self._ask(zone, dns.rdatatype.DNSKEY)
        data, sigs = _rrsets(response.answer)
        keys = next((r for r in data if r.rdtype == dns.rdatatype.DNSKEY and r.name == zone), None)
        if keys is None:
            raise _Stop("bogus", missing)
        return keys, sigs.get((zone, dns.rdatatype.DNSKEY))

    async def _ask(
        self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> dns.message.Message:
        response = await self.query(name, rdtype)
        rcode = response.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise _Stop(
                "indeterminate",
                f"{name} {dns.rdatatype.to_text(rdtype)}: the server answered "
                f"{dns.rcode.to_text(rcode)}",
            )
        return response

    def _verify(
        self,
        rrset: dns.rrset.RRset,
        sigs: dns.rrset.RRset | None,
        zone: dns.name.Name,
        keys: dns.rdataset.Rdataset,
        what: str,
    ) -> None:
        if sigs is None:
            raise _Stop("bogus", f"{what} has no RRSIG")
        try:
            dns.dnssec.validate(rrset, sigs, {zone: keys}, now=self.now)
        except dns.exception.UnsupportedAlgorithm as exc:
            raise _Stop("indeterminate", f"{what}: unsupported algorithm ({exc})") from exc
        except dns.exception.ValidationFailure as exc:
            raise _Stop(
                "bogus", f"{what}: signature does not verify ({_why(sigs, keys, self.now)})"
            ) from exc


def _why(sigs: dns.rrset.RRset, keys: dns.rdataset.Rdataset, now: float | None) -> str:
    moment = time.time() if now is None else now
    tags = {dns.dnssec.key_id(k) for k in keys}
    for sig in sigs:
        if sig.key_tag not in tags:
            continue
        if sig.expiration < moment:
            return "RRSIG expired"
        if sig.inception > moment:
            return "RRSIG not yet valid"
        return "bad signature"
    return f"signed by key tag {sorted({s.key_tag for s in sigs})}, not a key of the zone"


def _rdataset(keys: list[DNSKEY]) -> dns.rdataset.Rdataset:
    return dns.rdataset.from_rdata_list(0, keys)


def _last_name(data: list[dns.rrset.RRset], qname: dns.name.Name) -> dns.name.Name:
    """The name a CNAME chain in the answer ends at (qname when there is none)."""
    name = qname
    for rrset in data:
        if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == name:
            name = rrset[0].target
    return name


async def validate_answer(
    response: dns.message.Message,
    qname: dns.name.Name,
    rdtype: int,
    query: QueryFunction,
    anchor: TrustAnchor,
    now: float | None = None,
) -> Verdict:
    """Walk the chain of trust for `response` (an answer to qname/rdtype asked with DO)."""
    return await ChainWalker(query, anchor, now).validate(response, qname, rdtype)
