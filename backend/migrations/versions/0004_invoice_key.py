"""trade invoice identity; a document may be held by several trades over time

A trade carries its invoice identity (``invoice_key``: zero for orders and deliveries). A document
hash is no longer unique in the trade table: a rejected or expired proposal frees its document
(and invoice identity) on chain, and the trade that records it again gets its own row beside the
released one, which stays as the record of the rejection.

Revision ID: 0004_invoice_key
Revises: 0003_leader_lease
Create Date: 2026-12-01 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_invoice_key"
down_revision = "0003_leader_lease"
branch_labels = None
depends_on = None

ZERO_32 = "0x" + "00" * 32
# SQLite's reflected unique constraint has no name: the batch copy names it by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
INVOICES_ONLY = sa.text(f"invoice_key <> '{ZERO_32}'")


def _unique_doc_hash_name() -> str:
    postgresql = op.get_bind().dialect.name == "postgresql"
    return "trade_doc_hash_key" if postgresql else "uq_trade_doc_hash"


def upgrade() -> None:
    with op.batch_alter_table("trade", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(
            sa.Column(
                "invoice_key",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default=ZERO_32,
            )
        )
        batch_op.drop_constraint(_unique_doc_hash_name(), type_="unique")
        batch_op.create_index(batch_op.f("ix_trade_doc_hash"), ["doc_hash"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trade_invoice_key"),
            ["invoice_key"],
            unique=False,
            sqlite_where=INVOICES_ONLY,
            postgresql_where=INVOICES_ONLY,
        )


def downgrade() -> None:
    with op.batch_alter_table("trade", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_invoice_key"))
        batch_op.drop_index(batch_op.f("ix_trade_doc_hash"))
        batch_op.create_unique_constraint(_unique_doc_hash_name(), ["doc_hash"])
        batch_op.drop_column("invoice_key")
