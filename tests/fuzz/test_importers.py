"""The CSV and workbook importers fed hostile files: a report with row errors or a clear refusal, never an
unexpected exception; all-or-nothing unless the valid rows are asked for."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from invoicer.core.errors import InvoicerError
from invoicer.db.migrate import Database
from invoicer.documents.importers import read_csv_bytes, read_table
from invoicer.services import imports, store
from tests.fuzz.harness import any_text, fingerprint, fuzz, hostile_text, number_texts, stocked_folder

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8", "surrogatepass"),
    "utf-8-sig": lambda t: codecs.BOM_UTF8 + t.encode("utf-8", "surrogatepass"),
    "utf-16": lambda t: t.encode("utf-16"),
    "cp1252": lambda t: t.encode("cp1252", "replace"),
    "latin-1": lambda t: t.encode("latin-1", "replace"),
}
HEADERS = [["name", "country", "email", "vat_id", "terms_days", "currency"],
           ["name", "unit_price", "tax_rate", "unit", "tax_category"], ["Firma", "Land", "E-Mail"]]
cell = st.one_of(hostile_text, number_texts, st.sampled_from(["DE", "FR", "a@b.de", "x" * 1_000_000, "\x00"]))


def csv_text(headers: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("imports") / "data"
    stocked_folder(folder)
    return folder


def import_file(folder: Path, path: Path, what: str, valid_only: bool) -> None:
    """``invoicer import WHAT FILE``: exit 0 or 2 (its row errors may take several lines), and nothing written
    when a row is bad and the valid rows were not asked for."""
    from tests.cli.invocations import run

    before = fingerprint(folder)
    result = run(folder, "import", what, str(path), *(["--valid-only"] if valid_only else []))
    assert "Traceback" not in result.stderr and result.returncode in (0, 2), (result.returncode, result.stderr)
    if result.returncode == 2:
        assert fingerprint(folder) == before, "a refused import changed the database"


@fuzz
@given(headers=st.sampled_from(HEADERS), rows=st.lists(st.lists(cell, max_size=8), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t", "|", ":", " "]), encoding=st.sampled_from(sorted(ENCODINGS)),
       what=st.sampled_from(["customers", "products"]), valid_only=st.booleans())
def test_csv_files(stock: Path, tmp_path_factory: pytest.TempPathFactory, headers: list[str],
                   rows: list[list[str]], delimiter: str, encoding: str, what: str, valid_only: bool) -> None:
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    path.write_bytes(ENCODINGS[encoding](csv_text(headers, rows, delimiter)))
    import_file(stock, path, what, valid_only)


@fuzz
@given(data=st.binary(max_size=2000), what=st.sampled_from(["customers", "products"]))
def test_random_bytes(stock: Path, tmp_path_factory: pytest.TempPathFactory, data: bytes, what: str) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    for name in ("list.csv", "list.xlsx"):
        (folder / name).write_bytes(data)
        import_file(stock, folder / name, what, False)


workbook_cell = st.one_of(
    any_text, st.integers(-(10**30), 10**30), st.floats(allow_nan=False), st.dates(), st.datetimes(),
    st.booleans(), st.none(),
    st.sampled_from(["=1/0", "=NA()", "=SUM(A1:A3)", "=HYPERLINK(\"x\")", "#DIV/0!", "#VALUE!", "@SUM(A1)", 1e308,
                     10**20, -0.0]),
)


@fuzz
@given(headers=st.sampled_from(HEADERS), rows=st.lists(st.lists(workbook_cell, max_size=6), max_size=5),
       what=st.sampled_from(["customers", "products"]), valid_only=st.booleans())
def test_workbooks(stock: Path, tmp_path_factory: pytest.TempPathFactory, headers: list[str],
                   rows: list[list[object]], what: str, valid_only: bool) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        # openpyxl refuses control characters in cells: a real workbook never holds them
        sheet.append([c.translate({i: None for i in range(32)}) if isinstance(c, str) else c for c in row])
    path = tmp_path_factory.mktemp("xlsx") / "list.xlsx"
    book.save(path)
    import_file(stock, path, what, valid_only)


def test_hundred_thousand_rows_read_and_one_more_refused() -> None:
    header = "name,country,email\n"
    body = "".join(f"Firma {i},DE,f{i}@example.com\n" for i in range(100_000))
    assert len(read_csv_bytes((header + body).encode()).rows) == 100_000
    with pytest.raises(InvoicerError, match="more than 100,000 rows"):
        read_csv_bytes((header + body + "Firma X,DE,x@example.com\n").encode())


def test_nul_bytes_and_megabyte_cells_are_refused_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"name,country\nA\x00B,DE\n")
    with pytest.raises(InvoicerError, match="not a text"):
        read_table(path)
    path.write_text("name,country,email\nA,DE,a@example.com\n" + "x" * 1_000_000 + ",DE,b@example.com\n")
    with pytest.raises(InvoicerError, match="line 3: field larger than field limit"):
        read_table(path)


def test_a_long_name_is_a_row_error_and_stops_the_import(seller: Database, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("name,country,email\n" + "x" * 100_000 + ",DE,a@example.com\nB,DE,b@example.com\n")
    report = store.write(seller, lambda s: imports.import_customers(s, read_table(path)))
    assert [e.line for e in report.errors] == [2] and not report.imported  # all-or-nothing
