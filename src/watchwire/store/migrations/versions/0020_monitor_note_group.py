"""A monitor's note and group: `note` and `group_name`.

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-04

Enterno's monitor fields (seed 000, the seeds' GAPS notes): a free text the owner keeps
with the monitor (`note`, empty by default) and the name of the group it is filed under
(`group_name`; None: none). Neither changes how the monitor is checked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.add_column(sa.Column("note", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("group_name", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.drop_column("group_name")
        batch.drop_column("note")
