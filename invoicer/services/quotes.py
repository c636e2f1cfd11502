"""Quotes (estimates): drafts, a number from their own series when sent, accepted / declined / expired, a PDF in
the customer's language, and invoices made from an accepted quote (all lines or some) that cite it.

``expired`` is derived, as ``overdue`` is for invoices: a sent quote past its validity date. Such a quote can no
longer be accepted (a new quote is the way), but it can still be declined.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from invoicer.core.errors import N_, ConflictError, NotFoundError, ValidationError
from invoicer.core.money import format_minor, from_minor, parse_amount, parse_decimal, split_minor, to_minor
from invoicer.core.totals import Balance, Totals
from invoicer.core.type_codes import DEPOSIT, PARTIAL
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Invoice, Quote, QuoteInvoice, QuoteLine
from invoicer.i18n import format_date, format_money, format_percent, translator
from invoicer.services import audit, invoices, settings, store, taxes, validation
from invoicer.services import customers as customer_service
from invoicer.services.invoices import DraftData, LineData

DRAFT, SENT, ACCEPTED, DECLINED, EXPIRED = "draft", "sent", "accepted", "declined", "expired"
#: what an invoice made from a quote says in its notes (documents.po translates it)
QUOTE_CITATION = N_("Quote {number} of {date}")
#: invoice type codes (UNTDID 1001) of the invoices a final invoice deducts: partial and deposit invoices
ADVANCE_TYPES = (PARTIAL, DEPOSIT)
DEPOSIT_LINE = N_("Deposit of {share} on quote {number}")
DEDUCTION_LINE = N_("Less {kind} {number} of {date}")
#: days a quote is valid when no date is given
DEFAULT_VALID_DAYS = 30


@dataclass
class QuoteData:
    customer_id: int
    lines: list[LineData] = field(default_factory=list)
    currency: str | None = None  # the customer's when empty
    issue_date: date | None = None  # today when empty
    valid_until: date | None = None  # issue date + 30 days when empty
    notes: str | None = None
    buyer_reference: str | None = None


@dataclass(frozen=True)
class QuoteRow:
    id: int
    number: str | None
    status: str  # draft, sent, accepted, declined or expired (derived)
    customer_id: int
    customer_name: str
    currency: str
    issue_date: date
    valid_until: date
    total: int
    invoiced: tuple[int, ...]  # the ids of invoices made from it


def status_of(quote: Quote, today: date) -> str:
    if quote.status == SENT and quote.valid_until < today:
        return EXPIRED
    return quote.status


def get_quote(session: Session, quote_id: int) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFoundError(N_("There is no quote {id}."), id=quote_id)
    return quote


def _apply(session: Session, quote: Quote, data: QuoteData, today: date) -> Totals:
    customer = customer_service.get_customer(session, data.customer_id)
    if customer.archived:
        raise ValidationError(N_("{name} is archived; restore the customer to invoice them."), "customer",
                              name=customer.name)
    if not data.lines:
        raise ValidationError(N_("A quote needs at least one line."), "lines")
    currency = (data.currency or customer.currency).strip().upper()
    issue_date = data.issue_date or today
    valid_until = data.valid_until or issue_date + timedelta(days=DEFAULT_VALID_DAYS)
    if valid_until < issue_date:
        raise ValidationError(N_("The validity date cannot be before the quote's date."), "valid_until")
    lines = [line if line.tax_category else replace(
        line, tax_category=taxes.derived_category(session, customer.id, line.tax_rate, line.unit))
        for line in data.lines]
    totals = invoices.preview_totals(lines, [], currency, settings.TAX_ROUNDING.get(session))
    quote.customer_id, quote.currency = customer.id, currency
    quote.issue_date, quote.valid_until = issue_date, valid_until
    quote.notes = validation.optional(data.notes, multiline=True)
    quote.buyer_reference = validation.optional(data.buyer_reference)
    periods = [invoices.line_period(i, line.period_start, line.period_end) for i, line in enumerate(lines, 1)]
    quote.lines = [
        QuoteLine(position=i, description=validation.clean_text(line.description, multiline=True),
                  quantity=parse_decimal(line.quantity, N_("quantity"), 4), unit=line.unit,
                  unit_price=parse_decimal(line.unit_price, N_("unit price"), 4),
                  tax_category=line.tax_category or "S",
                  tax_rate=taxes.tax_key(line.tax_category or "S", line.tax_rate).rate, net=amounts.net,
                  product_id=line.product_id, period_start=start, period_end=end)
        for i, (line, amounts, (start, end)) in enumerate(zip(lines, totals.lines, periods, strict=True), 1)
    ]
    quote.subtotal, quote.tax_total, quote.total = totals.tax_basis, totals.tax_total, totals.total
    quote.updated_at = audit.now()
    return totals


def create_quote(session: Session, data: QuoteData, today: date | None = None) -> int:
    now = audit.now()
    quote = Quote(status=DRAFT, created_at=now, updated_at=now)
    totals = _apply(session, quote, data, today or date.today())
    session.add(quote)
    session.flush()
    audit.record(session, "create", "quote", quote.id, after=DRAFT,
                 payload={"customer_id": quote.customer_id, "total": totals.total})
    return quote.id


def _draft(session: Session, quote_id: int) -> Quote:
    quote = get_quote(session, quote_id)
    if quote.status != DRAFT:
        raise ConflictError(N_("Only a draft quote can be changed; this one is {status}."), status=quote.status)
    return quote


def update_quote(session: Session, quote_id: int, data: QuoteData, today: date | None = None) -> None:
    quote = _draft(session, quote_id)
    totals = _apply(session, quote, data, today or date.today())
    audit.record(session, "update", "quote", quote.id, payload={"total": totals.total})


def delete_quote(session: Session, quote_id: int) -> None:
    """Drafts only: a sent quote keeps its number (it is declined or expires instead)."""
    quote = _draft(session, quote_id)
    session.delete(quote)
    audit.record(session, "delete", "quote", quote_id, before=DRAFT)


def quote_lines(quote: Quote) -> list[LineData]:
    """The quote's lines as an invoice takes them, each with its own service period when it has one."""
    return [LineData(ln.description, ln.quantity, ln.unit_price, ln.tax_category, ln.tax_rate, ln.unit,
                     product_id=ln.product_id, period_start=ln.period_start, period_end=ln.period_end)
            for ln in quote.lines]


