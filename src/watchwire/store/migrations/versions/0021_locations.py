"""Probe locations and agents (decision 0032): the location registry, agent instances,
each monitor's per-location schedule and verdict, result batches already written, per-
location rollups; the monitors' chosen locations and quorum; downtimes' locations.

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-04

No location row is written here: a server adds its own (settings' `location`, default
`local`) when it starts, so a database without agents behaves as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0015"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
EDGES = (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)


def upgrade() -> None:
    op.create_table(
        "locations",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("city", sa.String(255), nullable=False),
        sa.Column("country", sa.String(255), nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("ipv4", sa.String(64), nullable=True),
        sa.Column("ipv6", sa.String(64), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("timeout_minutes", sa.Integer, nullable=False),
        sa.Column("last_seen_at", TS, nullable=True),
        sa.Column("timed_out", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "agent_instances",
        sa.Column("location", sa.String(16), primary_key=True),
        sa.Column("instance", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("timed_out", sa.Boolean, nullable=False),
    )
    op.create_table(
        "monitor_locations",
        sa.Column("monitor_sid", sa.String(34), primary_key=True),
        sa.Column("location", sa.String(16), primary_key=True),
        sa.Column("next_run_at", TS, nullable=False),
        sa.Column("lease_owner", sa.String(96), nullable=True),
        sa.Column("lease_expires_at", TS, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("fail_streak", sa.Integer, nullable=False),
        sa.Column("success_streak", sa.Integer, nullable=False),
        sa.Column("failing_since", TS, nullable=True),
        sa.Column("last_checked_at", TS, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_response_ms", sa.Float, nullable=True),
    )
    op.create_index("ix_monitor_locations_due", "monitor_locations", ["location", "next_run_at"])
    op.create_table(
        "agent_batches",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("location", sa.String(16), nullable=False),
        sa.Column("results", sa.Integer, nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_index("ix_agent_batches_received", "agent_batches", ["received_at"])
    op.create_table(
        "location_rollups",
        sa.Column("monitor_sid", sa.String(34), primary_key=True),
        sa.Column("location", sa.String(16), primary_key=True),
        sa.Column("hour", TS, primary_key=True),
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
        *(
            sa.Column(f"under_{edge}", sa.Integer, nullable=False, server_default="0")
            for edge in EDGES
        ),
    )
    with op.batch_alter_table("monitors") as batch:
        # None: every location; else the codes chosen. `disabled_locations` are left out.
        batch.add_column(sa.Column("locations", sa.JSON, nullable=True))
        batch.add_column(
            sa.Column("disabled_locations", sa.JSON, nullable=False, server_default="[]")
        )
        # Locations that must agree on down (None: a majority of those that answered).
        batch.add_column(sa.Column("quorum", sa.Integer, nullable=True))
        # Runs from its `monitor_locations` rows rather than from its own schedule.
        batch.add_column(
            sa.Column("by_location", sa.Boolean, nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("downtimes") as batch:
        # The locations that saw it down, and whether they were too few for an outage.
        batch.add_column(sa.Column("locations", sa.JSON, nullable=True))
        batch.add_column(
            sa.Column("partial", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("downtimes") as batch:
        batch.drop_column("partial")
        batch.drop_column("locations")
    with op.batch_alter_table("monitors") as batch:
        batch.drop_column("by_location")
        batch.drop_column("quorum")
        batch.drop_column("disabled_locations")
        batch.drop_column("locations")
    for table in (
        "location_rollups",
        "agent_batches",
        "monitor_locations",
        "agent_instances",
        "locations",
    ):
        op.drop_table(table)
