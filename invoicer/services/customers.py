"""Customers: who is billed. Archived instead of deleted once they have documents."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Subquery, and_, case, exists, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from invoicer.core.errors import N_, NotFoundError, ValidationError
from invoicer.core.text import fold
from invoicer.db import functions
from invoicer.db.models import AuditEvent, CreditEntry, Customer, Invoice, Payment, amount_due_sql
from invoicer.services import audit, validation
from invoicer.services.company import get_company
from invoicer.services.settings import TERMS_DAYS


@dataclass
class CustomerData:
    name: str
    country: str
    contact: str | None = None
    email: str | None = None
    address: str = ""
    postcode: str = ""
    city: str = ""
    vat_id: str | None = None
    iban: str | None = None
    bic: str | None = None
    currency: str | None = None  # the company currency when empty
    locale: str | None = None  # the company locale when empty
    terms_days: int | None = None  # the default terms when empty
    notes: str | None = None
    einvoice_format: str | None = None  # the default for the customer when empty (services.einvoicing)
    public_body: bool = False
    endpoint_scheme: str | None = None  # the customer's electronic address (BT-49) and its scheme
    endpoint_id: str | None = None


@dataclass(frozen=True)
class CustomerRow:
    """A customer as listed, with what they owe and their credit (in their billing currency)."""

    id: int
    name: str
    email: str | None
    country: str
    vat_id: str | None
    currency: str
    archived: bool
    balance: int  # amount due in the billing currency, written-off invoices left out (as in the books)
    overdue: int  # the part of it past its due date
    credit: int  # customer credit balance in the billing currency
    credits: tuple[tuple[str, int], ...] = ()  # credit per currency, non-zero, the billing currency first


def clean_customer(session: Session, data: CustomerData) -> CustomerData:
    # the e-invoice rules (lxml, ReportLab) load here, not on the app's start path
    from invoicer.services import einvoicing

    company = get_company(session)
    country = validation.country(data.country)
    terms = data.terms_days
    if terms is None:
        terms = TERMS_DAYS.get(session)
    if not isinstance(terms, int) or terms < 0 or terms > 3650:
        raise ValidationError(N_("Payment terms are a number of days between 0 and 3650."), "terms_days")
    endpoint_scheme, endpoint_id = validation.electronic_address(data.endpoint_scheme, data.endpoint_id)
    name = validation.required(data.name, N_("Name"))
    if len(name) > 200:
        raise ValidationError(N_("A customer name may have at most 200 characters."), "name")
    return CustomerData(
        name=name,
        country=country,
        contact=validation.optional(data.contact),
        email=validation.email(data.email),
        address=validation.clean_text(data.address, multiline=True),
        postcode=validation.clean_text(data.postcode),
        city=validation.clean_text(data.city),
        vat_id=validation.vat_id(data.vat_id, country),
        iban=validation.iban(data.iban),
        bic=validation.bic(data.bic),
        currency=validation.currency(data.currency or company.currency),
        locale=validation.locale(data.locale or company.locale),
        terms_days=terms,
        notes=validation.optional(data.notes, multiline=True),
        einvoice_format=einvoicing.issued_format(data.einvoice_format),
        public_body=bool(data.public_body),
        endpoint_scheme=endpoint_scheme,
        endpoint_id=endpoint_id,
    )


def add_customer(session: Session, data: CustomerData) -> int:
    clean = clean_customer(session, data)
    customer = Customer(**asdict(clean), search_name=fold(clean.name), created_at=audit.now())
    session.add(customer)
    session.flush()
    audit.record(session, "create", "customer", customer.id, payload=asdict(clean))
    return customer.id


def customer_data(customer: Customer) -> CustomerData:
    """A stored customer as editable data."""
    return CustomerData(**{name: getattr(customer, name) for name in CustomerData.__dataclass_fields__})


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(N_("There is no customer {id}."), id=customer_id)
    return customer


def update_customer(session: Session, customer_id: int, data: CustomerData) -> None:
    """Edit a customer; documents already finalized keep the details they were issued with."""
    customer = get_customer(session, customer_id)
    clean = clean_customer(session, data)
    before = snapshot_dict(customer)
    for key, value in asdict(clean).items():
        setattr(customer, key, value)
    customer.search_name = fold(clean.name)
    audit.record(session, "update", "customer", customer_id, payload={"before": before, "after": asdict(clean)})


def archive_customer(session: Session, customer_id: int, archived: bool = True) -> None:
    customer = get_customer(session, customer_id)
    customer.archived = archived
    audit.record(session, "archive" if archived else "unarchive", "customer", customer_id)


def delete_customer(session: Session, customer_id: int) -> None:
    """Delete a customer who has no documents; one with documents can only be archived."""
    customer = get_customer(session, customer_id)
    if session.scalar(select(exists().where(Invoice.customer_id == customer_id))):
        raise ValidationError(
            N_("{name} has invoices and cannot be deleted; archive the customer instead."), name=customer.name
        )
    session.delete(customer)
    audit.record(session, "delete", "customer", customer_id, payload={"name": customer.name})


def snapshot_dict(customer: Customer) -> dict[str, object]:
    """The buyer as printed; the electronic address only when there is one, so that the snapshot of a customer
    without one is what it was before customers had it."""
    data: dict[str, object] = {
        "id": customer.id,
        "name": customer.name,
        "contact": customer.contact,
        "email": customer.email,
        "address": customer.address,
        "postcode": customer.postcode,
        "city": customer.city,
        "country": customer.country,
        "vat_id": customer.vat_id,
        "locale": customer.locale,
    }
    if customer.endpoint_id:
        data.update(endpoint_scheme=customer.endpoint_scheme, endpoint_id=customer.endpoint_id)
    return data


def snapshot(customer: Customer) -> str:
    """The buyer as printed on a document, frozen at finalize."""
    return json.dumps(snapshot_dict(customer), sort_keys=True, ensure_ascii=False)


def due_expression(as_indexed: bool = False) -> ColumnElement[int]:
    """SQL for an invoice's amount due (mirrors core.workflow.amount_due: a draft asks its prepaid amount less);
    ``as_indexed``: as ix_invoices_type_amount_due holds it, for a walk in that order (see models.amount_due_sql)."""
    return amount_due_sql(Invoice, as_indexed=as_indexed)


def written_off_on() -> ColumnElement[str]:
    """SQL for the day of a write-off event: its own date (older events have none: the day it was recorded)."""
    return func.coalesce(functions.json_text(AuditEvent.payload, "date"), functions.day_text(AuditEvent.at))


def recovers_bad_debt(payment: Any) -> ColumnElement[bool]:
    """Whether a payment or reversal moves bad debt instead of receivables, by its own transition in the
    invoice's history: money recorded while the invoice was uncollectible recovers bad debt; a reversal that
    leaves the invoice uncollectible takes back a recovery or adds what it restores to the written-off debt.
    (Not merely "some write-off was typed before it".)"""
    event = aliased(AuditEvent)
    own_transition = or_(
        and_(event.action.in_(("payment", "apply_credit")), event.before_status == "uncollectible",
             functions.json_int(event.payload, "payment_id") == payment.id),
        and_(event.action == "reverse_payment", event.after_status == "uncollectible",
             functions.json_int(event.payload, "reversal_id") == payment.id),
    )
    return exists(select(1).where(event.entity == "invoice", event.entity_id == payment.invoice_id, own_transition))


def receivables_on(as_of: date) -> Subquery:
    """What each invoice was owed on ``as_of`` (see dated_receivables). No action is ever dated in the future
    (validation.action_date, and issue dates likewise), so on or after today every event counts and the
    amounts each invoice keeps up to date with its payments and credits give the same figures, read from the
    open invoices through an index instead of from every invoice, payment and credit note."""
    return current_receivables() if kept_amounts_answer(as_of) else dated_receivables(as_of)


def kept_amounts_answer(as_of: date) -> bool:
    """Whether what each invoice owed on ``as_of`` is what it keeps up to date now: on or after today, as no action
    is ever dated in the future."""
    return as_of >= date.today()


def dated_receivables(as_of: date) -> Subquery:
    """What each invoice was owed on ``as_of``, from dated events only: what it asked (total and rounding amount)
    less the payments dated on or before that day and the credit notes issued by then; nothing for invoices written
    off by then (the journal moved them to bad debt) and for void ones (never in the books). Columns: invoice_id,
    customer_id, currency, due_date, due.

    Only the invoices that can have owed something that day are read: those open or written off now, and those with
    a payment, reversal or credit note dated after it. Any other invoice is paid now (or void or a draft) with
    every settlement dated by ``as_of``, so it owed then what it owes now: nothing. Reading every invoice ever issued
    and summing every payment made a past period end scan the whole history (410 ms at 100,000 invoices)."""
    later = union(
        select(Invoice.id).where(Invoice.doc_type == "invoice", Invoice.status.in_(("open", "uncollectible"))),
        select(Payment.invoice_id).where(Payment.paid_on > as_of),
        select(Invoice.corrects_id).where(Invoice.doc_type == "credit_note", Invoice.status != "draft",
                                          Invoice.issue_date > as_of),
    ).subquery()
    paid = select(func.coalesce(func.sum(Payment.applied), 0)).where(
        Payment.invoice_id == Invoice.id, Payment.paid_on <= as_of).scalar_subquery()
    credited = (
        select(Invoice.corrects_id.label("iid"), func.sum(Invoice.applied_to_due).label("applied"))
        .where(Invoice.doc_type == "credit_note", Invoice.status != "draft", Invoice.issue_date <= as_of)
        .group_by(Invoice.corrects_id).subquery()
    )
    written_off = exists(select(1).where(
        AuditEvent.entity_id == Invoice.id, AuditEvent.entity == "invoice", AuditEvent.action == "write_off",
        written_off_on() <= as_of.isoformat()))
    due = functions.greatest(Invoice.payable - paid - func.coalesce(credited.c.applied, 0), 0)
    return (
        select(Invoice.id.label("invoice_id"), Invoice.customer_id, Invoice.currency, Invoice.due_date,
               due.label("due"))
        .select_from(later)  # the few invoices that can owe, each found by its id
        .join(Invoice, Invoice.id == later.c.id)
        .outerjoin(credited, credited.c.iid == Invoice.id)
        .where(Invoice.doc_type == "invoice", Invoice.status.not_in(("draft", "void")), Invoice.issue_date <= as_of,
               ~written_off)
        .subquery()
    )


def current_receivables() -> Subquery:
    """What each open invoice owes now (receivables_on's columns): a paid invoice owes nothing, and a written-off
    one (uncollectible, or paid after the write-off) is bad debt, not a receivable."""
    return (
        select(Invoice.id.label("invoice_id"), Invoice.customer_id, Invoice.currency, Invoice.due_date,
               owed_now().label("due"))
        .where(*open_receivables())
        .subquery()
    )


def owed_now() -> ColumnElement[int]:
    """SQL for what an open invoice owes now, from the amounts it keeps up to date with its payments and credits."""
    return functions.greatest(Invoice.payable - Invoice.paid - Invoice.credited, 0)


def open_receivables(due_from: date | BindParameter[date] = date.min) -> tuple[ColumnElement[bool], ...]:
    """The conditions that pick the open invoices (receivables now) due on or after ``due_from``. Every invoice
    has a due date (a draft gets one); the range on it, which keeps all of them by default, is what makes SQLite
    (without ANALYZE statistics) read them through an index on the open invoices by due date, not every invoice."""
    return Invoice.doc_type == "invoice", Invoice.status == "open", Invoice.due_date >= due_from


@dataclass(frozen=True)
class CustomerChoice:
    """A customer as a picker offers it."""

    id: int
    name: str
    currency: str


def customer_choices(session: Session, include_archived: bool = True) -> list[CustomerChoice]:
    """Customers by name for pickers, without adding up balances (list_customers does, which takes a tenth
    of a second at 100,000 invoices)."""
    stmt = select(Customer.id, Customer.name, Customer.currency).order_by(func.lower(Customer.name), Customer.id)
    if not include_archived:
        stmt = stmt.where(Customer.archived.is_(False))
    return [CustomerChoice(*row) for row in session.execute(stmt)]


def contains(term: str) -> str:
    """A LIKE pattern (escape character backslash) for "has ``term`` in it", ``term`` taken literally."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_customers(
    session: Session,
    search: str | None = None,
    include_archived: bool = False,
    today: date | None = None,
    as_of: date | None = None,
) -> list[CustomerRow]:
    """Customers with what they owed and their credit on ``as_of`` (today when not given), from dated events:
    the balance equals the ledger's aged receivables and the journal's receivables on that day."""
    as_of = as_of or today or date.today()
    owed = receivables_on(as_of)
    balances = (
        select(
            owed.c.customer_id.label("cid"),
            func.sum(owed.c.due).label("balance"),
            func.sum(case((owed.c.due_date < as_of, owed.c.due), else_=0)).label("overdue"),
        )
        .join(Customer, Customer.id == owed.c.customer_id)
        .where(owed.c.currency == Customer.currency)
        .group_by(owed.c.customer_id)
        .subquery()
    )
    stmt = (
        select(Customer, func.coalesce(balances.c.balance, 0), func.coalesce(balances.c.overdue, 0))
        .outerjoin(balances, balances.c.cid == Customer.id)
        .order_by(func.lower(Customer.name), Customer.id)
    )
    if not include_archived:
        stmt = stmt.where(Customer.archived.is_(False))
    if search and search.strip():
        stmt = stmt.where(or_(Customer.search_name.like(contains(fold(search)), escape="\\"),
                              Customer.email.ilike(contains(search.strip()), escape="\\"),
                              Customer.vat_id.ilike(contains(search.strip()), escape="\\")))
    credits = credit_by_currency(session, as_of)
    rows = []
    for c, balance, overdue in session.execute(stmt):
        mine = credits.get(c.id, {})
        rows.append(CustomerRow(
            c.id, c.name, c.email, c.country, c.vat_id, c.currency, c.archived, int(balance), int(overdue),
            mine.get(c.currency, 0), tuple(sorted(mine.items(), key=lambda kv: (kv[0] != c.currency, kv[0]))),
        ))
    return rows


def credit_by_currency(session: Session, as_of: date | None = None) -> dict[int, dict[str, int]]:
    """Each customer's credit balance per currency (non-zero only), from credit entries dated on or before
    ``as_of`` (all when not given): credit in another currency than the billing one is credit too."""
    stmt = select(CreditEntry.customer_id, CreditEntry.currency, func.sum(CreditEntry.amount)).group_by(
        CreditEntry.customer_id, CreditEntry.currency
    )
    if as_of is not None:
        stmt = stmt.where(CreditEntry.entry_on <= as_of)
    found: dict[int, dict[str, int]] = {}
    for customer_id, currency, amount in session.execute(stmt):
        if amount:
            found.setdefault(customer_id, {})[currency] = int(amount)
    return found
