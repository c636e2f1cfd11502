"""The accountant's workbook read back with openpyxl: every figure equals the database to the cent."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from invoicer import __version__, i18n
from invoicer.core.errors import ValidationError
from invoicer.core.money import from_minor
from invoicer.db.engine import transaction
from invoicer.db.models import Invoice, InvoiceLine, Payment
from invoicer.documents.ledger import money_format
from invoicer.services import customers, invoices, payments, reports, settings
from invoicer.services.ledger import ExportCancelled, export_ledger
from tests.documents.ledger_sample import build, fill

AS_OF = date(2024, 3, 31)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Headers are compared by their English titles; the workbook follows the interface language."""
    i18n.set_language("en_US")
    yield
    i18n.set_language("en_US")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("ledger")
    db = build(folder / "data")
    path = export_ledger(db, folder / "ledger.xlsx", today=AS_OF)
    yield db, path, openpyxl.load_workbook(path)


def rows(ws: Any) -> list[dict[str, Any]]:
    """Data rows as dicts by header title, up to the blank row before the totals."""
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    found = []
    for row in values[1:]:
        if all(v is None for v in row):
            break
        found.append(dict(zip(header, row, strict=True)))
    return found


def money(value: Any) -> Decimal:
    """A number read back from the workbook as an exact Decimal (None is an empty cell: 0)."""
    return Decimal(0) if value is None else Decimal(str(value))


def db_rows(db: Any, stmt: Any) -> list[Any]:
    with db.readonly_sessions() as s:
        return list(s.scalars(stmt))


def test_invoices_sheet_equals_database(sample: Any) -> None:
    db, _path, wb = sample
    sheet = {r["Number"]: r for r in rows(wb["Invoices"])}
    stored = db_rows(db, select(Invoice).where(Invoice.doc_type == "invoice"))
    assert set(sheet) == {i.number for i in stored}
    for inv in stored:
        row = sheet[inv.number]
        cur = inv.currency
        assert row["Issue date"] == datetime.combine(inv.issue_date, datetime.min.time())
        assert row["Due date"] == datetime.combine(inv.due_date, datetime.min.time())
        assert row["Currency"] == cur
        assert money(row["Net"]) == from_minor(inv.total - inv.tax_total, cur)
        assert money(row["Tax"]) == from_minor(inv.tax_total, cur)
        assert money(row["Total"]) == from_minor(inv.total, cur)
        assert money(row["Paid"]) == from_minor(inv.paid, cur)
        assert money(row["Credited"]) == from_minor(inv.credited, cur)
        assert money(row["Amount due"]) == from_minor(inv.amount_due, cur)
        assert money(row["Exchange rate"]) == inv.exchange_rate
        assert money(row["Net (EUR)"]) == from_minor(inv.company_subtotal, "EUR")
        assert money(row["Tax (EUR)"]) == from_minor(inv.company_tax_total, "EUR")
        assert money(row["Total (EUR)"]) == from_minor(inv.company_total, "EUR")
    assert sheet["INV-2024-00003"]["Status"] == "overdue"
    assert sheet["INV-2024-00003"]["Days overdue"] == (AS_OF - date(2024, 3, 1)).days
    assert sheet["INV-2024-00006"]["Status"] == "void"
    assert sheet["INV-2024-00001"]["Customer"] == 'Anna, "Die Bäckerei"'
    assert sheet["INV-2024-00001"]["Customer VAT ID"] == "DE136695976"


def test_lines_sheet_equals_database(sample: Any) -> None:
    db, _path, wb = sample
    sheet = {(r["Invoice"], r["Line"]): r for r in rows(wb["Lines"])}
    with db.readonly_sessions() as s:
        stored = s.execute(
            select(InvoiceLine, Invoice.number, Invoice.currency)
            .join(Invoice).where(Invoice.doc_type == "invoice", Invoice.status != "void")
        ).all()
    assert set(sheet) == {(number, line.position) for line, number, _c in stored}
    for line, number, cur in stored:
        row = sheet[(number, line.position)]
        assert row["Description"] == line.description
        assert money(row["Quantity"]) == line.quantity
        assert money(row["Unit price"]) == line.unit_price
        assert money(row["Discount"]) == from_minor(line.discount, cur)
        assert money(row["Net"]) == from_minor(line.net, cur)
        assert row["Tax (line rounding)"] == (None if line.tax is None else float(from_minor(line.tax, cur)))
        assert (row["Tax category"], money(row["Tax rate %"])) == (line.tax_category, line.tax_rate)


