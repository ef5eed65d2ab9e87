"""reconcile: outbox rows remember how often a reorg dropped them and how small a batch must be

Revision ID: 0006_reconcile
Revises: 0005_document_filename
Create Date: 2026-12-01 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_reconcile"
down_revision = "0005_document_filename"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_cap", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reorgs", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("reorgs")
        batch_op.drop_column("batch_cap")
