"""Blocklist monitoring: profiles, custom sources, paused catalogue sources, hosts, checks.

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-24

A branch of its own beside the other modules' revisions; `watchwire db upgrade` applies every
head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _account() -> sa.Column[str]:
    return sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
    )


def _schedule() -> list[sa.Column[object]]:
    return [
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("next_run_at", TS, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", TS, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "rbl_profiles",
        sa.Column("sid", sa.String(34), primary_key=True),
        _account(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("entries", sa.JSON, nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("sync_method", sa.String(32), nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_rbl_profiles_account", "rbl_profiles", ["account_sid", "created_at"])
    op.create_table(
        "rbl_sources",
        sa.Column("sid", sa.String(34), primary_key=True),
        _account(),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("custom_codes", sa.JSON, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_rbl_sources_account", "rbl_sources", ["account_sid", "created_at"])
    op.create_table(
        "rbl_paused_sources",
        _account(),
        sa.Column("source_sid", sa.String(34), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("account_sid", "source_sid"),
    )
    op.create_table(
        "rbl_hosts",
        sa.Column("sid", sa.String(34), primary_key=True),
        _account(),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("parent", sa.String(255), nullable=True),
        sa.Column("profile_sid", sa.String(34), nullable=False),
        sa.Column("contact_groups", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("listings", sa.JSON, nullable=False),
        sa.Column("listed_count", sa.Integer, nullable=False),
        sa.Column("first_listed", TS, nullable=True),
        sa.Column("last_checked", TS, nullable=True),
        *_schedule(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_rbl_hosts_due", "rbl_hosts", ["paused", "next_run_at"])
    op.create_index("ix_rbl_hosts_account", "rbl_hosts", ["account_sid", "created_at"])
    op.create_index("uq_rbl_hosts_account_host", "rbl_hosts", ["account_sid", "host"], unique=True)
    op.create_table(
        "rbl_checks",
        sa.Column("sid", sa.String(66), primary_key=True),
        _account(),
        sa.Column("host_sid", sa.String(34), nullable=True),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("callback_url", sa.String(2048), nullable=True),
        sa.Column("callback_secret", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        *_schedule(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
    )
    op.create_index("ix_rbl_checks_due", "rbl_checks", ["paused", "next_run_at"])
    op.create_index("ix_rbl_checks_account", "rbl_checks", ["account_sid", "created_at"])


def downgrade() -> None:
    for table in ("rbl_checks", "rbl_hosts", "rbl_paused_sources", "rbl_sources", "rbl_profiles"):
        op.drop_table(table)
