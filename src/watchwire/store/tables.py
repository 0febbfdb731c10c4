"""Every table, as SQLAlchemy Core. Migrations under migrations/versions create them.

Keys are prefixed SIDs (see watchwire.ids). Times are timezone-aware UTC. JSON columns hold
small lists and documents that are read whole.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from watchwire.clock import as_utc

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back timezone-aware on every backend (SQLite keeps
    no zone and would hand back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc(value)


plans = sa.Table(
    "plans",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("title", sa.String(64), nullable=False),
    sa.Column("requests_per_minute", sa.Integer, nullable=False),
    sa.Column("requests_per_day", sa.Integer, nullable=False),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("max_webhooks", sa.Integer, nullable=False),
    # None = every event type.
    sa.Column("event_types", sa.JSON, nullable=True),
    sa.Column("min_interval_seconds", sa.Integer, nullable=False),
    # Monitors an account may hold (migration 0012); None = no cap.
    sa.Column("max_monitors", sa.Integer, nullable=True),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("plan", sa.String(32), sa.ForeignKey("plans.name"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    # HMAC-SHA256 of the secret under the server's hashing key; the secret itself is not kept.
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("read_only", sa.Boolean, nullable=False, default=False),
    sa.Column("ip_allowlist", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("account_sid", sa.String(34), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    # method + path + body digest: the same key with another request is a conflict.
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # in_progress | done
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("response_headers", sa.JSON, nullable=True),
    sa.Column("response_body", sa.LargeBinary, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("type", sa.String(64), nullable=False),
    # What the event is about: monitor, cert_monitor, domain, rbl_host, rbl_check, webhook.
    sa.Column("resource_type", sa.String(32), nullable=True),
    sa.Column("resource_sid", sa.String(66), nullable=True),
    sa.Column("description", sa.Text, nullable=False),
    # The event's own data (evidence, thresholds, records …), in watchwire's neutral form;
    # each webhook format renders it in its document's shape.
    sa.Column("payload", sa.JSON, nullable=False),
    # Contact groups of the resource at the time of the event: who is told.
    sa.Column("contact_groups", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_events_account_created", "account_sid", "created_at"),
    sa.Index("ix_events_account_type", "account_sid", "type"),
    sa.Index("ix_events_resource", "resource_sid", "created_at"),
    # The retention purge finds old events by age (migration 0009).
    sa.Index("ix_events_created", "created_at"),
)
