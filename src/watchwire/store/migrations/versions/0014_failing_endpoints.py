"""Failing endpoints: when a webhook subscription's or a contact's run of failed deliveries
began, and the last error, so a failing endpoint is visible while its deliveries are still
`retrying` (`GET /v1/webhooks?state=failing`, `GET /v1/contacts?state=failing`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Subscriptions already count `consecutive_failures`; contacts start counting at 0. A
subscription failing before this revision gets `failing_since` at its next failure.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(sa.Column("failing_since", TS, nullable=True))
        batch.add_column(sa.Column("last_failure", sa.Text, nullable=True))
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("failing_since", TS, nullable=True))
        batch.add_column(sa.Column("last_failure", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("last_failure")
        batch.drop_column("failing_since")
        batch.drop_column("consecutive_failures")
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_column("last_failure")
        batch.drop_column("failing_since")
