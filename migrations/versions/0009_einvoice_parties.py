"""E-invoicing parties: each customer's e-invoice format and electronic address (Peppol ID), whether it is a
public body; the company's contact person and electronic address (XRechnung and Peppol ask for them).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, no batch rebuild: a rebuilt customers table would lose its AUTOINCREMENT (0008)
    op.add_column("customers", sa.Column("einvoice_format", sa.String(length=20), nullable=True))
    op.add_column("customers", sa.Column("public_body", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("customers", sa.Column("endpoint_scheme", sa.String(length=4), nullable=True))
    op.add_column("customers", sa.Column("endpoint_id", sa.String(length=100), nullable=True))
    op.add_column("company", sa.Column("contact", sa.String(length=200), nullable=True))
    op.add_column("company", sa.Column("endpoint_scheme", sa.String(length=4), nullable=True))
    op.add_column("company", sa.Column("endpoint_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("company") as batch_op:
        batch_op.drop_column("endpoint_id")
        batch_op.drop_column("endpoint_scheme")
        batch_op.drop_column("contact")
    with op.batch_alter_table("customers", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("endpoint_id")
        batch_op.drop_column("endpoint_scheme")
        batch_op.drop_column("public_body")
        batch_op.drop_column("einvoice_format")
