"""Reading import files: encodings, delimiters, line numbers, xlsx cells, header guessing."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from invoicer.documents.importers import ImportFileError, guess_mapping, read_table

HEADER = "Name;E-Mail;Land\r\n"


@pytest.mark.parametrize(("data", "encoding"), [
    ((HEADER + "Müller GmbH;m@example.de;DE\r\n").encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + (HEADER + "Müller GmbH;m@example.de;DE\r\n").encode("utf-8"), "utf-8-sig"),
    ((HEADER + "Müller GmbH;m@example.de;DE\r\n").encode("cp1252"), "cp1252"),
    ((HEADER + "Müller GmbH;m@example.de;DE\r\n").encode("utf-16"), "utf-16"),
])
def test_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    table = read_table(path)
    assert table.encoding == encoding
    assert table.headers == ("Name", "E-Mail", "Land")
    assert table.rows[0].values == ("Müller GmbH", "m@example.de", "DE")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "c.csv"
    rows = [["name", "price", "note"], ["A", "1.5", "x"], ["B", "2", "y z"]]
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == delimiter
    assert [r.values for r in table.rows] == [("A", "1.5", "x"), ("B", "2", "y z")]


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('name,notes\n\n"A","two\nlines"\nB,plain\n', encoding="utf-8")
    table = read_table(path)
    assert [(r.line, r.values[0]) for r in table.rows] == [(3, "A"), (5, "B")]
    assert table.rows[0].values[1] == "two\nlines"


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Product", "Price", "Since", "Code"])
    ws.append([])
    ws.append(["Widget", 12.5, date(2024, 1, 2), 10115])
    wb.save(path)
    table = read_table(path)
    assert table.headers == ("Product", "Price", "Since", "Code")
    assert table.rows[0].line == 3
    assert table.rows[0].values == ("Widget", "12.5", "2024-01-02", "10115")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("c.pdf", b"%PDF", "only .csv, .xlsx, .xls and .ods"),
    ("c.csv", b"", "is empty"),
    ("c.csv", b"\n \n", "is empty"),
    ("c.xlsx", b"not a zip", "not a readable workbook"),
    ("c.ods", b"not a zip", "not a readable workbook"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        read_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="cannot be read"):
        read_table(tmp_path / "nope.csv")


def test_guess_mapping_by_synonyms() -> None:
    headers = ["Firma", "E-Mail ", "PLZ", "Land", "Notes"]
    synonyms = {"name": ("firma",), "email": ("mail",), "postcode": ("zip", "plz"), "country": ("land",),
                "city": ("ort",)}
    assert guess_mapping(headers, synonyms) == {"name": 0, "email": 1, "postcode": 2, "country": 3}


def _ods(path: Path, rows: list[list[object]]) -> None:
    """A minimal OpenDocument spreadsheet, written by hand (no ODS writer is a dependency)."""
    def cell(value: object) -> str:
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>' \
                   "</table:table-cell>"
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="S">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)


def test_ods_workbooks_are_read(tmp_path: Path) -> None:
    path = tmp_path / "p.ods"
    _ods(path, [["Product", "Price"], ["Widget", 1.234], ["Gadget", "12,50"]])
    table = read_table(path)
    assert table.headers == ("Product", "Price")
    assert [(r.line, r.values) for r in table.rows] == [(2, ("Widget", "1.234")), (3, ("Gadget", "12,50"))]
    assert table.rows[0].number(1) == Decimal("1.234") and table.rows[1].number(1) is None


def test_numbers_a_workbook_stores_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Product", "Price"])
    wb.active.append(["Tiny", 0.00001])
    wb.save(path)
    row = read_table(path).rows[0]
    assert row.values[1] == "0.00001" and row.number(1) == Decimal("0.00001")
