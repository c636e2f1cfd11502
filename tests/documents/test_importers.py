"""Reading import files: encodings, delimiters, line numbers, xlsx cells, header guessing."""

from __future__ import annotations

from datetime import date
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
    ("c.pdf", b"%PDF", "only .csv and .xlsx"),
    ("c.csv", b"", "is empty"),
    ("c.csv", b"\n \n", "is empty"),
    ("c.xlsx", b"not a zip", "not a readable .xlsx"),
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
