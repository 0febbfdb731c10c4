"""The status of a monitor's last check: `last_status`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

An HTTP status code for the kinds that got an HTTP answer (`200`, `503`), else the probe's
outcome (`up`, `down`, `error`, `timeout`); None until the first check. Stored as text so one
column holds both; the service record turns the digits back into a number.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.add_column(sa.Column("last_status", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.drop_column("last_status")
