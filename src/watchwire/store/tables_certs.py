"""Certificate monitoring tables (003's "Cert Monitors", "Cert Profiles", "Errors"): profiles,
monitors with their schedule, lease and last observed certificate, and the active errors.
Created by migration 0006."""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

cert_profiles = sa.Table(
    "cert_profiles",
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
    # Days before expiry that start a new alert bracket, highest first.
    sa.Column("expiration_thresholds", sa.JSON, nullable=False),
    sa.Column("alert_on_expiration", sa.Boolean, nullable=False),
    sa.Column("alert_on_name_mismatch", sa.Boolean, nullable=False),
    sa.Column("alert_on_ca_failure", sa.Boolean, nullable=False),
    sa.Column("alert_on_connection_failure", sa.Boolean, nullable=False),
    sa.Column("alert_on_caa_failure", sa.Boolean, nullable=False),
    sa.Column("alert_on_misconfigurations", sa.Boolean, nullable=False),
    sa.Column("alert_on_changes", sa.Boolean, nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

cert_monitors = sa.Table(
    "cert_monitors",
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
    sa.Column("hostname", sa.String(255), nullable=False),
    sa.Column("protocol", sa.String(16), nullable=False),
    # None: the protocol's well-known port.
    sa.Column("port", sa.Integer, nullable=True),
    sa.Column("profile_sid", sa.String(34), nullable=False),
    sa.Column("contact_groups", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    # The last certificate seen: its SHA-256 fingerprint, expiry and names.
    sa.Column("fingerprint", sa.String(128), nullable=True),
    sa.Column("not_after", sa.String(32), nullable=True),
    sa.Column("certificate", sa.JSON, nullable=True),
    # The expiry bracket already announced (a threshold, -1 once expired); None: none.
    sa.Column("expiry_bracket", sa.Integer, nullable=True),
    # The active errors, as in cert_errors (kept here too so a check reads one row).
    sa.Column("errors", sa.JSON, nullable=False),
    sa.Column("last_checked_at", UtcDateTime, nullable=True),
    sa.Column("last_outcome", sa.String(16), nullable=True),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_cert_monitors_due", "paused", "next_run_at"),
)

cert_errors = sa.Table(
    "cert_errors",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column("account_sid", sa.String(34), nullable=False, index=True),
    sa.Column("monitor_sid", sa.String(34), nullable=False, index=True),
    # The tls probe's finding code (name_mismatch, self_signed, …) and its 003 category.
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("error_type", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("first_seen", UtcDateTime, nullable=False),
    sa.Column("last_seen", UtcDateTime, nullable=False),
)
