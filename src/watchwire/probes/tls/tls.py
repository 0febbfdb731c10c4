"""The tls probe: connect over any of the 15 certificate-monitor protocols, take the chain
exactly as the server presents it, and judge it (expiry, name, trust, chain shape, key and
signature strength, legacy protocol versions, revocation, CAA).

The handshake runs with verification off so that even a broken chain can be read; all
verification is done afterwards (`certificate`, `_trust` and `_findings` for the chain,
`_revocation`, `_caa`). A target that answers badly (refused, handshake failure, bad
certificate) is a result with findings; only a target the policy refuses, or an unusable
option, raises.
"""

from __future__ import annotations

import _ssl
import asyncio
import functools
import ipaddress
import os
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import dns.exception
from cryptography import x509
from pydantic import BaseModel, Field

from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes._deadlines import within
from watchwire.probes._target import SOCKET_FAMILY, Family, resolve_one, split_host_port
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult
from watchwire.probes.tls._caa import CaaCheck, check_caa, issuer_identifiers
from watchwire.probes.tls._findings import analyse_chain, finding
from watchwire.probes.tls._revocation import RevocationStatus, check_revocation
from watchwire.probes.tls._trust import TrustRoots
from watchwire.probes.tls.certificate import (
    CertificateInfo,
    is_self_signed,
    issued_by,
    load_der_certificate,
    matching_san,
)
from watchwire.probes.tls.starttls import DEFAULT_PORTS, open_tls
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

SYSTEM_CA_BUNDLE: Final = Path(
    ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
)
_ENCODING_DER: Final = _ssl.ENCODING_DER
LEGACY_VERSIONS: Final = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
_VERSION_NAMES: Final = {ssl.TLSVersion.TLSv1: "TLSv1", ssl.TLSVersion.TLSv1_1: "TLSv1.1"}
CLOSE_TIMEOUT_S: Final = 2.0


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


class CipherInfo(BaseModel):
    name: str
    protocol: str
    bits: int


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


@dataclass(frozen=True)
class Session:
    """What one successful handshake showed."""

    address: IPAddress
    tls_version: str | None
    cipher: CipherInfo | None
    chain: list[x509.Certificate]
    handshake_ms: float


