"""The engine's tables: monitors (with their schedule, lease and state), raw results, hourly
rollups, downtimes and the pings of heartbeat monitors. Created by migration 0003; the
heartbeat columns and `heartbeat_pings` by 0012."""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

monitors = sa.Table(
    "monitors",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("target", sa.String(2048), nullable=False),
    # The probe's options, validated by its Options model when written.
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("timeout_seconds", sa.Float, nullable=False),
    sa.Column("confirmations", sa.Integer, nullable=False),
    sa.Column("recoveries", sa.Integer, nullable=False),
    sa.Column("degraded_ms", sa.Float, nullable=True),
    sa.Column("apdex_t_ms", sa.Float, nullable=False),
    sa.Column("ssl_expiry_days", sa.JSON, nullable=False),
    # dns monitors: values every answer set must contain (empty: any answer will do).
    sa.Column("expect", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    # CG… SIDs of the contact groups told about this monitor's events (no FK: another module).
    sa.Column("contact_groups", sa.JSON, nullable=False),
    # Migration 0011: a mute (ISO time, "recovery" or "forever"; None: none), the state last
    # told to recipients (what the end of a mute compares with), and the monitor's own
    # recipients (contact, contact group and webhook SIDs; None: the account-wide default).
    sa.Column("mute_until", sa.String(32), nullable=True),
    sa.Column("announced_state", sa.String(16), nullable=True),
    sa.Column("recipients", sa.JSON, nullable=True),
    # Heartbeat monitors (migration 0012): the secret of the ping URL, the last success or
    # failure ping (time, kind, run time from its `/start`), a `/start` still open, and when
    # the current wait for a ping began (the engine's deadline is period + grace after it).
    sa.Column("ping_token", sa.String(64), nullable=True),
    sa.Column("last_ping_at", UtcDateTime, nullable=True),
    sa.Column("last_ping_kind", sa.String(16), nullable=True),
    sa.Column("last_ping_ms", sa.Float, nullable=True),
    sa.Column("ping_started_at", UtcDateTime, nullable=True),
    sa.Column("ping_anchor_at", UtcDateTime, nullable=True),
    # State machine: pending | up | down | degraded, and its counters.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("fail_streak", sa.Integer, nullable=False),
    sa.Column("success_streak", sa.Integer, nullable=False),
    sa.Column("failing_since", UtcDateTime, nullable=True),
    sa.Column("state_changed_at", UtcDateTime, nullable=True),
    sa.Column("last_checked_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_response_ms", sa.Float, nullable=True),
    # Migration 0013: the last check's HTTP status ("200") or probe outcome ("down").
    sa.Column("last_status", sa.String(16), nullable=True),
    # Seconds between checks while failing; None: at once to confirm, the interval while down.
    sa.Column("retry_interval_seconds", sa.Integer, nullable=True),
    # Certificate watch of https targets: the threshold bracket already announced.
    sa.Column("ssl_bracket", sa.Integer, nullable=True),
    sa.Column("ssl_checked_at", UtcDateTime, nullable=True),
    sa.Column("ssl_not_after", sa.String(32), nullable=True),
    # Migration 0016: whether the certificate is valid (None: not read yet), why not, and
    # the leaf's facts as last read (engine/ssl_watch.py's `Certificate.to_json`).
    sa.Column("ssl_valid", sa.Boolean, nullable=True),
    sa.Column("ssl_error", sa.Text, nullable=True),
    sa.Column("ssl_certificate", sa.JSON, nullable=True),
    # Migration 0016: the registration of the host's registered domain (engine/domain_watch.py).
    sa.Column("domain_name", sa.String(255), nullable=True),
    sa.Column("domain_expires_at", UtcDateTime, nullable=True),
    sa.Column("domain_bracket", sa.Integer, nullable=True),
    sa.Column("domain_checked_at", UtcDateTime, nullable=True),
    sa.Column("domain_error", sa.Text, nullable=True),
    # Migration 0021 (decision 0032): the locations it runs from (None: all) less
    # `disabled_locations`, how many must agree on down (None: a majority of those that
    # answered), and whether it runs from its `monitor_locations` rows (more than one
    # location, or another one than the server's) instead of from its own schedule.
    sa.Column("locations", sa.JSON, nullable=True),
    sa.Column("disabled_locations", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("quorum", sa.Integer, nullable=True),
    sa.Column("by_location", sa.Boolean, nullable=False, server_default=sa.false()),
    # Schedule and lease: a worker owns a monitor from its claim until it writes the result
    # or the lease expires.
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_monitors_due", "paused", "next_run_at"),
    sa.Index("ix_monitors_account_kind", "account_sid", "kind"),
    sa.Index("ix_monitors_ping_token", "ping_token", unique=True),
)

monitor_results = sa.Table(
    "monitor_results",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("monitor_sid", sa.String(34), nullable=False),
    sa.Column("checked_at", UtcDateTime, nullable=False),
    # up | down | degraded (degraded = answered, but slower than the monitor's threshold)
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("response_ms", sa.Float, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # Seconds of the monitor's timeline this result stands for (its interval at the time).
    sa.Column("covers_seconds", sa.Integer, nullable=False),
    # How late the check started against its schedule.
    sa.Column("lateness_ms", sa.Float, nullable=False),
    sa.Column("location", sa.String(64), nullable=False),
    # Timing breakdown (dns, connect, tls, first_byte, transfer) and probe details.
    sa.Column("details", sa.JSON, nullable=False),
    sa.Index("ix_monitor_results_monitor_checked", "monitor_sid", "checked_at"),
    sa.Index("ix_monitor_results_checked", "checked_at"),
)

monitor_rollups = sa.Table(
    "monitor_rollups",
    metadata,
    sa.Column("monitor_sid", sa.String(34), primary_key=True),
    sa.Column("hour", UtcDateTime, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("up_seconds", sa.Integer, nullable=False),
    sa.Column("down_seconds", sa.Integer, nullable=False),
    sa.Column("degraded_seconds", sa.Integer, nullable=False),
    # Apdex counts against the monitor's T at the time of each check.
    sa.Column("satisfied", sa.Integer, nullable=False),
    sa.Column("tolerating", sa.Integer, nullable=False),
    sa.Column("timed", sa.Integer, nullable=False),
    sa.Column("sum_ms", sa.Float, nullable=False),
    # Fixed log-bucket histogram of response times: {bucket index: count}.
    sa.Column("histogram", sa.JSON, nullable=False),
    # Sums and counts of each timing phase: {"dns": [sum_ms, n], ...}.
    sa.Column("phases", sa.JSON, nullable=False),
    # Successful checks that answered within 125 ms, 250 ms, ... 32 s, exactly (cumulative,
    # inclusive; migration 0017, decision 0025).
    *(
        sa.Column(f"under_{edge}", sa.Integer, nullable=False, server_default="0")
        for edge in (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
    ),
)

downtimes = sa.Table(
    "downtimes",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("monitor_sid", sa.String(34), nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # Migration 0021: the locations that saw it (None: the server's only), and `partial`:
    # fewer than the quorum did, so it was no outage.
    sa.Column("locations", sa.JSON, nullable=True),
    sa.Column("partial", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_downtimes_monitor_started", "monitor_sid", "started_at"),
)

heartbeat_pings = sa.Table(
    "heartbeat_pings",
    metadata,
    # A UUID: what the ping's answer (`OK: <id>`) names.
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("monitor_sid", sa.String(34), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    # success | start | fail
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("method", sa.String(8), nullable=False),
    # The first bytes of the request body as text (capped), and its size as sent.
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("body_bytes", sa.Integer, nullable=False),
    sa.Column("truncated", sa.Boolean, nullable=False),
    sa.Column("remote_addr", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(255), nullable=True),
    # A success or failure that follows a `/start`: the run time between them.
    sa.Column("duration_ms", sa.Float, nullable=True),
    sa.Index("ix_heartbeat_pings_monitor_received", "monitor_sid", "received_at"),
    sa.Index("ix_heartbeat_pings_received", "received_at"),
)