def quote_data(session: Session, quote_id: int) -> QuoteData:
    quote = get_quote(session, quote_id)
    return QuoteData(quote.customer_id, quote_lines(quote), quote.currency, quote.issue_date, quote.valid_until,
                     quote.notes, quote.buyer_reference)


def send_quote(session: Session, quote_id: int, on: date | None = None) -> str:
    """draft -> sent: the quote takes the next number of the quote series (gapless, like invoices). Returns it."""
    quote = _draft(session, quote_id)
    number, year, scope, seq = invoices.take_number(session, "quote", quote.issue_date, quote.customer_id)
    if session.scalar(select(Quote.id).where(Quote.number == number)) is not None:
        raise ValidationError(N_("The number {number} exists already; the number format '{pattern}' would repeat "
                                 "numbers. Change it in Settings."), number=number,
                              pattern=settings.NUMBERING["quote"].get(session))
    quote.number, quote.counter_year, quote.counter_scope, quote.number_seq = number, year, scope, seq
    quote.status, quote.sent_on, quote.updated_at = SENT, on or date.today(), audit.now()
    audit.record(session, "send", "quote", quote.id, before=DRAFT, after=SENT, payload={"number": number})
    return number


def _decide(session: Session, quote_id: int, status: str, on: date | None) -> Quote:
    quote = get_quote(session, quote_id)
    day = on or date.today()
    if quote.status != SENT:
        raise ConflictError(N_("Only a sent quote can be accepted or declined; this one is {status}."),
                            status=status_of(quote, day))
    if status == ACCEPTED and quote.valid_until < day:
        raise ConflictError(N_("Quote {number} expired on {date}; make a new quote."), number=quote.number,
                            date=quote.valid_until.isoformat())
    quote.status, quote.decided_on, quote.updated_at = status, day, audit.now()
    audit.record(session, status, "quote", quote.id, before=SENT, after=status)
    return quote


