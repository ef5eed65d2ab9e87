"""records: evidence as references, network figures computed off the request path

Revision ID: 0008_records
Revises: 0007_attestations
Create Date: 2026-12-01 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_records"
down_revision = "0007_attestations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_evidence",
        sa.Column("firm", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("figure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("firm", "figure", "position"),
    )
    op.create_table(
        "network_snapshot",
        sa.Column("as_of_block", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("as_of_time", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.Float(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("as_of_block"),
    )
    with op.batch_alter_table("credit_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network_block", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.create_index("ix_trade_seller_issued_at", ["seller", "issued_at"], unique=False)
        batch_op.create_index("ix_trade_buyer_issued_at", ["buyer", "issued_at"], unique=False)
    # cached records of the old shape carry inlined evidence: they are rebuilt, not migrated
    op.execute("DELETE FROM credit_record")


def downgrade() -> None:
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.drop_index("ix_trade_buyer_issued_at")
        batch_op.drop_index("ix_trade_seller_issued_at")
    with op.batch_alter_table("credit_record", schema=None) as batch_op:
        batch_op.drop_column("network_block")
    op.drop_table("network_snapshot")
    op.drop_table("credit_evidence")
