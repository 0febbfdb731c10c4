"""Status pages, their notices (incidents and maintenance windows) and the notices' updates.

Migration 0010 creates them. The delivery outbox reads `status_notices` to hold back alerts
of monitors under a maintenance window in progress, so the notice columns it reads
(type, state, starts_at, ends_at, components, account_sid) are a contract with delivery.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

status_pages = sa.Table(
    "status_pages",
    metadata,
    # Opaque and URL-safe: the page's address (/p/{token}) and its id in the API.
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    # Ordered components: [{"sid": "MO…", "group": "API" | null}, …].
    sa.Column("components", sa.JSON, nullable=False),
    # Group names in display order; a component's group must be one of them.
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("visibility", sa.String(16), nullable=False),  # public | protected | private
    # SHA-256 of the access key of a protected page (the key itself is never stored).
    sa.Column("access_key_hash", sa.String(64), nullable=True),
    sa.Column("title", sa.String(255), nullable=True),
    sa.Column("logo_url", sa.String(2048), nullable=True),
    sa.Column("accent_color", sa.String(7), nullable=True),
    sa.Column("footer", sa.Text, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("custom_domain", sa.String(253), nullable=True, unique=True),
    # The monitor whose `published` flag made this page (updown's one-monitor page), or None.
    sa.Column("published_monitor_sid", sa.String(34), nullable=True, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

status_notices = sa.Table(
    "status_notices",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "page_token",
        sa.String(64),
        sa.ForeignKey("status_pages.token", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("account_sid", sa.String(34), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),  # incident | maintenance
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    # incident: investigating | identified | monitoring | resolved;
    # maintenance: scheduled | in_progress | completed
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=True),
    # SIDs of the page's components it concerns.
    sa.Column("components", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_status_notices_page", "page_token", "starts_at"),
    sa.Index("ix_status_notices_account_type", "account_sid", "type", "state"),
)

status_notice_updates = sa.Table(
    "status_notice_updates",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "notice_sid",
        sa.String(34),
        sa.ForeignKey("status_notices.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)


def maintenance_in_progress(now: datetime) -> sa.ColumnElement[bool]:
    """Notices that are maintenance windows in progress at `now`: not completed, started,
    and not past their planned end (a scheduled window whose start has come is in progress
    without anyone moving it; one past its end is over even if nobody completed it)."""
    return sa.and_(
        status_notices.c.type == "maintenance",
        status_notices.c.state != "completed",
        status_notices.c.starts_at <= now,
        sa.or_(status_notices.c.ends_at.is_(None), status_notices.c.ends_at > now),
    )
