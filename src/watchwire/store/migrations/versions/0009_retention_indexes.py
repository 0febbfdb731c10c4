"""Indexes for the retention purge: each kind it deletes is found by its age alone.

Revision ID: 0009
Revises: 0005, 0007, 0008 (whose tables it indexes; events come with 0002 before them)
Create Date: 2026-11-25

Without them a purge that finds nothing old would scan the whole events and deliveries
tables every round, holding the SQLite writer while it does.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = ("0005", "0007", "0008")
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_events_created", "events", "created_at"),
    ("ix_deliveries_created", "deliveries", "created_at"),
    ("ix_rbl_checks_completed", "rbl_checks", "completed_at"),
    ("ix_domain_batches_completed", "domain_batches", "completed_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
