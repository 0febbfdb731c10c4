"""The dns probe: ask one server for one record type of a name, report the records with
their TTLs, the flags and the timing, and — when asked — whether DNSSEC proves the answer.

The server is the `server` option, else the configured resolver (`ctx.resolver`), else the
first nameserver of /etc/resolv.conf. `resolve_rrset` is the plain lookup other probes use
(rbl, CAA checks): same transport, no DNSSEC.

DNSSEC is decided one of two ways, named in the result's `dnssec.method`:
"chain" walks DS -> DNSKEY -> RRSIG from the trust anchor itself (see `_dnssec.py`, the
anchors in `_anchors.py`); "resolver-ad" (`_verdicts.py`) trusts a validating resolver's AD
bit (and reads its SERVFAIL as bogus when the same query with checking disabled succeeds).
"""

from __future__ import annotations

import functools
import ipaddress
import time
from pathlib import Path
from typing import Literal

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.reversename
import dns.rrset
from pydantic import BaseModel, Field, field_validator

from watchwire.errors import ProbeError
from watchwire.hostport import host_name_problem
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult, ms_since
from watchwire.probes.dns._anchors import load_trust_anchor
from watchwire.probes.dns._dnssec import validate_answer
from watchwire.probes.dns._verdicts import Verdict, resolver_verdict
from watchwire.probes.dns.transport import (
    Question,
    exchange,
    format_server,
    parse_server,
    system_resolver,
)

RecordType = Literal[
    "A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "CAA", "SRV", "PTR",
    "DS", "DNSKEY", "TLSA", "HTTPS", "SVCB",
]  # fmt: skip


class Options(ProbeOptions):
    type: RecordType = "A"
    server: str | None = Field(
        default=None, description="HOST:PORT of the server to ask; default: the resolver"
    )
    dnssec: bool = False
    validation: Literal["chain", "resolver-ad"] = Field(
        default="chain",
        description="chain: walk the chain of trust here; resolver-ad: trust the server's AD bit",
    )
    trust_anchor: Path | None = Field(
        default=None, description="file of DS/DNSKEY records; default: the root KSKs"
    )
    timeout: float = Field(default=5.0, gt=0, le=60)
    tcp: bool = Field(default=False, description="ask over TCP from the start")
    tcp_fallback: bool = Field(default=True, description="retry over TCP when truncated")

    @field_validator("server")
    @classmethod
    def _check_server(cls, value: str | None) -> str | None:
        if value is not None:
            parse_server(value)
        return value


class Record(BaseModel):
    name: str
    type: str
    ttl: int
    value: str


class Flags(BaseModel):
    aa: bool
    ad: bool
    tc: bool
    rd: bool
    ra: bool
    cd: bool


class DnssecStatus(BaseModel):
    status: Literal["secure", "insecure", "bogus", "indeterminate"]
    reason: str
    method: Literal["chain", "resolver-ad"]
    zones: list[str] = Field(default_factory=list)


class Result(ProbeResult):
    kind: str = "dns"
    name: str
    type: str
    server: str
    rcode: str | None = None
    flags: Flags | None = None
    tcp: bool = False
    time_ms: float | None = None
    answers: list[Record] = Field(default_factory=list)
    authority: list[Record] = Field(default_factory=list)
    dnssec: DnssecStatus | None = None


def check_target(target: str) -> str:
    """A DNS name (`.` and service labels such as `_dmarc.` included) or, for PTR, an IP
    address."""
    text = target.strip()
    try:
        ipaddress.ip_address(text.strip("[]"))
        return text
    except ValueError:
        pass
    if not text:
        raise ValueError("the name is empty")
    try:
        dns.name.from_text(text)
    except (dns.exception.DNSException, UnicodeError) as exc:
        raise ValueError(f"{text!r} is not a DNS name: {exc}") from None
    # DNS would carry any octets, but a space or `10.0.0.300` is a typo, not a question; the
    # root and a leading wildcard label are questions.
    problem = text != "." and host_name_problem(text.removeprefix("*."))
    if problem:
        raise ValueError(problem)
    return text


@functools.lru_cache(maxsize=4096)  # monitors ask about the same names over and over
def query_name(target: str, rdtype: str) -> dns.name.Name:
    """The name to ask for: the target, or its reverse name for a PTR of an IP address.
    Raises ProbeError for a target that is not a DNS name. (Names are immutable, so the
    cached one is safe to share.)"""
    target = target.strip()
    if rdtype == "PTR":
        try:
            return dns.reversename.from_address(str(ipaddress.ip_address(target.strip("[]"))))
        except ValueError:
            pass
    try:
        name = dns.name.from_text(target)
    except (dns.exception.DNSException, UnicodeError) as exc:
        raise ProbeError(f"{target!r} is not a DNS name: {exc}", code="invalid_parameter") from exc
    if len(name) < 2:
        raise ProbeError("the root is not a valid target", code="invalid_parameter")
    return name


async def server_address(server: str | None, ctx: ProbeContext) -> tuple[str, int]:
    """The (address, port) to ask. A server named by the caller passes the target policy;
    the operator's configured resolver and the system resolver are trusted."""
    if server is None:
        return ctx.resolver or system_resolver()
    host, port = parse_server(server)
    addresses = await ctx.policy.resolve(host, port)
    return str(addresses[0]), port