def test_payments_sheet_shows_reversals(sample: Any) -> None:
    db, _path, wb = sample
    sheet = {r["Payment no."]: r for r in rows(wb["Payments"])}
    stored = db_rows(db, select(Payment))
    assert set(sheet) == {p.id for p in stored}
    for p in stored:
        row = sheet[p.id]
        assert money(row["Amount"]) == from_minor(p.amount, p.currency)
        assert money(row["Amount (EUR)"]) == from_minor(p.company_amount, "EUR")
        assert row["Date"].date() == p.paid_on
    reversal = next(r for r in sheet.values() if r["Reverses payment"] is not None)
    assert reversal["Kind"] == "reversal of payment"
    assert money(reversal["Amount"]) == Decimal("-400.00")
    assert reversal["Reason"] == "card charged back"
    assert any(r["Kind"] == "customer credit applied" for r in sheet.values())


def test_credit_notes_sheet_shows_settlement(sample: Any) -> None:
    db, _path, wb = sample
    sheet = {r["Number"]: r for r in rows(wb["Credit notes"])}
    stored = db_rows(db, select(Invoice).where(Invoice.doc_type == "credit_note"))
    assert set(sheet) == {c.number for c in stored}
    for note in stored:
        row = sheet[note.number]
        assert row["Original invoice"] == "INV-2024-00005"
        assert money(row["Total"]) == from_minor(note.total, "EUR")
        assert money(row["Tax"]) == from_minor(note.tax_total, "EUR")
        assert money(row["Reduced amount due"]) == from_minor(note.applied_to_due, "EUR")
        assert money(row["To customer credit"]) == from_minor(note.to_customer_credit, "EUR")
        assert money(row["Refunded"]) == from_minor(note.refunded, "EUR")
    assert sheet["CN-2024-00001"]["Settled as"] == "reduced amount due"
    assert sheet["CN-2024-00002"]["Settled as"] == "refunded"
    assert sheet["CN-2024-00002"]["Reason"] == "Kulanz"


def test_tax_summary_is_invoices_minus_credit_notes(sample: Any) -> None:
    db, _path, wb = sample
    sheet = rows(wb["Tax summary"])
    documents = db_rows(db, select(Invoice).where(Invoice.status.not_in(("draft", "void"))))
    expected: dict[str, int] = defaultdict(int)
    for doc in documents:
        expected[doc.currency] += doc.tax_total if doc.doc_type == "invoice" else -doc.tax_total
    got: dict[str, Decimal] = defaultdict(Decimal)
    for row in sheet:
        assert money(row["Tax"]) == money(row["Invoiced tax"]) - money(row["Credited tax"])
        got[row["Currency"]] += money(row["Tax"])
    assert got == {cur: from_minor(v, cur) for cur, v in expected.items()}
    feb_7 = next(r for r in sheet if r["Month"] == datetime(2024, 2, 1) and r["Tax rate %"] == 7)
    assert (money(feb_7["Credited basis"]), money(feb_7["Credited tax"])) == (Decimal("3.50"), Decimal("0.24"))


def test_aged_receivables_equal_the_report(sample: Any) -> None:
    db, _path, wb = sample
    with db.readonly_sessions() as s:
        report = reports.aged_receivables(s, AS_OF)
    sheet = rows(wb["Aged receivables"])
    assert [(r["Customer"], r["Currency"]) for r in sheet] == [(r.customer_name, r.currency) for r in report]
    for row, aged in zip(sheet, report, strict=True):
        cells = [row["Current"], row["1–30 days"], row["31–60 days"], row["61–90 days"], row["Over 90 days"]]
        assert [money(c) for c in cells] == [from_minor(v, aged.currency) for v in aged.buckets.values()]
        assert money(row["Total"]) == from_minor(aged.total, aged.currency)


