"""Webhook subscriptions and the delivery outbox, as SQLAlchemy Core. Migration 0005 creates them.

`deliveries` is both the queue the delivery worker claims from and the log the API shows:
a row is written with its event (events/outbox.py) and ends `delivered`, `failed` or `dead`.
`delivery_attempts` keeps every try of a delivery.
"""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
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
    sa.Column("url", sa.String(2048), nullable=False),
    # `whsec_<base64>` (Standard Webhooks), or a string the owner chose.
    sa.Column("secret", sa.String(255), nullable=False),
    # After a rotation the old secret keeps signing alongside the new one until it expires.
    sa.Column("previous_secret", sa.String(255), nullable=True),
    sa.Column("previous_secret_expires_at", UtcDateTime, nullable=True),
    # Event types subscribed to; None = every type the plan allows.
    sa.Column("events", sa.JSON, nullable=True),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    # enterno format only: also send the retired body-only X-Enterno-Signature header.
    sa.Column("legacy_signature", sa.Boolean, nullable=False),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
    sa.Column("disabled_reason", sa.Text, nullable=True),
    # The run of failed deliveries (migration 0014): when it began and its last error;
    # None again once a delivery succeeds.
    sa.Column("failing_since", UtcDateTime, nullable=True),
    sa.Column("last_failure", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "event_sid",
        sa.String(34),
        sa.ForeignKey("events.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("account_sid", sa.String(34), nullable=False),
    sa.Column("target_type", sa.String(16), nullable=False),  # webhook | contact | callback
    # The subscription (WH…) or contact (CO…); no foreign key: the log outlives its target.
    sa.Column("target_sid", sa.String(66), nullable=False),
    # pending | retrying | delivered | failed | dead
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_deliveries_account_created", "account_sid", "created_at"),
    sa.Index("ix_deliveries_target_created", "target_sid", "created_at"),
    sa.Index("ix_deliveries_created", "created_at"),  # retention (migration 0009)
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column(
        "delivery_sid",
        sa.String(34),
        sa.ForeignKey("deliveries.sid", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # The first bytes of the receiver's answer, as text.
    sa.Column("response_excerpt", sa.Text, nullable=True),
)
