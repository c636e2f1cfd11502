"""Migration 0010 on a database written while minor units came from CLDR: HUF and IQD amounts (0 digits then, 2
and 3 in ISO 4217) read as the same money after the upgrade, finalized documents keep their PDFs, rounding and
hash chain (`verify` passes, an alteration is still found), and the downgrade gives back the rows exactly."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from babel.numbers import get_currency_precision, list_currencies
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from invoicer import paths
from invoicer.core import money, totals
from invoicer.core.errors import StorageError
from invoicer.core.money import exponent, from_minor
from invoicer.core.reference import CLDR_MINOR_UNITS, cldr_minor_units, is_currency
from invoicer.db.base import Base
from invoicer.db.engine import make_engine, transaction
from invoicer.db.migrate import Database, migrate, open_database
from invoicer.db.models import Customer
from invoicer.documents import wording
from invoicer.services import (
    audit,
    company,
    credit_notes,
    customers,
    documents,
    integrity,
    invoices,
    ledger,
    payments,
    products,
    rates,
)
from invoicer.services.credit_notes import CreditLine
from invoicer.services.invoices import AdjustmentData, DraftData, LineData
from tests.migrations.test_data_migrations import discount_amounts

ISSUE = date(2026, 11, 2)


def _migration(name: str = "0010_iso4217_minor_units") -> ModuleType:
    path = paths.migrations_dir() / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name[:4]}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_converted_currencies_are_every_one_where_cldr_and_iso_4217_differ() -> None:
    """Against the pinned Babel: the frozen lists of the migration and of core.reference are what it said."""
    differ = {code: (int(get_currency_precision(code)), exponent(code)) for code in list_currencies()
              if is_currency(code) and int(get_currency_precision(code)) != exponent(code)}
    assert differ == _migration().CHANGED
    assert {code: before for code, (before, _after) in differ.items()} == CLDR_MINOR_UNITS
    assert differ["HUF"] == (0, 2) and differ["IQD"] == (0, 3)


def _clear_caches() -> None:
    money.quantum.cache_clear()
    totals.line_amounts.cache_clear()
    for cached in (wording._money, wording._number, wording._exact_price):
        cached.cache_clear()


@contextmanager
def cldr_minor_units_in_force() -> Iterator[None]:
    """Invoicer as it was before migration 0010: minor units counted with CLDR's digits."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(money, "minor_units", cldr_minor_units)
        # no such table yet
        patch.setattr(audit, "minor_unit_changes", lambda session: {})
        patch.setattr(audit, "rounding_as_issued", lambda session, invoice: None)
        _clear_caches()
        try:
            yield
        finally:
            _clear_caches()


#: later revisions whose tables the models of today write (VAT rates as numbers, search names, payment method
#: codes): the legacy data is written with them in place and then taken back, as that revision's downgrade does
WRITTEN_AS_TODAY = ("0014_desktop_day_one",)


@contextmanager
def written_as_today(engine: Engine) -> Iterator[None]:
    """The tables as today's models read and write them, for the time the legacy data is written or read."""
    def run(step: str) -> None:
        with engine.begin() as conn:
            context = MigrationContext.configure(conn, opts={"render_as_batch": True})
            with Operations.context(context):
                for name in WRITTEN_AS_TODAY if step == "upgrade" else reversed(WRITTEN_AS_TODAY):
                    getattr(_migration(name), step)()

    run("upgrade")
    yield
    run("downgrade")


@dataclass
class Legacy:
    folder: Path
    documents: dict[str, int]  # what each document is -> its id


@contextmanager
def later_schema_set_aside(engine: Engine) -> Iterator[None]:
    """Let today's models write a database at an older revision: the columns and tables later migrations add
    are there (empty or at their defaults) while it is filled, and gone again afterwards."""
    with engine.begin() as conn:
        schema = inspect(conn)
        stored = set(schema.get_table_names())
        tables = [t for t in Base.metadata.sorted_tables if t.name not in stored]
        columns = [(t.name, c) for t in Base.metadata.sorted_tables if t.name in stored
                   for c in t.columns if c.name not in {x["name"] for x in schema.get_columns(t.name)}]
        for table_name, column in columns:
            kind = column.type.compile(conn.dialect)
            default = f" DEFAULT {column.server_default.arg}" if column.server_default is not None else ""  # type: ignore[attr-defined]
            conn.exec_driver_sql(f'ALTER TABLE {table_name} ADD COLUMN "{column.name}" {kind}{default}')
        for table in tables:
            table.create(conn)
    yield
    with engine.begin() as conn:
        for table in reversed(tables):
            table.drop(conn)
        for table_name, column in columns:
            conn.exec_driver_sql(f'ALTER TABLE {table_name} DROP COLUMN "{column.name}"')


