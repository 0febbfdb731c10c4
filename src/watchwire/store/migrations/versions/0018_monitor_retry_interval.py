"""A monitor's retry interval: `retry_interval_seconds`.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

Seconds between checks while a monitor is failing (a failure not yet confirmed, or down
until its recovery is confirmed); None keeps the default: a first failure is checked again
at once, a down monitor at its interval.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.add_column(sa.Column("retry_interval_seconds", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.drop_column("retry_interval_seconds")
