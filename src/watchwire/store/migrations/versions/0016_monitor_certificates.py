"""What an uptime monitor knows about itself: its certificate (validity, error, the leaf's
facts) and its host's domain registration (expiry over RDAP).

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-03

`ssl_valid` is None until a certificate was read; `ssl_error` names why it is not valid;
`ssl_certificate` keeps the leaf's facts (subject, issuer, dates, key algorithm,
fingerprint) so that the next reading can tell a renewal from the same certificate and the
`ssl.renewed` event can carry the old certificate next to the new one (engine/ssl_watch.py).
`domain_*` is the registration of the monitored host's registered domain, read daily
(engine/domain_watch.py): its name, expiry, the threshold announced, when and what went wrong.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

UtcDateTime = sa.DateTime(timezone=True)

revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        batch.add_column(sa.Column("ssl_valid", sa.Boolean, nullable=True))
        batch.add_column(sa.Column("ssl_error", sa.Text, nullable=True))
        batch.add_column(sa.Column("ssl_certificate", sa.JSON, nullable=True))
        batch.add_column(sa.Column("domain_name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("domain_expires_at", UtcDateTime, nullable=True))
        batch.add_column(sa.Column("domain_bracket", sa.Integer, nullable=True))
        batch.add_column(sa.Column("domain_checked_at", UtcDateTime, nullable=True))
        batch.add_column(sa.Column("domain_error", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitors") as batch:
        for name in ("domain_error", "domain_checked_at", "domain_bracket", "domain_expires_at"):
            batch.drop_column(name)
        batch.drop_column("domain_name")
        batch.drop_column("ssl_certificate")
        batch.drop_column("ssl_error")
        batch.drop_column("ssl_valid")
