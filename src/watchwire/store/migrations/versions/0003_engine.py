"""Engine: monitors with schedule and lease, raw results, hourly rollups, downtimes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "monitors",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(2048), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("interval_seconds", sa.Integer, nullable=False),
        sa.Column("timeout_seconds", sa.Float, nullable=False),
        sa.Column("confirmations", sa.Integer, nullable=False),
        sa.Column("recoveries", sa.Integer, nullable=False),
        sa.Column("degraded_ms", sa.Float, nullable=True),
        sa.Column("apdex_t_ms", sa.Float, nullable=False),
        sa.Column("ssl_expiry_days", sa.JSON, nullable=False),
        sa.Column("expect", sa.JSON, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("contact_groups", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("fail_streak", sa.Integer, nullable=False),
        sa.Column("success_streak", sa.Integer, nullable=False),
        sa.Column("failing_since", UtcDateTime, nullable=True),
        sa.Column("state_changed_at", UtcDateTime, nullable=True),
        sa.Column("last_checked_at", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_response_ms", sa.Float, nullable=True),
        sa.Column("ssl_bracket", sa.Integer, nullable=True),
        sa.Column("ssl_checked_at", UtcDateTime, nullable=True),
        sa.Column("ssl_not_after", sa.String(32), nullable=True),
        sa.Column("next_run_at", UtcDateTime, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UtcDateTime, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_monitors_account_sid", "monitors", ["account_sid"])
    op.create_index("ix_monitors_due", "monitors", ["paused", "next_run_at"])
    op.create_table(
        "monitor_results",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("monitor_sid", sa.String(34), nullable=False),
        sa.Column("checked_at", UtcDateTime, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("response_ms", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("covers_seconds", sa.Integer, nullable=False),
        sa.Column("lateness_ms", sa.Float, nullable=False),
        sa.Column("location", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index(
        "ix_monitor_results_monitor_checked", "monitor_results", ["monitor_sid", "checked_at"]
    )
    op.create_index("ix_monitor_results_checked", "monitor_results", ["checked_at"])
    op.create_table(
        "monitor_rollups",
        sa.Column("monitor_sid", sa.String(34), primary_key=True),
        sa.Column("hour", UtcDateTime, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("up_seconds", sa.Integer, nullable=False),
        sa.Column("down_seconds", sa.Integer, nullable=False),
        sa.Column("degraded_seconds", sa.Integer, nullable=False),
        sa.Column("satisfied", sa.Integer, nullable=False),
        sa.Column("tolerating", sa.Integer, nullable=False),
        sa.Column("timed", sa.Integer, nullable=False),
        sa.Column("sum_ms", sa.Float, nullable=False),
        sa.Column("histogram", sa.JSON, nullable=False),
        sa.Column("phases", sa.JSON, nullable=False),
    )
    op.create_table(
        "downtimes",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("monitor_sid", sa.String(34), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_downtimes_monitor_started", "downtimes", ["monitor_sid", "started_at"])


def downgrade() -> None:
    op.drop_table("downtimes")
    op.drop_table("monitor_rollups")
    op.drop_table("monitor_results")
    op.drop_table("monitors")