def _fill(db: Database, home: str) -> dict[str, int]:
    """Every kind of row that holds money, in HUF and IQD (converted) and EUR, the way the older version wrote
    them; the company's own currency is ``home``."""
    with transaction(db.sessions) as s:
        company.update_company(
            s, name="Seller Kft.", address="Fő utca 1", postcode="1011", city="Budapest", country="HU",
            vat_id="HU12345676", iban="DE89370400440532013000", bic="COBADEFFXXX", currency=home, locale="en_US",
        )
        for currency, rate in (("HUF", "0.0025"), ("IQD", "0.0007"), ("EUR", "400")):
            if currency != home:
                rates.set_rate(s, currency, rate if home == "EUR" or currency == "EUR" else "1.5", date(2026, 11, 1))
        ids = {currency: customers.add_customer(s, customers.CustomerData(
            name=f"Buyer {currency}", country=country, currency=currency, locale="en_US"))
            for currency, country in (("HUF", "HU"), ("IQD", "IQ"), ("EUR", "AT"))}
        products.add_product(s, products.ProductData(name="Widget", unit_price="1500.5", unit="C62"))

    def draft(currency: str) -> int:
        lines = [
            LineData("Consulting", "3", "4000.5", "S", "27", "HUR", discount_amount="1000"),
            LineData("Book", "2", "15", "S", "5", discount_percent="5"),
        ]
        shipping = [AdjustmentData("990", "S", "27", is_charge=True, reason="Shipping")]
        with transaction(db.sessions) as s:
            return invoices.create_draft(s, DraftData(customer_id=ids[currency], issue_date=ISSUE, lines=lines,
                                                      adjustments=shipping))

    made = {}
    for currency in ("HUF", "IQD", "EUR"):
        made[currency] = draft(currency)
        with transaction(db.sessions) as s:
            invoices.finalize_invoice(s, made[currency])
            documents.frozen_pdf(s, made[currency])
    with transaction(db.sessions) as s:
        huf = invoices.get_invoice(s, made["HUF"])
        payments.record_payment(s, huf.id, 10000, ISSUE, "bank transfer", "HUF-1")
        settlement = credit_notes.issue_credit_note(s, huf.id, lines=[CreditLine(huf.lines[0].id, "1")],
                                                    issue_date=ISSUE)
        made["HUF credit note"] = settlement.credit_note_id
        payments.record_payment(s, huf.id, huf.amount_due + 500, ISSUE)  # 500 Ft become customer credit
        iqd = invoices.get_invoice(s, made["IQD"])
        payments.record_payment(s, iqd.id, iqd.amount_due + 700, ISSUE)
    with transaction(db.sessions) as s:
        documents.frozen_pdf(s, made["HUF credit note"])
    made["HUF written off"] = draft("HUF")
    with transaction(db.sessions) as s:
        invoices.finalize_invoice(s, made["HUF written off"])
        invoices.mark_uncollectible(s, made["HUF written off"], "insolvent")
    made["HUF open"] = draft("HUF")
    with transaction(db.sessions) as s:
        invoices.finalize_invoice(s, made["HUF open"])
    made["HUF draft"] = draft("HUF")
    return made