def journal(wb: Any) -> list[dict[str, Any]]:
    return rows(wb["Journal"])


def test_journal_entries_balance_and_receivables_follow_amounts_due(sample: Any) -> None:
    db, _path, wb = sample
    entries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for posting in journal(wb):
        entries[posting["Entry"]].append(posting)
    for postings in entries.values():
        assert sum(money(p["Debit (EUR)"]) for p in postings) == sum(money(p["Credit (EUR)"]) for p in postings)
        assert len({(p["Date"], p["Document"]) for p in postings}) == 1
    receivable: dict[str, Decimal] = defaultdict(Decimal)
    for p in journal(wb):
        if p["Account"] == "1200":
            receivable[p["Document"]] += money(p["Debit (EUR)"]) - money(p["Credit (EUR)"])
    for inv in db_rows(db, select(Invoice).where(Invoice.doc_type == "invoice", Invoice.currency == "EUR")):
        if inv.status == "void":
            assert inv.number not in receivable
        elif inv.number != "INV-2024-00005":  # its credit note settles it under the credit note's number
            assert receivable[inv.number] == from_minor(inv.amount_due, "EUR"), inv.number
    # the written-off JPY invoice: receivable cleared, the recovery of 12.40 credited to bad debt (net) and
    # to VAT payable (its 19 % VAT share, owed again now that the money came in)
    assert receivable["INV-2024-00007"] == 0
    recovery = {p["Account"]: money(p["Credit (EUR)"]) for p in journal(wb)
                if p["Document"] == "INV-2024-00007" and p["Text"] != "Invoice" and p["Credit (EUR)"]
                and p["Account"] in ("6900", "2200")}
    assert recovery == {"6900": Decimal("10.42"), "2200": Decimal("1.98")}
    refund = [p for p in journal(wb) if p["Document"] == "CN-2024-00002" and p["Account"] == "1000"]
    assert [money(p["Credit (EUR)"]) for p in refund] == [Decimal("10.00")]


def test_revenue_accounts_per_tax_rate_from_settings(seller: Any, tmp_path: Path) -> None:
    db = fill(seller)
    with transaction(db.sessions) as s:
        settings.put(s, "ledger.account.revenue_by_rate", {"S 7.00": "4300"})
        settings.put(s, "ledger.account.receivables", "10000")
    wb = openpyxl.load_workbook(export_ledger(db, tmp_path / "l.xlsx", today=AS_OF))
    first = [p for p in journal(wb) if p["Document"] == "INV-2024-00001" and p["Text"] == "Invoice"]
    assert {p["Account"]: (money(p["Debit (EUR)"]), money(p["Credit (EUR)"])) for p in first} == {
        "10000": (Decimal("380.75"), 0), "4000": (0, Decimal("299.97")), "4300": (0, Decimal("22.23")),
        "2200": (0, Decimal("58.55")),
    }
    with pytest.raises(ValidationError), transaction(db.sessions) as s:
        settings.put(s, "ledger.account.revenue_by_rate", {"19": "4400"})


def test_sheet_layout_formats_and_totals(sample: Any) -> None:
    _db, _path, wb = sample
    assert wb.sheetnames == ["Cover", "Invoices", "Lines", "Payments", "Credit notes", "Tax summary",
                             "Aged receivables", "Journal"]
    ws = wb["Invoices"]
    count = len(rows(ws))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:Y{count + 1}"  # through the prepaid amount, date of supply and service period
    assert ws["A1"].font.b and ws.column_dimensions["D"].width >= 30
    by_number = {ws.cell(r, 1).value: r for r in range(2, count + 2)}
    assert ws.cell(by_number["INV-2024-00007"], 10).number_format == money_format("JPY") == '#,##0 "JPY"'
    assert ws.cell(by_number["INV-2024-00004"], 10).number_format == '#,##0.00 "USD"'
    assert ws.cell(by_number["INV-2024-00004"], 2).number_format == "yyyy-mm-dd"
    totals = {ws.cell(r, 1).value: r for r in range(count + 3, ws.max_row + 1)}
    assert list(totals) == ["Total EUR", "Total JPY", "Total USD", "Total in EUR (company currency)"]
    last = count + 1
    assert ws.cell(totals["Total EUR"], 8).value == f'=SUMIFS(H2:H{last},N2:N{last},"<>void",G2:G{last},"EUR")'
    assert ws.cell(totals["Total JPY"], 10).number_format == '#,##0 "JPY"'
    assert ws.cell(totals["Total in EUR (company currency)"], 19).value == f'=SUMIFS(S2:S{last},N2:N{last},"<>void")'
    journal_ws = wb["Journal"]
    n = len(rows(journal_ws)) + 1
    assert [journal_ws.cell(n + 2, c).value for c in (1, 6, 7)] == ["Total", f"=SUM(F2:F{n})", f"=SUM(G2:G{n})"]


