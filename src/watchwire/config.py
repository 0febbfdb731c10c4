"""Settings: WATCHWIRE_* environment variables, or a TOML file named by WATCHWIRE_CONFIG.

Environment variables win over the file; the file wins over the defaults. Every setting is
listed in docs/configuration.md.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from watchwire.hostport import parse_hostport


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WATCHWIRE_", extra="ignore")

    database_url: str = "sqlite:///./watchwire.db"
    listen: str = "127.0.0.1:8080"
    redis_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    # Target policy: which addresses probes and webhooks may connect to.
    allow_private_targets: bool = False
    allow_metadata_target: bool = False

    # Resolver used by dns, rbl and CAA lookups unless a call names its own (HOST:PORT).
    resolver: str | None = None

    # Extra trust roots (PEM) for TLS checks of internal services, on top of the system store.
    ca_file: Path | None = None
    # MaxMind-format .mmdb files (City and/or ASN), comma-separated in the environment.
    geoip_mmdb: list[Path] = Field(default_factory=list)

    # Key for the keyed hash of API key secrets. Unset: read (or create) secret_key_file.
    secret_key: str | None = Field(default=None, repr=False)
    secret_key_file: Path = Path("./watchwire.secret")

    # Account created on the first start when the database has none.
    bootstrap_account: bool = True
    idempotency_ttl_seconds: int = 60

    # A worker runs at most this many checks at once.
    engine_concurrency: int = Field(default=500, ge=1, le=20000)
    # On SIGTERM, checks, deliveries and API requests in flight get this long to finish;
    # what has not finished then is cancelled and its lease given back for another process.
    stop_grace_seconds: float = Field(default=3.0, gt=0, le=300)

    # Retention (engine/retention.py): days kept of raw monitor results (hourly rollups and
    # downtimes are kept for good), of finished deliveries with their attempts, of events no
    # delivery refers to any more, and of finished one-off checks (blocklist checks, domain
    # batches); idempotency keys go once past their TTL. A purge runs this often.
    results_retention_days: int = Field(default=14, ge=1, le=3650)
    deliveries_retention_days: int = Field(default=30, ge=1, le=3650)
    events_retention_days: int = Field(default=90, ge=1, le=3650)
    checks_retention_days: int = Field(default=30, ge=1, le=3650)
    retention_interval_seconds: float = Field(default=600.0, ge=1, le=86400)

    # Notification channels: the SMTP relay for email contacts, the SMS gateway (an Apprise
    # URL with {phone} in it, e.g. twilio://SID:TOKEN@+15550001111/{phone}; unset: no SMS).
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_starttls: bool = False
    smtp_from: str = "watchwire@localhost"
    sms_apprise_url: str | None = Field(default=None, repr=False)

    # Webhook delivery: plain-http URLs (also allowed with allow_private_targets), the
    # per-attempt timeout, attempts before a delivery is dead, requests in flight per
    # endpoint, and the consecutive failures that warn the account and disable an endpoint.
    webhook_allow_http: bool = False
    delivery_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    delivery_max_attempts: int = Field(default=25, ge=1, le=100)
    delivery_concurrency: int = Field(default=64, ge=1, le=5000)
    delivery_per_endpoint_concurrency: int = Field(default=8, ge=1, le=1000)
    delivery_warn_after: list[int] = Field(default_factory=lambda: [10, 100, 900])
    delivery_disable_after: int = Field(default=1000, ge=1)

    # Monitored domains: the default interval of record checks (an account may set its own,
    # not below its plan's minimum), the default expiry thresholds in days, and where
    # `watchwire rdap update` installs a newer RDAP bootstrap file (used when it exists).
    domain_check_interval_seconds: int = Field(default=3600, ge=60, le=86400 * 7)
    domain_expiry_days: list[int] = Field(default_factory=lambda: [30, 14, 7, 1])
    rdap_bootstrap_file: Path = Path("./watchwire-rdap-dns.json")

    # Certificate monitors: the check interval of a monitor that names none (each monitor may
    # set its own, 5 minutes to a week).
    cert_check_interval_seconds: int = Field(default=21600, ge=300, le=86400 * 7)

    # Heartbeat monitors: pings a monitor may receive a minute (more are answered 429).
    heartbeat_pings_per_minute: int = Field(default=60, ge=1, le=100_000)

    @field_validator("geoip_mmdb", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        parse_hostport(value, 8080)
        return value

    @field_validator("resolver")
    @classmethod
    def _check_resolver(cls, value: str | None) -> str | None:
        if value:
            parse_hostport(value, 53)
        return value or None

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("database_url must be sqlite:///PATH or postgresql://…")
        return value

    @property
    def listen_host(self) -> str:
        return parse_hostport(self.listen, 8080)[0]

    @property
    def listen_port(self) -> int:
        return parse_hostport(self.listen, 8080)[1]

    @property
    def resolver_address(self) -> tuple[str, int] | None:
        return parse_hostport(self.resolver, 53) if self.resolver else None

    def hashing_key(self) -> bytes:
        """The key for API-key hashes: configured, or kept in a 0600 file beside the data."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.secret_key_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("WATCHWIRE_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
