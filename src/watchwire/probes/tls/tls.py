"""The tls probe: connect over any of the 15 certificate-monitor protocols, take the chain
exactly as the server presents it, and judge it (expiry, name, trust, chain shape, key and
signature strength, legacy protocol versions, revocation, CAA).

The handshake (`_session`) runs with verification off so that even a broken chain can be
read; all verification is done afterwards (`_roots`, `certificate`, `_trust` and `_findings`
for the chain, `_revocation` and `_caa` with `_issuance_checks`). A target that answers badly (refused, handshake failure, bad
certificate) is a result with findings; only a target the policy refuses, or an unusable
option, raises.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes import targets
from watchwire.probes._target import SOCKET_FAMILY, Family, resolve_one, split_host_port
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult
from watchwire.probes.tls._caa import CaaCheck
from watchwire.probes.tls._findings import analyse_chain, finding
from watchwire.probes.tls._issuance_checks import caa_findings, revocation_findings
from watchwire.probes.tls._revocation import RevocationStatus, check_revocation
from watchwire.probes.tls._roots import trust_roots
from watchwire.probes.tls._session import (
    CipherInfo,
    Session,
    connect,
    describe_failure,
    legacy_versions_accepted,
)
from watchwire.probes.tls._trust import TrustRoots
from watchwire.probes.tls.certificate import CertificateInfo, is_self_signed, issued_by
from watchwire.probes.tls.starttls import DEFAULT_PORTS
from watchwire.target_policy import IPAddress

Protocol = Literal[
    "https",
    "smtps",
    "smtp",
    "imaps",
    "imap",
    "pops",
    "pop",
    "lmtp",
    "ftps",
    "ftp",
    "ldaps",
    "ldap",
    "mysql",
    "postgresql",
    "sips",
]


class Options(ProbeOptions):
    protocol: Protocol = "https"
    port: int | None = Field(default=None, ge=1, le=65535, description="default: the protocol's")
    server_name: str | None = Field(
        default=None, description="SNI and the name the certificate must cover; default: host"
    )
    ca_file: Path | None = Field(default=None, description="PEM bundle of trusted roots")
    ca_pem: str | None = Field(default=None, description="trusted roots as PEM text")
    family: Family = "any"
    timeout: float = Field(default=10.0, gt=0, le=120)
    expiry_warning_days: int = Field(default=30, ge=0, le=3650)
    check_revocation: bool = True
    check_legacy_versions: bool = True
    check_caa: bool = False
    caa_identifiers: list[str] | None = Field(
        default=None, description="CAA identifiers of the issuing CA; default: from its name"
    )


class Result(ProbeResult):
    kind: str = "tls"
    host: str
    port: int
    protocol: str
    server_name: str
    address: str | None = None
    tls_version: str | None = None
    cipher: CipherInfo | None = None
    handshake_ms: float | None = None
    chain: list[CertificateInfo] = Field(default_factory=list)
    trusted: bool | None = None
    hostname_matches: bool | None = None
    trusted_path: list[str] = Field(default_factory=list)
    legacy_versions_accepted: list[str] = Field(default_factory=list)
    revocation: RevocationStatus | None = None
    caa: CaaCheck | None = None


def _sni(host: str) -> str:
    """A server name for SNI; IP literals are sent as no SNI (RFC 6066), which the ssl module
    does by itself when given an address."""
    return host.strip("[]")


async def _addresses(host: str, port: int, options: Options, ctx: ProbeContext) -> list[IPAddress]:
    """The addresses to try. A literal (what most monitors watch) is checked against the
    policy once and then answered from resolve_one's cache; a name goes to the resolver."""
    if _is_ip(host):
        return [await resolve_one(ctx.policy, host, options.family, port)]
    return await ctx.policy.resolve(host, port, SOCKET_FAMILY[options.family])