def test_cover_sheet_says_company_period_and_version(seller: Any, tmp_path: Path) -> None:
    db = fill(seller)
    path = export_ledger(db, tmp_path / "feb.xlsx", date(2024, 2, 1), date(2024, 2, 29), today=AS_OF)
    wb = openpyxl.load_workbook(path)
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r and r[0]}
    assert cover["Company"] == "Müller & Söhne GmbH"
    assert cover["Period from"] == datetime(2024, 2, 1) and cover["Period to"] == datetime(2024, 2, 29)
    assert cover["Made by"] == f"Invoicer {__version__}"
    assert isinstance(cover["Made on"], datetime)
    assert cover["Invoices"] == len(rows(wb["Invoices"])) == 4
    # the period: only February's documents and payments
    assert {r["Issue date"].month for r in rows(wb["Invoices"])} == {2}
    assert all(r["Date"].month == 2 for r in rows(wb["Payments"]))
    assert all(r["Date"].month == 2 for r in journal(wb))


def test_empty_database_gives_headers_only(seller: Any, tmp_path: Path) -> None:
    db = seller
    wb = openpyxl.load_workbook(export_ledger(db, tmp_path / "empty.xlsx"))
    for name in wb.sheetnames[1:]:
        assert wb[name].max_row == 1, name


def test_bad_period_is_refused(seller: Any, tmp_path: Path) -> None:
    db = seller
    with pytest.raises(ValidationError, match="start date is after"):
        export_ledger(db, tmp_path / "x.xlsx", date(2024, 3, 1), date(2024, 2, 1))


def test_cancel_leaves_no_file(seller: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = fill(seller)
    monkeypatch.setattr("invoicer.documents.tables.PROGRESS_EVERY", 5)
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("openpyxl.*"))

    def stop(done: int, total: int) -> None:
        if done >= 10:
            raise ExportCancelled()

    with pytest.raises(ExportCancelled):
        export_ledger(db, tmp_path / "out.xlsx", progress=stop)
    assert list(tmp_path.glob("*.xlsx*")) == [] and list(tmp_path.glob(".*")) == []
    assert set(temp.glob("openpyxl.*")) <= before


def test_progress_reaches_the_end(seller: Any, tmp_path: Path) -> None:
    db = fill(seller)
    seen: list[tuple[int, int]] = []
    export_ledger(db, tmp_path / "out.xlsx", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1]
    assert all(done <= total for done, total in seen)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recomputes_the_totals(sample: Any, tmp_path: Path) -> None:
    db, path, _wb = sample
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    wb = openpyxl.load_workbook(tmp_path / "out" / path.name, data_only=True)
    ws = wb["Invoices"]
    totals = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("Total")}
    stored = db_rows(db, select(Invoice).where(Invoice.doc_type == "invoice", Invoice.status != "void"))
    for cur in ("EUR", "USD", "JPY"):
        mine = [i for i in stored if i.currency == cur]
        assert money(totals[f"Total {cur}"][9]) == from_minor(sum(i.total for i in mine), cur)
        assert money(totals[f"Total {cur}"][12]) == from_minor(sum(i.amount_due for i in mine), cur)
    company = totals["Total in EUR (company currency)"]
    assert money(company[18]) == from_minor(sum(i.company_total for i in stored), "EUR")
    journal_totals = next(r for r in wb["Journal"].iter_rows(values_only=True) if r[0] == "Total")
    assert journal_totals[5] == journal_totals[6] > 0


