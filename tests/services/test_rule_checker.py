"""The official check in the app's checking process, while the PDF renders: the same refusals, the same bytes, no
file kept before the rules have passed, and the check made in the finalizing process when the checking process is
gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.documents import einvoice_rules, rule_checker
from invoicer.documents.einvoice_rules import EInvoiceFormat
from invoicer.paths import documents_dir
from invoicer.services import company, customers, documents, einvoicing, invoices

from .helpers import make_draft, make_open

R003 = ("The Peppol BIS Billing 3.0 e-invoice would be rejected by the official rules (1 failed), first "
        "PEPPOL-EN16931-R003: Peppol needs the buyer reference (BT-10)")


@pytest.fixture
def peppol_customer(seller: Database, customer_id: int) -> int:
    with transaction(seller.sessions) as s:
        company.update_company(s, endpoint_scheme="9930", endpoint_id="DE123456788")
        data = customers.customer_data(customers.get_customer(s, customer_id))
        customers.update_customer(s, customer_id, customers.CustomerData(**{
            **vars(data), "einvoice_format": "peppol", "endpoint_scheme": "0009", "endpoint_id": "12345678200016"}))
    return customer_id


@pytest.fixture
def checking_process() -> Iterator[None]:
    rule_checker.start([EInvoiceFormat.PEPPOL, EInvoiceFormat.FACTURX])
    try:
        yield
    finally:
        rule_checker.stop()


def _not_here(*args: object) -> None:
    raise AssertionError("checked in the finalizing process, not in the checking process")


def test_the_checking_process_refuses_what_the_rules_reject_and_issues_the_same_pdf(
    seller: Database, peppol_customer: int, checking_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(einvoice_rules, "validate", _not_here)  # this process's; the checking process has its own
    draft = make_draft(seller, peppol_customer)  # no buyer reference: Peppol's rule R003
    with pytest.raises(ValidationError) as refused, transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, draft)
    assert str(refused.value).startswith(R003)
    assert not list(documents_dir(seller.folder).glob("*.pdf"))  # the PDF rendered meanwhile was not kept
    issued = make_open(seller, peppol_customer, buyer_reference="PO-4711")
    assert rule_checker.running()
    monkeypatch.undo()
    rule_checker.stop()
    with transaction(seller.sessions) as s:  # rendered again here, without the checking process: the same bytes
        invoice = invoices.get_invoice(s, issued)
        again = documents.render_document(documents.document_data(s, invoice))
        assert documents.sha256_hex(again) == invoice.pdf_sha256 == documents.sha256_hex(documents.frozen_pdf(s, issued))


def test_without_an_answer_from_the_checking_process_the_check_is_made_here(
    seller: Database, peppol_customer: int, checking_process: None
) -> None:
    make_open(seller, peppol_customer, buyer_reference="PO-4711")  # the process has answered once
    checker = rule_checker._checker
    assert checker is not None
    checker.process.kill()
    checker.process.join()
    draft = make_draft(seller, peppol_customer)
    with pytest.raises(ValidationError, match="PEPPOL-EN16931-R003"), transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, draft)
    assert not rule_checker.running()
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, draft).number is None


def test_a_document_breaking_a_rule_of_each_set_is_refused_with_both(
    checking_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both of Peppol's rule sets run in the checking process on one document: the standard's (the amount due,
    BR-CO-16) and Peppol's (no buyer reference, R003) each report their rule, in their words."""
    from tests.documents.samples import make_document
    from tests.documents.test_einvoice_rules import WRITERS, _broken, for_public_buyers

    monkeypatch.setattr(einvoice_rules, "validate", _not_here)  # this process's; the checking process has its own
    doc = for_public_buyers(make_document())
    xml = etree.tostring(_broken(etree.fromstring(WRITERS[EInvoiceFormat.PEPPOL](doc))))
    verdict = rule_checker.submit(xml, EInvoiceFormat.PEPPOL)()
    failed = {f.rule: f.words for f in verdict.errors}
    assert "BR-CO-16" in failed and "Amount due for payment (BT-115)" in failed["BR-CO-16"], failed
    assert "PEPPOL-EN16931-R003" in failed and "buyer reference" in failed["PEPPOL-EN16931-R003"], failed
    with pytest.raises(ValidationError, match=rf"\({len(verdict.errors)} failed\), first "):
        einvoicing._refuse(EInvoiceFormat.PEPPOL, verdict)
