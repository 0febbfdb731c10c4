"""Contacts, contact groups and group members (003's contacts with confirmation codes).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24

A branch of its own beside the engine (0003) and webhooks (0005); `watchwire db upgrade`
applies every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("args", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confirmation_code", sa.String(6), nullable=True),
        sa.Column("confirmed_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_contacts_account_sid", "contacts", ["account_sid"])
    op.create_table(
        "contact_groups",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_contact_groups_account_sid", "contact_groups", ["account_sid"])
    op.create_index(
        "uq_contact_groups_default",
        "contact_groups",
        ["account_sid"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "contact_group_members",
        sa.Column(
            "group_sid",
            sa.String(34),
            sa.ForeignKey("contact_groups.sid", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "contact_sid",
            sa.String(34),
            sa.ForeignKey("contacts.sid", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_contact_group_members_contact_sid", "contact_group_members", ["contact_sid"]
    )


def downgrade() -> None:
    op.drop_table("contact_group_members")
    op.drop_table("contact_groups")
    op.drop_table("contacts")
