"""The rdap probe against a real local RDAP server, found through a bootstrap file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.rdap_server import RdapServer, rdap_server
from watchwire.clock import FrozenClock
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes.base import ProbeContext
from watchwire.probes.rdap import rdap
from watchwire.target_policy import TargetPolicy

__all__ = ["rdap_server"]


@pytest.fixture
def ctx(clock: FrozenClock) -> ProbeContext:
    return ProbeContext(policy=TargetPolicy(allow_private=True), clock=clock)


async def test_expiry_registrar_and_nameservers_come_from_the_domain_object(
    rdap_server: RdapServer, tmp_path: Path, ctx: ProbeContext, clock: FrozenClock
) -> None:
    rdap_server.register("shop.test", expires=clock.now() + timedelta(days=20, hours=1))
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    result = await rdap.probe("Shop.Test.", options, ctx)
    assert (result.outcome, result.status) == ("up", "registered")
    assert result.domain == "shop.test"
    assert result.expires_at == "2026-12-14T13:00:00Z"
    assert result.days_left == 20
    assert result.registered_at == "2015-03-01T10:00:00Z"
    assert result.registrar == "Example Registrar, Inc."
    assert result.nameservers == ["ns1.example.net", "ns2.example.net"]
    assert result.statuses == ["client transfer prohibited"]
    assert result.rdap_server == rdap_server.url
    assert rdap_server.requests == ["shop.test"]
    assert result.to_json()["kind"] == "rdap"


async def test_an_expired_registration_is_down(
    rdap_server: RdapServer, tmp_path: Path, ctx: ProbeContext, clock: FrozenClock
) -> None:
    rdap_server.register("old.test", expires=clock.now() - timedelta(days=3))
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    result = await rdap.probe("old.test", options, ctx)
    assert (result.outcome, result.status, result.days_left) == ("down", "expired", -3)
    assert "expired" in (result.reason or "")


async def test_a_tld_without_rdap_is_a_clear_unknown(
    rdap_server: RdapServer, tmp_path: Path, ctx: ProbeContext
) -> None:
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    result = await rdap.probe("example.nordap", options, ctx)
    assert (result.outcome, result.status) == ("error", "unknown")
    assert result.reason == "the registry of .nordap has no RDAP service (IANA bootstrap data)"
    assert rdap_server.requests == []


async def test_unregistered_domain_and_registry_errors(
    rdap_server: RdapServer, tmp_path: Path, ctx: ProbeContext
) -> None:
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    missing = await rdap.probe("nobody.test", options, ctx)
    assert (missing.outcome, missing.status) == ("down", "not_found")
    rdap_server.fail("busy.test", 503)
    busy = await rdap.probe("busy.test", options, ctx)
    assert (busy.outcome, busy.status) == ("error", "error")
    assert busy.reason == f"RDAP server {rdap_server.url} answered HTTP 503"


async def test_no_expiration_event_is_unknown(
    rdap_server: RdapServer, tmp_path: Path, ctx: ProbeContext
) -> None:
    rdap_server.register("forever.test", expires=None)
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    result = await rdap.probe("forever.test", options, ctx)
    assert (result.status, result.expires_at) == ("unknown", None)
    assert result.registrar == "Example Registrar, Inc."


async def test_redirects_are_followed_under_the_policy(
    rdap_server: RdapServer, tmp_path: Path, ctx: ProbeContext, clock: FrozenClock
) -> None:
    rdap_server.register("moved.test", expires=clock.now() + timedelta(days=400))
    rdap_server.redirect("moved.test")
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    result = await rdap.probe("moved.test", options, ctx)
    assert result.status == "registered" and result.days_left == 400
    assert rdap_server.requests == ["moved.test", "moved.test"]


async def test_the_target_policy_refuses_a_loopback_registry(
    rdap_server: RdapServer, tmp_path: Path
) -> None:
    options = rdap.Options(bootstrap_file=rdap_server.bootstrap(tmp_path, ["test"]))
    with pytest.raises(TargetNotAllowed):
        await rdap.probe("shop.test", options, ProbeContext())
    assert rdap_server.requests == []


async def test_a_dead_registry_is_an_error_result(tmp_path: Path, ctx: ProbeContext) -> None:
    path = tmp_path / "dns.json"
    path.write_text(json.dumps({"services": [[["test"], ["http://127.0.0.1:9/rdap/"]]]}))
    result = await rdap.probe("shop.test", rdap.Options(bootstrap_file=path, timeout=5), ctx)
    assert (result.outcome, result.status) == ("error", "error")
    assert "did not answer" in (result.reason or "")


def test_not_a_domain_name_is_refused() -> None:
    with pytest.raises(ProbeError):
        rdap.normalise_domain("localhost")
    assert rdap.normalise_domain("BÜCHER.example") == "xn--bcher-kva.example"


def test_the_shipped_bootstrap_names_well_known_registries() -> None:
    data = rdap.load_bootstrap()
    assert data.servers_for("example.com") == ("https://rdap.verisign.com/com/v1/",)
    assert data.servers_for("www.example.org") == ("https://rdap.publicinterestregistry.org/rdap/",)
    assert data.servers_for("example.invalid") == ()
    assert data.publication.startswith("2026-")


def test_bootstrap_prefers_the_longest_suffix_and_https() -> None:
    data = rdap.Bootstrap.parse(
        {
            "services": [
                [["uk"], ["https://uk.example/"]],
                [["co.uk"], ["http://co.example/", "https://co.example/"]],
            ]
        }
    )
    assert data.servers_for("shop.co.uk") == ("https://co.example/", "http://co.example/")
    assert data.servers_for("shop.org.uk") == ("https://uk.example/",)


@pytest.mark.parametrize(
    "document",
    [[], {"services": "x"}, {"services": [["com"]]}, {"services": [[["com"], ["ftp://x/"]]]}],
)
def test_malformed_bootstrap_files_are_refused(document: object) -> None:
    with pytest.raises(ValueError):
        rdap.Bootstrap.parse(document)


@given(st.lists(st.sampled_from(["expiration", "registration", "last changed"]), max_size=4))
def test_event_date_finds_only_its_action(actions: list[str]) -> None:
    document = {
        "events": [
            {"eventAction": a, "eventDate": f"202{i}-01-01T00:00:00Z"}
            for i, a in enumerate(actions)
        ]
    }
    found = rdap.event_date(document, "expiration")
    if "expiration" in actions:
        assert found is not None and found.year == 2020 + actions.index("expiration")
    else:
        assert found is None


@pytest.fixture
def installed_bootstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from watchwire.config import get_settings

    target = tmp_path / "installed" / "dns.json"
    monkeypatch.setenv("WATCHWIRE_RDAP_BOOTSTRAP_FILE", str(target))
    get_settings.cache_clear()
    yield target
    get_settings.cache_clear()


def test_cli_update_installs_a_newer_bootstrap_that_lookups_then_use(
    installed_bootstrap: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from watchwire.cli.rdap import rdap_app

    runner = CliRunner()
    shipped = runner.invoke(rdap_app, ["info", "--json"])
    assert json.loads(shipped.stdout)["source"] == "shipped"

    newer = tmp_path / "iana.json"
    newer.write_text(
        json.dumps(
            {
                "publication": "2027-01-01T00:00:00Z",
                "services": [[["test", "example"], ["https://rdap.example/"]]],
            }
        )
    )
    done = runner.invoke(rdap_app, ["update", "--from", str(newer)])
    assert done.exit_code == 0, done.output
    assert installed_bootstrap.exists()
    described = json.loads(runner.invoke(rdap_app, ["info", "--json"]).stdout)
    assert described == {
        "file": str(installed_bootstrap),
        "source": "installed",
        "publication": "2027-01-01T00:00:00Z",
        "tlds": 2,
    }
    assert rdap.load_bootstrap(installed_bootstrap).servers_for("a.test") == (
        "https://rdap.example/",
    )

    broken = tmp_path / "broken.json"
    broken.write_text('{"services": [["test"]]}')
    refused = runner.invoke(rdap_app, ["update", "--from", str(broken)])
    assert refused.exit_code == 1 and "services[0]" in refused.output
    # The installed file is untouched by a refused update.
    assert json.loads(installed_bootstrap.read_text())["publication"] == "2027-01-01T00:00:00Z"
