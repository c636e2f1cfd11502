"""Swiss QR-bills: whether an invoice is issued with one (decided and checked at finalize, kept in ``qr_bills`` so
its frozen PDF prints it again byte for byte), its reference (QRR for a QR-IBAN, else the RF creditor reference the
bank matching reads too), and the payment part a document prints."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.core.payment_reference import qr_reference, rf_reference
from invoicer.db.models import Invoice
from invoicer.db.models import QrBill as QrBillRow
from invoicer.documents.model import Party, QrBill
from invoicer.services import settings

AUTO, REQUIRED, OFF = "auto", "required", "off"
MODE = settings.ChoiceSetting(
    "payments.qr_bill", AUTO,
    N_("Swiss QR-bill on invoices (auto: CHF and EUR invoices of a seller in Switzerland or Liechtenstein; required: "
       "refuse an invoice that cannot carry one; off)"),
    (AUTO, REQUIRED, OFF),
)
COUNTRIES = ("CH", "LI")
CURRENCIES = ("CHF", "EUR")
MAX_AMOUNT = 99_999_999_999  # 999,999,999.99, the largest amount the payment part takes
QR_IID = range(30000, 32000)  # the institution ids of QR-IBANs


def _party(snapshot: str | None) -> Party:
    from invoicer.services.views import party

    return party(Party, json.loads(snapshot or "{}"))


def _refuse(reason: Message | str) -> ValidationError:
    return ValidationError(N_("This invoice cannot carry a valid Swiss QR-bill: {reason} (or set payments.qr_bill "
                              "to off in Settings → Invoices)."), reason=reason)


def _debtor(buyer: Party) -> Party | None:
    """The buyer, when the form can name them (else the form's blank box is printed for the payer to fill)."""
    complete = buyer.name and buyer.postcode and buyer.city and len(buyer.country) == 2
    return buyer if complete else None


def issue_at_finalize(session: Session, invoice: Invoice) -> None:
    """Decide, as the invoice is finalized, whether it carries a QR-bill, and refuse it with a plain reason when
    it should and cannot validly (seller's country, currency, IBAN, address fields, amount); the company profile
    itself asks for the address, postcode and city before anything is finalized."""
    mode = MODE.get(session)
    if mode == OFF or invoice.doc_type != "invoice" or invoice.amount_due <= 0:
        return
    seller = _party(invoice.seller_snapshot)
    swiss = seller.country in COUNTRIES
    if mode == AUTO and not (swiss and invoice.currency in CURRENCIES):
        return
    if not swiss:
        raise _refuse(Message(N_("the QR-bill is for sellers in Switzerland or Liechtenstein, and the company's "
                                 "country is {country}"), country=seller.country or "—"))
    if invoice.currency not in CURRENCIES:
        raise _refuse(Message(N_("it asks for CHF or EUR only, and the invoice is in {currency}"),
                              currency=invoice.currency))
    snapshot = json.loads(invoice.seller_snapshot or "{}")
    account = "".join(str(snapshot.get("iban") or "").split()).upper()
    if not account:
        raise _refuse(Message(N_("enter the company's IBAN or QR-IBAN in Settings → Company")))
    # the checker loads when a Swiss invoice is finalized, not at start
    from stdnum import iban as iban_number

    if not iban_number.is_valid(account) or account[:2] not in COUNTRIES:
        raise _refuse(Message(N_("the company's IBAN {iban} is not a valid Swiss or Liechtenstein IBAN"),
                              iban=account))
    for label, value, most in ((N_("name"), seller.name, 70), (N_("address"), (seller.address_lines or ("",))[0], 70),
                               (N_("postcode"), seller.postcode, 16), (N_("city"), seller.city, 35)):
        if len(value) > most:
            raise _refuse(Message(N_("the company's {field} has more than the {max} characters the QR-bill takes"),
                                  field=Message(label), max=most))
    amount = invoice.amount_due
    if amount > MAX_AMOUNT:
        raise _refuse(Message(N_("the amount is larger than 999,999,999.99")))
    qr_iban = int(account[4:9]) in QR_IID
    kind, reference = ("QRR", qr_reference(invoice.id)) if qr_iban else ("SCOR", rf_reference(invoice.number or ""))
    row = QrBillRow(invoice_id=invoice.id, account=account, reference_type=kind, reference=reference)
    bill = _bill(row, invoice, seller, _party(invoice.customer_snapshot), amount, "en")
    from invoicer.documents.swiss_qr import make_bill

    try:
        make_bill(bill)
    except ValueError as exc:  # a name or street longer than the form takes, a country it does not know...
        raise _refuse(str(exc)) from None
    session.add(row)
    session.flush()


def _bill(row: QrBillRow, invoice: Invoice, seller: Party, buyer: Party, amount: int, language: str) -> QrBill:
    return QrBill(account=row.account, creditor=seller, debtor=_debtor(buyer), amount=amount,
                  currency=invoice.currency, reference_type=row.reference_type, reference=row.reference,
                  message=invoice.number or "", language=language)


def bill_for(session: Session, invoice: Invoice, amount: int, locale: str) -> QrBill | None:
    """The payment part a document of the invoice prints, for ``amount`` (as issued, or due now on a copy);
    None when it was issued without one or nothing is to be paid."""
    row = session.get(QrBillRow, invoice.id)
    if row is None or amount <= 0:
        return None
    from invoicer.documents.swiss_qr import language

    return _bill(row, invoice, _party(invoice.seller_snapshot), _party(invoice.customer_snapshot), amount,
                 language(locale))
