"""Migrations on a database full of data: down to every earlier revision and up again keeps every row and
`verify` passing; ids are never given twice; discount amounts are exact minor units; a migration that would
break a reference is refused; an up-to-date database opens without importing Alembic."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select

from invoicer import paths
from invoicer.core.errors import StorageError
from invoicer.core.money import from_minor, round_half_up
from invoicer.db.engine import make_engine, transaction
from invoicer.db.migrate import HEAD_REVISION, Database, migrate, open_database
from invoicer.db.models import Customer, InvoiceLine, SentMessage
from invoicer.services import audit, credit_notes, customers, demo, integrity, invoices, payments, rates
from invoicer.services.credit_notes import CreditLine
from invoicer.services.invoices import DraftData, LineData

EARLIER = ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012",
           "0013", "0014", "0015", "0016", "0017", "0018", "0019", "0020", "0021", "0022", "0023", "0024",
           "0025", "0026", "0027", "0028", "0029", "0030", "0031", "0032", "0033", "0034", "0035",
           "0036", "0037"]
ISSUE = date(2026, 11, 2)
# a line discount typed in each currency's own places: EUR 2, JPY 0, BHD 3
DISCOUNTS = {"EUR": "12.34", "JPY": "1234", "BHD": "1.234"}


def _verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s, db.folder)
    assert report.ok, report.summary()


def _customer(s: object, name: str, country: str, currency: str) -> int:
    if currency != "EUR":
        rates.set_rate(s, currency, "0.0061" if currency == "JPY" else "2.43", date(2026, 11, 1))  # type: ignore[arg-type]
    return customers.add_customer(s, customers.CustomerData(name=name, country=country, currency=currency))  # type: ignore[arg-type]


def _discounted_draft(db: Database, customer_id: int, currency: str) -> int:
    lines = [
        LineData("Consulting", "3", "4000", "S", "19", "HUR", discount_amount=DISCOUNTS[currency]),
        LineData("Book", "2", "15", "S", "7", discount_percent="5"),
    ]
    with transaction(db.sessions) as s:
        return invoices.create_draft(s, DraftData(customer_id=customer_id, issue_date=ISSUE, lines=lines))


_copy_line = credit_notes._copy_line


def _old_credited_share(source: InvoiceLine, position: int, quantity: Decimal) -> InvoiceLine:
    """Credit notes as Invoicer made them before 0008: a partial credit's share of a discount amount was kept
    unrounded in major units (12.34 x 1/3) and chained that way."""
    line = _copy_line(source, position, quantity)
    if source.discount_amount is not None and quantity != source.quantity:
        currency = source.invoice.currency
        line.legacy_discount_text = str(from_minor(source.discount_amount, currency) * quantity / source.quantity)
    return line


def _fill(db: Database, monkeypatch: pytest.MonkeyPatch) -> int:
    """Demo data plus every kind of row the demo does not make; returns the id of a deleted draft."""
    demo.generate(db, invoices=40, seed=3, today=date(2026, 10, 30))
    with transaction(db.sessions) as s:
        ids = {cur: _customer(s, f"Buyer {cur}", country, cur)
               for cur, country in (("EUR", "DE"), ("JPY", "JP"), ("BHD", "BH"))}
        gone = _customer(s, "Short-lived GmbH", "DE", "EUR")
    with transaction(db.sessions) as s:
        customers.delete_customer(s, gone)
    finalized = {}
    for currency, customer_id in ids.items():
        finalized[currency] = _discounted_draft(db, customer_id, currency)
        with transaction(db.sessions) as s:
            invoices.finalize_invoice(s, finalized[currency])
    monkeypatch.setattr(credit_notes, "_copy_line", _old_credited_share)
    with transaction(db.sessions) as s:
        eur = invoices.get_invoice(s, finalized["EUR"])
        payments.record_payment(s, eur.id, 10000, ISSUE, "bank transfer", "MIG-1")
        paid = payments.record_payment(s, eur.id, 500, ISSUE)
        payments.reverse_payment(s, paid, "bounced", ISSUE)
        credit_notes.issue_credit_note(s, eur.id, lines=[CreditLine(eur.lines[0].id, "1")], issue_date=ISSUE)
        jpy = invoices.get_invoice(s, finalized["JPY"])
        payments.record_payment(s, jpy.id, jpy.amount_due + 700, ISSUE)  # 700 yen become customer credit
        s.add(SentMessage(invoice_id=jpy.id, kind="invoice", level=None, message_id="<mig-1@example.com>",
                          recipients='["ap@example.com"]', subject="Invoice", sent_at=audit.now()))
    monkeypatch.undo()
    _discounted_draft(db, ids["BHD"], "BHD")  # a draft that stays
    deleted = _discounted_draft(db, ids["EUR"], "EUR")  # the newest id, then deleted
    with transaction(db.sessions) as s:
        invoices.delete_draft(s, deleted)
    return deleted


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A database at head full of data, verified, made once for the module."""
    folder = tmp_path_factory.mktemp("filled")
    db = open_database(folder, daily_backup=False)
    with pytest.MonkeyPatch.context() as monkeypatch:
        deleted = _fill(db, monkeypatch)
    with transaction(db.readonly_sessions) as s:
        legacy = s.scalars(select(InvoiceLine.legacy_discount_text).where(InvoiceLine.legacy_discount_text.is_not(None)))
        assert list(legacy) == ["4.113333333333333333333333333"]
    _verified(db)
    db.close()
    yield folder, deleted


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _rows(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table: conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid").all()
            for table, cols in columns.items()
        }


