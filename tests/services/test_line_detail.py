"""What real invoices contain (issue 11), entered through `--from-json`: any UN/ECE unit, negative lines, price
base quantities, gross prices with price discounts, several line allowances and charges with reason codes,
document allowances and charges in percent of a base, zero allowances, a rounding amount and the type codes
384 and 389; computed to the cent, valid under the official rules in every format, frozen once finalized."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from sqlalchemy import select

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import InvoiceLineAllowance
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.services import (
    company,
    credit_notes,
    customers,
    documents,
    drafts,
    einvoicing,
    integrity,
    invoices,
)
from invoicer.services.credit_notes import CreditLine
from tests.services.helpers import refused_by_database, tamper

S19 = {"category": "S", "rate": "19"}
S7 = {"category": "S", "rate": "7"}
FORMATS = (EInvoiceFormat.FACTURX, EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL, EInvoiceFormat.PEPPOL)


def rich_draft(customer_id: int, **changes: Any) -> dict[str, Any]:
    """Figures worked by hand in the comments (EUR)."""
    return {
        "customer": customer_id, "issue_date": "2026-11-20", "buyer_reference": "04011000-12345-03",
        "type_code": "384", "preceding_invoice": {"number": "RE-2026-00007", "issue_date": "2026-11-02"},
        "lines": [
            # 1500 kWh at 25.00 per 100 kWh = 375.00
            {"description": "Electricity", "quantity": "1500", "unit": "KWH", "unit_price": "25.00",
             "price_base": "100", "tax": S19},
            # 3 x 12.3456 = 37.0368 -> 37.04; 10 % off (3.70), freight 2.50 on: 35.84; gross price 13.00
            {"description": "Pallet", "quantity": "3", "unit": "XPP", "unit_price": "12.3456", "gross_price": "13.00",
             "allowances": [{"percent": "10", "reason": "Volume discount", "reason_code": "95"}],
             "charges": [{"amount": "2.50", "reason": "Freight", "reason_code": "FC"}], "tax": S19},
            # two pallets taken back: -10.00
            {"description": "Pallet returned", "quantity": "-2", "unit": "XPP", "unit_price": "5.00", "tax": S19},
            # 2 boxes x 9.99 = 19.98 at 7 %
            {"description": "Book box", "quantity": "2", "unit": "XBX", "unit_price": "9.99", "tax": S7},
        ],
        # 2 % of the 19 % lines (400.84) = 8.0168 -> 8.02; a zero allowance; 5 % of 19.98 = 0.999 -> 1.00
        "allowances": [
            {"percent": "2", "base": "400.84", "reason": "Early order", "reason_code": "95", "tax": S19},
            {"amount": "0", "reason": "Loyalty (nothing this time)", "tax": S19},
        ],
        "charges": [{"percent": "5", "base": "19.98", "reason": "Packing", "reason_code": "ABL", "tax": S7}],
        "rounding_amount": "-0.01",
        **changes,
    }


def _public_buyer(db: Database, customer_id: int) -> None:
    """What Peppol and XRechnung ask beyond EN 16931: contacts and electronic addresses; a German buyer, as
    Peppol takes a corrected invoice (384) only between German parties (PEPPOL-EN16931-P0112)."""
    with transaction(db.sessions) as s:
        company.update_company(s, contact="Jana Müller", phone="+49 30 1234567", endpoint_scheme="9930",
                               endpoint_id="DE123456788")
        data = customers.customer_data(customers.get_customer(s, customer_id))
        customers.update_customer(s, customer_id, customers.CustomerData(**{
            **vars(data), "endpoint_scheme": "0009", "endpoint_id": "12345678200016", "city": "Hamburg",
            "postcode": "20095", "address": "Mönckebergstraße 7", "country": "DE", "vat_id": "DE136695976"}))


def _issue(db: Database, raw: dict[str, Any]) -> int:
    with transaction(db.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(raw, "draft.json"))
        invoices.finalize_invoice(s, invoice_id)
    return invoice_id


def test_a_rich_invoice_comes_to_the_cent_and_passes_every_format(seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, rich_draft(customer_id))
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert [line.net for line in inv.lines] == [37500, 3584, -1000, 1998]
        assert (inv.lines[1].gross, inv.lines[1].discount, inv.lines[1].charge) == (3704, 370, 250)
        assert [(a.amount, a.reason_code) for a in inv.lines[1].allowances] == [(370, "95"), (250, "FC")]
        assert [a.amount for a in inv.adjustments] == [802, 0, 100]
        assert (inv.subtotal, inv.allowance_total, inv.charge_total) == (42082, 802, 100)
        assert {(t.rate, t.basis, t.amount) for t in inv.taxes} == {
            (Decimal(19), 39282, 7464), (Decimal(7), 2098, 147)}
        assert (inv.tax_total, inv.total, inv.rounding_amount) == (7611, 48991, -1)
        assert (inv.type_code, inv.preceding_number) == ("384", "RE-2026-00007")
        for fmt in FORMATS:
            _, xml = einvoicing.document_einvoice(s, inv, fmt)
            check = validate(xml, fmt)
            assert check.ok, (fmt, [str(e) for e in check.errors])
            text = xml.decode()
            assert "489.90" in text and "-0.01" in text and "RE-2026-00007" in text and ">384<" in text
            assert 'unitCode="KWH"' in text and "0.6544" in text and "-2" in text


def test_a_self_billed_invoice_is_389_where_the_format_has_it(seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, rich_draft(customer_id, type_code="389", preceding_invoice={"number": "X-1"},
                                           rounding_amount="0"))
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        _, xml = einvoicing.document_einvoice(s, inv, EInvoiceFormat.XRECHNUNG_UBL)
        assert "<cbc:InvoiceTypeCode>389</cbc:InvoiceTypeCode>" in xml.decode()
        # Peppol BIS Billing has no self-billing (its own profile does): refused with the rule, never sent
        with pytest.raises(ValidationError, match="PEPPOL-EN16931-P0100"):
            einvoicing.document_einvoice(s, inv, EInvoiceFormat.PEPPOL)


@pytest.mark.parametrize(("changes", "message"), [
    ({"type_code": "384", "preceding_invoice": None}, "names the invoice it corrects"),
    ({"allowances": [{"percent": "2", "base": "100", "amount": "3", "tax": S19}]}, "not the percent of its base"),
    ({"allowances": [{"amount": "-1", "tax": S19}]}, "cannot be negative"),
])
def test_what_does_not_add_up_is_refused(seller: Database, customer_id: int, changes: dict[str, Any],
                                         message: str) -> None:
    raw = {k: v for k, v in rich_draft(customer_id, **changes).items() if v is not None}
    with pytest.raises(ValidationError, match=message), transaction(seller.sessions) as s:
        drafts.create_draft(s, drafts.draft_from_json(raw, "draft.json"))


def test_reason_codes_come_from_their_code_lists(seller: Database, customer_id: int) -> None:
    raw = rich_draft(customer_id)
    raw["lines"][1]["charges"][0]["reason_code"] = "95"  # an allowance code on a charge
    with pytest.raises(ValidationError, match="UNTDID 7161"), transaction(seller.sessions) as s:
        drafts.create_draft(s, drafts.draft_from_json(raw, "draft.json"))


def test_a_draft_reads_back_as_it_was_entered(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        first = drafts.create_draft(s, drafts.draft_from_json(rich_draft(customer_id), "draft.json"))
        copy = invoices.duplicate_invoice(s, first)
        a, b = invoices.get_invoice(s, first), invoices.get_invoice(s, copy)
        assert (b.total, b.rounding_amount, b.type_code) == (a.total, a.rounding_amount, a.type_code)
        assert [(x.percent, x.base, x.amount) for x in b.adjustments] == [
            (x.percent, x.base, x.amount) for x in a.adjustments]
        assert [x.gross_price for x in b.lines] == [x.gross_price for x in a.lines]


def test_the_database_refuses_changes_of_the_new_detail_once_finalized(seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, rich_draft(customer_id))
    with transaction(seller.sessions) as s:
        line_id = invoices.get_invoice(s, invoice_id).lines[1].id
        extra_id = s.scalars(select(InvoiceLineAllowance.id).where(InvoiceLineAllowance.line_id == line_id)).first()
    for sql in (
        f"UPDATE invoice_line_allowances SET amount = 1 WHERE id = {extra_id}",
        f"DELETE FROM invoice_line_allowances WHERE id = {extra_id}",
        f"INSERT INTO invoice_line_allowances (line_id, position, is_charge, amount, reason) "
        f"VALUES ({line_id}, 9, true, 100, 'x')",
        f"UPDATE invoices SET rounding_amount = 0 WHERE id = {invoice_id}",
        f"UPDATE invoices SET type_code = '380' WHERE id = {invoice_id}",
        f"UPDATE invoices SET preceding_number = 'other' WHERE id = {invoice_id}",
        f"UPDATE invoice_lines SET gross_price = '99' WHERE id = {line_id}",
        f"UPDATE invoice_adjustments SET percent = '3' WHERE invoice_id = {invoice_id}",
    ):
        assert "finalized document is frozen" in refused_by_database(seller, sql)


def test_the_pdf_shows_the_detail_and_asks_for_the_rounded_amount(seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, rich_draft(customer_id))
    with transaction(seller.sessions) as s:
        pdf = documents.frozen_pdf(s, invoice_id)
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for shown in ("Facture rectificative", "RE-2026-00007", "Prix brut 13,00", "remise sur prix 0,6544",
                  "Freight: +2,50", "Arrondi", "489,90", "/ 100",
                  # units by their friendly names (kWh, boîte for XBX), the returned pallets as a negative line, the
                  # line allowance with its reason and percent, document allowances and charges in percent of their
                  # base, the zero allowance
                  "kWh", "boîte", "Pallet returned -2 XPP 5,00 € 19 % -10,00 €", "Volume discount (10 %): −3,70 €",
                  "Early order, 2 % de 400,84 €", "Loyalty (nothing this time) (TVA 19 %) −0,00 €",
                  "Packing, 5 % de 19,98 € (TVA 7 %) 1,00 €"):
        assert shown in text, shown


def test_verify_finds_the_detail_altered_behind_the_triggers(seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, rich_draft(customer_id))
    with transaction(seller.readonly_sessions) as s:
        assert integrity.verify(s, seller.folder).ok
    tamper(seller, f"UPDATE invoices SET rounding_amount = -3 WHERE id = {invoice_id}")
    with transaction(seller.readonly_sessions) as s:
        assert not integrity.verify(s, seller.folder).ok


def test_credit_notes_carry_the_line_detail(seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    raw = {k: v for k, v in rich_draft(customer_id, type_code="380").items() if k != "preceding_invoice"}
    invoice_id = _issue(seller, raw)
    with transaction(seller.sessions) as s:
        line = invoices.get_invoice(s, invoice_id).lines[1]  # 3 pallets: 37.04 - 3.70 + 2.50
        settlement = credit_notes.issue_credit_note(s, invoice_id, lines=[CreditLine(line.id, "1")])
        note = invoices.get_invoice(s, settlement.credit_note_id, "credit_note")
        credited = note.lines[0]
        # a third of the line: 12.35 gross, 10 % off (1.24), a third of the freight (0.83)
        assert (credited.gross, credited.discount, credited.charge, credited.net) == (1235, 124, 83, 1194)
        assert [(c.reason_code, c.amount) for c in credited.allowances] == [("95", 124), ("FC", 83)]
    with transaction(seller.sessions) as s:
        full = credit_notes.issue_credit_note(s, invoice_id, full=True)
        assert full.total > 0
        for note_id in (settlement.credit_note_id, full.credit_note_id):
            note = invoices.get_invoice(s, note_id, "credit_note")
            for fmt in FORMATS:  # each credit note, with its lines' allowances and charges, in every format
                _, xml = einvoicing.document_einvoice(s, note, fmt)
                check = validate(xml, fmt)
                assert check.ok, (fmt, [str(e) for e in check.errors])


def test_a_line_allowance_in_percent_of_a_base_of_its_own(seller: Database, customer_id: int) -> None:
    """BT-137 / BT-142: the percent is taken of the base given, not of the line's amount; on a negative line the base
    counts with the line's sign, as the amount does; a credit of part of the line credits that share of the base."""
    _public_buyer(seller, customer_id)
    raw = {k: v for k, v in rich_draft(customer_id, type_code="380").items() if k != "preceding_invoice"}
    # 3 pallets (37.04): 10 % of a base of 20.00 is 2.00 off (not 3.70), freight 2.50 on: 37.54
    raw["lines"][1]["allowances"] = [{"percent": "10", "base": "20.00", "reason": "Deposit share", "reason_code": "95"}]
    # two pallets taken back (-10.00) with a handling charge of 10 % of a base of 4.00, charged back too: -10.40
    raw["lines"][2]["charges"] = [{"percent": "10", "base": "4.00", "reason": "Handling", "reason_code": "ABL"}]
    invoice_id = _issue(seller, raw)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert [(a.amount, a.base, a.percent) for a in inv.lines[1].allowances] == [
            (200, 2000, Decimal(10)), (250, None, None)]
        assert [(a.amount, a.base) for a in inv.lines[2].allowances] == [(-40, -400)]
        assert (inv.lines[1].net, inv.lines[2].net) == (3754, -1040)
        for fmt in FORMATS:
            _, xml = einvoicing.document_einvoice(s, inv, fmt)
            check = validate(xml, fmt)
            assert check.ok, (fmt, [str(e) for e in check.errors])
            text = xml.decode()
            assert ">20.00</" in text and ">-4.00</" in text and ">-0.40</" in text
        copy = invoices.get_invoice(s, invoices.duplicate_invoice(s, invoice_id))
        assert [(a.amount, a.base) for a in copy.lines[1].allowances] == [(200, 2000), (250, None)]
        settlement = credit_notes.issue_credit_note(s, invoice_id, lines=[CreditLine(inv.lines[1].id, "1")])
        credited = invoices.get_invoice(s, settlement.credit_note_id, "credit_note").lines[0]
        # a third of the base (6.67), 10 % of it: 0.67
        assert (credited.allowances[0].amount, credited.allowances[0].base) == (67, 667)
    with transaction(seller.readonly_sessions) as s:
        assert integrity.verify(s, seller.folder).ok


