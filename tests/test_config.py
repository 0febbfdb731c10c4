"""Settings from the environment and from a TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from watchwire.config import Settings


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