def _money_view(s: Session, made: dict[str, int]) -> dict[str, Any]:
    """What the services show of every amount, in major units (Decimal: 1000 and 1000.00 are the same money)."""
    view: dict[str, Any] = {}
    for what, document_id in made.items():
        doc = invoices.get_invoice(s, document_id, doc_type=None)
        cur, home = doc.currency, doc.company_currency

        def major(minor: int | None, currency: str | None = cur) -> Decimal | None:
            return None if minor is None or currency is None else from_minor(minor, currency)

        view[what] = {
            "totals": [major(v) for v in (doc.subtotal, doc.allowance_total, doc.charge_total, doc.tax_total,
                                           doc.total, doc.paid, doc.credited, doc.amount_due, doc.applied_to_due,
                                           doc.to_customer_credit, doc.refunded)],
            "company": [major(v, home) for v in (doc.company_subtotal, doc.company_tax_total, doc.company_total)],
            "lines": [[major(v) for v in (x.gross, x.discount, x.net, x.tax, x.discount_amount)] + [x.unit_price]
                      for x in doc.lines],
            "adjustments": [major(a.amount) for a in doc.adjustments],
            "taxes": [(t.category, t.rate, major(t.basis), major(t.amount)) for t in doc.taxes],
            "history": [(e.action, e.payload) for e in audit.document_history(s, document_id)],
        }
        if doc.status == "draft":
            view[what] = {"inputs": [(x.unit_price, major(x.discount_amount)) for x in doc.lines]
                          + [major(a.amount) for a in doc.adjustments]}
    view["payments"] = [(p.kind, p.currency, *(from_minor(v, p.currency) for v in (p.amount, p.applied, p.excess)))
                        for p in payments.list_payments(s)]
    view["credit"] = {c.currency: from_minor(payments.customer_credit(s, c.id, c.currency), c.currency)
                      for c in customers.list_customers(s)}
    view["products"] = [p.unit_price for p in products.list_products(s)]
    home = company.get_company(s).currency
    journal = ledger._Journal(ledger._Query(s, None, None, ISSUE, home), ledger.Accounts.load(s))
    # the amount written off is read from the write-off's audit event
    view["write-offs"] = [(e.document, [(account, from_minor(debit, home), from_minor(credit, home))
                                        for account, debit, credit in e.postings])
                          for e in journal._write_offs()]
    assert view["write-offs"]
    return view


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
        ).scalars().all()
        return {t: list(conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY rowid")) for t in tables}


def _pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths.documents_dir(folder).rglob("*.pdf")}


def _report(db: Database) -> integrity.Report:
    with transaction(db.readonly_sessions) as s:
        return integrity.verify(s, db.folder)


@pytest.fixture(scope="module", params=["EUR", "HUF"], ids=["company in EUR", "company in HUF"])
def legacy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Legacy]:
    """A database at 0009 written with CLDR's minor units, with what the services showed of it then."""
    folder = tmp_path_factory.mktemp("legacy")
    db = open_database(folder, daily_backup=False)
    migrate(db.engine, "0009", downgrade=True)
    with cldr_minor_units_in_force(), written_as_today(db.engine), later_schema_set_aside(db.engine):
        made = _fill(db, request.param)
        with transaction(db.readonly_sessions) as s:
            huf = invoices.get_invoice(s, made["HUF"])
            assert huf.lines[0].discount_amount == 1000 and huf.charge_total == 990  # whole forints
    db.close()
    yield Legacy(folder, made)


def test_every_amount_reads_as_the_same_money_after_the_upgrade(legacy: Legacy, tmp_path: Path) -> None:
    original = make_engine(paths.database_path(legacy.folder))
    rows = _rows(original)
    original.dispose()
    engine = make_engine(paths.database_path(legacy.folder))
    with cldr_minor_units_in_force(), written_as_today(engine), later_schema_set_aside(engine), Session(engine) as s:
        before = _money_view(s, legacy.documents)
    engine.dispose()
    pdfs = _pdfs(legacy.folder)
    assert len(pdfs) >= 4

    folder = tmp_path / "data"
    shutil.copytree(legacy.folder, folder)
    db = open_database(folder, daily_backup=False)
    with transaction(db.readonly_sessions) as s:
        after = _money_view(s, legacy.documents)
        huf = invoices.get_invoice(s, legacy.documents["HUF"])
        assert huf.lines[0].discount_amount == 100000 and huf.charge_total == 99000  # fillér now
        iqd = invoices.get_invoice(s, legacy.documents["IQD"])
        assert iqd.lines[0].discount_amount == 1000000
    assert after == before
    report = _report(db)
    assert report.ok, report.summary()
    assert _pdfs(folder) == pdfs
    with transaction(db.sessions) as s:
        reprints = {documents.frozen_pdf(s, legacy.documents[what]) for what in ("HUF", "HUF credit note", "IQD")}
    assert reprints <= set(pdfs.values())

    migrate(db.engine, "0009", downgrade=True)
    assert _rows(db.engine) == rows
    db.close()


def _upgraded(legacy: Legacy, tmp_path: Path) -> Database:
    folder = tmp_path / "data"
    shutil.copytree(legacy.folder, folder)
    return open_database(folder, daily_backup=False)