async def resolve_rrset(
    name: str | dns.name.Name,
    rdtype: str | dns.rdatatype.RdataType,
    ctx: ProbeContext,
    server: str | None = None,
    timeout: float = 5.0,
) -> dns.rrset.RRset | None:
    """The answer RRset for (name, rdtype), following a CNAME chain within the answer; None
    when the name or the type does not exist. Raises ProbeError (code dns_timeout or
    dns_error) when the server does not answer or answers SERVFAIL/REFUSED/…"""
    qname = name if isinstance(name, dns.name.Name) else dns.name.from_text(name)
    qtype = dns.rdatatype.RdataType.make(rdtype)
    address = await server_address(server, ctx)
    result = await exchange(Question(qname, qtype), address, timeout)
    response = result.response
    if response.rcode() == dns.rcode.NXDOMAIN:
        return None
    if response.rcode() != dns.rcode.NOERROR:
        raise ProbeError(
            f"{qname} {dns.rdatatype.to_text(qtype)}: {format_server(address)} answered "
            f"{dns.rcode.to_text(response.rcode())}",
            code="dns_error",
        )
    target = qname
    for _ in range(16):  # a CNAME chain longer than this is a loop
        found = response.get_rrset(response.answer, target, dns.rdataclass.IN, qtype)
        if found is not None:
            return found
        alias = response.get_rrset(response.answer, target, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if alias is None:
            return None
        target = alias[0].target
    return None


def _records(section: list[dns.rrset.RRset]) -> list[Record]:
    return [
        Record(
            name=rrset.name.to_text(),
            type=dns.rdatatype.to_text(rrset.rdtype),
            ttl=rrset.ttl,
            value=rdata.to_text(),
        )
        for rrset in section
        for rdata in rrset
    ]


def _flags(response: dns.message.Message) -> Flags:
    value = response.flags
    return Flags(
        aa=bool(value & dns.flags.AA),
        ad=bool(value & dns.flags.AD),
        tc=bool(value & dns.flags.TC),
        rd=bool(value & dns.flags.RD),
        ra=bool(value & dns.flags.RA),
        cd=bool(value & dns.flags.CD),
    )


async def _dnssec_verdict(
    response: dns.message.Message,
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    address: tuple[str, int],
    options: Options,
) -> Verdict:
    if options.validation == "resolver-ad":
        checked = None
        if response.rcode() == dns.rcode.SERVFAIL:
            question = Question(qname, rdtype, dnssec=True, checking_disabled=True)
            try:
                checked = (await exchange(question, address, options.timeout)).response
            except ProbeError:
                checked = None
        return resolver_verdict(response, checked)

    anchor = load_trust_anchor(options.trust_anchor)

    async def ask(name: dns.name.Name, qtype: dns.rdatatype.RdataType) -> dns.message.Message:
        question = Question(name, qtype, dnssec=True, checking_disabled=True)
        return (await exchange(question, address, options.timeout)).response

    return await validate_answer(response, qname, rdtype, ask, anchor)


def _outcome(result: Result, rcode: dns.rcode.Rcode) -> None:
    if rcode != dns.rcode.NOERROR:
        result.outcome = "down"
        result.reason = f"the server answered {dns.rcode.to_text(rcode)}"
    elif not result.answers:
        result.outcome = "down"
        result.reason = f"{result.name} has no {result.type} record"
    verdict = result.dnssec
    if verdict is None:
        return
    if verdict.status == "bogus":
        result.outcome = "down"
        result.reason = f"DNSSEC bogus: {verdict.reason}"
        result.findings.append(
            Finding(code="dnssec_bogus", severity="critical", message=verdict.reason)
        )
    elif verdict.status == "indeterminate":
        result.findings.append(
            Finding(code="dnssec_indeterminate", severity="warning", message=verdict.reason)
        )
    elif verdict.status == "insecure":
        result.findings.append(
            Finding(code="dnssec_insecure", severity="info", message=verdict.reason)
        )


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Ask for `options.type` records of `target` (a name, or an IP for PTR)."""
    started = time.perf_counter()
    qname = query_name(target, options.type)
    rdtype = dns.rdatatype.RdataType.make(options.type)
    address = await server_address(options.server, ctx)
    result = Result(
        target=target,
        outcome="up",
        name=qname.to_text(),
        type=options.type,
        server=format_server(address),
    )
    # With the chain walk, CD makes a validating resolver hand over data it would refuse,
    # so the walk can say what is wrong with it.
    chain = options.dnssec and options.validation == "chain"
    question = Question(qname, rdtype, dnssec=options.dnssec, checking_disabled=chain)
    try:
        answered = await exchange(
            question, address, options.timeout, tcp=options.tcp, tcp_fallback=options.tcp_fallback
        )
    except ProbeError as exc:  # no answer: a timeout, or the server's port is closed
        result.outcome, result.reason = "error", exc.message
        result.duration_ms = ms_since(started)
        return result
    response = answered.response
    result.rcode = dns.rcode.to_text(response.rcode())
    result.flags = _flags(response)
    result.tcp = answered.tcp
    result.time_ms = answered.elapsed_ms
    result.answers = _records([r for r in response.answer if r.rdtype != dns.rdatatype.RRSIG])
    result.authority = _records([r for r in response.authority if r.rdtype == dns.rdatatype.SOA])
    if options.dnssec:
        verdict = await _dnssec_verdict(response, qname, rdtype, address, options)
        result.dnssec = DnssecStatus(
            status=verdict.status, reason=verdict.reason, method=verdict.method, zones=verdict.zones
        )
    _outcome(result, response.rcode())
    result.duration_ms = ms_since(started)
    return result
