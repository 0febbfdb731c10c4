"""DNS-record monitoring (Entri 002) and domain expiry: monitored domains with their schedule
and state, their expected records, the expiry watch of each domain, batch requests and the
per-account check settings. Created by migration 0007."""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

monitored_domains = sa.Table(
    "monitored_domains",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("domain", sa.String(253), nullable=False),
    # 002's user_id: the caller's own identifier, echoed in every webhook of the domain.
    sa.Column("user_id", sa.String(255), nullable=True),
    sa.Column("contact_groups", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    # pending (never checked) | ok | missing | error (the resolver did not answer)
    sa.Column("state", sa.String(16), nullable=False),
    # Keys of the expected records found missing or different at the last decisive check.
    sa.Column("missing", sa.JSON, nullable=False),
    # What the last check saw per (type, host): {"A www": ["192.0.2.1"], …}
    sa.Column("observed", sa.JSON, nullable=False),
    sa.Column("last_checked_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("state_changed_at", UtcDateTime, nullable=True),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("account_sid", "domain", name="uq_monitored_domains_account_domain"),
    sa.Index("ix_monitored_domains_due", "paused", "next_run_at"),
)

domain_records = sa.Table(
    "domain_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "domain_sid",
        sa.String(34),
        sa.ForeignKey("monitored_domains.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("type", sa.String(10), nullable=False),
    # Relative to the domain: "@" is the apex, "www" is www.<domain>.
    sa.Column("host", sa.String(253), nullable=False),
    sa.Column("value", sa.String(4096), nullable=False),
    sa.Column("ttl", sa.Integer, nullable=False),
    # MX only (002 sends it as a string).
    sa.Column("priority", sa.String(8), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

domain_expiry = sa.Table(
    "domain_expiry",
    metadata,
    # The monitored domain's SID: one expiry watch per domain, on its own daily schedule.
    sa.Column(
        "sid",
        sa.String(34),
        sa.ForeignKey("monitored_domains.sid", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("account_sid", sa.String(34), nullable=False, index=True),
    sa.Column("domain", sa.String(253), nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    # pending | ok | expiring | expired | unknown (no RDAP for the TLD) | error
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    sa.Column("registrar", sa.String(255), nullable=True),
    sa.Column("rdap_server", sa.String(2048), nullable=True),
    # The threshold (days) already announced with domain.expiring; -1 once expired.
    sa.Column("bracket", sa.Integer, nullable=True),
    sa.Column("checked_at", UtcDateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Index("ix_domain_expiry_due", "paused", "next_run_at"),
)

domain_batches = sa.Table(
    "domain_batches",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # pending | processing | completed | failed
    sa.Column("status", sa.String(16), nullable=False),
    # The domains as requested, processed in order by the batch job.
    sa.Column("items", sa.JSON, nullable=False),
    # Per domain: {domain, status: created|failed, sid, error}
    sa.Column("results", sa.JSON, nullable=False),
    # A finished batch is "paused" so the lease scheduler never claims it again.
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("completed_at", UtcDateTime, nullable=True),
    sa.Index("ix_domain_batches_due", "paused", "next_run_at"),
    sa.Index("ix_domain_batches_completed", "completed_at"),  # retention (migration 0009)
)

domain_settings = sa.Table(
    "domain_settings",
    metadata,
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("check_interval_seconds", sa.Integer, nullable=False),
    sa.Column("expiry_days", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)
