"""Is a certificate revoked? OCSP where the certificate still names a responder, else the CRL
from its distribution points.

Fetches are plain HTTP with aiohttp, under the target policy: names resolve through the policy
and literal addresses are checked by it, so a certificate cannot point the checker at an
internal address. A check that cannot reach a verdict says `unknown` with the reason; it
never raises.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import aiohttp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID
from pydantic import BaseModel

from watchwire.clock import isoformat
from watchwire.errors import ProbeError
from watchwire.target_policy import TargetPolicy
from watchwire.target_policy.http import PolicyResolver, check_literal_host

MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024


class RevocationStatus(BaseModel):
    status: Literal["good", "revoked", "unknown"]
    method: Literal["ocsp", "crl"] | None = None
    url: str | None = None
    revoked_at: str | None = None
    revocation_reason: str | None = None
    detail: str


async def http_fetch(
    url: str, policy: TargetPolicy, timeout: float, body: bytes | None = None
) -> bytes:
    """GET (or POST an OCSP request to) a plain-HTTP URL under the target policy.
    Raises ProbeError (TargetNotAllowed included) with a sentence on any failure."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ProbeError(f"only http:// URLs are fetched, not {url}")
    check_literal_host(parts.hostname, policy)  # names: the resolver applies the policy
    connector = aiohttp.TCPConnector(resolver=PolicyResolver(policy), force_close=True)
    headers = {"Content-Type": "application/ocsp-request"} if body is not None else {}
    try:
        async with (
            aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as session,
            session.request(
                "POST" if body is not None else "GET",
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
            ) as response,
        ):
            if response.status != 200:
                raise ProbeError(f"{url} answered HTTP {response.status}")
            data = await response.content.read(MAX_DOWNLOAD_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ProbeError(f"cannot fetch {url}: {exc or type(exc).__name__}") from exc
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ProbeError(f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes")
    return data


def crl_urls(cert: x509.Certificate) -> list[str]:
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in points
        for name in point.full_name or []
        if isinstance(name, x509.UniformResourceIdentifier) and name.value.startswith("http://")
    ]


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        d.access_location.value
        for d in access
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def _signature_valid(
    key: Any, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None
) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            key.verify(signature, data)
    except (InvalidSignature, UnsupportedAlgorithm, TypeError, ValueError):
        return False
    return True


def crl_verdict(
    crl: x509.CertificateRevocationList, cert: x509.Certificate, issuer: x509.Certificate, url: str
) -> RevocationStatus:
    """Judge a certificate against a CRL signed by its issuer."""
    key = issuer.public_key()
    if crl.issuer != issuer.subject or not crl.is_signature_valid(key):  # type: ignore[arg-type]
        return RevocationStatus(
            status="unknown",
            method="crl",
            url=url,
            detail="the CRL is not signed by the certificate's issuer",
        )
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    if entry is None:
        return RevocationStatus(
            status="good", method="crl", url=url, detail="not listed in the issuer's CRL"
        )
    try:
        reason: str | None = entry.extensions.get_extension_for_class(
            x509.CRLReason
        ).value.reason.name
    except x509.ExtensionNotFound:
        reason = None
    return RevocationStatus(
        status="revoked",
        method="crl",
        url=url,
        revoked_at=isoformat(entry.revocation_date_utc),
        revocation_reason=reason,
        detail=f"listed in the issuer's CRL as revoked on {isoformat(entry.revocation_date_utc)}",
    )


def ocsp_verdict(
    response: ocsp.OCSPResponse, cert: x509.Certificate, issuer: x509.Certificate, url: str
) -> RevocationStatus:
    """Judge a certificate by an OCSP response signed by its issuer or a delegated responder."""
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return RevocationStatus(
            status="unknown",
            method="ocsp",
            url=url,
            detail=f"the OCSP responder answered {response.response_status.name}",
        )
    signers = [issuer] + [c for c in response.certificates if c.issuer == issuer.subject]
    signed = any(
        _signature_valid(
            signer.public_key(),
            response.signature,
            response.tbs_response_bytes,
            response.signature_hash_algorithm,
        )
        for signer in signers
    )
    if not signed or response.serial_number != cert.serial_number:
        return RevocationStatus(
            status="unknown",
            method="ocsp",
            url=url,
            detail="the OCSP response is not signed for this certificate by its issuer",
        )
    status = response.certificate_status
    if status == ocsp.OCSPCertStatus.GOOD:
        return RevocationStatus(status="good", method="ocsp", url=url, detail="OCSP says good")
    if status == ocsp.OCSPCertStatus.REVOKED:
        revoked_at = response.revocation_time_utc
        when = isoformat(revoked_at) if isinstance(revoked_at, datetime) else None
        reason = response.revocation_reason
        return RevocationStatus(
            status="revoked",
            method="ocsp",
            url=url,
            revoked_at=when,
            revocation_reason=reason.name if reason else None,
            detail=f"the OCSP responder says revoked{f' on {when}' if when else ''}",
        )
    return RevocationStatus(
        status="unknown", method="ocsp", url=url, detail="the OCSP responder does not know it"
    )


async def check_ocsp(
    cert: x509.Certificate, issuer: x509.Certificate, url: str, policy: TargetPolicy, timeout: float
) -> RevocationStatus:
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()
    body = await http_fetch(url, policy, timeout, request.public_bytes(serialization.Encoding.DER))
    try:
        response = ocsp.load_der_ocsp_response(body)
    except ValueError as exc:
        raise ProbeError(f"{url} did not answer an OCSP response: {exc}") from exc
    return ocsp_verdict(response, cert, issuer, url)


async def check_crl(
    cert: x509.Certificate, issuer: x509.Certificate, url: str, policy: TargetPolicy, timeout: float
) -> RevocationStatus:
    data = await http_fetch(url, policy, timeout)
    try:
        crl = (
            x509.load_pem_x509_crl(data)
            if data.lstrip().startswith(b"-----")
            else x509.load_der_x509_crl(data)
        )
    except ValueError as exc:
        raise ProbeError(f"{url} did not serve a CRL: {exc}") from exc
    # Parsing a CRL with hundreds of thousands of entries takes a while; keep the loop free.
    return await asyncio.to_thread(crl_verdict, crl, cert, issuer, url)


async def check_revocation(
    cert: x509.Certificate, issuer: x509.Certificate | None, policy: TargetPolicy, timeout: float
) -> RevocationStatus:
    """The revocation status of `cert`: OCSP first where offered, then each CRL."""
    if issuer is None:
        return RevocationStatus(
            status="unknown", detail="the issuer certificate is unknown, so nothing can be checked"
        )
    attempts = [("ocsp", url) for url in ocsp_urls(cert)] + [("crl", url) for url in crl_urls(cert)]
    if not attempts:
        return RevocationStatus(
            status="unknown", detail="the certificate names no OCSP responder and no HTTP CRL"
        )
    problems = []
    for method, url in attempts:
        try:
            check = check_ocsp if method == "ocsp" else check_crl
            verdict = await check(cert, issuer, url, policy, timeout)
        except ProbeError as exc:
            problems.append(exc.message)
            continue
        if verdict.status != "unknown":
            return verdict
        problems.append(verdict.detail)
    return RevocationStatus(status="unknown", detail="; ".join(problems))
