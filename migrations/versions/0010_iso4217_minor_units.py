"""Amounts in the currencies whose minor unit ISO 4217 counts differently from CLDR are converted once: Invoicer
counted minor units with CLDR's digits (Babel) before and counts them with ISO 4217's now (HUF 0 -> 2 digits, a
stored 1000 Ft becomes 100000 fillér), so every stored amount of such a currency is multiplied by 10^(new - old).

What is converted: the invoice's amounts in its currency (totals, paid, credited, a credit note's settlement),
its company-currency figures where the company currency is the converted one, lines (gross, discount, net, VAT,
the discount amount typed in), allowances and charges, the VAT breakdown, payments (amount, applied, excess;
the company-currency amount by the invoice's company currency), the customer credit ledger. Unit prices,
quantities and exchange rates are exact major-unit decimals and stay; counters hold no money.

Finalized documents stay as issued: the same money, the same rounding (a VAT of 2280 Ft stays 2280.00 Ft, not
the 2280.38 a new invoice would show), the same frozen PDF. Their hash chain is not re-chained: re-chaining
would also bless any alteration made before this migration. Instead a row per converted currency records the
old and the new digits, the last chain link hashed in the old unit and the audit event recording the change;
``invoicer verify`` hashes those documents in the unit they were chained in (exactly: an amount that is no whole
number of the old unit, so altered since, hashes differently) and recomputes their totals with the rounding
they were issued with. Audit events are never rewritten: one written before the change counts in the old unit.
A draft is not issued yet: its amounts are computed again with the new unit, as its next edit would.

The downgrade reverses it: drafts computed with the old unit, every amount divided back, the record and its
event gone. It is refused when older versions could not read the data: an amount that is no whole number of the
old unit, or a document in such a currency chained since (its hash counts in the new unit).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:00:00
"""

import json
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from invoicer.core.errors import N_, StorageError
from invoicer.core.totals import totals_of
from invoicer.db.triggers import triggers_set_aside
from invoicer.services.audit import actor, now

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: currency -> (CLDR digits counted before, ISO 4217 digits counted since); core.reference.CLDR_MINOR_UNITS and
#: the iso4217 package of this release (tests/migrations checks both)
CHANGED = {
    "AFN": (0, 2), "ALL": (0, 2), "COP": (0, 2), "HUF": (0, 2), "IDR": (0, 2), "IQD": (0, 3), "IRR": (0, 2),
    "KPW": (0, 2), "LAK": (0, 2), "LBP": (0, 2), "MGA": (0, 2), "MMK": (0, 2), "SOS": (0, 2), "SYP": (0, 2),
    "YER": (0, 2),
}
ACTION = "minor_units_changed"

_OF = "invoice_id IN (SELECT id FROM invoices WHERE currency = :c)"
#: (table, money columns, rows of the currency)
_AMOUNTS = (
    ("invoices", ("subtotal", "allowance_total", "charge_total", "tax_total", "total", "paid", "credited",
                  "applied_to_due", "to_customer_credit", "refunded"), "currency = :c"),
    ("invoices", ("company_subtotal", "company_tax_total", "company_total"), "company_currency = :c"),
    ("invoice_lines", ("gross", "discount", "net", "tax", "discount_amount"), _OF),
    ("invoice_adjustments", ("amount",), _OF),
    ("invoice_taxes", ("basis", "amount"), _OF),
    ("payments", ("amount", "applied", "excess"), "currency = :c"),
    ("payments", ("company_amount",), "invoice_id IN (SELECT id FROM invoices WHERE company_currency = :c)"),
    ("credit_entries", ("amount",), "currency = :c"),
)
_IN_USE = sa.text(
    "SELECT currency FROM invoices UNION SELECT company_currency FROM invoices UNION SELECT currency FROM payments"
    " UNION SELECT currency FROM credit_entries UNION SELECT currency FROM customers UNION SELECT currency FROM company"
)


def _rescale(currency: str, factor: int, divide: bool) -> None:
    conn = op.get_bind()
    operator = "/" if divide else "*"
    for table, columns, where in _AMOUNTS:
        assignments = ", ".join(f"{c} = {c} {operator} {factor}" for c in columns)
        conn.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE {where}"), {"c": currency})


