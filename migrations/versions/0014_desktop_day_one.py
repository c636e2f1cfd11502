"""The desktop on day one (issue 12): catalog VAT rates as numbers, folded search names, payment method codes.

- ``tax_rates.rate`` was text, so "19" sorted before "7" and "19.0" was not "19": it becomes an exact integer
  in ten-thousandths of a percent (19 % is 190000; db.base.ScaledRate). Documents keep their own rates.
- ``customers.search_name`` (indexed) and ``products.search_name`` hold the name without accents and case,
  so "muller" finds "Müller" from an index, not by folding 100,000 rows at search time.
- ``payments.method`` was the words typed (in the language of the day: "Überweisung", "cash"): it becomes
  the UNTDID 4461 code where the words name one; words naming none are kept as typed. It says how the same
  payment is stored, not a new fact, so no audit event (a round trip down and up gives the same rows).

Every row is kept; downgrade gives the text rates and English words back.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 02:10:00
"""

import unicodedata
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from invoicer.db.triggers import triggers_set_aside

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCALE = 10_000

#: the words payments were recorded with before codes (the dialog's choices in en/de/fr/es, the demo's and
#: the service's own), folded, and their UNTDID 4461 code
WORDS = {
    "30": ("bank transfer", "uberweisung", "virement", "transferencia"),
    "10": ("cash", "bar", "especes", "efectivo"),
    "48": ("card", "karte", "carte", "tarjeta"),
    "68": ("paypal",),
    "49": ("direct debit", "lastschrift", "prelevement", "domiciliacion"),
    "20": ("cheque", "scheck", "check"),
    "97": ("customer credit",),
}
CODES = {word: code for code, words in WORDS.items() for word in words}
#: what a code is written back as on downgrade
ENGLISH = {"30": "Bank transfer", "10": "Cash", "48": "Card", "68": "PayPal", "49": "Direct debit",
           "20": "Cheque", "97": "customer credit"}


def fold(text: str) -> str:
    """core.text.fold as of this revision (a migration keeps the rule it ran with)."""
    letters = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).translate(letters).split())


def _scaled(text: str) -> int:
    scaled = Decimal(text) * SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"tax rate {text} % has more than four decimals")
    return int(scaled)


def _rates_as_numbers(conn: sa.Connection) -> None:
    rows = conn.execute(sa.text("SELECT id, category, rate FROM tax_rates ORDER BY id")).all()
    with op.batch_alter_table("tax_rates") as batch:
        batch.add_column(sa.Column("rate_scaled", sa.Integer(), nullable=True))
    kept: dict[tuple[str, int], int] = {}
    for rate_id, category, rate in rows:
        scaled = _scaled(rate)
        twin = kept.setdefault((category, scaled), rate_id)
        if twin != rate_id:  # "19" and "19.0", one rate as a number: products follow the first one
            conn.execute(sa.text("UPDATE products SET tax_rate_id = :twin WHERE tax_rate_id = :id"),
                         {"twin": twin, "id": rate_id})
            conn.execute(sa.text("DELETE FROM tax_rates WHERE id = :id"), {"id": rate_id})
            continue
        conn.execute(sa.text("UPDATE tax_rates SET rate_scaled = :v WHERE id = :id"), {"v": scaled, "id": rate_id})
    with op.batch_alter_table("tax_rates") as batch:
        batch.drop_constraint("uq_tax_rates_category_rate", type_="unique")
        batch.drop_column("rate")
        batch.alter_column("rate_scaled", new_column_name="rate", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("tax_rates") as batch:  # after the rename: a batch resolves columns by old name
        batch.create_unique_constraint("uq_tax_rates_category_rate", ["category", "rate"])


def _rates_as_text(conn: sa.Connection) -> None:
    rows = conn.execute(sa.text("SELECT id, rate FROM tax_rates")).all()
    with op.batch_alter_table("tax_rates") as batch:
        batch.add_column(sa.Column("rate_text", sa.String(length=40), nullable=True))
    for rate_id, scaled in rows:
        conn.execute(sa.text("UPDATE tax_rates SET rate_text = :v WHERE id = :id"),
                     {"v": str(Decimal(int(scaled)) / SCALE), "id": rate_id})
    with op.batch_alter_table("tax_rates") as batch:
        batch.drop_constraint("uq_tax_rates_category_rate", type_="unique")
        batch.drop_column("rate")
        batch.alter_column("rate_text", new_column_name="rate", existing_type=sa.String(length=40), nullable=False)
    with op.batch_alter_table("tax_rates") as batch:  # after the rename: a batch resolves columns by old name
        batch.create_unique_constraint("uq_tax_rates_category_rate", ["category", "rate"])


def _search_names(conn: sa.Connection) -> None:
    # added in place (the server default stays): rebuilding customers would lose its AUTOINCREMENT (0008)
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("search_name", sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("search_name", sa.Text(), nullable=False, server_default=""))
    for cid, name in conn.execute(sa.text("SELECT id, name FROM customers")).all():
        conn.execute(sa.text("UPDATE customers SET search_name = :v WHERE id = :id"), {"v": fold(name), "id": cid})
    for pid, name, description in conn.execute(sa.text("SELECT id, name, description FROM products")).all():
        conn.execute(sa.text("UPDATE products SET search_name = :v WHERE id = :id"),
                     {"v": fold(f"{name} {description or ''}"), "id": pid})
    op.create_index("ix_customers_search_name", "customers", ["search_name"])


def _convert_methods(conn: sa.Connection, convert: dict[str, str]) -> None:
    """Rewrite each payment's method through ``convert`` (keyed by the stored method, or by its folded words
    when upgrading)."""
    upgrading = convert is CODES
    for stored, in conn.execute(sa.text("SELECT DISTINCT method FROM payments WHERE method IS NOT NULL")).all():
        new = convert.get(fold(stored) if upgrading else stored)
        if new is None or new == stored:
            continue
        conn.execute(sa.text("UPDATE payments SET method = :new WHERE method = :old"), {"new": new, "old": stored})


def upgrade() -> None:
    conn = op.get_bind()
    with triggers_set_aside(conn):
        _rates_as_numbers(conn)
        _search_names(conn)
        _convert_methods(conn, CODES)


def downgrade() -> None:
    conn = op.get_bind()
    with triggers_set_aside(conn):
        _convert_methods(conn, ENGLISH)
        op.drop_column("products", "search_name")
        op.drop_index("ix_customers_search_name", table_name="customers")
        op.drop_column("customers", "search_name")  # SQLite 3.35 drops a column in place
        _rates_as_text(conn)
