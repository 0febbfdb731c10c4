"""What the tls probe remembers between calls, and what it must not: certificates are parsed
once per DER encoding and path validation is reused only while no certificate's validity can
change the answer; expiry, days left and the host name are judged on every call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.servers.tls_servers import DAY, NOW, Case, Pki, build_cert, tls_cases
from watchwire.probes.tls import _trust
from watchwire.probes.tls._cache import CertificateCache, VerdictCache
from watchwire.probes.tls._findings import analyse_chain
from watchwire.probes.tls._trust import TrustRoots
from watchwire.probes.tls.certificate import certificate_facts, load_der_certificate

__all__ = ["tls_cases"]  # the fixture is used by name


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every run of the real path validation (cache misses), recorded."""
    calls: list[object] = []
    verify = _trust._verify

    def counted(*args: Any) -> _trust.TrustVerdict:
        calls.append(args)
        return verify(*args)

    monkeypatch.setattr(_trust, "_verify", counted)
    return calls


def codes(
    case: Case, roots: TrustRoots, now: datetime = NOW, hostname: str = "localhost"
) -> set[str]:
    analysis = analyse_chain([c.cert for c in case.chain], hostname, roots, now)
    return {f.code for f in analysis.findings}


def test_the_same_der_gives_the_same_certificate(tls_cases: dict[str, Case]) -> None:
    der = tls_cases["good"].leaf.cert.public_bytes(serialization.Encoding.DER)
    first = load_der_certificate(der)
    assert load_der_certificate(bytes(der)) is first
    # A certificate object parsed elsewhere finds the same facts through its encoding.
    assert certificate_facts(tls_cases["good"].leaf.cert).der == der
    with pytest.raises(ValueError):
        load_der_certificate(b"not a certificate")


def test_verdict_is_reused_while_every_certificate_stays_valid(
    verifications: list[object],
) -> None:
    pki = Pki()
    # The intermediate expires first: in 10 days, while the leaf has 89 days left.
    pki.intermediate = build_cert(
        "Short Intermediate CA", pki.root, ca=True, not_before=NOW - DAY, not_after=NOW + 10 * DAY
    )
    case = pki.case(pki.leaf())
    roots = TrustRoots.from_pem(case.root.pem)
    assert codes(case, roots) == set()
    assert codes(case, roots, NOW + timedelta(hours=5)) == set()
    assert len(verifications) == 1
    # Past the intermediate's notAfter the cached verdict no longer answers.
    assert codes(case, roots, NOW + 11 * DAY) == {"untrusted_chain", "intermediate_expired"}
    assert len(verifications) == 2
    assert codes(case, roots, NOW + 12 * DAY) == {"untrusted_chain", "intermediate_expired"}
    assert len(verifications) == 2  # expired stays expired: its own window
    assert codes(case, roots) == set()  # and going back in time validates again
    assert len(verifications) == 3


def test_an_expired_certificate_sent_along_does_not_stop_reuse(
    verifications: list[object],
) -> None:
    pki = Pki()
    old_cross_sign = build_cert(
        "Old Cross-Sign", pki.root, ca=True, not_before=NOW - 900 * DAY, not_after=NOW - 30 * DAY
    )
    case = pki.case(pki.leaf(), old_cross_sign)
    roots = TrustRoots.from_pem(case.root.pem)
    first = codes(case, roots)
    assert "untrusted_chain" not in first
    assert codes(case, roots, NOW + DAY) == first
    assert len(verifications) == 1


def test_cache_is_per_trust_store_and_name(
    tls_cases: dict[str, Case], verifications: list[object]
) -> None:
    case = tls_cases["good"]
    trusting = TrustRoots.from_pem(case.root.pem)
    other = TrustRoots.from_pem(tls_cases["untrusted"].chain[1].pem)  # a stranger's CA
    assert codes(case, trusting) == set()
    assert "untrusted_chain" in codes(case, other)
    assert codes(case, trusting, hostname="127.0.0.1") == set()
    assert len(verifications) == 3


def test_time_and_name_findings_are_made_on_every_call(tls_cases: dict[str, Case]) -> None:
    case = tls_cases["good"]
    roots = TrustRoots.from_pem(case.root.pem)
    chain = [c.cert for c in case.chain]
    today = analyse_chain(chain, "localhost", roots, NOW)
    later = analyse_chain(chain, "localhost", roots, NOW + 80 * DAY)
    assert today.certificates[0].days_left == 89
    assert later.certificates[0].days_left == 9
    assert {f.code for f in later.findings} == {"cert_expiring"}
    elsewhere = analyse_chain(chain, "www.example.test", roots, NOW)
    assert not elsewhere.hostname_matches and today.hostname_matches
    assert {f.code for f in elsewhere.findings} == {"name_mismatch"}
    # Each result owns its lists: changing one leaves the next call's alone.
    today.certificates[0].sans.append("changed.example")
    assert analyse_chain(chain, "localhost", roots, NOW).certificates[0].sans == [
        "localhost",
        "127.0.0.1",
    ]


def test_caches_are_bounded(tls_cases: dict[str, Case]) -> None:
    builds: list[bytes] = []

    def build(cert: object, der: bytes) -> bytes:
        builds.append(der)
        return der

    cache = CertificateCache(build, size=2)
    ders = [
        tls_cases[name].leaf.cert.public_bytes(serialization.Encoding.DER)
        for name in ("good", "expired", "mismatch")
    ]
    first, _ = cache.from_der(ders[0])
    cache.from_der(ders[1])
    assert cache.from_der(ders[0])[0] is first  # a hit makes it the most recent
    cache.from_der(ders[2])  # so the second goes
    assert cache.from_der(ders[0])[0] is first
    assert len(builds) == 3
    cache.from_der(ders[1])
    assert len(builds) == 4


def test_verdict_answers_only_inside_its_window() -> None:
    cache: VerdictCache[str] = VerdictCache(size=1)
    store = TrustRoots.from_pem(Pki().root.pem)
    cache.put((b"chain",), store, "localhost", (NOW, NOW + DAY), "trusted")
    assert cache.get((b"chain",), store, "localhost", NOW + DAY) == "trusted"
    assert cache.get((b"chain",), store, "localhost", NOW + DAY + timedelta(microseconds=1)) is None
    assert cache.get((b"chain",), store, "other.example", NOW) is None
    assert cache.get((b"chain",), TrustRoots.from_pem(Pki().root.pem), "localhost", NOW) is None
    cache.put((b"other",), store, "localhost", (NOW, NOW + DAY), "untrusted")
    assert cache.get((b"chain",), store, "localhost", NOW) is None  # bounded: pushed out
