"""Plans, accounts, API keys, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

BASIC = ["check", "dns"]
STANDARD = ["check", "dns", "ssl", "ip", "ping", "monitors", "webhook"]
ALL = [*STANDARD, "rbl", "cert", "contacts", "domains"]
FREE_EVENTS = ["monitor.down", "monitor.up", "test"]

# Enterno's plan table (000) plus Starter from its webhook table, and `unlimited` for the
# operator's own account on a self-hosted install. Plans are rows: edit them, don't branch.
PLANS = [
    ("free", "Free", 10, 100, BASIC, 1, FREE_EVENTS, 300),
    ("starter", "Starter", 30, 1_000, STANDARD, 5, None, 60),
    ("pro", "Pro", 60, 5_000, ALL, 20, None, 60),
    ("business", "Business", 120, 50_000, ALL, 50, None, 30),
    (
        "unlimited",
        "Unlimited (self-hosted operator)",
        1_000_000,
        1_000_000_000,
        ALL,
        1000,
        None,
        30,
    ),
]


def upgrade() -> None:
    plans = op.create_table(
        "plans",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("requests_per_minute", sa.Integer, nullable=False),
        sa.Column("requests_per_day", sa.Integer, nullable=False),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("max_webhooks", sa.Integer, nullable=False),
        sa.Column("event_types", sa.JSON, nullable=True),
        sa.Column("min_interval_seconds", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        plans,
        [
            {
                "name": name,
                "title": title,
                "requests_per_minute": rpm,
                "requests_per_day": rpd,
                "scopes": scopes,
                "max_webhooks": hooks,
                "event_types": events,
                "min_interval_seconds": interval,
            }
            for name, title, rpm, rpd, scopes, hooks, events, interval in PLANS
        ],
    )
    op.create_table(
        "accounts",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("plan", sa.String(32), sa.ForeignKey("plans.name"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column(
            "account_sid",
            sa.String(34),
            sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("read_only", sa.Boolean, nullable=False),
        sa.Column("ip_allowlist", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("account_sid", sa.String(34), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("response_headers", sa.JSON, nullable=True),
        sa.Column("response_body", sa.LargeBinary, nullable=True),
        sa.Column("created_at", TS, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("api_keys")
    op.drop_table("accounts")
    op.drop_table("plans")
