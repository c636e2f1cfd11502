"""Ids of deleted drafts and customers are never given again (AUTOINCREMENT), and a line's discount amount is
money in integer minor units of its invoice's currency, like every other amount.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:30:00
"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import invoicer.db.base
from invoicer.core.money import from_minor, round_half_up
from invoicer.core.reference import cldr_minor_units
from invoicer.db.triggers import triggers_set_aside

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Tables whose rows can be deleted while audit events keep naming their ids -> the audit entities they hold.
AUDITED = {"invoices": ("invoice", "credit_note"), "customers": ("customer",)}

_LINES_WITH_DISCOUNT = sa.text(
    "SELECT l.id, l.discount_amount, i.currency, i.status, l.legacy_discount_text FROM invoice_lines l"
    " JOIN invoices i ON i.id = l.invoice_id WHERE l.discount_amount IS NOT NULL"
)


def _ids_continue_after(table: str, entities: tuple[str, ...]) -> None:
    """Start the table's AUTOINCREMENT counter above every id it ever gave: its rows' and the ids of deleted
    rows that only the audit events still name."""
    conn = op.get_bind()
    marks = ", ".join(f"'{e}'" for e in entities)
    high = conn.exec_driver_sql(
        f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
        f" coalesce((SELECT max(entity_id) FROM audit_events WHERE entity IN ({marks})), 0),"
        f" coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0))"
    ).scalar_one()
    conn.exec_driver_sql(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
    conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, high))


def _rebuild(table: str, autoincrement: bool) -> None:
    with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade() -> None:
    conn = op.get_bind()
    with triggers_set_aside(conn):
        # PostgreSQL's sequences never give an id twice: only SQLite needs AUTOINCREMENT
        for table, entities in AUDITED.items() if conn.dialect.name == "sqlite" else ():
            _rebuild(table, autoincrement=True)
            _ids_continue_after(table, entities)
        op.add_column("invoice_lines", sa.Column("legacy_discount_text", sa.String(length=40), nullable=True))
        for line_id, text, currency, status, _legacy in conn.execute(_LINES_WITH_DISCOUNT).all():
            # in the minor unit every other amount of the database was counted in then (CLDR's; 0010 converts
            # them all to ISO 4217's)
            places = cldr_minor_units(currency)
            minor = int(round_half_up(Decimal(text), places).scaleb(places))
            # The hash chain holds the text a finalized line was issued with. Every amount typed in had the
            # currency's places, so its minor units give that text back; a partial credit note's share of a
            # discount (10.00 x 1/3) did not, and its text is kept for the chain.
            legacy = text if status != "draft" and str(from_minor(minor, currency, places)) != text else None
            conn.execute(
                sa.text("UPDATE invoice_lines SET discount_amount = :minor, legacy_discount_text = :legacy"
                        " WHERE id = :id"),
                {"minor": minor, "legacy": legacy, "id": line_id},
            )
        with op.batch_alter_table("invoice_lines") as batch_op:
            batch_op.alter_column(
                "discount_amount", existing_type=invoicer.db.base.DecimalText(length=40), type_=sa.Integer(),
                existing_nullable=True, postgresql_using="discount_amount::integer",
            )


def downgrade() -> None:
    conn = op.get_bind()
    with triggers_set_aside(conn):
        with op.batch_alter_table("invoice_lines") as batch_op:
            batch_op.alter_column(
                "discount_amount", existing_type=sa.Integer(), type_=invoicer.db.base.DecimalText(length=40),
                existing_nullable=True,
            )
        for line_id, minor, currency, _status, legacy in conn.execute(_LINES_WITH_DISCOUNT).all():
            conn.execute(
                sa.text("UPDATE invoice_lines SET discount_amount = :text WHERE id = :id"),
                {"text": legacy or str(from_minor(int(minor), currency, cldr_minor_units(currency))), "id": line_id},
            )
        with op.batch_alter_table("invoice_lines") as batch_op:
            batch_op.drop_column("legacy_discount_text")
        if conn.dialect.name == "sqlite":
            for table in AUDITED:
                _rebuild(table, autoincrement=False)
            conn.exec_driver_sql(
                "DELETE FROM sqlite_sequence WHERE name IN (" + ", ".join(f"'{t}'" for t in AUDITED) + ")"
            )
