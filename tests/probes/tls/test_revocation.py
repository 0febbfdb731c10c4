"""Revocation through real CRL and OCSP endpoints on loopback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.servers.tls_servers import (
    Case,
    Pki,
    RevocationServer,
    TlsEndpoint,
    build_crl,
    revocation_server,
    tls_cases,
    tls_server,
    write_pem,
)
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls._revocation import check_revocation
from watchwire.probes.tls.tls import Options, probe
from watchwire.target_policy import TargetPolicy

__all__ = ["revocation_server", "tls_cases", "tls_server"]

LOOPBACK = TargetPolicy(allow_private=True)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


async def test_crl_lists_the_revoked_certificate(
    pki: Pki, revocation_server: RevocationServer
) -> None:
    url = revocation_server.url("intermediate.crl")
    revoked = pki.leaf(crl_url=url)
    fine = pki.leaf(crl_url=url)
    revocation_server.files["intermediate.crl"] = build_crl(
        pki.intermediate, [revoked.cert.serial_number]
    )
    bad = await check_revocation(revoked.cert, pki.intermediate.cert, LOOPBACK, 10)
    good = await check_revocation(fine.cert, pki.intermediate.cert, LOOPBACK, 10)
    assert (bad.status, bad.method, bad.url) == ("revoked", "crl", url)
    assert bad.revocation_reason == "key_compromise"
    assert bad.revoked_at is not None
    assert (good.status, good.method) == ("good", "crl")


async def test_crl_signed_by_someone_else_proves_nothing(
    pki: Pki, revocation_server: RevocationServer
) -> None:
    leaf = pki.leaf(crl_url=revocation_server.url("forged.crl"))
    revocation_server.files["forged.crl"] = build_crl(Pki().intermediate, [])
    status = await check_revocation(leaf.cert, pki.intermediate.cert, LOOPBACK, 10)
    assert status.status == "unknown"
    assert "not signed by the certificate's issuer" in status.detail


async def test_missing_crl_is_unknown_with_the_reason(
    pki: Pki, revocation_server: RevocationServer
) -> None:
    leaf = pki.leaf(crl_url=revocation_server.url("gone.crl"))
    status = await check_revocation(leaf.cert, pki.intermediate.cert, LOOPBACK, 10)
    assert status.status == "unknown"
    assert "HTTP 404" in status.detail


async def test_ocsp_good_and_revoked(pki: Pki, revocation_server: RevocationServer) -> None:
    url = revocation_server.url("ocsp")
    revoked = pki.leaf(ocsp_url=url)
    fine = pki.leaf(ocsp_url=url)
    revocation_server.ocsp_issuer = pki.intermediate
    revocation_server.ocsp_revoked.add(revoked.cert.serial_number)
    bad = await check_revocation(revoked.cert, pki.intermediate.cert, LOOPBACK, 10)
    good = await check_revocation(fine.cert, pki.intermediate.cert, LOOPBACK, 10)
    assert (bad.status, bad.method, bad.revocation_reason) == ("revoked", "ocsp", "key_compromise")
    assert (good.status, good.method) == ("good", "ocsp")
    assert revocation_server.requests == ["/ocsp", "/ocsp"]


async def test_ocsp_answer_from_a_stranger_falls_back_to_the_crl(
    pki: Pki, revocation_server: RevocationServer
) -> None:
    leaf = pki.leaf(
        ocsp_url=revocation_server.url("ocsp"), crl_url=revocation_server.url("int.crl")
    )
    revocation_server.ocsp_issuer = Pki().intermediate  # signs with the wrong key
    revocation_server.files["int.crl"] = build_crl(pki.intermediate, [leaf.cert.serial_number])
    status = await check_revocation(leaf.cert, pki.intermediate.cert, LOOPBACK, 10)
    assert (status.status, status.method) == ("revoked", "crl")


async def test_revocation_urls_obey_the_target_policy(
    pki: Pki, revocation_server: RevocationServer
) -> None:
    leaf = pki.leaf(crl_url=revocation_server.url("intermediate.crl"))
    revocation_server.files["intermediate.crl"] = build_crl(pki.intermediate, [])
    status = await check_revocation(leaf.cert, pki.intermediate.cert, TargetPolicy(), 10)
    assert status.status == "unknown"
    assert "loopback address" in status.detail
    assert revocation_server.requests == []


async def test_no_urls_means_unknown(pki: Pki) -> None:
    status = await check_revocation(pki.leaf().cert, pki.intermediate.cert, LOOPBACK, 10)
    assert status.status == "unknown"
    assert "no OCSP responder and no HTTP CRL" in status.detail


async def test_probe_reports_a_revoked_certificate(
    pki: Pki,
    revocation_server: RevocationServer,
    tls_server: Callable[..., Awaitable[TlsEndpoint]],
    tmp_path: Path,
    probe_ctx: ProbeContext,
) -> None:
    leaf = pki.leaf(crl_url=revocation_server.url("intermediate.crl"))
    revocation_server.files["intermediate.crl"] = build_crl(
        pki.intermediate, [leaf.cert.serial_number]
    )
    server = await tls_server(pki.case(leaf))
    options = Options(ca_file=write_pem(tmp_path / "root.pem", pki.root), timeout=20)
    result = await probe(server.target, options, probe_ctx)
    assert result.outcome == "down"
    assert [f.code for f in result.findings] == ["revoked"]
    assert result.findings[0].severity == "critical"
    assert result.revocation is not None and result.revocation.method == "crl"


async def test_probe_says_so_when_revocation_cannot_be_checked(
    tls_server: Callable[..., Awaitable[TlsEndpoint]],
    tls_cases: dict[str, Case],
    tmp_path: Path,
    probe_ctx: ProbeContext,
) -> None:
    server = await tls_server("good")
    options = Options(ca_file=write_pem(tmp_path / "root.pem", tls_cases["good"].root))
    result = await probe(server.target, options, probe_ctx)
    assert result.outcome == "up"
    [unknown] = result.findings
    assert (unknown.code, unknown.severity) == ("revocation_unknown", "info")