def test_an_old_document_altered_after_the_upgrade_is_still_found(legacy: Legacy, tmp_path: Path) -> None:
    db = _upgraded(legacy, tmp_path)
    db.close()
    conn = sqlite3.connect(paths.database_path(db.folder))
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'invoice_taxes'"):
        conn.execute(f'DROP TRIGGER "{name}"')
    # one fillér more VAT: no whole number of forints, the unit the invoice was issued and chained in
    conn.execute("UPDATE invoice_taxes SET amount = amount + 1 WHERE invoice_id = ?", (legacy.documents["HUF"],))
    conn.commit()
    conn.close()
    db = open_database(db.folder, daily_backup=False)
    problems = _report(db).problems
    db.close()
    assert any("was altered after it was finalized" in p for p in problems), problems


def test_the_record_of_the_conversion_cannot_be_dropped_unnoticed(legacy: Legacy, tmp_path: Path) -> None:
    db = _upgraded(legacy, tmp_path)
    with db.engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT currency, places_before, places_after FROM minor_unit_changes"
                                    " ORDER BY currency").all() == [("HUF", 0, 2), ("IQD", 0, 3)]
        conn.exec_driver_sql("DELETE FROM minor_unit_changes WHERE currency = 'HUF'")
    problems = _report(db).problems
    db.close()
    assert sum("was altered after it was finalized" in p for p in problems) >= 3, problems


def test_the_conversion_is_in_the_audit_log(legacy: Legacy, tmp_path: Path) -> None:
    db = _upgraded(legacy, tmp_path)
    with transaction(db.readonly_sessions) as s:
        # the newest events by time: the set-up's events of the same second may sort before or after it
        (event,) = [e for e in audit.recent_events(s, 100) if e.action == "minor_units_changed"]
    db.close()
    assert event.entity == "currency"
    assert '"HUF": [0, 2]' in (event.payload or "") and '"IQD": [0, 3]' in (event.payload or "")


def test_a_new_document_in_a_converted_currency_cannot_go_back(legacy: Legacy, tmp_path: Path) -> None:
    """Older versions count forints without fillér: what they cannot read stays as it is."""
    db = _upgraded(legacy, tmp_path)
    with transaction(db.sessions) as s:
        buyer = s.scalars(select(Customer.id).where(Customer.name == "Buyer HUF")).one()
        new = invoices.create_draft(s, DraftData(customer_id=buyer, issue_date=ISSUE,
                                                 lines=[LineData("Fee", "1", "1000", "S", "27")]))
        invoices.finalize_invoice(s, new)
    rows = _rows(db.engine)
    with pytest.raises(StorageError, match="HUF amounts stored since"):
        migrate(db.engine, "0009", downgrade=True)
    assert _rows(db.engine) == rows
    report = _report(db)
    db.close()
    assert report.ok, report.summary()


def test_an_old_invoice_credited_after_the_upgrade_is_credited_exactly(legacy: Legacy, tmp_path: Path) -> None:
    """Its VAT was rounded to whole forints: the credit note rounds the same way, so crediting it all gives back
    exactly its total (rounded to fillér, the VAT would differ from what the invoice charged)."""
    db = _upgraded(legacy, tmp_path)
    with transaction(db.sessions) as s:
        invoice_id = legacy.documents["HUF open"]
        settlement = credit_notes.issue_credit_note(s, invoice_id, full=True, issue_date=ISSUE)
        invoice = invoices.get_invoice(s, invoice_id)
        assert settlement.total == invoice.total and invoice.amount_due == 0
        assert invoice.total % 100 == 0
    report = _report(db)
    db.close()
    assert report.ok, report.summary()


def test_a_discount_typed_before_0008_is_counted_in_the_unit_of_its_time(legacy: Legacy, tmp_path: Path) -> None:
    """At 0007 a discount amount is major-unit text ("1000" forints); 0008 counts it in the CLDR unit every other
    amount was in then, so 0010 converts it with them."""
    folder = tmp_path / "data"
    shutil.copytree(legacy.folder, folder)
    engine = make_engine(paths.database_path(folder))
    migrate(engine, "0007", downgrade=True)
    texts = discount_amounts(engine)
    engine.dispose()
    # the partial credit note's share of 1000 Ft, for one of three hours
    assert texts == {("HUF", "1000"), ("HUF", "333"), ("IQD", "1000"), ("EUR", "1000.00")}
    db = open_database(folder, daily_backup=False)
    with transaction(db.readonly_sessions) as s:
        assert invoices.get_invoice(s, legacy.documents["HUF"]).lines[0].discount_amount == 100000
    report = _report(db)
    db.close()
    assert report.ok, report.summary()
