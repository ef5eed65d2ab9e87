"""financing offers: a bank's signed Finance terms, waiting for the holder's signature

Revision ID: 0010_financing_offers
Revises: 0009_firm_directory
Create Date: 2026-12-01 19:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010_financing_offers"
down_revision = "0009_firm_directory"
branch_labels = None
depends_on = None

INDEXED = ("receivable_id", "bank", "holder", "state")


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "financing_offer",
        sa.Column("offer_id", text(), nullable=False),
        sa.Column("receivable_id", text(), nullable=False),
        sa.Column("bank", text(), nullable=False),
        sa.Column("holder", text(), nullable=False),
        sa.Column("advance", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Integer(), nullable=True),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("bank_signature", text(), nullable=False),
        sa.Column("state", text(), nullable=False),
        sa.Column("submission_id", text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("offer_id"),
    )
    with op.batch_alter_table("financing_offer", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(
                batch_op.f(f"ix_financing_offer_{column}"), [column], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("financing_offer", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_financing_offer_{column}"))
    op.drop_table("financing_offer")
