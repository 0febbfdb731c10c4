"""Events: every state change that people and programs are told about.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Later revisions of independent parts (engine, contacts, webhooks) each revise 0002, so they
are separate branches; `watchwire db upgrade` applies every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=True),
        sa.Column("resource_sid", sa.String(66), nullable=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("contact_groups", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_events_account_created", "events", ["account_sid", "created_at"])
    op.create_index("ix_events_account_type", "events", ["account_sid", "type"])
    op.create_index("ix_events_resource", "events", ["resource_sid", "created_at"])


def downgrade() -> None:
    op.drop_table("events")