def _columns(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('alembic_version', 'sqlite_sequence')"
        ).scalars().all()
        return {t: [c[1] for c in conn.exec_driver_sql(f"PRAGMA table_info({t})")] for t in tables}


def _revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one())


@pytest.mark.parametrize("revision", EARLIER)
def test_down_to_an_earlier_revision_and_up_again_keeps_every_row_and_verify_passing(
    filled: tuple[Path, int], tmp_path: Path, revision: str
) -> None:
    folder = _copy(filled[0], tmp_path / "data")
    engine = make_engine(paths.database_path(folder))
    migrate(engine, revision, downgrade=True)  # every step down from head, each with the data in place
    assert _revision(engine) == revision
    columns = _columns(engine)  # what the earlier revision keeps
    engine.dispose()
    original = make_engine(paths.database_path(filled[0]))
    before = _rows(original, columns)
    original.dispose()

    db = open_database(folder, daily_backup=False)  # the start path: backup, then upgrade head
    assert _revision(db.engine) == HEAD_REVISION
    assert any(db.backups_dir.iterdir()), "the file is copied before it is migrated"
    assert _rows(db.engine, columns) == before
    _verified(db)
    with transaction(db.sessions) as s:
        buyer = s.scalars(select(Customer.id).where(Customer.name == "Buyer EUR")).one()
        new_id = invoices.create_draft(s, DraftData(customer_id=buyer, lines=[LineData("x", "1", "1", "S", "19")]))
    assert new_id > filled[1], "an id that audit events name is never given again"
    with transaction(db.readonly_sessions) as s:
        assert [e.action for e in audit.history(s, "invoice", new_id)] == ["create"]
    db.close()


def discount_amounts(engine: Engine) -> set[tuple[str, object]]:
    """(currency, discount amount as stored) of every line with a discount amount."""
    with engine.connect() as conn:
        return set(conn.exec_driver_sql(
            "SELECT i.currency, l.discount_amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id"
            " WHERE l.discount_amount IS NOT NULL"
        ).all())


def test_the_data_of_an_earlier_revision_is_what_that_revision_wrote(filled: tuple[Path, int], tmp_path: Path) -> None:
    """At 0007 a discount amount is the major-unit text the older versions stored, also the unrounded share."""
    folder = _copy(filled[0], tmp_path / "data")
    engine = make_engine(paths.database_path(folder))
    migrate(engine, "0007", downgrade=True)
    stored = discount_amounts(engine)
    with engine.connect() as conn:
        autoincrement = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'"
        ).scalar_one()
    engine.dispose()
    assert stored == {*DISCOUNTS.items(), ("EUR", "4.113333333333333333333333333")}
    assert autoincrement == 0


