"""firm directory: who each registered firm is (names, clear credit code, region, industry)

Revision ID: 0009_firm_directory
Revises: 0008_records
Create Date: 2026-12-01 12:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_firm_directory"
down_revision = "0008_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "firm_directory",
        sa.Column("address", text(), nullable=False),
        sa.Column("uscc", text(), nullable=False),
        sa.Column("legal_name_zh", text(), nullable=False),
        sa.Column("legal_name_en", text(), nullable=True),
        sa.Column("region", text(), nullable=True),
        sa.Column("industry", text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address"),
        sa.UniqueConstraint("uscc"),
    )
    with op.batch_alter_table("firm_directory", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_firm_directory_legal_name_zh"), ["legal_name_zh"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_firm_directory_legal_name_en"), ["legal_name_en"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("firm_directory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_firm_directory_legal_name_en"))
        batch_op.drop_index(batch_op.f("ix_firm_directory_legal_name_zh"))
    op.drop_table("firm_directory")