def accept_quote(session: Session, quote_id: int, on: date | None = None) -> None:
    _decide(session, quote_id, ACCEPTED, on)


def decline_quote(session: Session, quote_id: int, on: date | None = None) -> None:
    _decide(session, quote_id, DECLINED, on)


def invoiced_positions(session: Session, quote_id: int) -> set[int]:
    """The quote's lines already on an invoice (a deleted draft gives its lines back). Deposit (386) and partial
    (326) invoices take none: the final invoice lists the whole work and deducts them."""
    rows = session.scalars(
        select(QuoteInvoice.positions).join(Invoice, Invoice.id == QuoteInvoice.invoice_id)
        .where(QuoteInvoice.quote_id == quote_id, Invoice.status != "void",
               or_(Invoice.type_code.is_(None), Invoice.type_code.not_in(ADVANCE_TYPES)))
    )
    return {int(p) for row in rows for p in row.split(",") if p}


def _citation(session: Session, quote: Quote) -> str:
    """"Quote QUO-2026-00001 of 1 Dec 2026", in the customer's language (the invoice's notes print it)."""
    locale = quote.customer.locale or "en_US"
    return translator(locale).gettext(QUOTE_CITATION).format(number=quote.number,
                                                             date=format_date(quote.issue_date, locale))


def _accepted(session: Session, quote_id: int, today: date | None) -> Quote:
    quote = get_quote(session, quote_id)
    if quote.status != ACCEPTED:
        raise ConflictError(N_("Only an accepted quote becomes an invoice; this one is {status}."),
                            status=status_of(quote, today or date.today()))
    return quote


def invoice_quote(session: Session, quote_id: int, positions: list[int] | None = None,
                  today: date | None = None, partial: bool = False) -> int:
    """A draft invoice from an accepted quote: its lines (``positions``, 1-based; None: every line not invoiced
    yet), citing the quote's number and date. A line is invoiced at most once. ``partial``: a partial invoice
    (326) during the project, which the final invoice deducts (it takes no line for good)."""
    quote = _accepted(session, quote_id, today)
    if partial and not positions:
        raise ValidationError(N_("A partial invoice names the quote's lines it bills."), "positions")
    done = set() if partial else invoiced_positions(session, quote.id)
    every = [ln.position for ln in quote.lines]
    chosen = sorted(set(positions)) if positions else [p for p in every if p not in done]
    unknown = [p for p in chosen if p not in every]
    if unknown:
        raise ValidationError(N_("The quote has no line {line}."), "positions", line=unknown[0])
    again = [p for p in chosen if p in done]
    if again:
        raise ConflictError(N_("Line {line} of quote {number} is on an invoice already."), line=again[0],
                            number=quote.number)
    if not chosen:
        raise ConflictError(N_("Every line of quote {number} is invoiced already."), number=quote.number)
    lines = quote_lines(quote)
    cite = _citation(session, quote)
    invoice_id = invoices.create_draft(session, DraftData(
        customer_id=quote.customer_id, currency=quote.currency, lines=[lines[p - 1] for p in chosen],
        notes="\n".join(filter(None, [cite, quote.notes])), buyer_reference=quote.buyer_reference,
        type_code=PARTIAL if partial else None,
    ), today=today)
    session.add(QuoteInvoice(quote_id=quote.id, invoice_id=invoice_id, positions=",".join(map(str, chosen)),
                             created_at=audit.now()))
    audit.record(session, "invoice", "quote", quote.id, payload={"invoice_id": invoice_id, "lines": chosen})
    return invoice_id