def check_target(target: str) -> str:
    """HOST or HOST:PORT (`[v6]:PORT`); without a port, the protocol's own."""
    return targets.host_port(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Check the TLS certificate of `target` (HOST, HOST:PORT, [V6]:PORT)."""
    started = ctx.clock.monotonic()
    host, target_port = split_host_port(target)
    port = options.port or target_port or DEFAULT_PORTS[options.protocol]
    server_name = options.server_name or _sni(host)
    roots = trust_roots(options.ca_pem, options.ca_file, ctx)
    base: dict[str, Any] = {
        "target": target,
        "host": _sni(host),
        "port": port,
        "protocol": options.protocol,
        "server_name": server_name,
    }
    loop = asyncio.get_running_loop()  # once per probe, handed down
    try:
        addresses = await _addresses(_sni(host), port, options, ctx)
        session = await connect(
            loop, addresses, port, options.protocol, options.timeout, server_name, ctx
        )
    except TargetNotAllowed:
        raise
    except (ProbeError, OSError, EOFError) as exc:
        code, message, cause = describe_failure(exc, host, port)
        return Result(
            **base,
            outcome="down",
            reason=message,
            duration_ms=round((ctx.clock.monotonic() - started) * 1000, 2),
            findings=[finding(code, "connection_failure", "critical", message, cause=cause)],
        )
    base.update(
        address=str(session.address),
        tls_version=session.tls_version,
        cipher=session.cipher,
        handshake_ms=session.handshake_ms,
    )
    if not session.chain:
        message = "The server presented no certificate."
        return Result(
            **base,
            outcome="down",
            reason=message,
            findings=[finding("handshake_failed", "connection_failure", "critical", message)],
        )
    result = await _judge(loop, session, options, ctx, roots, server_name, port)
    result_data = {**base, **result}
    findings: list[Finding] = result_data.pop("findings")
    bad = [f for f in findings if f.severity in ("error", "critical")]
    return Result(
        **result_data,
        outcome="down" if bad else "up",
        reason=bad[0].message if bad else None,
        findings=findings,
        duration_ms=round((ctx.clock.monotonic() - started) * 1000, 2),
    )


async def _judge(
    loop: asyncio.AbstractEventLoop,
    session: Session,
    options: Options,
    ctx: ProbeContext,
    roots: TrustRoots,
    server_name: str,
    port: int,
) -> dict[str, Any]:
    """Chain analysis plus the checks that need the network again, run side by side."""
    chain = session.chain
    leaf = chain[0]
    analysis = analyse_chain(
        chain, server_name, roots, ctx.clock.now(), options.expiry_warning_days
    )
    findings = list(analysis.findings)
    wants_legacy = options.check_legacy_versions
    wants_revocation = options.check_revocation and not is_self_signed(leaf)
    wants_caa = options.check_caa and not _is_ip(server_name)
    legacy_task = revocation_task = caa_task = None
    if wants_legacy or wants_revocation or wants_caa:  # else no task group to set up
        async with asyncio.TaskGroup() as group:
            if wants_legacy:
                legacy_task = group.create_task(
                    legacy_versions_accepted(
                        loop,
                        session.address,
                        port,
                        options.protocol,
                        options.timeout,
                        server_name,
                        ctx,
                    )
                )
            if wants_revocation:
                issuer = next((c for c in chain[1:] if issued_by(leaf, c)), None)
                revocation_task = group.create_task(
                    check_revocation(
                        leaf, issuer or roots.issuer_of(leaf), ctx.policy, options.timeout
                    )
                )
            if wants_caa:
                caa_task = group.create_task(
                    caa_findings(leaf, server_name, options.caa_identifiers, options.timeout, ctx)
                )
    legacy = legacy_task.result() if legacy_task else []
    for version in legacy:
        findings.append(
            finding(
                "legacy_tls_version",
                "misconfiguration",
                "warning",
                f"The server still accepts {version}, which every current client has dropped.",
                version=version,
            )
        )
    revocation_status = revocation_task.result() if revocation_task else None
    findings += revocation_findings(revocation_status)
    caa_check, caa_found = caa_task.result() if caa_task else (None, [])
    return {
        "chain": analysis.certificates,
        "trusted": analysis.trusted,
        "hostname_matches": analysis.hostname_matches,
        "trusted_path": analysis.trusted_path,
        "legacy_versions_accepted": legacy,
        "revocation": revocation_status,
        "caa": caa_check,
        "findings": findings + caa_found,
    }


@functools.lru_cache(maxsize=4096)  # a pure function of the text; monitors repeat names
def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
