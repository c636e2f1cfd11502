"""Importing customers and products: validation per row with line numbers, all-or-nothing, no duplicates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent, Customer, Product, TaxRate
from invoicer.documents.importers import read_table
from invoicer.services.imports import ImportReport, import_customers, import_products
from invoicer.services.taxes import add_tax_rate

CUSTOMERS = (
    "Firma;E-Mail;Straße;PLZ;Ort;Land;USt-IdNr;Zahlungsziel\r\n"
    "Bäckerei Süß;info@baeckerei.example;Hauptstr. 1;10115;Berlin;DE;DE136695976;14\r\n"
    "Dupont SARL;compta@dupont.example;1 rue X;75001;Paris;France;FR40303265045;\r\n"
    "Acme Ltd;ap@acme.example;;;;GB;;30\r\n"
)


def write(tmp_path: Path, text: str, name: str = "c.csv", encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_customers(db: Database, path: Path, **options: object) -> ImportReport:
    with transaction(db.sessions) as s:
        return import_customers(s, read_table(path), **options)  # type: ignore[arg-type]


def run_products(db: Database, path: Path, **options: object) -> ImportReport:
    with transaction(db.sessions) as s:
        return import_products(s, read_table(path), **options)  # type: ignore[arg-type]


def count(db: Database, model: type) -> int:
    with db.readonly_sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_customers_imported_with_guessed_columns(seller: Database, tmp_path: Path) -> None:
    report = run_customers(seller, write(tmp_path, CUSTOMERS))
    assert (report.rows, report.created, report.errors, report.imported) == (3, 3, [], True)
    with seller.readonly_sessions() as s:
        found = {c.name: c for c in s.scalars(select(Customer))}
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert found["Bäckerei Süß"].terms_days == 14 and found["Bäckerei Süß"].city == "Berlin"
    assert found["Dupont SARL"].country == "FR"  # a country name becomes its code
    assert found["Dupont SARL"].terms_days == 30  # the default terms
    assert found["Acme Ltd"].currency == "EUR"
    assert len(events) == 1


def test_importing_twice_creates_no_duplicates(seller: Database, tmp_path: Path) -> None:
    path = write(tmp_path, CUSTOMERS)
    run_customers(seller, path)
    again = run_customers(seller, path)
    assert (again.created, len(again.existing), again.imported) == (0, 3, False)
    assert str(again.existing[0]) == "line 2: email info@baeckerei.example exists already; left as it is"
    assert count(seller, Customer) == 3
    by_name = run_customers(seller, path, key="name")
    assert by_name.created == 0 and count(seller, Customer) == 3


def test_bad_rows_are_reported_and_nothing_is_imported(seller: Database, tmp_path: Path) -> None:
    text = CUSTOMERS + (
        "No Country;x@y.example;;;;;;\r\n"
        "Bad Mail;not-an-email;;;;DE;;\r\n"
        "Bad VAT;v@y.example;;;;DE;DE123;\r\n"
        ";n@y.example;;;;DE;;\r\n"
        "Bad Terms;t@y.example;;;;DE;;soon\r\n"
        "Twice;info@baeckerei.example;;;;DE;;\r\n"
    )
    report = run_customers(seller, write(tmp_path, text))
    assert [(p.line, p.message) for p in report.errors] == [
        (5, "Country is required."),
        (6, "'not-an-email' is not an email address."),
        (7, "'DE123' is not a valid VAT ID for DE."),
        (8, "Name is required."),
        (9, "payment terms 'soon' are not a whole number of days."),
        (10, "the same email (info@baeckerei.example) as line 2"),
    ]
    assert not report.imported and count(seller, Customer) == 0
    assert "Nothing was imported" in report.summary()
    valid = run_customers(seller, write(tmp_path, text), valid_only=True)
    assert valid.imported and valid.created == 3 and count(seller, Customer) == 3


def test_dry_run_checks_without_importing(seller: Database, tmp_path: Path) -> None:
    report = run_customers(seller, write(tmp_path, CUSTOMERS), dry_run=True)
    assert report.created == 3 and not report.imported
    assert count(seller, Customer) == 0


def test_match_on_vat_id_needs_one(seller: Database, tmp_path: Path) -> None:
    report = run_customers(seller, write(tmp_path, CUSTOMERS), key="vat_id")
    assert [(p.line, p.message) for p in report.errors] == [
        (4, "there is no VAT ID to match on (the import matches by VAT ID).")
    ]
    with pytest.raises(ValidationError, match="matched by email, vat_id or name"):
        run_customers(seller, write(tmp_path, CUSTOMERS), key="phone")


def test_windows_1252_comma_file_with_explicit_mapping(seller: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "Kunde,Adresse,Staat\r\nJosé Núñez,\"Calle 1, 2º\",ES\r\n", encoding="cp1252")
    report = run_customers(seller, path, mapping={"name": 0, "address": 1, "country": 2}, key="name")
    assert report.imported
    with seller.readonly_sessions() as s:
        customer = s.scalar(select(Customer))
    assert (customer.name, customer.address, customer.country) == ("José Núñez", "Calle 1, 2º", "ES")


def test_a_required_column_must_be_mapped(seller: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="No column is chosen for: Country"):
        run_customers(seller, write(tmp_path, "Name,Email\r\nA,a@b.example\r\n"))


def test_products_from_xlsx(seller: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Product", "Description", "Unit", "Price", "VAT"])
    ws.append(["Consulting", "per hour", "hour", 120, "19 %"])
    ws.append(["Book", None, "piece", 12.35, "S 7"])
    ws.append(["Export service", None, None, "1.234,50", "G 0"])
    ws.append(["Exempt course", None, None, 99.9, "0"])
    ws.append(["Gadget", None, "bucket", 1, 19])
    ws.append(["Free", None, None, "abc", None])
    wb.save(path)
    report = run_products(seller, path)
    assert [(p.line, p.message) for p in report.errors] == [
        (5, "a 0 % tax rate needs its VAT category (Z, E, AE, K, G or O)."),
        (6, "Unknown unit 'bucket' (use e.g. piece, hour, day, month, kg, m, or a UN/ECE code like HUR)."),
        (7, "unit price: 'abc' is not a number."),
    ]
    assert count(seller, Product) == 0 and count(seller, TaxRate) == 0  # nothing, not even tax rates
    report = run_products(seller, path, valid_only=True)
    assert report.created == 3
    with seller.readonly_sessions() as s:
        found = {p.name: (p.unit, p.unit_price, s.get(TaxRate, p.tax_rate_id)) for p in s.scalars(select(Product))}
    assert found["Consulting"][:2] == ("HUR", Decimal(120))
    assert (found["Consulting"][2].category, found["Consulting"][2].rate) == ("S", Decimal(19))
    assert found["Book"][1] == Decimal("12.35") and found["Book"][2].rate == Decimal(7)
    assert found["Export service"][1] == Decimal("1234.50") and found["Export service"][2].category == "G"
    assert run_products(seller, path, valid_only=True).created == 0  # again: no duplicates


def test_products_by_tax_rate_name_and_semicolon_decimals(seller: Database, tmp_path: Path) -> None:
    with transaction(seller.sessions) as s:
        reduced = add_tax_rate(s, "Reduced", "7")
    path = write(tmp_path, "Name;Preis;Steuersatz\r\nA;12,5;VAT 19 %\r\nB;1.000,00;Reduced\r\nC;1;MwSt. 19%\r\n")
    report = run_products(seller, path)
    assert report.imported and report.created == 3
    with seller.readonly_sessions() as s:
        prices = dict(s.execute(select(Product.name, Product.unit_price)).all())
        rates = dict(s.execute(select(Product.name, Product.tax_rate_id)).all())
    assert prices == {"A": Decimal("12.5"), "B": Decimal("1000.00"), "C": Decimal(1)}
    assert rates["B"] == reduced and rates["A"] == rates["C"] != reduced  # C found the rate A created
    with pytest.raises(ValidationError, match="matched by name"):
        run_products(seller, path, key="email")




def test_german_prices_in_a_comma_separated_file_are_not_read_100_times_too_high(seller: Database,
                                                                                  tmp_path: Path) -> None:
    # the company's locale is de_DE; a comma-separated file quotes the German decimal comma
    path = write(tmp_path, 'Name,Preis,MwSt\r\nA,"12,50",19\r\nB,"1.234,50",7\r\n')
    assert run_products(seller, path).created == 2
    with seller.readonly_sessions() as s:
        prices = dict(s.execute(select(Product.name, Product.unit_price)).all())
    assert prices == {"A": Decimal("12.50"), "B": Decimal("1234.50")}


@pytest.mark.parametrize(("price", "expected"), [
    ("1\u202f234,50", "1234.50"),  # French grouping: narrow no-break space
    ("1\u00a0234,50", "1234.50"),
    ("1'234.50", "1234.50"),  # Swiss
    ("CHF 1’234.50", "1234.50"),
])
def test_grouping_by_spaces_and_apostrophes(seller: Database, tmp_path: Path, price: str, expected: str) -> None:
    path = write(tmp_path, f"Name;Preis\r\nA;{price}\r\n")
    assert run_products(seller, path).created == 1
    with seller.readonly_sessions() as s:
        assert s.scalar(select(Product.unit_price)) == Decimal(expected)


@pytest.mark.parametrize("price", ["(12,50)", "12,50-"])
def test_accounting_negatives_are_negative_not_positive(seller: Database, tmp_path: Path, price: str) -> None:
    report = run_products(seller, write(tmp_path, f"Name;Preis\r\nRefund;{price}\r\nOther;1,00\r\n"))
    assert [(p.line, p.message) for p in report.errors] == [(2, "A unit price cannot be negative.")]
    assert count(seller, Product) == 0


def test_unreadable_and_ambiguous_numbers_are_row_errors(seller: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Price,VAT\r\nA,10,1.2.3\r\nB,\"1,234\",19\r\nC,5,19\r\n")
    report = run_products(seller, path)
    assert [(p.line, p.message) for p in report.errors] == [
        (2, "tax rate: '1.2.3' is not a number."),
        (3, "unit price: '1,234' could be 1.234 or 1234; the file does not show which separator is the decimal "
            "one (write it without a thousands separator)."),
    ]
    assert not report.imported and count(seller, Product) == 0


def test_bytes_windows_1252_leaves_undefined_are_reported(seller: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("Name;Preis\r\nMüller Tee;1,00\r\nCaf\x81;2,00\r\nPlain;3,00\r\n".encode("latin-1"))
    report = run_products(seller, path)
    assert report.imported and report.created == 3
    assert [p.line for p in report.warnings] == [3]
    assert "Windows-1252" in report.warnings[0].message and "1 with characters replaced" in report.summary()
