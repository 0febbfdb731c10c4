"""Token signing keys: the seeds of the keys that sign the Entri dialect's 60-minute access
tokens (`POST /token`), with the end of each retired key's grace period (decision 0023).

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-03

No row is written here: the first token request creates the first key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "token_signing_keys",
        sa.Column("kid", sa.String(32), primary_key=True),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("accepted_until", TS, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("token_signing_keys")
