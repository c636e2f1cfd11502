"""The date of supply or service period (EU VAT Art. 226(7)): stored, validated, frozen at finalize, chained,
carried by credit notes and not copied by a duplicate."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import audit, credit_notes, integrity, invoices
from invoicer.services.invoices import LineData

from .helpers import make_draft, make_open

NOVEMBER = {"period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31)}


def test_an_invoice_keeps_its_date_of_supply_period_and_line_periods(seller: Database, customer_id: int) -> None:
    lines = [LineData("Hosting", "1", "49.90", "S", "19", period_start=date(2026, 10, 1), period_end=date(2026, 10, 15)),
             LineData("Setup", "1", "100", "S", "19")]
    invoice_id = make_open(seller, customer_id, delivery_date=date(2026, 10, 20), lines=lines, **NOVEMBER)
    with transaction(seller.readonly_sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.delivery_date, inv.period_start, inv.period_end) == (date(2026, 10, 20), *NOVEMBER.values())
        assert [(x.period_start, x.period_end) for x in inv.lines] == [(date(2026, 10, 1), date(2026, 10, 15)),
                                                                       (None, None)]
        content = audit.document_content(inv)
        assert content["service"] == ["2026-10-20", "2026-10-01", "2026-10-31"]
        assert content["line_periods"] == [[1, "2026-10-01", "2026-10-15"]]
        assert integrity.verify(s).ok


def test_an_invoice_without_service_dates_hashes_as_before(seller: Database, customer_id: int) -> None:
    with transaction(seller.readonly_sessions) as s:
        content = audit.document_content(invoices.get_invoice(s, make_draft(seller, customer_id)))
    assert "service" not in content and "line_periods" not in content


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"period_start": date(2026, 10, 31), "period_end": date(2026, 10, 1)},
         r"The service period ends \(2026-10-01\) before it starts \(2026-10-31\)\."),
        ({"period_start": date(2026, 10, 1)}, r"A service period needs a first and a last day\."),
        ({"lines": [LineData("Hosting", "1", "9", "S", "19", period_start=date(2026, 2, 1), period_end=date(2026, 1, 1))]},
         r"line 1: the service period ends \(2026-01-01\) before it starts \(2026-02-01\)\."),
        ({"lines": [LineData("Hosting", "1", "9", "S", "19", period_end=date(2026, 1, 1))]},
         r"line 1: a service period needs a first and a last day\."),
        ({"lines": [LineData("Hosting", "1", "9", "S", "19", period_start=date(2026, 10, 1),
                             period_end=date(2026, 11, 30))], **NOVEMBER},
         r"line 1: its service period \(2026-10-01 to 2026-11-30\) lies outside the invoice's \(2026-10-01 to "
         r"2026-10-31\)\."),
    ],
)
def test_a_period_that_ends_before_it_starts_is_refused(
    seller: Database, customer_id: int, kw: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_draft(seller, customer_id, **kw)


@pytest.mark.sqlite_only  # writes the SQLite file behind the app (tests/postgres checks the server triggers)
def test_the_service_dates_of_a_finalized_invoice_are_frozen_in_the_database(
    seller: Database, customer_id: int
) -> None:
    lines = [LineData("Hosting", "1", "49.90", "S", "19", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))]
    invoice_id = make_open(seller, customer_id, delivery_date=date(2026, 10, 20), lines=lines, **NOVEMBER)
    raw = sqlite3.connect(seller.path)
    try:
        for sql in ("UPDATE invoices SET delivery_date = '2026-10-21' WHERE id = ?",
                    "UPDATE invoices SET period_start = NULL WHERE id = ?",
                    "UPDATE invoices SET period_end = '2026-11-30' WHERE id = ?",
                    "UPDATE invoice_lines SET period_end = '2026-11-30' WHERE invoice_id = ?"):
            with pytest.raises(sqlite3.DatabaseError, match="frozen"):
                raw.execute(sql, (invoice_id,))
    finally:
        raw.close()


def test_a_credit_note_states_the_supply_it_corrects_and_a_copy_starts_without_dates(
    seller: Database, customer_id: int
) -> None:
    lines = [LineData("Hosting", "1", "49.90", "S", "19", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))]
    invoice_id = make_open(seller, customer_id, delivery_date=date(2026, 10, 20), lines=lines, **NOVEMBER)
    with transaction(seller.sessions) as s:
        line_id = invoices.get_invoice(s, invoice_id).lines[0].id
        note = credit_notes.issue_credit_note(s, invoice_id, lines=[credit_notes.CreditLine(line_id, 1)])
        copy = invoices.duplicate_invoice(s, invoice_id)
    with transaction(seller.readonly_sessions) as s:
        credit = invoices.get_invoice(s, note.credit_note_id, None)
        assert (credit.delivery_date, credit.period_start, credit.period_end) == (date(2026, 10, 20), *NOVEMBER.values())
        assert (credit.lines[0].period_start, credit.lines[0].period_end) == (date(2026, 10, 1), date(2026, 10, 31))
        dup = invoices.get_invoice(s, copy)
        assert (dup.delivery_date, dup.period_start, dup.lines[0].period_start) == (None, None, None)


def test_a_json_draft_states_its_service_dates_on_the_document(seller: Database, customer_id: int) -> None:
    from invoicer.services import documents, drafts

    data = drafts.draft_from_json({
        "customer": customer_id, "issue_date": "2026-11-02", "delivery_date": "2026-10-20",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "lines": [{"description": "Hosting", "unit_price": "49.90", "tax": {"rate": "19"},
                   "period": {"start": "2026-10-01", "end": "2026-10-15"}}],
    }, "draft.json")
    with transaction(seller.sessions) as s:
        doc = documents.document_data(s, invoices.get_invoice(s, drafts.create_draft(s, data)))
    assert (doc.delivery_date, doc.period_start, doc.period_end) == (date(2026, 10, 20), *NOVEMBER.values())
    assert (doc.lines[0].period_start, doc.lines[0].period_end) == (date(2026, 10, 1), date(2026, 10, 15))


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        ({"period": {"start": "2026-10-01"}}, r"draft.json: period: 'end' is missing\."),
        ({"period": {"start": "2026-10-01", "end": "2026-10-31", "until": "x"}},
         r"draft.json: period: unknown key 'until'\."),
        ({"delivery_date": "20.10.2026"}, r"draft.json: 'delivery_date' is not a date; use YYYY-MM-DD\."),
    ],
)
def test_a_json_draft_with_a_wrong_service_date_is_refused_naming_the_key(
    customer_id: int, draft: dict[str, object], message: str
) -> None:
    from invoicer.services import drafts

    with pytest.raises(ValidationError, match=message):
        drafts.draft_from_json({"customer": customer_id, **draft, "lines": []}, "draft.json")
