"""The target syntax rules (probes/targets.py, hostport.host_name_problem) and each kind's
`check_target`, as the faces apply them before a probe runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from watchwire.cli import app
from watchwire.hostport import host_name_problem
from watchwire.probes import PROBE_MODULES, probe_module, target_check, targets


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "example.com.",
        "localhost",
        "_dmarc.example.com",
        "xn--bcher-kva.example",
        "bücher.example",
        "a" * 63 + ".example",
        "127.0.0.1",
        "::1",
        "[2001:db8::1]",
    ],
)
def test_good_hosts(host: str) -> None:
    assert host_name_problem(host) is None


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("not..valid", "empty label"),
        (".example.com", "empty label"),
        ("a" * 64 + ".example.com", "longer than 63"),
        (("a" * 60 + ".") * 5 + "com", "longer than 253"),
        ("-x.example.com", "not first or last"),
        ("x-.example.com", "not first or last"),
        ("exa mple.com", "labels are"),
        ("shop!.example", "labels are"),
        ("10.0.0.300", "neither an IP address nor a host name"),
        ("", "empty"),
    ],
)
def test_bad_hosts_say_why(host: str, says: str) -> None:
    problem = host_name_problem(host)
    assert problem is not None and says in problem


def test_urls() -> None:
    assert targets.url("https://shop.example.com:8443/a?b") == "https://shop.example.com:8443/a?b"
    for bad, says in [
        ("ftp://example.com/", "http:// or https://"),
        ("https:example.com", "http:// or https://"),
        ("https://", "no host"),
        ("https://example.com:65536/", "1-65535"),
        ("https://exa\x00mple.com/", "control characters"),
        ("https://not..valid/", "empty label"),
    ]:
        with pytest.raises(ValueError, match=says):
            targets.url(bad)


def test_host_and_port() -> None:
    assert targets.split("[2001:db8::1]:22") == ("2001:db8::1", 22)
    assert targets.split("2001:db8::1") == ("2001:db8::1", None)
    assert targets.host_port("db.example.com:5432", port_required=True) == "db.example.com:5432"
    for bad in ("db:0", "db:65536", "db:x", "[::1]x", "not..valid:80"):
        with pytest.raises(ValueError):
            targets.host_port(bad)
    with pytest.raises(ValueError, match="HOST:PORT"):
        targets.host_port("db.example.com", port_required=True)


def test_every_probe_kind_has_a_target_rule() -> None:
    for kind in PROBE_MODULES:
        assert hasattr(probe_module(kind), "check_target"), kind
        with pytest.raises(ValueError):
            target_check(kind)("not..valid")


@pytest.mark.parametrize(
    "args",
    [
        ["http", "https://not..valid/"],
        ["headers", "ftp://example.com/"],
        ["port", "not..valid:80"],
        ["ping", "a" * 64 + ".example.com"],
        ["trace", "not..valid"],
        ["dns", "not..valid"],
        ["ip", "not..valid"],
        ["ssl", "not..valid"],
        ["rbl", "not..valid", "--resolver", "127.0.0.1:53"],
    ],
)
def test_cli_says_what_is_wrong_in_one_line(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exit_code == 1, result.output
    [line] = result.stderr.strip().splitlines()
    assert (line.startswith("error: ") and "not..valid" in line) or "ftp://" in line or "63" in line
