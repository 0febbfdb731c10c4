"""The SSRF policy: categories, switches, and resolution."""

from __future__ import annotations

import ipaddress

import pytest

from watchwire.errors import TargetNotAllowed
from watchwire.target_policy import TargetPolicy, classify


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("8.8.8.8", "public"),
        ("2001:4860:4860::8888", "public"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("fd12::1", "private"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.1.1", "cgnat"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "reserved"),
        ("2001:db8::1", "reserved"),
    ],
)
def test_classify(address: str, category: str) -> None:
    assert classify(ipaddress.ip_address(address)) == category


def test_default_policy_refuses_everything_internal() -> None:
    policy = TargetPolicy()
    assert policy.allows(ipaddress.ip_address("93.184.216.34"))
    for address in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1"):
        with pytest.raises(TargetNotAllowed) as caught:
            policy.check(address)
        assert address in caught.value.message


def test_allow_private_opens_internal_ranges_but_not_metadata() -> None:
    policy = TargetPolicy(allow_private=True)
    for address in ("127.0.0.1", "10.0.0.1", "192.168.1.1", "::1", "100.64.0.1"):
        policy.check(address)
    with pytest.raises(TargetNotAllowed) as caught:
        policy.check("169.254.169.254")
    assert "WATCHWIRE_ALLOW_METADATA_TARGET" in caught.value.message
    with pytest.raises(TargetNotAllowed):
        policy.check("0.0.0.0")


def test_metadata_needs_its_own_switch() -> None:
    assert TargetPolicy(allow_metadata=True).allows(ipaddress.ip_address("169.254.169.254"))


async def test_resolution_is_checked_after_lookup() -> None:
    # "localhost" resolves (from /etc/hosts) to loopback: refused by default, allowed when asked.
    with pytest.raises(TargetNotAllowed):
        await TargetPolicy().resolve("localhost", 80)
    allowed = await TargetPolicy(allow_private=True).resolve("localhost", 80)
    assert all(a.is_loopback for a in allowed)
