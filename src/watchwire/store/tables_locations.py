"""Probe locations and what runs there (migration 0021, decision 0032):

- `locations`: the registry (code, place, public addresses) with its agent's token and
  health (last heartbeat, whether `agent.timeout` was sent);
- `agent_instances`: each agent process of a location that heartbeats (the `instances` of
  003's `agent.timeout`);
- `monitor_locations`: one row per monitor and location for the monitors that run from more
  than one location (or from another one than the server's own): that location's schedule,
  lease and verdict, which the quorum reads;
- `agent_batches`: the ids of result batches already written, so a batch sent twice (an
  agent that retried after an outage) counts once.
"""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

locations = sa.Table(
    "locations",
    metadata,
    # Short lower-case code (`fra`, `syd`, `local`): what monitors and results name.
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("city", sa.String(255), nullable=False),
    sa.Column("country", sa.String(255), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=False),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    # The location's public addresses, for users' firewall allow-lists.
    sa.Column("ipv4", sa.String(64), nullable=True),
    sa.Column("ipv6", sa.String(64), nullable=True),
    # SHA-256 of the agent token (None: no agent may speak for this location).
    sa.Column("token_hash", sa.String(64), nullable=True),
    sa.Column("timeout_minutes", sa.Integer, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=True),
    # `agent.timeout` was sent and `agent.timeout.resolve` not yet.
    sa.Column("timed_out", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

agent_instances = sa.Table(
    "agent_instances",
    metadata,
    sa.Column("location", sa.String(16), primary_key=True),
    # The agent process' own id (host, pid, random): stable for the life of the process.
    sa.Column("instance", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("first_seen_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
    # Reported in an `agent.timeout` not yet resolved.
    sa.Column("timed_out", sa.Boolean, nullable=False),
)

monitor_locations = sa.Table(
    "monitor_locations",
    metadata,
    sa.Column("monitor_sid", sa.String(34), primary_key=True),
    sa.Column("location", sa.String(16), primary_key=True),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(96), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    # This location's own up/down machine (confirmations and recoveries per location).
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("fail_streak", sa.Integer, nullable=False),
    sa.Column("success_streak", sa.Integer, nullable=False),
    sa.Column("failing_since", UtcDateTime, nullable=True),
    sa.Column("last_checked_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_response_ms", sa.Float, nullable=True),
    sa.Index("ix_monitor_locations_due", "location", "next_run_at"),
)

agent_batches = sa.Table(
    "agent_batches",
    metadata,
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("location", sa.String(16), nullable=False),
    sa.Column("results", sa.Integer, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Index("ix_agent_batches_received", "received_at"),
)

# The hourly rollups of each location's own results (engine/rollup.py's Rollup, one row per
# monitor, location and hour): what `group=location` metrics read. The monitor's own rollups
# (`monitor_rollups`) hold its quorum verdict.
location_rollups = sa.Table(
    "location_rollups",
    metadata,
    sa.Column("monitor_sid", sa.String(34), primary_key=True),
    sa.Column("location", sa.String(16), primary_key=True),
    sa.Column("hour", UtcDateTime, primary_key=True),
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
        for edge in (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
    ),
)
