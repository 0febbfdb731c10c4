"""The seeds of the keys that sign the Entri dialect's access tokens (decision 0023).
Created by migration 0015.

A row holds a random seed, not the key itself: the signing key is HMAC-SHA256 of the seed
under the server's hashing key, so a copy of the database alone cannot mint tokens.
"""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.store.tables import UtcDateTime, metadata

token_signing_keys = sa.Table(
    "token_signing_keys",
    metadata,
    # The JWT `kid`: 32 hex digits, named in every token the key signs.
    sa.Column("kid", sa.String(32), primary_key=True),
    sa.Column("seed", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # Set when a newer key replaced this one: tokens it signed are accepted until then.
    sa.Column("accepted_until", UtcDateTime, nullable=True),
)