def test_a_base_without_its_percent_is_refused(seller: Database, customer_id: int) -> None:
    raw = rich_draft(customer_id)
    raw["lines"][1]["allowances"] = [{"amount": "1.00", "base": "20.00"}]
    with pytest.raises(ValidationError, match="base amount needs its percent"), transaction(seller.sessions) as s:
        drafts.create_draft(s, drafts.draft_from_json(raw, "draft.json"))


def test_the_ledger_shows_the_detail_and_journals_the_rounding_apart(seller: Database, customer_id: int) -> None:
    """Issue 11: what real invoices contain is in the ledger too: the price base (BT-149), every line allowance
    and charge, the type code and the rounding amount (BT-114), which the journal posts to its own account."""
    from invoicer.services import ledger

    _public_buyer(seller, customer_id)
    _issue(seller, rich_draft(customer_id))
    with transaction(seller.readonly_sessions) as s:
        tables = {table.name: table for table in ledger.build_ledger(s).tables}

        def sheet(name: str) -> list[dict[str, object]]:
            keys = [column.key for column in tables[name].columns]
            return [dict(zip(keys, row, strict=True)) for row in tables[name].rows()]

        lines = sheet("lines")
        (invoice,) = sheet("invoices")
        journal = sheet("journal")
    assert [(r["quantity"], r["price_base"], r["net"]) for r in lines][:3] == [
        (Decimal(1500), Decimal(100), 37500), (Decimal(3), Decimal(1), 3584), (Decimal(-2), Decimal(1), -1000)]
    assert (lines[1]["discount"], lines[1]["charge"]) == (370, 250)
    assert (invoice["type_code"], invoice["rounding"], invoice["total"]) == ("384", -1, 48991)
    rounding = ledger.ACCOUNTS["rounding"][0]  # -0.01: the buyer owes a cent less, a debit of the rounding account
    assert [(r["debit"], r["credit"]) for r in journal if r["account"] == rounding] == [(1, None)]
