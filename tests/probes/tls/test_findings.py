"""Chain analysis without a server: each bad chain gives exactly its finding, with its category,
severity and a plain sentence; validity limits follow the issue date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.servers.tls_servers import NOW, Case, build_cert, tls_cases
from watchwire.probes.tls._findings import analyse_chain, max_validity_days, plain_verifier_error
from watchwire.probes.tls._trust import TrustRoots

__all__ = ["tls_cases"]  # the fixture is used by name


def analyse(case: Case, hostname: str = "localhost", now: datetime | None = None) -> set[str]:
    roots = TrustRoots.from_pem(case.root.pem, source="configured CA")
    now = now or datetime.now(UTC)
    analysis = analyse_chain([c.cert for c in case.chain], hostname, roots, now)
    return {f.code for f in analysis.findings}


EXPECTED = {
    "good": set(),
    "expired": {"cert_expired"},
    "not_yet_valid": {"cert_not_yet_valid"},
    "expiring": {"cert_expiring"},
    "mismatch": {"name_mismatch"},
    "self_signed": {"self_signed"},
    "untrusted": {"untrusted_chain"},
    "missing_intermediate": {"untrusted_chain", "incomplete_chain"},
    "wrong_order": {"chain_order"},
    "expired_intermediate": {"untrusted_chain", "intermediate_expired"},
    "weak_rsa": {"weak_key"},
    "sha1": {"weak_signature", "untrusted_chain"},
    "too_long": {"validity_too_long"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_chain_gives_its_own_findings(tls_cases: dict[str, Case], name: str) -> None:
    assert analyse(tls_cases[name]) == EXPECTED[name]


def test_wildcard_certificate_covers_one_label_only(tls_cases: dict[str, Case]) -> None:
    case = tls_cases["wildcard"]
    assert analyse(case, "www.example.test") == set()
    assert analyse(case, "a.b.example.test") == {"name_mismatch"}
    assert analyse(case, "example.test") == {"name_mismatch"}


def test_findings_carry_category_severity_and_plain_sentence(tls_cases: dict[str, Case]) -> None:
    case = tls_cases["expiring"]
    roots = TrustRoots.from_pem(case.root.pem)
    [expiring] = analyse_chain([c.cert for c in case.chain], "localhost", roots, NOW).findings
    assert expiring.details is not None
    assert expiring.details["category"] == "expiration"
    assert expiring.details["days_left"] == 5
    assert expiring.severity == "warning"
    assert expiring.message == "The certificate expires in 5 days."


def test_expired_leaf_is_reported_as_expired_not_also_untrusted(
    tls_cases: dict[str, Case],
) -> None:
    case = tls_cases["good"]
    later = NOW + timedelta(days=200)
    assert analyse(case, now=later) == {"cert_expired"}


def test_system_store_does_not_trust_a_private_ca(tls_cases: dict[str, Case]) -> None:
    with open("/etc/ssl/certs/ca-certificates.crt", "rb") as bundle:
        roots = TrustRoots.from_pem(bundle.read())
    chain = [c.cert for c in tls_cases["good"].chain]
    analysis = analyse_chain(chain, "localhost", roots, NOW)
    assert not analysis.trusted
    assert "untrusted_chain" in {f.code for f in analysis.findings}


@pytest.mark.parametrize(
    ("issued", "days"),
    [
        (datetime(2026, 3, 14, 23, 59, tzinfo=UTC), 398),
        (datetime(2026, 3, 15, tzinfo=UTC), 200),
        (datetime(2027, 3, 14, tzinfo=UTC), 200),
        (datetime(2027, 3, 15, tzinfo=UTC), 100),
        (datetime(2029, 3, 15, tzinfo=UTC), 47),
    ],
)
def test_validity_limit_follows_the_issue_date(issued: datetime, days: int) -> None:
    assert max_validity_days(issued) == days


def test_validity_limit_is_judged_by_not_before() -> None:
    root = build_cert("Root", ca=True, not_before=NOW - 3000 * timedelta(days=1))
    issued = datetime(2026, 1, 10, tzinfo=UTC)  # before 2026-03-15: 398 days allowed
    leaf = build_cert("localhost", root, not_before=issued, not_after=issued + timedelta(days=390))
    case = Case(chain=(leaf,), root=root)
    assert "validity_too_long" not in analyse(case, now=issued + timedelta(days=10))


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (
            "validation failed: candidates exhausted: Forbidden signature algorithm: "
            "AlgorithmIdentifier { oid: DefinedByMarker(PhantomData) }",
            "Forbidden signature algorithm",
        ),
        (
            "validation failed: EE keyUsage must not assert keyCertSign "
            "(encountered processing <Certificate(subject=<Name(CN=x)>, ...)>)",
            "EE keyUsage must not assert keyCertSign",
        ),
        (None, "no path to a trusted root was found"),
    ],
)
def test_verifier_errors_become_plain_sentences(raw: str | None, plain: str) -> None:
    assert plain_verifier_error(raw) == plain