def test_control_characters_typed_by_users_do_not_break_the_workbook(seller: Any, tmp_path: Path) -> None:
    with transaction(seller.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Bell Ltd", country="DE"))
        draft = invoices.create_draft(s, invoices.DraftData(
            customer, [invoices.LineData("Zeile", "1", "10", "S", "19")], issue_date=date(2024, 1, 5)))
        invoices.finalize_invoice(s, draft)
        payments.record_payment(s, draft, 500, date(2024, 1, 6), "card\x0b", "pasted\x07ref")
    wb = openpyxl.load_workbook(export_ledger(seller, tmp_path / "l.xlsx"))
    # the services drop control characters as they are typed, so the workbook opens and reads clean
    # (the method is a code now, written as its label)
    assert (rows(wb["Payments"])[0]["Method"], rows(wb["Payments"])[0]["Reference"]) == ("Card", "pastedref")


def test_openpyxl_writes_with_lxml() -> None:
    assert openpyxl.LXML  # twice as fast as the standard library's XML writer on big sheets


def test_workbook_in_the_interface_language(seller: Any, tmp_path: Path) -> None:
    fill(seller)
    i18n.set_language("de_DE")
    wb = openpyxl.load_workbook(export_ledger(seller, tmp_path / "de.xlsx", today=AS_OF))
    assert wb.sheetnames == ["Deckblatt", "Rechnungen", "Positionen", "Zahlungen", "Rechnungskorrekturen", "Steuerübersicht",
                             "Offene Posten nach Alter", "Buchungsjournal"]
    ws = wb["Rechnungen"]
    assert ws["H1"].value == "Netto" and ws["N7"].value == "storniert"
    totals = [c.value for c in ws["H"] if isinstance(c.value, str) and c.value.startswith("=")]
    assert totals[0].endswith(',N2:N9,"<>storniert",G2:G9,"EUR")')  # the totals leave out what is shown as void


def test_the_invoices_sheet_states_the_date_of_supply_and_the_service_period(db: Any, tmp_path: Path) -> None:
    from invoicer.services.invoices import LineData
    from tests.services.helpers import add_customer, make_open, set_up_seller

    set_up_seller(db)
    invoice_id = make_open(db, add_customer(db), lines=[LineData("Hosting", "1", "49.90", "S", "19")],
                           delivery_date=date(2026, 10, 20), period_start=date(2026, 10, 1),
                           period_end=date(2026, 10, 31))
    wb = openpyxl.load_workbook(export_ledger(db, tmp_path / "l.xlsx", today=date(2026, 12, 1)))
    ws = wb["Invoices"]
    titles = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    stated = {t: row[titles.index(t)] for t in ("Date of supply", "Service from", "Service to")}
    assert {t: v.date() for t, v in stated.items()} == {
        "Date of supply": date(2026, 10, 20), "Service from": date(2026, 10, 1), "Service to": date(2026, 10, 31)}
    assert row[0] is not None and invoice_id


def test_cells_written_as_xml_read_back_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data rows are written as the sheet's XML (not through openpyxl's cells): text stays text, exactly
    (spaces, markup characters, line ends, a leading '='), amounts are exact in each currency's decimals, dates
    are dates; the sheet's temporary files are removed."""
    from invoicer.documents.ledger import write_workbook
    from invoicer.documents.tables import Column, Kind, Ledger, Table

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    columns = (
        Column("text", "Text", free_text=True), Column("code", "Code"), Column("currency", "Currency"),
        Column("amount", "Amount", Kind.MONEY, currency_column=2), Column("company", "Company", Kind.COMPANY_MONEY),
        Column("day", "Day", Kind.DATE), Column("month", "Month", Kind.MONTH), Column("rate", "Rate", Kind.DECIMAL),
        Column("count", "Count", Kind.INT),
    )
    data = [
        ("  padded & <b>bold</b>\r\nnext ", "=SUM(1)", "EUR", -123456, 5, date(2024, 2, 29), date(2024, 2, 1),
         Decimal("0.0125"), 7),
        ("=HYPERLINK(\"x\")", "A\x01B", "JPY", 1000, 0, datetime(2024, 3, 1, 12, 0), None, None, None),
        ("", None, "KWD", -1, -99, None, None, Decimal("19"), 0),
    ]
    ledger = Ledger("Co", "EUR", None, None, date(2024, 3, 31), datetime(2024, 3, 31, 9, 0), "Invoicer", (),
                    (Table("t", "Things", columns, lambda: iter(data), len(data)),))
    path = tmp_path / "book.xlsx"
    write_workbook(ledger, path)
    ws = openpyxl.load_workbook(path)["Things"]
    got = list(ws.iter_rows(min_row=2, max_row=4, values_only=True))
    # openpyxl reads numbers back as floats: the written text is the exact decimal
    assert got[0] == ("  padded & <b>bold</b>\r\nnext ", "=SUM(1)", "EUR", -1234.56, 0.05,
                      datetime(2024, 2, 29), datetime(2024, 2, 1), 0.0125, 7)
    assert got[1][:6] == ("=HYPERLINK(\"x\")", "A B", "JPY", 1000, 0, datetime(2024, 3, 1, 12, 0))
    assert got[2][:5] == (None, None, "KWD", -0.001, -0.99)
    assert '<v>-1234.56</v>' in _sheet_xml(path, "Things") and '<v>-0.001</v>' in _sheet_xml(path, "Things")
    assert ws["A2"].data_type == "s" and ws["B2"].data_type == "s"
    assert ws["D2"].number_format == money_format("EUR") and ws["D3"].number_format == money_format("JPY")
    assert ws["F2"].number_format == "yyyy-mm-dd" and ws["G2"].number_format == "yyyy-mm"
    assert ws["A6"].value == "Total EUR" and ws["A6"].font.b  # per currency, after a blank row
    assert ws["D6"].value == '=SUMIFS(D2:D4,C2:C4,"EUR")' and ws["D6"].font.b
    assert ws.auto_filter.ref == "A1:I4" and ws.freeze_panes == "A2"
    assert list((tmp_path / "tmp").iterdir()) == []


