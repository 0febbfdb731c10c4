"""Contacts, contact groups and their members (003's `/contact/…`), as SQLAlchemy Core.

Migration 0004 creates them. The delivery outbox reads these tables to fan an event out to
the active contacts of its contact groups, so their shape is a contract: change it only
together with delivery.
"""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

contacts = sa.Table(
    "contacts",
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
    # One of watchwire.delivery.channels.NATIVE_TYPES (003's eleven types and watchwire's own).
    sa.Column("type", sa.String(32), nullable=False),
    # The per-type configuration the channel needs: the 003 `contact` value under "contact"
    # (address, phone, webhook URL …) and that type's extra arguments (tokens, region …).
    sa.Column("args", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | active | paused
    sa.Column("confirmation_code", sa.String(6), nullable=True),
    sa.Column("confirmed_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # The run of failed deliveries (migration 0014), as on webhook_subscriptions.
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failing_since", UtcDateTime, nullable=True),
    sa.Column("last_failure", sa.Text, nullable=True),
)

contact_groups = sa.Table(
    "contact_groups",
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
    sa.Column("is_default", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # At most one default group per account, even under concurrent updates.
    sa.Index(
        "uq_contact_groups_default",
        "account_sid",
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    ),
)

contact_group_members = sa.Table(
    "contact_group_members",
    metadata,
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
        index=True,
    ),
)
