"""`invoicer export ledger|csv` and `invoicer import customers|products` through a real subprocess."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.cli.invocations import ok, run, user_error


def test_export_ledger_and_csv(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "FR", "--vat-id", "FR40303265045")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2024-05-02",
               "--line", "Consulting|3|120.00|19")["id"]
    ok(data, "invoice", "finalize", str(draft))
    out = ok(data, "export", "ledger", "-o", str(tmp_path / "l.xlsx"), "--from", "2024-05-01", "--to", "2024-05-31")
    wb = openpyxl.load_workbook(out["path"])
    assert wb["Invoices"]["J2"].value == 428.40 and wb["Invoices"]["J2"].number_format == '#,##0.00 "EUR"'
    files = ok(data, "export", "csv", "-o", str(tmp_path / "csv"), "--from", "2024-05-01", "--to", "2024-05-31")
    assert len(files["files"]) == 7
    assert "INV-2024-00001" in (tmp_path / "csv" / "invoices.csv").read_text(encoding="utf-8")
    assert "start date is after the end date" in user_error(
        data, "export", "ledger", "-o", str(tmp_path / "x.xlsx"), "--from", "2024-06-01", "--to", "2024-05-01")


def test_import_customers_bad_rows_exit_2(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name;E-Mail;Land\nA GmbH;a@a.example;DE\nB;bad;DE\n", encoding="utf-8")
    result = run(data, "import", "customers", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{path}: line 3: 'bad' is not an email address."
    assert ok(data, "customer", "list") == []
    report = ok(data, "import", "customers", str(path), "--valid-only")
    assert (report["created"], report["imported"], report["errors"][0]["line"]) == (1, True, 3)
    again = ok(data, "import", "customers", str(path), "--valid-only", "--key", "name")
    assert again["created"] == 0 and len(again["existing"]) == 1


def test_import_products(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Product,Price,VAT\nConsulting,120.00,19\n", encoding="utf-8")
    assert ok(data, "import", "products", str(path))["created"] == 1
    assert [p["name"] for p in ok(data, "product", "list")] == ["Consulting"]
    assert "only .csv, .xlsx, .xls and .ods" in user_error(data, "import", "products", str(tmp_path / "p.pdf"))


def test_import_products_bad_number_is_a_row_error_not_a_crash(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Product,Price,VAT\nConsulting,120.00,1.2.3\n", encoding="utf-8")
    result = run(data, "import", "products", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{path}: line 2: tax rate: '1.2.3' is not a number."


def test_import_names_the_rows_whose_characters_were_replaced(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"Product;Price\nTee \x81;1,00\nCoffee;2,00\n")
    result = run(data, "import", "products", str(path))
    assert result.returncode == 0
    assert result.stderr.startswith(f"{path}: line 2: some bytes are no character in Windows-1252")
    report = ok(data, "import", "products", str(path), "--dry-run")
    assert [w["line"] for w in report["warnings"]] == [2]
