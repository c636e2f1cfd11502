"""Tax rates: a name, a percentage and an EN 16931 VAT category (with an exemption reason where needed)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import ConflictError, NotFoundError, ValidationError
from invoicer.core.money import parse_decimal
from invoicer.core.totals import NEEDS_EXEMPTION_REASON, TaxKey
from invoicer.core.units import unit_code
from invoicer.core.vat_rules import is_service, line_category
from invoicer.db.models import TaxRate
from invoicer.i18n import N_
from invoicer.services import audit, validation
from invoicer.services.company import get_company
from invoicer.services.customers import get_customer

#: Wording printed when a zero-rate category has no reason of its own (BT-120).
DEFAULT_EXEMPTION_REASONS = {
    "E": N_("Exempt from VAT"),
    "AE": N_("Reverse charge: VAT to be accounted for by the recipient"),
    "K": N_("Intra-community supply exempt from VAT"),
    "G": N_("Export outside the EU, exempt from VAT"),
    "O": N_("Not subject to VAT"),
}


@dataclass(frozen=True)
class TaxRateRow:
    id: int
    name: str
    rate: Decimal
    category: str
    exemption_reason: str | None
    archived: bool


def tax_key(category: str, rate: str | Decimal) -> TaxKey:
    return TaxKey(category.strip().upper(), parse_decimal(rate, N_("rate"), 4))


def add_tax_rate(
    session: Session, name: str, rate: str | Decimal, category: str = "S", exemption_reason: str | None = None
) -> int:
    key = tax_key(category, rate)
    name = validation.clean_text(name)
    if not name:
        raise ValidationError(N_("A tax rate needs a name (e.g. 'VAT 19 %')."), "name")
    existing = session.scalar(select(TaxRate).where(TaxRate.category == key.category, TaxRate.rate == key.rate))
    if existing is not None:
        raise ConflictError(
            N_("A tax rate {category} {rate} % ('{name}') exists already."),
            category=key.category, rate=key.rate, name=existing.name,
        )
    row = TaxRate(
        name=name,
        rate=key.rate,
        category=key.category,
        exemption_reason=validation.exemption_reason(exemption_reason),
    )
    session.add(row)
    session.flush()
    audit.record(session, "create", "tax_rate", row.id, payload={"name": name, "rate": key.rate, "category": key.category})
    return row.id


def get_tax_rate(session: Session, tax_rate_id: int) -> TaxRate:
    row = session.get(TaxRate, tax_rate_id)
    if row is None:
        raise NotFoundError(N_("There is no tax rate {id}."), id=tax_rate_id)
    return row


def update_tax_rate(session: Session, tax_rate_id: int, name: str, exemption_reason: str | None) -> None:
    """Rename a rate or change its reason; the rate itself stays (documents refer to it)."""
    row = get_tax_rate(session, tax_rate_id)
    clean = validation.clean_text(name)
    if not clean:
        raise ValidationError(N_("A tax rate needs a name."), "name")
    row.name = clean
    row.exemption_reason = validation.exemption_reason(exemption_reason)
    audit.record(session, "update", "tax_rate", tax_rate_id, payload={"name": row.name})


def archive_tax_rate(session: Session, tax_rate_id: int, archived: bool = True) -> None:
    get_tax_rate(session, tax_rate_id).archived = archived
    audit.record(session, "archive" if archived else "unarchive", "tax_rate", tax_rate_id)


def find_or_create(session: Session, key: TaxKey) -> TaxRate:
    """The tax rate for a (category, rate), created with a plain name if missing."""
    existing = session.scalar(select(TaxRate).where(TaxRate.category == key.category, TaxRate.rate == key.rate))
    if existing is not None:
        return existing
    name = f"VAT {key.rate} %" if key.category == "S" else f"{key.category} {key.rate} %"
    return get_tax_rate(session, add_tax_rate(session, name, key.rate, key.category))


def exemption_reason(session: Session, key: TaxKey) -> str | None:
    """The reason printed for a zero-rate category: the rate's own, else the default wording."""
    if key.category not in NEEDS_EXEMPTION_REASON:
        return None
    row = session.scalar(select(TaxRate).where(TaxRate.category == key.category, TaxRate.rate == key.rate))
    if row is not None and row.exemption_reason:
        return row.exemption_reason
    return DEFAULT_EXEMPTION_REASONS[key.category]


def list_tax_rates(session: Session, include_archived: bool = False) -> list[TaxRateRow]:
    """Every rate in the order pickers and lists show them: standard rates first, highest first, then the
    other categories (the stored rate is a number, so 19 comes before 7)."""
    stmt = select(TaxRate).order_by(TaxRate.category != "S", TaxRate.category, TaxRate.rate.desc(), TaxRate.id)
    if not include_archived:
        stmt = stmt.where(TaxRate.archived.is_(False))
    return [TaxRateRow(r.id, r.name, r.rate, r.category, r.exemption_reason, r.archived) for r in session.scalars(stmt)]


def derived_category(session: Session, customer_id: int, rate: str | Decimal, unit: str) -> str:
    """The VAT category of a line given only a rate, from the customer (the one rule the CLI and the invoice
    editor ask): S above 0 %; at 0 % G outside the EU, K (goods) or AE (services, sold by a unit of time) for a
    business with a VAT ID in another member state, else Z."""
    customer = get_customer(session, customer_id)
    return line_category(parse_decimal(rate, N_("rate"), 4), get_company(session).country, customer.country,
                         customer.vat_id, is_service(unit_code(unit)))
