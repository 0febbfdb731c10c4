"""Heartbeat (push) monitors and plan caps on monitors.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

A heartbeat monitor is told by pings instead of probing: `ping_token` is the secret of its
ping URL (unique; None for every other kind), `last_ping_*` the last success or failure
ping (its time, kind and the run time measured from a `/start`), `ping_started_at` a
`/start` not yet followed by its end, and `ping_anchor_at` when the current wait for a ping
began (creation, resume or the last ping): the engine calls a ping missed once the period
and grace have passed since it. `heartbeat_pings` keeps each ping with its (capped) body
for the retention window of raw results.

`plans.max_monitors` caps how many monitors an account holds (None: no cap).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# Monitors per plan: a few for trying it out, room to grow on the paid plans, none for the
# operator of a self-hosted install.
MAX_MONITORS = {"free": 10, "starter": 50, "pro": 200, "business": 1000, "unlimited": None}


def upgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.add_column(sa.Column("ping_token", sa.String(64), nullable=True))
        batch.add_column(sa.Column("last_ping_at", TS, nullable=True))
        batch.add_column(sa.Column("last_ping_kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("last_ping_ms", sa.Float, nullable=True))
        batch.add_column(sa.Column("ping_started_at", TS, nullable=True))
        batch.add_column(sa.Column("ping_anchor_at", TS, nullable=True))
        batch.create_index("ix_monitors_ping_token", ["ping_token"], unique=True)
        # The uniqueness rule looks monitors up by account, kind and target.
        batch.create_index("ix_monitors_account_kind", ["account_sid", "kind"])
    op.create_table(
        "heartbeat_pings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("monitor_sid", sa.String(34), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_bytes", sa.Integer, nullable=False),
        sa.Column("truncated", sa.Boolean, nullable=False),
        sa.Column("remote_addr", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(255), nullable=True),
        sa.Column("duration_ms", sa.Float, nullable=True),
    )
    op.create_index(
        "ix_heartbeat_pings_monitor_received", "heartbeat_pings", ["monitor_sid", "received_at"]
    )
    op.create_index("ix_heartbeat_pings_received", "heartbeat_pings", ["received_at"])
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("max_monitors", sa.Integer, nullable=True))
    plans = sa.table("plans", sa.column("name", sa.String), sa.column("max_monitors", sa.Integer))
    for name, cap in MAX_MONITORS.items():
        op.execute(plans.update().where(plans.c.name == name).values(max_monitors=cap))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("max_monitors")
    op.drop_index("ix_heartbeat_pings_received", table_name="heartbeat_pings")
    op.drop_index("ix_heartbeat_pings_monitor_received", table_name="heartbeat_pings")
    op.drop_table("heartbeat_pings")
    with op.batch_alter_table("monitors") as batch:
        batch.drop_index("ix_monitors_account_kind")
        batch.drop_index("ix_monitors_ping_token")
        for column in (
            "ping_anchor_at",
            "ping_started_at",
            "last_ping_ms",
            "last_ping_kind",
            "last_ping_at",
            "ping_token",
        ):
            batch.drop_column(column)
