"""Certificate monitoring: cert_profiles, cert_monitors (schedule, lease, last certificate,
announced expiry bracket, active errors) and cert_errors.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def _account() -> sa.Column[str]:
    return sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "cert_profiles",
        sa.Column("sid", sa.String(34), primary_key=True),
        _account(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("expiration_thresholds", sa.JSON, nullable=False),
        sa.Column("alert_on_expiration", sa.Boolean, nullable=False),
        sa.Column("alert_on_name_mismatch", sa.Boolean, nullable=False),
        sa.Column("alert_on_ca_failure", sa.Boolean, nullable=False),
        sa.Column("alert_on_connection_failure", sa.Boolean, nullable=False),
        sa.Column("alert_on_caa_failure", sa.Boolean, nullable=False),
        sa.Column("alert_on_misconfigurations", sa.Boolean, nullable=False),
        sa.Column("alert_on_changes", sa.Boolean, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_cert_profiles_account_sid", "cert_profiles", ["account_sid"])
    op.create_table(
        "cert_monitors",
        sa.Column("sid", sa.String(34), primary_key=True),
        _account(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("port", sa.Integer, nullable=True),
        sa.Column("profile_sid", sa.String(34), nullable=False),
        sa.Column("contact_groups", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("interval_seconds", sa.Integer, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=True),
        sa.Column("not_after", sa.String(32), nullable=True),
        sa.Column("certificate", sa.JSON, nullable=True),
        sa.Column("expiry_bracket", sa.Integer, nullable=True),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("last_checked_at", UtcDateTime, nullable=True),
        sa.Column("last_outcome", sa.String(16), nullable=True),
        sa.Column("next_run_at", UtcDateTime, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UtcDateTime, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_cert_monitors_account_sid", "cert_monitors", ["account_sid"])
    op.create_index("ix_cert_monitors_due", "cert_monitors", ["paused", "next_run_at"])
    op.create_table(
        "cert_errors",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), nullable=False),
        sa.Column("monitor_sid", sa.String(34), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("error_type", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("first_seen", UtcDateTime, nullable=False),
        sa.Column("last_seen", UtcDateTime, nullable=False),
    )
    op.create_index("ix_cert_errors_account_sid", "cert_errors", ["account_sid"])
    op.create_index("ix_cert_errors_monitor_sid", "cert_errors", ["monitor_sid"])


def downgrade() -> None:
    op.drop_table("cert_errors")
    op.drop_table("cert_monitors")
    op.drop_table("cert_profiles")