def deposit_invoice(session: Session, quote_id: int, *, percent: str | Decimal | None = None,
                    amount: str | Decimal | None = None, today: date | None = None) -> int:
    """A draft deposit invoice (386) for ``percent`` of an accepted quote's net amount, or a net ``amount``: one
    line per VAT rate of the quote, in proportion to each rate's net amount (the law asks the VAT of a deposit per
    rate), adding up to the cent."""
    quote = _accepted(session, quote_id, today)
    totals = invoices.preview_totals(quote_lines(quote), [], quote.currency, settings.TAX_ROUNDING.get(session))
    rates = [t for t in totals.taxes if t.basis > 0]
    basis = sum(t.basis for t in rates)
    if (percent is None) == (amount is None):
        raise ValidationError(N_("Give the deposit as a percent or as a net amount, not both."), "percent")
    locale = quote.customer.locale or "en_US"
    if percent is not None:
        share = parse_decimal(percent, N_("percentage"), 4)
        if not 0 < share <= 100:
            raise ValidationError(N_("A deposit is more than nothing and at most the whole quote."), "percent")
        net = to_minor(from_minor(basis, quote.currency) * share / 100, quote.currency)
        shown = format_percent(share, locale)
    else:
        net = parse_amount(amount or "", quote.currency, N_("deposit amount"))
        shown = format_money(net, quote.currency, locale)
    if not 0 < net <= basis:
        raise ValidationError(N_("A deposit is more than nothing and at most the quote's net amount ({amount})."),
                              "amount", amount=format_minor(basis, quote.currency))
    words = translator(locale).gettext
    description = words(DEPOSIT_LINE).format(share=shown, number=quote.number)
    lines = [LineData(description, "1", from_minor(part, quote.currency), t.category, t.rate)
             for t, part in zip(rates, split_minor(net, [t.basis for t in rates]), strict=True) if part]
    invoice_id = invoices.create_draft(session, DraftData(
        customer_id=quote.customer_id, currency=quote.currency, lines=lines, type_code=DEPOSIT,
        notes=_citation(session, quote), buyer_reference=quote.buyer_reference), today=today)
    session.add(QuoteInvoice(quote_id=quote.id, invoice_id=invoice_id, positions="", created_at=audit.now()))
    audit.record(session, "deposit", "quote", quote.id, payload={"invoice_id": invoice_id, "net": net})
    return invoice_id


def advance_invoices(session: Session, quote_id: int) -> list[Invoice]:
    """The deposit and partial invoices made from a quote (void ones left out), oldest first."""
    return list(session.scalars(
        select(Invoice).join(QuoteInvoice, QuoteInvoice.invoice_id == Invoice.id)
        .where(QuoteInvoice.quote_id == quote_id, Invoice.type_code.in_(ADVANCE_TYPES), Invoice.status != "void")
        .order_by(Invoice.issue_date, Invoice.id)
    ))


