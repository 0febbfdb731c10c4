"""Status pages, their incidents and maintenance windows, and the notices' updates.

Revision ID: 0010
Revises: 0003, 0004, 0006, 0009 (it joins every branch: a page's components are
    monitors, certificates, domains and blocklist hosts)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = ("0003", "0004", "0006", "0009")
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_pages",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("components", sa.JSON, nullable=False),
        sa.Column("groups", sa.JSON, nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("access_key_hash", sa.String(64), nullable=True),
        sa.Column("title", sa.String(255), nullable=True),
        sa.Column("logo_url", sa.String(2048), nullable=True),
        sa.Column("accent_color", sa.String(7), nullable=True),
        sa.Column("footer", sa.Text, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("custom_domain", sa.String(253), nullable=True, unique=True),
        sa.Column("published_monitor_sid", sa.String(34), nullable=True, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_status_pages_account_sid", "status_pages", ["account_sid"])
    op.create_table(
        "status_notices",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "page_token",
            sa.String(64),
            sa.ForeignKey("status_pages.token", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account_sid", sa.String(34), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=True),
        sa.Column("components", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_status_notices_page", "status_notices", ["page_token", "starts_at"])
    op.create_index(
        "ix_status_notices_account_type", "status_notices", ["account_sid", "type", "state"]
    )
    op.create_table(
        "status_notice_updates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column(
            "notice_sid",
            sa.String(34),
            sa.ForeignKey("status_notices.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_status_notice_updates_notice_sid", "status_notice_updates", ["notice_sid"])


def downgrade() -> None:
    op.drop_table("status_notice_updates")
    op.drop_table("status_notices")
    op.drop_table("status_pages")
