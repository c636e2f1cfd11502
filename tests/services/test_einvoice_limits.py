"""What an EN 16931 e-invoice cannot express is never embedded: a currency with three decimals is issued as a
PDF without XML, and says so; supplies outside the scope of VAT mixed with other categories are refused."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import documents, invoices
from invoicer.services.invoices import AdjustmentData, LineData
from tests.cli.invocations import run

from .helpers import make_draft, make_open


@pytest.mark.sqlite_only
def test_a_three_decimal_currency_is_issued_without_xml_and_says_so(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id, currency="BHD", lines=[LineData("Consulting", "2", "10.125", "S", "19")])
    result = run(seller.folder, "invoice", "finalize", str(draft), "--rate", "2.45", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "id": draft, "number": "INV-2026-00001", "einvoice": False,
        "note": "No e-invoice (XML) is attached: the EN 16931 standard states amounts with at most two decimals "
                "and BHD has 3, so this document is a PDF only.",
    }
    with transaction(seller.sessions) as s:
        pdf = pypdf.PdfReader(io.BytesIO(documents.frozen_pdf(s, draft)))
        with pytest.raises(ValidationError, match="BHD has 3"):
            documents.invoice_xml(s, draft)
    assert pdf.attachments == {}  # no factur-x.xml the official rules would reject (BR-DEC-*)
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    # in the customer's language (French), on the document itself
    assert "Aucune facture électronique (XML) n'est jointe" in text and "BHD en a 3" in text


def test_a_two_decimal_currency_keeps_its_xml(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        pdf = pypdf.PdfReader(io.BytesIO(documents.frozen_pdf(s, invoice_id)))
    assert list(pdf.attachments) == ["factur-x.xml"]
    assert "Aucune facture électronique" not in pdf.pages[-1].extract_text()


@pytest.mark.parametrize("mix", [
    {"lines": [LineData("Membership fee", "1", "50.00", "O", "0"), LineData("Book", "1", "10.00", "S", "7")]},
    {"lines": [LineData("Membership fee", "1", "50.00", "O", "0")],
     "adjustments": [AdjustmentData("5.00", "S", "19", is_charge=True, reason="Shipping")]},
])
def test_outside_the_scope_of_vat_mixed_with_other_categories_is_refused_at_finalize(
    seller: Database, customer_id: int, mix: dict[str, object]
) -> None:
    draft = make_draft(seller, customer_id, **mix)
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError, match=r"category O\) cannot share an invoice with other VAT categories "
                                                  r"\(S\)"):
            invoices.finalize_invoice(s, draft)
        assert invoices.get_invoice(s, draft).number is None