def final_invoice(session: Session, quote_id: int, today: date | None = None) -> int:
    """The final invoice (380) of an accepted quote: every line of the whole work, then, for each deposit and
    partial invoice and each of its VAT rates, a line deducting its net amount at that rate (EN 16931 has no
    structured deduction of advance invoices: negative lines naming them, as XP Z12-014's first method and the
    German practice do). Its VAT per rate is the whole work's less the VAT the advances stated, so the three kinds
    of documents add up to the quote to the cent; the invoices deducted are linked to it (BG-3 in the e-invoice,
    a table of them with what was paid on the PDF). Its total is what is left to invoice; what was paid on the
    advances settled those invoices, so nothing is counted twice."""
    quote = _accepted(session, quote_id, today)
    if invoiced_positions(session, quote.id):
        raise ConflictError(N_("Lines of quote {number} are on an invoice already; a final invoice lists the whole "
                               "work."), number=quote.number)
    advances = advance_invoices(session, quote.id)
    drafts = [inv for inv in advances if inv.status == "draft"]
    if drafts:
        raise ConflictError(N_("A deposit or partial invoice of quote {number} is still a draft: finalize or delete "
                               "it first."), number=quote.number)
    locale = quote.customer.locale or "en_US"
    words = translator(locale).gettext
    # what each still stands for: a deposit credited in full is not deducted, one credited in part by the rest
    deducted = [(inv, invoices.advance_taxes(session, inv)) for inv in advances]
    advances = [inv for inv, taxes in deducted if taxes]
    deductions = [
        LineData(words(DEDUCTION_LINE).format(kind=words(invoices.INVOICE_TYPE_CODES[inv.type_code or "380"]),
                                              number=inv.number, date=format_date(inv.issue_date, locale)),
                 "-1", from_minor(tax.basis, inv.currency), tax.category, tax.rate)
        for inv, taxes in deducted for tax in taxes if tax.basis
    ]
    every = [ln.position for ln in quote.lines]
    invoice_id = invoices.create_draft(session, DraftData(
        customer_id=quote.customer_id, currency=quote.currency, lines=quote_lines(quote) + deductions,
        notes=_citation(session, quote), buyer_reference=quote.buyer_reference), today=today)
    final = invoices.get_invoice(session, invoice_id)
    invoices.deduct_advances(session, final, advances)
    if final.total < 0:
        raise ConflictError(N_("The deposit and partial invoices of quote {number} come to more than the whole work "
                               "({total}); a final invoice cannot be negative: credit a deposit instead."),
                            number=quote.number, total=format_minor(quote.total, quote.currency))
    session.add(QuoteInvoice(quote_id=quote.id, invoice_id=invoice_id, positions=",".join(map(str, every)),
                             created_at=audit.now()))
    audit.record(session, "final", "quote", quote.id,
                 payload={"invoice_id": invoice_id, "deducted": [inv.id for inv in advances]})
    return invoice_id


def list_quotes(session: Session, today: date | None = None, customer_id: int | None = None) -> list[QuoteRow]:
    day = today or date.today()
    stmt = select(Quote).options(selectinload(Quote.customer)).order_by(Quote.issue_date.desc(), Quote.id.desc())
    if customer_id is not None:
        stmt = stmt.where(Quote.customer_id == customer_id)
    made: dict[int, list[int]] = {}
    for quote_id, invoice_id in session.execute(select(QuoteInvoice.quote_id, QuoteInvoice.invoice_id)
                                                .order_by(QuoteInvoice.id)):
        if invoice_id is not None:
            made.setdefault(quote_id, []).append(invoice_id)
    return [QuoteRow(q.id, q.number, status_of(q, day), q.customer_id, q.customer.name, q.currency, q.issue_date,
                     q.valid_until, q.total, tuple(made.get(q.id, ()))) for q in session.scalars(stmt)]


