"""Chain analysis without a server: each bad chain gives exactly its finding, names follow the
browsers' wildcard rules, fingerprints look like 003's cert.changed event."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.tls_servers import NOW, Case, build_cert, tls_cases
from watchwire.probes.tls._findings import analyse_chain, max_validity_days, plain_verifier_error
from watchwire.probes.tls._trust import TrustRoots
from watchwire.probes.tls.certificate import fingerprint_sha256, name_matches

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


def test_certificate_description(tls_cases: dict[str, Case]) -> None:
    case = tls_cases["weak_rsa"]
    roots = TrustRoots.from_pem(case.root.pem)
    analysis = analyse_chain([c.cert for c in case.chain], "localhost", roots, NOW)
    leaf, intermediate = analysis.certificates
    assert (leaf.key_type, leaf.key_size) == ("RSA", 1024)
    assert (intermediate.key_type, intermediate.key_size, intermediate.curve) == (
        "EC", 256, "secp256r1",
    )  # fmt: skip
    assert leaf.sans == ["localhost", "127.0.0.1"]
    assert leaf.common_name == "localhost"
    assert leaf.issuer == intermediate.subject == "CN=Test Intermediate CA,O=watchwire tests"
    assert leaf.signature_algorithm == "ecdsa-with-SHA256"  # signed by the EC intermediate
    assert int(leaf.serial, 16) == case.leaf.cert.serial_number
    assert leaf.not_after == case.leaf.cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert leaf.days_left == 89
    assert intermediate.is_ca and not leaf.is_ca
    assert analysis.trusted_path[-1] == fingerprint_sha256(case.root.cert)


def test_fingerprint_has_the_cert_changed_event_form(tls_cases: dict[str, Case]) -> None:
    cert = tls_cases["good"].leaf.cert
    fingerprint = fingerprint_sha256(cert)
    assert re.fullmatch(r"SHA256(:[0-9a-f]{2}){32}", fingerprint)
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert fingerprint.replace(":", "").removeprefix("SHA256") == digest


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


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
domains = st.lists(labels, min_size=2, max_size=4).map(".".join)


@given(domains)
def test_a_name_matches_itself_in_any_case(name: str) -> None:
    assert name_matches(name, name.upper())
    assert name_matches(name.upper() + ".", name)


@given(labels, domains)
def test_wildcard_covers_exactly_one_label(label: str, domain: str) -> None:
    assert name_matches(f"*.{domain}", f"{label}.{domain}")
    assert not name_matches(f"*.{domain}", domain)
    assert not name_matches(f"*.{domain}", f"{label}.{label}.{domain}")
    assert not name_matches(f"{label}.{domain}", f"*.{domain}")


@pytest.mark.parametrize(
    ("pattern", "hostname", "expected"),
    [
        ("*.com", "example.com", False),  # a wildcard needs two labels under it
        ("w*.example.com", "www.example.com", False),  # partial wildcards: never
        ("www.*.com", "www.example.com", False),
        ("*.bücher.example", "www.xn--bcher-kva.example", True),  # IDN as A-labels
        ("EXAMPLE.com", "example.COM.", True),
    ],
)
def test_name_matching_edge_cases(pattern: str, hostname: str, expected: bool) -> None:
    assert name_matches(pattern, hostname) is expected


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
