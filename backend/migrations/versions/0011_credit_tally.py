"""credit tallies: verified invoices per firm, side, currency and day issued, kept by the indexer

Revision ID: 0011_credit_tally
Revises: 0010_financing_offers
Create Date: 2026-12-02 01:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_credit_tally"
down_revision = "0010_financing_offers"
branch_labels = None
depends_on = None

# the tallies of the trades already indexed (kind 2 = INVOICE; verified_time set = verified)
BACKFILL = """
INSERT INTO credit_tally (firm, measure, currency, day, amount, count)
SELECT {party}, '{measure}', currency, issued_at / 86400, SUM(amount), COUNT(*)
FROM trade WHERE kind = 2 AND verified_time IS NOT NULL
GROUP BY {party}, currency, issued_at / 86400
"""


def upgrade() -> None:
    op.create_table(
        "credit_tally",
        sa.Column("firm", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("currency", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("firm", "measure", "currency", "day"),
    )
    op.execute(BACKFILL.format(party="seller", measure="sold"))
    op.execute(BACKFILL.format(party="buyer", measure="bought"))
    # (seller, issued_at) and (buyer, issued_at) serve every lookup by seller or buyer: the
    # single-column indexes only cost the indexer a write per trade each
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.drop_index("ix_trade_seller")
        batch_op.drop_index("ix_trade_buyer")
    # records stored before the tallies were computed from rows alone: rebuilt, not migrated
    op.execute("DELETE FROM credit_evidence")
    op.execute("DELETE FROM credit_record")


def downgrade() -> None:
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.create_index("ix_trade_buyer", ["buyer"], unique=False)
        batch_op.create_index("ix_trade_seller", ["seller"], unique=False)
    op.drop_table("credit_tally")