def quote_document(session: Session, quote_id: int) -> object:
    """The quote as a document to render (documents.model.Document), in the customer's language."""
    from invoicer.documents.model import Document, DocumentKind, DocumentMark, Line, PaperSize, Party, Seller
    from invoicer.documents.wording import paper_for_locale
    from invoicer.services import company as company_service
    from invoicer.services.documents import PAPER_AUTO, PAPER_SIZE, logo_to_print
    from invoicer.services.views import party

    quote = get_quote(session, quote_id)
    seller = party(Seller, asdict(company_service.company_data(company_service.get_company(session))))
    seller = replace(seller, logo_path=logo_to_print(session, seller.logo_path))
    buyer = party(Party, customer_service.snapshot_dict(quote.customer))
    locale = buyer.locale or seller.locale or "en_US"
    totals = invoices.preview_totals(quote_lines(quote), [], quote.currency, settings.TAX_ROUNDING.get(session))
    translate = translator(locale).gettext
    paper = PAPER_SIZE.get(session)
    return Document(
        kind=DocumentKind.QUOTE, mark=DocumentMark.DRAFT if quote.number is None else DocumentMark.ISSUED,
        number=quote.number, issue_date=quote.issue_date, due_date=quote.valid_until, currency=quote.currency,
        locale=locale, seller=seller, buyer=buyer,
        lines=tuple(Line(ln.position, ln.description, ln.quantity, ln.unit, ln.unit_price, Decimal(1), None, 0,
                         ln.tax_category, ln.tax_rate, ln.net, period_start=ln.period_start,
                         period_end=ln.period_end) for ln in quote.lines),
        adjustments=(), totals=replace(totals, taxes=tuple(
            replace(t, exemption_reason=translate(t.exemption_reason) if t.exemption_reason else None)
            for t in totals.taxes)),
        balance=Balance(0, 0, totals.total), created=datetime.combine(quote.issue_date, time()),
        paper=paper_for_locale(locale) if paper == PAPER_AUTO else PaperSize(paper),
        notes=quote.notes, buyer_reference=quote.buyer_reference,
    )


def quote_pdf(session: Session, quote_id: int) -> bytes:
    from invoicer.documents.model import Document
    from invoicer.documents.pdf import render_pdf

    document = quote_document(session, quote_id)
    assert isinstance(document, Document)
    return render_pdf(document)


#: the quote's message, in the customer's language (mail.po translates it)
QUOTE_SUBJECT = N_("Quote {number} from {company}")
QUOTE_BODY = N_("Hello,\n\nplease find attached our quote {number} of {date}, valid until {valid_until}: {total}.\n\n"
                "Kind regards,\n{company}")


def email_quote(db: Database, quote_id: int, *, to: list[str] | None = None, password: str | None = None,
                today: date | None = None) -> str:
    """Email a quote's PDF in the customer's language; a draft is sent (numbered) first, in the same
    transaction that records the message. Returns the Message-ID."""
    from invoicer.mail import smtp
    from invoicer.services import company as company_service
    from invoicer.services import mailing

    day = today or date.today()
    config = store.read(db, mailing.mail_settings)
    login = mailing.password_for(config, password)
    with smtp.connect(config.smtp, login) as connection, transaction(db.sessions) as session:
        quote = get_quote(session, quote_id)
        if quote.status == DRAFT:
            send_quote(session, quote.id, day)
        elif status_of(quote, day) != SENT:
            raise ConflictError(N_("Quote {number} is {status}; only a draft or sent quote is emailed."),
                                number=quote.number, status=status_of(quote, day))
        addresses = tuple(to or ([quote.customer.email] if quote.customer.email else []))
        if not addresses:
            raise ValidationError(N_("{name} has no email address; add one to the customer or give --to."),
                                  name=quote.customer.name)
        for address in addresses:
            validation.email(address)
        locale = quote.customer.locale or "en_US"
        words = translator(locale).gettext
        company = company_service.get_company(session).name
        message = mailing.new_message(config, company, words(QUOTE_SUBJECT).format(number=quote.number,
                                                                                   company=company), addresses)
        message.set_content(words(QUOTE_BODY).format(
            number=quote.number, date=format_date(quote.issue_date, locale),
            valid_until=format_date(quote.valid_until, locale), total=format_money(quote.total, quote.currency,
                                                                                   locale), company=company))
        message.add_attachment(quote_pdf(session, quote.id), maintype="application", subtype="pdf",
                               filename=f"{quote.number}.pdf")
        message["Content-Language"] = locale.split("_")[0]
        audit.record(session, "email", "quote", quote.id, payload={"message_id": message["Message-ID"],
                                                                   "to": list(addresses)})
        session.flush()
        connection.send(message, config.from_address or "", list(addresses))
        return str(message["Message-ID"])
