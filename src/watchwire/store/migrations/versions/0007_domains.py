"""DNS-record monitoring and domain expiry: monitored domains, their records, expiry
watches, batch requests and per-account settings.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-24

A branch of its own; `watchwire db upgrade` applies every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _schedule() -> list[sa.Column[object]]:
    return [
        sa.Column("next_run_at", TS, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", TS, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "monitored_domains",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=True),
        sa.Column("contact_groups", sa.JSON, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("missing", sa.JSON, nullable=False),
        sa.Column("observed", sa.JSON, nullable=False),
        sa.Column("last_checked_at", TS, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("state_changed_at", TS, nullable=True),
        *_schedule(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("account_sid", "domain", name="uq_monitored_domains_account_domain"),
    )
    op.create_index("ix_monitored_domains_account_sid", "monitored_domains", ["account_sid"])
    op.create_index("ix_monitored_domains_due", "monitored_domains", ["paused", "next_run_at"])
    op.create_table(
        "domain_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "domain_sid",
            sa.String(34),
            sa.ForeignKey("monitored_domains.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("value", sa.String(4096), nullable=False),
        sa.Column("ttl", sa.Integer, nullable=False),
        sa.Column("priority", sa.String(8), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_domain_records_domain_sid", "domain_records", ["domain_sid"])
    op.create_table(
        "domain_expiry",
        sa.Column(
            "sid",
            sa.String(34),
            sa.ForeignKey("monitored_domains.sid", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("account_sid", sa.String(34), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("registrar", sa.String(255), nullable=True),
        sa.Column("rdap_server", sa.String(2048), nullable=True),
        sa.Column("bracket", sa.Integer, nullable=True),
        sa.Column("checked_at", TS, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        *_schedule(),
    )
    op.create_index("ix_domain_expiry_account_sid", "domain_expiry", ["account_sid"])
    op.create_index("ix_domain_expiry_due", "domain_expiry", ["paused", "next_run_at"])
    op.create_table(
        "domain_batches",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        *_schedule(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
    )
    op.create_index("ix_domain_batches_account_sid", "domain_batches", ["account_sid"])
    op.create_index("ix_domain_batches_due", "domain_batches", ["paused", "next_run_at"])
    op.create_table(
        "domain_settings",
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("check_interval_seconds", sa.Integer, nullable=False),
        sa.Column("expiry_days", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "domain_settings",
        "domain_batches",
        "domain_expiry",
        "domain_records",
        "monitored_domains",
    ):
        op.drop_table(table)
