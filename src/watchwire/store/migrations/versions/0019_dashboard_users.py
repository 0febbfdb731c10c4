"""Dashboard users and their sign-in sessions: people with an email and a password (argon2id
hash) and a role in one account, and the server-side rows of their browser sessions
(decision 0028); and an index for the dashboard's list of monitors by name.

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-04

No row is written here: `watchwire serve`'s first start (or `watchwire user add`) creates
the first user.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0020"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_sid",
            sa.String(34),
            sa.ForeignKey("users.sid", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False, index=True),
    )
    # The dashboard's list: an account's monitors by name, a page at a time.
    op.create_index("ix_monitors_account_name", "monitors", ["account_sid", "name"])


def downgrade() -> None:
    op.drop_index("ix_monitors_account_name", table_name="monitors")
    op.drop_table("user_sessions")
    op.drop_table("users")
