"""The ledger's tables as CSV files for other tools: UTF-8, RFC 4180 (CRLF, minimal quoting), ISO dates, '.' decimals."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from invoicer.core.errors import N_, InvoicerError
from invoicer.core.money import format_minor
from invoicer.documents.tables import Kind, Ledger, Progress, ProgressCounter, Table


def _text(value: Any, _row: Sequence[Any]) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # never exponent notation such as 1E+2
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _money_in(currency_column: int) -> Callable[[Any, Sequence[Any]], str]:
    """Minor units written in the currency the row holds in ``currency_column``."""
    return lambda value, row: format_minor(value, row[currency_column])


def _converters(table: Table, company_currency: str) -> list[Callable[[Any, Sequence[Any]], str]]:
    found: list[Callable[[Any, Sequence[Any]], str]] = []
    for column in table.columns:
        if column.kind == Kind.MONEY:
            assert column.currency_column is not None
            found.append(_money_in(column.currency_column))
        elif column.kind == Kind.COMPANY_MONEY:
            found.append(lambda value, _row: format_minor(value, company_currency))
        elif column.kind == Kind.MONTH:
            found.append(lambda value, _row: value.isoformat()[:7])
        elif column.free_text:
            found.append(_typed_text)
        else:
            found.append(_text)
    return found


#: what makes a spreadsheet read a CSV cell as a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _typed_text(value: Any, row: Sequence[Any]) -> str:
    """Text typed by users, kept as text when a spreadsheet opens the file: a leading ' where it could start a
    formula (a customer named ``=HYPERLINK(…)``)."""
    text = _text(value, row)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_table(table: Table, path: Path, company_currency: str, counter: ProgressCounter) -> int:
    """One table as one CSV file (header = the columns' stable keys); returns the number of rows."""
    converters = _converters(table, company_currency)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([column.key for column in table.columns])
        for row in table.rows():
            writer.writerow(
                ["" if value is None else convert(value, row) for value, convert in zip(row, converters, strict=True)]
            )
            count += 1
            counter.step()
    return count


def write_tables(ledger: Ledger, folder: Path, progress: Progress | None = None) -> list[Path]:
    """Every table of the ledger as ``<name>.csv`` in ``folder``. The files appear together once all are
    complete: a stopped or failed export leaves the folder as it was."""
    counter = ProgressCounter(ledger.size, progress)
    partials: dict[Path, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for table in ledger.tables:
            partial = folder / f".{table.name}.csv.part"
            partials[partial] = folder / f"{table.name}.csv"
            write_table(table, partial, ledger.company_currency, counter)
        counter.finish()
        for partial, target in partials.items():
            os.replace(partial, target)
    except OSError as exc:
        _discard(partials)
        raise InvoicerError(
            N_("The CSV files cannot be written to {folder}: {reason}."), folder=folder, reason=str(exc.strerror or exc)
        ) from None
    except BaseException:
        _discard(partials)
        raise
    return list(partials.values())


def _discard(partials: dict[Path, Path]) -> None:
    for partial in partials:
        partial.unlink(missing_ok=True)
