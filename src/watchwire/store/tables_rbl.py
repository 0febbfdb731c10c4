"""Blocklist (RBL) monitoring tables (003's hosts, monitoring profiles, sources and manual
checks), as SQLAlchemy Core. Migration 0008 creates them.

The built-in catalogue of lists is data (watchwire/data/rbl_catalog.json), not rows: every
account sees it under stable SIDs. What an account adds is stored: its custom sources
(`rbl_sources`) and which catalogue sources it paused (`rbl_paused_sources`).

Hosts and manual checks are schedulable (engine/leases.py): `paused`, `next_run_at` and a
lease. A manual check is written first and run by the job, so a restart loses none; once it
has completed its row is `paused` (nothing more to run).
"""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata


def _account() -> sa.Column[str]:
    return sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
    )


rbl_profiles = sa.Table(
    "rbl_profiles",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    _account(),
    sa.Column("name", sa.String(255), nullable=False),
    # RB… SIDs chosen by the owner (use_my_selections); ignored while stay_in_sync.
    sa.Column("entries", sa.JSON, nullable=False),
    # 1_hour … 2_weeks (003's enum)
    sa.Column("frequency", sa.String(16), nullable=False),
    # stay_in_sync | use_my_selections
    sa.Column("sync_method", sa.String(32), nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_rbl_profiles_account", "account_sid", "created_at"),
)

rbl_sources = sa.Table(
    "rbl_sources",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    _account(),
    # The list's DNS zone (003 calls it `host`).
    sa.Column("host", sa.String(253), nullable=False),
    # rbl | rbl_v6 | uribl
    sa.Column("type", sa.String(16), nullable=False),
    # Return codes that count as a listing; empty = any answer in 127.0.0.0/8.
    sa.Column("custom_codes", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_rbl_sources_account", "account_sid", "created_at"),
)

rbl_paused_sources = sa.Table(
    "rbl_paused_sources",
    metadata,
    _account(),
    # A catalogue source's SID (custom sources keep their own `paused`).
    sa.Column("source_sid", sa.String(34), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("account_sid", "source_sid"),
)

rbl_hosts = sa.Table(
    "rbl_hosts",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    _account(),
    # One IPv4/IPv6 address or domain name (a subnet or range becomes one row per address).
    sa.Column("host", sa.String(253), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    # 003's host type: rbl | rbl_v6 | uribl, or ip_range for an address from a subnet/range.
    sa.Column("type", sa.String(16), nullable=False),
    # Which lists can answer for it: rbl | rbl_v6 | uribl.
    sa.Column("target_type", sa.String(16), nullable=False),
    # The subnet or range it was created from, as given.
    sa.Column("parent", sa.String(255), nullable=True),
    sa.Column("profile_sid", sa.String(34), nullable=False),
    # CG… SIDs told when the host is listed or delisted (no FK: another module's table).
    sa.Column("contact_groups", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    # Listing state: the detail entry of every source that lists it now, by source SID.
    sa.Column("listings", sa.JSON, nullable=False),
    sa.Column("listed_count", sa.Integer, nullable=False),
    sa.Column("first_listed", UtcDateTime, nullable=True),
    sa.Column("last_checked", UtcDateTime, nullable=True),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_rbl_hosts_due", "paused", "next_run_at"),
    sa.Index("ix_rbl_hosts_account", "account_sid", "created_at"),
    sa.Index("uq_rbl_hosts_account_host", "account_sid", "host", unique=True),
)

rbl_checks = sa.Table(
    "rbl_checks",
    metadata,
    sa.Column("sid", sa.String(66), primary_key=True),
    _account(),
    # The account's host when the check is about one (its state and events follow).
    sa.Column("host_sid", sa.String(34), nullable=True),
    sa.Column("host", sa.String(253), nullable=False),
    sa.Column("target_type", sa.String(16), nullable=False),
    sa.Column("callback_url", sa.String(2048), nullable=True),
    # Signs the callback (Generator Labs' X-Webhook-Signature); shown once, at start.
    sa.Column("callback_secret", sa.String(255), nullable=True),
    # pending | running | completed
    sa.Column("status", sa.String(16), nullable=False),
    # {listed, listed_count, checked_count, total_count, details: [...]} once completed.
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # Schedulable: due at once; `paused` once completed, so it is never claimed again.
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("next_run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("completed_at", UtcDateTime, nullable=True),
    sa.Index("ix_rbl_checks_due", "paused", "next_run_at"),
    sa.Index("ix_rbl_checks_account", "account_sid", "created_at"),
    sa.Index("ix_rbl_checks_completed", "completed_at"),  # retention (migration 0009)
)
