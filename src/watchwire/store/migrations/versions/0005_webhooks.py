"""Webhook subscriptions, deliveries (the outbox and delivery log) and delivery attempts.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-24

A branch of its own beside the engine (0003) and contacts (0004); `watchwire db upgrade`
applies every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("secret", sa.String(255), nullable=False),
        sa.Column("previous_secret", sa.String(255), nullable=True),
        sa.Column("previous_secret_expires_at", TS, nullable=True),
        sa.Column("events", sa.JSON, nullable=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("legacy_signature", sa.Boolean, nullable=False),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("disabled_reason", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index(
        "ix_webhook_subscriptions_account_sid", "webhook_subscriptions", ["account_sid"]
    )
    op.create_table(
        "deliveries",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "event_sid",
            sa.String(34),
            sa.ForeignKey("events.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account_sid", sa.String(34), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_sid", sa.String(66), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", TS, nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
    )
    op.create_index("ix_deliveries_event_sid", "deliveries", ["event_sid"])
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_deliveries_account_created", "deliveries", ["account_sid", "created_at"])
    op.create_index("ix_deliveries_target_created", "deliveries", ["target_sid", "created_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column(
            "delivery_sid",
            sa.String(34),
            sa.ForeignKey("deliveries.sid", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("response_excerpt", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("delivery_attempts")
    op.drop_table("deliveries")
    op.drop_table("webhook_subscriptions")
