"""Settings from the environment and from a TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from watchwire.config import Settings, SettingsProblem, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WATCHWIRE_DATABASE_URL", "WATCHWIRE_LISTEN", "WATCHWIRE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///./watchwire.db"
    assert (settings.listen_host, settings.listen_port) == ("127.0.0.1", 8080)
    assert settings.allow_private_targets is False
    assert settings.resolver_address is None


def test_toml_file_and_environment_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "watchwire.toml"
    config.write_text(
        'database_url = "postgresql://postgres@127.0.0.1:5432/test"\n'
        'listen = "0.0.0.0:9000"\n'
        "allow_private_targets = true\n"
        'resolver = "[::1]:5353"\n'
    )
    monkeypatch.setenv("WATCHWIRE_CONFIG", str(config))
    monkeypatch.setenv("WATCHWIRE_LISTEN", "127.0.0.1:9100")
    settings = Settings()
    assert settings.database_url.startswith("postgresql://")
    assert settings.listen_port == 9100  # the environment wins over the file
    assert settings.allow_private_targets is True
    assert settings.resolver_address == ("::1", 5353)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WATCHWIRE_LISTEN", "127.0.0.1:99999"),
        ("WATCHWIRE_DATABASE_URL", "mysql://x"),
        ("WATCHWIRE_RESOLVER", "a b"),
        ("WATCHWIRE_LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_hashing_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=tmp_path / "secret")
    first = settings.hashing_key()
    assert settings.hashing_key() == first
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


# -- wrong settings are refused, naming the setting (issue 23) ------------------------------


def _problem(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsProblem) as refused:
        load_settings()
    return refused.value.message


def test_an_unknown_key_in_the_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "watchwire.toml"
    config.write_text('listn = "0.0.0.0:9000"\n')
    message = _problem(monkeypatch, WATCHWIRE_CONFIG=str(config))
    assert message == f"{config}: unknown setting 'listn' (did you mean 'listen'?)"


def test_a_config_file_that_does_not_exist_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere.toml"
    message = _problem(monkeypatch, WATCHWIRE_CONFIG=str(missing))
    assert message == f"WATCHWIRE_CONFIG={missing}: the file does not exist"


def test_a_file_that_is_not_toml_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "watchwire.toml"
    config.write_text("listen = \n")
    assert "not a TOML file" in _problem(monkeypatch, WATCHWIRE_CONFIG=str(config))


def test_a_wrong_value_in_the_file_names_the_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "watchwire.toml"
    config.write_text('log_level = "LOUD"\n')
    message = _problem(monkeypatch, WATCHWIRE_CONFIG=str(config))
    assert message.startswith(f"{config}: log_level: ")


@pytest.mark.parametrize("value", ["nonsense", "example.com:8080", "127.0.0.1:99999", ":80"])
def test_a_listen_address_that_is_not_ip_port_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    message = _problem(monkeypatch, WATCHWIRE_LISTEN=value)
    assert message.startswith(f"WATCHWIRE_LISTEN={value}: expected ")


def test_list_settings_are_comma_separated_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHWIRE_GEOIP_MMDB", "a.mmdb, b.mmdb")
    monkeypatch.setenv("WATCHWIRE_TRUSTED_PROXIES", "10.0.0.1,192.0.2.0/24")
    settings = load_settings()
    assert settings.geoip_mmdb == [Path("a.mmdb"), Path("b.mmdb")]
    assert settings.trusted_proxies == ["10.0.0.1/32", "192.0.2.0/24"]
    message = _problem(monkeypatch, WATCHWIRE_TRUSTED_PROXIES="10.0.0.1,proxy")
    assert (
        message == "WATCHWIRE_TRUSTED_PROXIES=10.0.0.1,proxy: 'proxy' is not an IP address or CIDR"
    )


def test_no_proxy_is_trusted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHWIRE_TRUSTED_PROXIES", raising=False)
    assert Settings().trusted_proxies == []
