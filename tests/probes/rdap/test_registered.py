"""The registered domain of a monitored host, by the Public Suffix List's ICANN rules."""

from __future__ import annotations

import pytest

from watchwire.probes.rdap.registered import registered_domain


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.shop.example.com", "example.com"),
        ("Example.COM.", "example.com"),
        ("www.shop.example.co.uk", "example.co.uk"),  # a two-label public suffix
        ("www.city.kawasaki.jp", "city.kawasaki.jp"),  # `!city.kawasaki.jp` beats `*.kawasaki.jp`
        ("shop.x.kawasaki.jp", "shop.x.kawasaki.jp"),  # `*.kawasaki.jp`: x.kawasaki.jp is a suffix
        ("pages.github.io", "github.io"),  # private-section suffixes are not registries
        ("www.bücher.de", "xn--bcher-kva.de"),  # the A-label form RDAP is asked in
        ("api.shop.test", "shop.test"),  # a TLD the list does not know: its last label
    ],
)
def test_registered_domain(host: str, domain: str) -> None:
    assert registered_domain(host) == domain


@pytest.mark.parametrize("host", ["co.uk", "com", "localhost", "127.0.0.1", "::1", "[::1]", ""])
def test_no_registered_domain(host: str) -> None:
    assert registered_domain(host) is None
