"""Per-monitor notification control: a mute and a list of recipients on each monitor.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

`mute_until` holds an ISO 8601 UTC time, `recovery` or `forever` (None: not muted);
`announced_state` is the state last told to the monitor's recipients, so the end of a mute
announces the current state only when it differs (existing monitors start from their
current state, which was announced when it was entered); `recipients` None means the
monitor's contact groups and every subscription of the account, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.add_column(sa.Column("mute_until", sa.String(32), nullable=True))
        batch.add_column(sa.Column("announced_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("recipients", sa.JSON, nullable=True))
    op.execute(
        "UPDATE monitors SET announced_state = state WHERE state IN ('up', 'down', 'degraded')"
    )


def downgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.drop_column("recipients")
        batch.drop_column("announced_state")
        batch.drop_column("mute_until")
