"""CAA (RFC 8659) against a real authoritative server (knot) on loopback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from cryptography import x509

from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from tests.servers.tls_servers import (
    Pki,
    TlsEndpoint,
    build_cert,
    tls_cases,
    tls_server,
    write_pem,
)
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls._caa import CaaRecord, check_caa, issuer_identifiers, judge
from watchwire.probes.tls.tls import Options, probe

__all__ = ["knot_factory", "tls_cases", "tls_server"]

RECORDS = """
ns          A      127.0.0.1
le          CAA    0 issue "letsencrypt.org"
www.le      A      127.0.0.1
other       CAA    0 issue "digicert.com; cansignhttpexchanges=yes"
wild        CAA    0 issue "letsencrypt.org"
wild        CAA    0 issuewild ";"
wildissue   CAA    0 issue "letsencrypt.org"
locked      CAA    0 issue ";"
critical    CAA    128 future "something"
alias       CNAME  le.test.
nothing     A      127.0.0.1
"""


@pytest.fixture
def knot(knot_factory: Callable[..., KnotServer]) -> KnotServer:
    return knot_factory([Zone("test.", records=RECORDS, nameserver="ns.test.")])


LE = ["letsencrypt.org"]


@pytest.mark.parametrize(
    ("name", "identifiers", "allowed", "found_at"),
    [
        ("le.test", LE, True, "le.test"),
        ("www.le.test", LE, True, "le.test"),  # climbs to the parent
        ("deep.www.le.test", LE, True, "le.test"),  # through names that do not exist
        ("www.le.test", ["digicert.com"], False, "le.test"),
        ("other.test", ["digicert.com"], True, "other.test"),  # parameters ignored
        ("other.test", LE, False, "other.test"),
        ("*.wild.test", LE, False, "wild.test"),  # issuewild ";" forbids wildcards
        ("www.wild.test", LE, True, "wild.test"),  # ...but not plain names
        ("*.wildissue.test", LE, True, "wildissue.test"),  # no issuewild: issue applies
        ("locked.test", LE, False, "locked.test"),
        ("critical.test", LE, False, "critical.test"),  # unknown critical property
        ("alias.test", LE, True, "alias.test"),  # CNAME followed
        ("nothing.test", LE, True, None),  # no CAA anywhere up to the root
        ("le.test", [], None, "le.test"),  # issuer unknown: no verdict
    ],
)
async def test_caa_tree_climb_and_matching(
    knot: KnotServer, name: str, identifiers: list[str], allowed: bool | None, found_at: str | None
) -> None:
    check = await check_caa(name, identifiers, knot.address, timeout=10)
    assert (check.allowed, check.found_at) == (allowed, found_at), check.reason


async def test_result_lists_the_records(knot: KnotServer) -> None:
    check = await check_caa("www.other.test", ["digicert.com"], knot.address, timeout=10)
    assert check.records == [
        CaaRecord(flags=0, tag="issue", value="digicert.com; cansignhttpexchanges=yes")
    ]
    assert check.reason == "issue permits digicert.com"


def test_judge_explains_a_refusal() -> None:
    records = [CaaRecord(flags=0, tag="issue", value="pki.goog")]
    allowed, reason = judge(records, ["letsencrypt.org"], wildcard=False)
    assert allowed is False
    assert reason == "CAA issue permits only pki.goog, not the issuer (letsencrypt.org)"


def test_issuer_identifiers_from_well_known_organisations() -> None:
    def name(org: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, org)])

    assert issuer_identifiers(name("Let's Encrypt")) == ["letsencrypt.org"]
    assert "pki.goog" in issuer_identifiers(name("Google Trust Services"))
    assert issuer_identifiers(name("Some Private CA")) == []


@pytest.mark.parametrize(
    ("server_name", "codes"),
    [("www.le.test", set()), ("www.other.test", {"caa_violation"})],
)
async def test_probe_checks_caa_for_the_issuer(
    knot: KnotServer,
    tls_server: Callable[..., Awaitable[TlsEndpoint]],
    tmp_path: Path,
    probe_ctx: ProbeContext,
    server_name: str,
    codes: set[str],
) -> None:
    pki = Pki()
    lets_encrypt = build_cert("R10", pki.root, ca=True, organisation="Let's Encrypt")
    leaf = build_cert(server_name, lets_encrypt, names=(server_name,))
    server = await tls_server(pki.case(leaf, lets_encrypt, send_intermediate=False))
    ctx = ProbeContext(policy=probe_ctx.policy, resolver=knot.address)
    options = Options(
        ca_file=write_pem(tmp_path / "root.pem", pki.root),
        server_name=server_name,
        check_caa=True,
        check_revocation=False,
        timeout=20,
    )
    result = await probe(server.target, options, ctx)
    assert {f.code for f in result.findings} == codes
    assert result.caa is not None and result.caa.issuer_identifiers == ["letsencrypt.org"]
    if codes:
        [violation] = result.findings
        assert violation.details is not None and violation.details["category"] == "caa_failure"
        assert result.outcome == "down"