@functools.cache
def client_context(version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client context that completes the handshake whatever the certificate (it is judged
    afterwards); `version` pins one protocol version for the legacy check."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Security level 0: a server with a 1024-bit key, a SHA-1 chain or only TLS 1.0 must still
    # be observed, so that it can be reported rather than merely failing.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1: on purpose
        context.minimum_version = version or ssl.TLSVersion.TLSv1
        context.maximum_version = version or ssl.TLSVersion.MAXIMUM_SUPPORTED
    return context


@functools.lru_cache(maxsize=16)
def _roots_from_file(path: Path, mtime_ns: int, source: str) -> TrustRoots:
    return TrustRoots.from_pem(path.read_bytes(), source=source)


def trust_roots(options: Options, ctx: ProbeContext) -> TrustRoots:
    """The trust anchors: the options' CA, else the context's, else the system store."""
    if options.ca_pem:
        return _roots_from_pem(options.ca_pem)
    path = options.ca_file or ctx.ca_file or SYSTEM_CA_BUNDLE
    source = "system" if path == SYSTEM_CA_BUNDLE else "configured CA"
    try:
        return _roots_from_file(path, os.stat(path).st_mtime_ns, source)
    except (OSError, ValueError) as exc:
        raise ProbeError(f"cannot read the CA bundle {path}: {exc}", code="bad_ca_file") from exc


@functools.lru_cache(maxsize=16)
def _roots_from_pem(pem: str) -> TrustRoots:
    try:
        return TrustRoots.from_pem(pem.encode(), source="configured CA")
    except ValueError as exc:
        raise ProbeError(f"ca_pem holds no PEM certificate: {exc}", code="bad_ca_file") from exc


def presented_chain(writer: asyncio.StreamWriter) -> list[x509.Certificate]:
    """The certificates exactly as the server sent them, leaf first."""
    ssl_object = writer.get_extra_info("ssl_object")
    # Python 3.11 exposes the unverified peer chain only on the private _sslobj (it becomes
    # public SSLSocket.get_unverified_chain in 3.13); the verified chain would be empty here
    # because verification is off, and it would not show what the server really sent.
    raw = ssl_object._sslobj.get_unverified_chain() or []
    # Parsed once per distinct certificate: monitors see the same ones over and over.
    return [load_der_certificate(cert.public_bytes(_ENCODING_DER)) for cert in raw]


async def _close(loop: asyncio.AbstractEventLoop, writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        # A coalesced deadline (no loop timer of its own): nearly every close is quick.
        await within(loop, CLOSE_TIMEOUT_S, writer.wait_closed())
    except (OSError, ssl.SSLError):
        pass  # the session is over either way; a peer that will not say goodbye is no finding


async def handshake(
    loop: asyncio.AbstractEventLoop,
    address: IPAddress,
    port: int,
    options: Options,
    server_name: str,
    ctx: ProbeContext,
    context: ssl.SSLContext,
) -> Session:
    """One TLS session (after the protocol's STARTTLS dance), closed again at once. `loop` is
    the running loop, looked up once per probe (on Python 3.11 each lookup is a getpid())."""
    started = ctx.clock.monotonic()
    _, writer = await open_tls(
        str(address), port, options.protocol, context, server_name, options.timeout
    )
    elapsed = (ctx.clock.monotonic() - started) * 1000
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        name, proto, bits = ssl_object.cipher() or (None, None, None)
        return Session(
            address=address,
            tls_version=ssl_object.version(),
            cipher=CipherInfo(name=name, protocol=proto, bits=bits) if name else None,
            chain=presented_chain(writer),
            handshake_ms=round(elapsed, 2),
        )
    finally:
        await _close(loop, writer)


def _sni(host: str) -> str:
    """A server name for SNI; IP literals are sent as no SNI (RFC 6066), which the ssl module
    does by itself when given an address."""
    return host.strip("[]")


async def legacy_versions_accepted(
    loop: asyncio.AbstractEventLoop,
    address: IPAddress,
    port: int,
    options: Options,
    server_name: str,
    ctx: ProbeContext,
) -> list[str]:
    """The legacy protocol versions (TLS 1.0, 1.1) the server still completes a handshake in."""

    async def accepts(version: ssl.TLSVersion) -> bool:
        context = client_context(version)
        try:
            await handshake(loop, address, port, options, server_name, ctx, context)
        except (OSError, ssl.SSLError, ProbeError, EOFError):
            return False
        return True

    verdicts = await asyncio.gather(*(accepts(v) for v in LEGACY_VERSIONS))
    return [_VERSION_NAMES[v] for v, ok in zip(LEGACY_VERSIONS, verdicts, strict=True) if ok]


def describe_failure(exc: Exception, host: str, port: int) -> tuple[str, str, str]:
    """The finding code, sentence and cause for a connection that gave no TLS session."""
    if isinstance(exc, ProbeError):  # name does not resolve, STARTTLS refused, timeout
        code = exc.code if exc.code.startswith("starttls") else "connection_failed"
        return code, exc.message, exc.code
    if isinstance(exc, ssl.SSLError):
        return "handshake_failed", f"The TLS handshake failed: {exc.reason or exc}", str(exc)
    # asyncio's own strerror ("Connect call failed (…)") hides the cause that errno names.
    errno = getattr(exc, "errno", None)
    why = os.strerror(errno) if errno else str(exc) or type(exc).__name__
    return "connection_failed", f"Cannot connect to {host} port {port}: {why}", type(exc).__name__


async def connect(
    loop: asyncio.AbstractEventLoop,
    addresses: list[IPAddress],
    port: int,
    options: Options,
    server_name: str,
    ctx: ProbeContext,
) -> Session:
    """Handshake with the first address that accepts a connection (refusals move on to the
    next address; a TLS failure is the server's answer and is final)."""
    context = client_context()
    for address in addresses[:-1]:
        try:
            return await handshake(loop, address, port, options, server_name, ctx, context)
        except ssl.SSLError:
            raise
        except OSError:
            continue
    return await handshake(loop, addresses[-1], port, options, server_name, ctx, context)


async def _addresses(host: str, port: int, options: Options, ctx: ProbeContext) -> list[IPAddress]:
    """The addresses to try. A literal (what most monitors watch) is checked against the
    policy once and then answered from resolve_one's cache; a name goes to the resolver."""
    if _is_ip(host):
        return [await resolve_one(ctx.policy, host, options.family, port)]
    return await ctx.policy.resolve(host, port, SOCKET_FAMILY[options.family])


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Check the TLS certificate of `target` (HOST, HOST:PORT, [V6]:PORT)."""
    started = ctx.clock.monotonic()
    host, target_port = split_host_port(target)
    port = options.port or target_port or DEFAULT_PORTS[options.protocol]
    server_name = options.server_name or _sni(host)
    roots = trust_roots(options, ctx)
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
        session = await connect(loop, addresses, port, options, server_name, ctx)
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
                    legacy_versions_accepted(loop, session.address, port, options, server_name, ctx)
                )
            if wants_revocation:
                issuer = next((c for c in chain[1:] if issued_by(leaf, c)), None)
                revocation_task = group.create_task(
                    check_revocation(
                        leaf, issuer or roots.issuer_of(leaf), ctx.policy, options.timeout
                    )
                )
            if wants_caa:
                caa_task = group.create_task(_caa(leaf, server_name, options, ctx))
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
    findings += _revocation_findings(revocation_status)
    caa_check, caa_findings = caa_task.result() if caa_task else (None, [])
    return {
        "chain": analysis.certificates,
        "trusted": analysis.trusted,
        "hostname_matches": analysis.hostname_matches,
        "trusted_path": analysis.trusted_path,
        "legacy_versions_accepted": legacy,
        "revocation": revocation_status,
        "caa": caa_check,
        "findings": findings + caa_findings,
    }


def _revocation_findings(status: RevocationStatus | None) -> list[Finding]:
    if status is None or status.status == "good":
        return []
    if status.status == "revoked":
        return [
            finding(
                "revoked",
                "ca_failure",
                "critical",
                f"The certificate has been revoked ({status.detail}).",
                method=status.method,
                url=status.url,
                revoked_at=status.revoked_at,
                revocation_reason=status.revocation_reason,
            )
        ]
    return [
        finding(
            "revocation_unknown",
            "ca_failure",
            "info",
            f"The revocation status could not be determined: {status.detail}.",
        )
    ]


@functools.lru_cache(maxsize=4096)  # a pure function of the text; monitors repeat names
def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


async def _caa(
    leaf: x509.Certificate, server_name: str, options: Options, ctx: ProbeContext
) -> tuple[CaaCheck | None, list[Finding]]:
    identifiers = options.caa_identifiers or issuer_identifiers(leaf.issuer)
    name = matching_san(leaf, server_name) or server_name
    try:
        check = await check_caa(name, identifiers, ctx.resolver, options.timeout)
    except dns.exception.DNSException as exc:
        return None, [
            finding(
                "caa_lookup_failed",
                "caa_failure",
                "info",
                f"The CAA records of {name} could not be read: {exc}.",
            )
        ]
    if check.allowed is False:
        return check, [
            finding(
                "caa_violation",
                "caa_failure",
                "error",
                f"The CAA records at {check.found_at} do not allow this certificate's issuer: "
                f"{check.reason}.",
                found_at=check.found_at,
                issuer_identifiers=identifiers,
            )
        ]
    if check.allowed is None:
        return check, [
            finding(
                "caa_unknown_issuer",
                "caa_failure",
                "info",
                f"CAA records exist at {check.found_at}, but {check.reason}; name the issuer's "
                "CAA identifiers with caa_identifiers to check them.",
                found_at=check.found_at,
            )
        ]
    return check, []
