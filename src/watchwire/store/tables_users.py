"""Dashboard users and their browser sessions (decision 0028). Created by migration 0019.

A user belongs to one account with one role; an email signs in to one user only. A session
row holds a SHA-256 of the cookie's random token, not the token: a copy of the database
cannot sign anybody in.
"""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("sid", sa.String(34), primary_key=True),
    sa.Column(
        "account_sid",
        sa.String(34),
        sa.ForeignKey("accounts.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Stored lower-cased: one person, one row, however they type it.
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    # argon2id in its PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    sa.Column("password_hash", sa.String(255), nullable=False),
    # owner | editor | viewer
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_login_at", UtcDateTime, nullable=True),
)

user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_sid",
        sa.String(34),
        sa.ForeignKey("users.sid", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
)