@pytest.mark.parametrize("currency", sorted(DISCOUNTS))
def test_a_discount_amount_round_trips_exactly(seller: Database, currency: str) -> None:
    with transaction(seller.sessions) as s:
        customer_id = _customer(s, "Buyer", "DE", currency)
    invoice_id = _discounted_draft(seller, customer_id, currency)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert inv.lines[0].discount_amount == 1234
        assert invoices.draft_data(inv).lines[0].discount_amount == Decimal(DISCOUNTS[currency])
        assert str(invoices.draft_data(inv).lines[0].discount_amount) == DISCOUNTS[currency]
        assert inv.lines[0].discount == 1234
        invoices.finalize_invoice(s, invoice_id)
    _verified(seller)


def test_a_partial_credit_takes_its_share_of_a_discount_in_whole_minor_units(
    seller: Database, customer_id: int
) -> None:
    invoice_id = _discounted_draft(seller, customer_id, "EUR")
    with transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, invoice_id)
        source = invoices.get_invoice(s, invoice_id).lines[0]
        credit_notes.issue_credit_note(s, invoice_id, lines=[CreditLine(source.id, "1")])
        share = s.scalars(select(InvoiceLine).where(InvoiceLine.source_line_id == source.id)).one()
        assert share.discount_amount == int(round_half_up(Decimal(1234) / 3, 0)) == 411
        assert share.discount == 411
    _verified(seller)


def test_a_deleted_drafts_id_is_never_given_again(seller: Database, customer_id: int) -> None:
    first = _discounted_draft(seller, customer_id, "EUR")
    with transaction(seller.sessions) as s:
        invoices.delete_draft(s, first)
    second = _discounted_draft(seller, customer_id, "EUR")
    assert second != first
    with transaction(seller.sessions) as s:
        assert [e.action for e in audit.history(s, "invoice", second)] == ["create"]
        gone = _customer(s, "Short-lived GmbH", "DE", "EUR")
    with transaction(seller.sessions) as s:
        customers.delete_customer(s, gone)
    with transaction(seller.sessions) as s:
        assert _customer(s, "Next GmbH", "DE", "EUR") != gone


def test_a_migration_that_would_break_a_reference_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    db = open_database(folder, daily_backup=False)
    migrate(db.engine, "0007", downgrade=True)
    db.close()
    broken = create_engine(f"sqlite:///{paths.database_path(folder)}")  # foreign keys off: SQLite's default
    with broken.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO invoices (id, doc_type, status, customer_id, currency, issue_date, tax_rounding, subtotal,"
            " allowance_total, charge_total, tax_total, total, paid, credited, applied_to_due, to_customer_credit,"
            " refunded, created_at, updated_at) VALUES (7, 'invoice', 'draft', 99, 'EUR', '2026-11-02', 'document',"
            " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '2026-11-02 10:00:00', '2026-11-02 10:00:00')"
        )
    broken.dispose()
    with pytest.raises(StorageError, match="row 7 of invoices would refer to a missing row of customers"):
        open_database(folder, daily_backup=False)
    engine = make_engine(paths.database_path(folder))
    assert _revision(engine) == "0007"  # rolled back: nothing of 0008 stayed
    engine.dispose()


def test_a_file_left_without_schema_migrates_without_a_backup_of_nothing(tmp_path: Path) -> None:
    """A first migration killed before its commit leaves a file with SQLite's header and no tables."""
    folder = tmp_path / "data"
    folder.mkdir()
    conn = sqlite3.connect(paths.database_path(folder))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    assert paths.database_path(folder).stat().st_size > 0
    db = open_database(folder)
    assert _revision(db.engine) == HEAD_REVISION
    assert not db.backups_dir.exists() or not any(db.backups_dir.iterdir())
    db.close()


def test_head_revision_and_known_revisions_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from invoicer.db.migrate import alembic_config, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == HEAD_REVISION
    assert known_revisions() == {rev.revision for rev in script.walk_revisions()}
    assert sorted(known_revisions()) == [*EARLIER, HEAD_REVISION]


def test_an_up_to_date_database_opens_without_importing_alembic(template_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(template_db, paths.database_path(folder))
    program = (
        "import sys; from pathlib import Path; from invoicer.db.migrate import open_database;"
        f"open_database(Path({str(folder)!r}), daily_backup=False).close();"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
