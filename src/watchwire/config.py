"""Settings: WATCHWIRE_* environment variables, or a TOML file named by WATCHWIRE_CONFIG.

Environment variables win over the file; the file wins over the defaults. Every setting is
listed in docs/configuration.md. Nothing wrong is ignored: a key of the file that is no
setting, a file that does not exist or does not parse, and a value that breaks its rule all
stop `load_settings` with one `SettingsProblem` line naming the setting and where it was set.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import secrets
import string
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from watchwire.hostport import parse_hostport

CONFIG_VARIABLE = "WATCHWIRE_CONFIG"
ENV_PREFIX = "WATCHWIRE_"


class SettingsProblem(Exception):
    """A setting that cannot be used; the message is one line naming it and the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _config_file() -> Path | None:
    """The TOML file WATCHWIRE_CONFIG names, checked: it must exist and parse."""
    named = os.environ.get(CONFIG_VARIABLE)
    if not named:
        return None
    path = Path(named)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise SettingsProblem(f"{CONFIG_VARIABLE}={named}: the file {what}")
    try:
        tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsProblem(f"{CONFIG_VARIABLE}={named}: not a TOML file ({exc})") from None
    return path


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# The fields of an access-log line, for `access_log_format` (docs/configuration.md).
ACCESS_FIELDS = (
    "client",
    "method",
    "path",
    "status",
    "duration_ms",
    "request_id",
    "account",
    "key",
)
DEFAULT_ACCESS_FORMAT = (
    '{client} "{method} {path}" {status} {duration_ms:.1f}ms request={request_id} key={key}'
)


def check_access_format(template: str) -> str:
    """`template` if it names only access-log fields (`{status}`, `{duration_ms:.1f}`, …);
    ValueError naming the first unknown one otherwise."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"not a format string: {exc}") from None
    for _, name, _, _ in parsed:
        if name is not None and name not in ACCESS_FIELDS:
            raise ValueError(f"unknown field {{{name}}}: the fields are {', '.join(ACCESS_FIELDS)}")
    return template


class Settings(BaseSettings):
    # `forbid`: a key of the TOML file (or a keyword) that is no setting is an error, never
    # silently dropped. Environment variables are read by name, so extra ones are not seen.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    database_url: str = "sqlite:///./watchwire.db"
    listen: str = "127.0.0.1:8080"
    redis_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # One INFO line per HTTP request on the `watchwire.access` logger, in this format.
    access_log: bool = True
    access_log_format: str = DEFAULT_ACCESS_FORMAT

    # Target policy: which addresses probes and webhooks may connect to.
    allow_private_targets: bool = False
    allow_metadata_target: bool = False

    # Resolver used by dns, rbl and CAA lookups unless a call names its own (HOST:PORT).
    resolver: str | None = None

    # Extra trust roots (PEM) for TLS checks of internal services, on top of the system store.
    ca_file: Path | None = None
    # MaxMind-format .mmdb files (City and/or ASN), comma-separated in the environment.
    geoip_mmdb: Annotated[list[Path], NoDecode] = Field(default_factory=list)

    # Peers whose X-Forwarded-For (and X-Forwarded-Proto) is believed: the reverse proxies in
    # front of the API, as addresses or CIDRs (comma-separated in the environment). Empty:
    # the header is ignored and the connecting address is the client, so a local client
    # cannot claim another address to pass a key's IP allowlist.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Key for the keyed hash of API key secrets. Unset: read (or create) secret_key_file.
    secret_key: str | None = Field(default=None, repr=False)
    secret_key_file: Path = Path("./watchwire.secret")

    # Account created on the first start when the database has none.
    bootstrap_account: bool = True
    idempotency_ttl_seconds: int = 60
    # How long a status page's computed view is reused for its visitors (0: never). Visitors
    # see a change within this plus the pages' 30 s max-age; an edit of the page or its
    # notices is seen at once on the process that made it.
    status_page_cache_seconds: float = Field(default=10.0, ge=0, le=300)

    # This server's own probe location (decision 0032): the code its engine records with
    # every result and that the location registry holds for it.
    location: str = Field(default="local", pattern=r"^[a-z][a-z0-9-]{1,15}$")

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
    # `apprise` contacts (any Apprise URL): off, since the target policy cannot apply to them.
    apprise_any_url: bool = False

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

    @field_validator("geoip_mmdb", "trusted_proxies", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        networks = []
        for entry in value:
            try:
                networks.append(str(ipaddress.ip_network(entry, strict=False)))
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or CIDR") from None
        return networks

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        host, _ = parse_hostport(value, 8080)
        # An address to bind, not a name to resolve: `nonsense` would otherwise be looked up
        # (through the system resolver) only once the server starts.
        if host != "localhost":
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise ValueError(
                    f"expected IP:PORT (e.g. 127.0.0.1:8080, [::1]:8080), got {value!r}"
                ) from None
        return value

    @field_validator("access_log_format")
    @classmethod
    def _check_access_log_format(cls, value: str) -> str:
        return check_access_format(value)

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
        config_file = _config_file()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def setting_source(field: str) -> str:
    """Where a setting's value comes from: its variable, the TOML file, or the default."""
    env_name = f"{ENV_PREFIX}{field.upper()}"
    if any(name.upper() == env_name for name in os.environ):
        return env_name
    named = os.environ.get(CONFIG_VARIABLE)
    if named:
        try:
            if field in tomllib.loads(Path(named).read_text()):
                return named
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass
    return "the default"


def _where(field: str, overrides: dict[str, Any]) -> str:
    """Where a setting's value came from, as a person would look for it."""
    if field in overrides:  # a command-line option (`--listen`)
        return f"--{field.replace('_', '-')} {overrides[field]}"
    env_name = f"{ENV_PREFIX}{field.upper()}"
    for name, value in os.environ.items():
        if name.upper() == env_name:
            return f"{env_name}={value}"
    named = os.environ.get(CONFIG_VARIABLE)
    return f"{named}: {field}" if named else field


def _problem(error: Any, overrides: dict[str, Any]) -> str:
    field = str(error["loc"][0]) if error["loc"] else "settings"
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(field, Settings.model_fields, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        where = os.environ.get(CONFIG_VARIABLE) or "settings"
        return f"{where}: unknown setting {field!r}{hint}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{_where(field, overrides)}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """The settings, or SettingsProblem: one line naming the first wrong setting."""
    try:
        return Settings(**overrides)
    except pydantic.ValidationError as exc:
        raise SettingsProblem(_problem(exc.errors()[0], overrides)) from None
    except SourceError as exc:
        # A value that does not even decode (JSON of a list field, for instance).
        raise SettingsProblem(str(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