def _sheet_xml(path: Path, title: str) -> str:
    import zipfile

    book = openpyxl.load_workbook(path, read_only=True)
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{book.sheetnames.index(title) + 1}.xml").decode()


def _expected(value: Any, column: Any, row: Any, company_currency: str) -> tuple[Any, str]:
    """What a cell must read back as (a value openpyxl returns, its number format), from the table's value."""
    from invoicer.core.money import exponent
    from invoicer.documents.ledger import _cell_text
    from invoicer.documents.tables import Kind

    if value is None or value == "":
        return None, "General"
    if column.kind in (Kind.MONEY, Kind.COMPANY_MONEY):
        currency = company_currency if column.kind == Kind.COMPANY_MONEY else row[column.currency_column]
        return Decimal(value).scaleb(-exponent(currency)), money_format(currency)
    if column.kind in (Kind.DATE, Kind.MONTH):
        day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        return day, "yyyy-mm-dd" if column.kind == Kind.DATE else "yyyy-mm"
    if isinstance(value, str):
        return _cell_text(value, ()), "General"
    return Decimal(value), "General"


def _sheets_of_tables(book: Any, tables: Any) -> list[list[Any]]:
    """Each table's worksheets in order: its first ("Lines") and those it goes on over ("Lines (2)" …)."""
    from invoicer.documents.ledger import continued_title

    names = book.sheetnames[1:]
    found = []
    for table in tables:
        assert names[0] == table.title
        count = 1
        while count < len(names) and names[count] == continued_title(table.title, count + 1):
            count += 1
        found.append([book[name] for name in names[:count]])
        names = names[count:]
    assert names == []
    return found


