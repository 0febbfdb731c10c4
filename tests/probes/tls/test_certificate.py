"""What a certificate says without a server: its description, a fingerprint in the form of
003's cert.changed event, and host names matched by the browsers' wildcard rules."""

from __future__ import annotations

import hashlib
import re

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.tls_servers import NOW, Case, tls_cases
from watchwire.probes.tls._findings import analyse_chain
from watchwire.probes.tls._trust import TrustRoots
from watchwire.probes.tls.certificate import fingerprint_sha256, name_matches

__all__ = ["tls_cases"]  # the fixture is used by name


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