def _recompute_drafts(currency: str, round_to: int) -> None:
    """Compute the drafts of ``currency`` again, rounded to ``round_to`` digits, in today's minor units."""
    conn = op.get_bind()
    drafts = conn.execute(
        sa.text("SELECT id, tax_rounding FROM invoices WHERE status = 'draft' AND currency = :c"), {"c": currency}
    ).all()
    for invoice_id, rounding in drafts:
        where = {"i": invoice_id}
        lines = [
            SimpleNamespace(id=r[0], quantity=Decimal(r[1]), unit_price=Decimal(r[2]), price_base=Decimal(r[3]),
                            discount_percent=None if r[4] is None else Decimal(r[4]), discount_amount=r[5],
                            tax_category=r[6], tax_rate=Decimal(r[7]))
            for r in conn.execute(sa.text(
                "SELECT id, quantity, unit_price, price_base, discount_percent, discount_amount, tax_category,"
                " tax_rate FROM invoice_lines WHERE invoice_id = :i ORDER BY position"), where)
        ]
        adjustments = [
            SimpleNamespace(amount=r[0], is_charge=bool(r[1]), tax_category=r[2], tax_rate=Decimal(r[3]))
            for r in conn.execute(sa.text(
                "SELECT amount, is_charge, tax_category, tax_rate FROM invoice_adjustments WHERE invoice_id = :i"
                " ORDER BY position"), where)
        ]
        totals = totals_of(lines, adjustments, currency, rounding, round_to=round_to)
        for line, amounts in zip(lines, totals.lines, strict=True):
            conn.execute(sa.text("UPDATE invoice_lines SET gross = :g, discount = :d, net = :n, tax = :t WHERE id = :id"),
                         {"g": amounts.gross, "d": amounts.discount, "n": amounts.net, "t": amounts.tax, "id": line.id})
        stored = {(r[1], Decimal(r[2])): r[0] for r in conn.execute(
            sa.text("SELECT id, category, rate FROM invoice_taxes WHERE invoice_id = :i"), where)}
        for tax in totals.taxes:
            conn.execute(sa.text("UPDATE invoice_taxes SET basis = :b, amount = :a WHERE id = :id"),
                         {"b": tax.basis, "a": tax.amount, "id": stored[(tax.category, tax.rate)]})
        conn.execute(
            sa.text("UPDATE invoices SET subtotal = :s, allowance_total = :a, charge_total = :c, tax_total = :t,"
                    " total = :total WHERE id = :i"),
            {"s": totals.subtotal, "a": totals.allowance_total, "c": totals.charge_total, "t": totals.tax_total,
             "total": totals.total, **where},
        )


def upgrade() -> None:
    op.create_table(
        "minor_unit_changes",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("places_before", sa.Integer(), nullable=False),
        sa.Column("places_after", sa.Integer(), nullable=False),
        sa.Column("chained_through", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["audit_events.id"],
                                name=op.f("fk_minor_unit_changes_event_id_audit_events")),
        sa.PrimaryKeyConstraint("currency", name=op.f("pk_minor_unit_changes")),
    )
    conn = op.get_bind()
    converted = sorted(set(conn.execute(_IN_USE).scalars()) & set(CHANGED))
    if not converted:
        return
    with triggers_set_aside(conn):
        payload = {"currencies": {c: list(CHANGED[c]) for c in converted}, "source": "ISO 4217 (was CLDR)"}
        event_id = conn.execute(
            sa.text("INSERT INTO audit_events (at, actor, action, entity, entity_id, payload)"
                    " VALUES (:at, :actor, :action, 'currency', NULL, :payload)"),
            {"at": now(), "actor": actor(), "action": ACTION, "payload": json.dumps(payload, sort_keys=True)},
        ).lastrowid
        chained_through = conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM document_chain").scalar_one()
        for currency in converted:
            before, after = CHANGED[currency]
            _rescale(currency, 10 ** (after - before), divide=False)
            _recompute_drafts(currency, after)
            conn.execute(
                sa.text("INSERT INTO minor_unit_changes (currency, places_before, places_after, chained_through,"
                        " event_id) VALUES (:c, :before, :after, :through, :event)"),
                {"c": currency, "before": before, "after": after, "through": chained_through, "event": event_id},
            )


def _refuse_what_older_versions_cannot_read(currency: str, factor: int, chained_through: int) -> None:
    conn = op.get_bind()
    fractions = sum(
        conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE ({where}) AND ("
                             + " OR ".join(f"{c} % {factor} != 0" for c in columns) + ")"), {"c": currency}
                     ).scalar_one()
        for table, columns, where in _AMOUNTS
    )
    chained_since = conn.execute(
        sa.text("SELECT count(*) FROM document_chain k JOIN invoices i ON i.id = k.invoice_id WHERE k.seq > :through"
                " AND (i.currency = :c OR i.company_currency = :c)"),
        {"c": currency, "through": chained_through},
    ).scalar_one()
    if fractions or chained_since:
        raise StorageError(
            N_("The database cannot go back to an older version: {currency} amounts stored since it counts them in "
               "ISO 4217 minor units ({documents} documents issued, {fractions} rows with fractions of the old "
               "unit) cannot be read by it. Nothing was changed."),
            currency=currency, documents=chained_since, fractions=fractions,
        )


def downgrade() -> None:
    conn = op.get_bind()
    changes = conn.execute(
        sa.text("SELECT currency, places_before, places_after, chained_through, event_id FROM minor_unit_changes")
    ).all()
    with triggers_set_aside(conn):
        for currency, before, after, chained_through, event_id in changes:
            _recompute_drafts(currency, before)
            _refuse_what_older_versions_cannot_read(currency, 10 ** (after - before), chained_through)
            _rescale(currency, 10 ** (after - before), divide=True)
            conn.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": event_id})
    op.drop_table("minor_unit_changes")