@pytest.mark.parametrize("source", ["sample", "demo", "sample on 5-row sheets"])
def test_every_cell_holds_its_tables_value_and_format(
    source: str, seller: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cell by cell, every sheet of the workbook equals the ledger's tables: the value (amounts as the exact
    decimal in the currency's decimals, dates, text as typed), its type and its number format. The rows are
    written as the sheet's XML by hand, for speed: this holds that XML to what the tables say. With sheets of
    5 rows, each table's rows are all there once, in order, over its sheets, and nothing but totals follows."""
    from invoicer.services import demo
    from invoicer.services.ledger import build_ledger

    if source == "demo":
        demo.generate(seller, invoices=120, seed=3, today=date(2025, 6, 30))
    else:
        fill(seller)
    if source == "sample on 5-row sheets":
        monkeypatch.setattr("invoicer.documents.ledger.MAX_SHEET_ROWS", 5)
    path = export_ledger(seller, tmp_path / "l.xlsx", today=date(2025, 6, 30))
    book = openpyxl.load_workbook(path, read_only=True)
    checked = 0
    with seller.readonly_sessions() as s, s.begin():
        ledger = build_ledger(s, today=date(2025, 6, 30))
        for table, sheets in zip(ledger.tables, _sheets_of_tables(book, ledger.tables), strict=True):
            for ws in sheets:
                assert next(ws.iter_rows(max_row=1, values_only=True)) == tuple(c.title for c in table.columns)
            sheet_rows = itertools.chain.from_iterable(ws.iter_rows(min_row=2) for ws in sheets)
            for row in table.rows():
                cells = next(sheet_rows)
                for value, column, cell in zip(row, table.columns, cells, strict=False):
                    want, number_format = _expected(value, column, row, ledger.company_currency)
                    got = cell.value
                    if isinstance(want, Decimal):
                        assert isinstance(got, int | float) and Decimal(str(got)) == want, (table.name, column.key)
                    else:
                        assert got == want, (table.name, column.key, got, want)
                    if isinstance(want, str):
                        assert cell.data_type == "s"  # text, never a formula
                    assert (cell.number_format if got is not None else "General") == number_format
                    checked += 1
                assert all(c.value is None for c in cells[len(table.columns):])
            rest = [[c.value for c in cells] for cells in sheet_rows]
            assert all(str(r[0]).startswith("Total") for r in rest if any(v is not None for v in r)), table.name
    assert checked > (5_000 if source == "demo" else 300)
    if source == "sample on 5-row sheets":
        assert "Lines (2)" in book.sheetnames
        for ws in book.worksheets[1:]:  # a header and at most 4 rows; a sheet of its own may hold totals only
            kept = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
            assert len([r for r in kept if not str(r[0]).startswith("Total")]) <= 5, ws.title


def _things(count: int, currencies: tuple[str, ...] = ("EUR",)) -> Any:
    """A ledger of one table, "Things", of ``count`` rows: their number, a currency and an amount of that number."""
    from invoicer.documents.tables import Column, Kind, Ledger, Table

    columns = (Column("n", "N", Kind.INT), Column("currency", "Currency"),
               Column("amount", "Amount", Kind.MONEY, currency_column=1))
    data = [(n, currencies[n % len(currencies)], n * 100) for n in range(1, count + 1)]
    return Ledger("Co", "EUR", None, None, date(2024, 3, 31), datetime(2024, 3, 31, 9, 0), "Invoicer", (),
                  (Table("things", "Things", columns, lambda: iter(data), len(data)),))


def _cover_counts(book: Any) -> dict[str, int]:
    return {r[0]: r[1] for r in book["Cover"].iter_rows(min_row=12, values_only=True) if r and isinstance(r[1], int)}


def test_a_table_longer_than_a_sheet_goes_on_over_further_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With sheets of 5 rows (header included), 9 rows go on three sheets of the table, each with the header,
    widths, formats, frozen header and autofilter of the first; the totals under the last add up every sheet's
    rows; the cover lists each sheet with its rows; no temporary file is left."""
    from invoicer.documents.ledger import write_workbook

    monkeypatch.setattr("invoicer.documents.ledger.MAX_SHEET_ROWS", 5)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    write_workbook(_things(9), tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert book.sheetnames == ["Cover", "Things", "Things (2)", "Things (3)"]
    seen = []
    for ws in book.worksheets[1:]:
        assert [c.value for c in ws[1]] == ["N", "Currency", "Amount"] and ws["A1"].font.b
        assert ws.freeze_panes == "A2" and ws.column_dimensions["C"].width == book["Things"].column_dimensions["C"].width
        data = rows(ws)
        assert ws.auto_filter.ref == f"A1:C{len(data) + 1}"
        assert all(ws.cell(r, 3).number_format == money_format("EUR") for r in range(2, len(data) + 2))
        seen += [r["N"] for r in data]
    assert seen == list(range(1, 10))
    last = book["Things (3)"]
    assert [last["A4"].value, last["C4"].value] == ["Total", "=SUM('Things'!C2:C5,'Things (2)'!C2:C5,'Things (3)'!C2:C2)"]
    assert last["C4"].number_format == money_format("EUR") and last.max_row == 4
    assert _cover_counts(book) == {"Things": 4, "Things (2)": 4, "Things (3)": 1}
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_table_that_fills_its_sheet_makes_no_further_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows and totals that fill the sheet exactly stay on it; rows that fill it leave the totals, which cannot
    follow, to a sheet of their own (header and totals); by currency, SUMIFS over each sheet added up."""
    from invoicer.documents.ledger import write_workbook

    monkeypatch.setattr("invoicer.documents.ledger.MAX_SHEET_ROWS", 5)
    write_workbook(_things(2), tmp_path / "two.xlsx")  # header, 2 rows, a blank row and the total: 5
    book = openpyxl.load_workbook(tmp_path / "two.xlsx")
    assert book.sheetnames == ["Cover", "Things"] and book["Things"]["C5"].value == "=SUM(C2:C3)"
    write_workbook(_things(4), tmp_path / "four.xlsx")
    book = openpyxl.load_workbook(tmp_path / "four.xlsx")
    assert book.sheetnames == ["Cover", "Things", "Things (2)"] and len(rows(book["Things"])) == 4
    totals = book["Things (2)"]
    assert [c.value for c in totals[1]] == ["N", "Currency", "Amount"] and totals["A2"].value is None
    assert [totals["A3"].value, totals["C3"].value] == ["Total", "=SUM('Things'!C2:C5)"]
    assert totals.auto_filter.ref is None and _cover_counts(book) == {"Things": 4, "Things (2)": 0}
    monkeypatch.setattr("invoicer.documents.ledger.MAX_SHEET_ROWS", 8)
    write_workbook(_things(9, ("EUR", "USD")), tmp_path / "mixed.xlsx")
    last = openpyxl.load_workbook(tmp_path / "mixed.xlsx")["Things (2)"]
    assert [last["A5"].value, last["C5"].value] == [
        "Total EUR", "=SUMIFS('Things'!C2:C8,'Things'!B2:B8,\"EUR\")+SUMIFS('Things (2)'!C2:C3,'Things (2)'!B2:B3,\"EUR\")"]
    assert last["A6"].value == "Total USD"


def test_continued_sheet_titles_keep_their_number_within_31_characters() -> None:
    from invoicer.documents.ledger import continued_title

    assert continued_title("Lines", 2) == "Lines (2)"
    assert continued_title("Offene Posten nach Alter, Kunden", 12) == "Offene Posten nach Alter, (12)"
    assert continued_title("Offene Posten nach Alter und Kunde", 12) == "Offene Posten nach Alter u (12)"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_adds_up_a_table_over_its_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from invoicer.documents.ledger import write_workbook

    monkeypatch.setattr("invoicer.documents.ledger.MAX_SHEET_ROWS", 5)
    write_workbook(_things(9, ("EUR", "USD")), tmp_path / "book.xlsx")
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(tmp_path / "book.xlsx")],
        check=True, capture_output=True, timeout=180,
    )
    book = openpyxl.load_workbook(tmp_path / "out" / "book.xlsx", data_only=True)
    totals = {r[0]: r[2] for ws in book.worksheets[1:] for r in ws.iter_rows(values_only=True)
              if str(r[0]).startswith("Total")}
    assert {k: money(v) for k, v in totals.items()} == {"Total EUR": Decimal(20), "Total USD": Decimal(25)}
