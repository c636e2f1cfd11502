"""First run: saving the company profile seeds its country's usual VAT rates, and the steps left before the first
invoice (the dashboard's checklist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import ValidationError
from invoicer.core.totals import TaxKey
from invoicer.core.vat_rates import USUAL_RATES
from invoicer.db.models import Company, Customer, Invoice, TaxRate
from invoicer.services import company as company_service
from invoicer.services import taxes


def save_company(session: Session, **changes: Any) -> Company:
    """Change the company profile (GUI and CLI ``company set``); the first time it names a country, that
    country's usual VAT rates are added so the first invoice has the right ones."""
    saved = company_service.update_company(session, **changes)
    seed_vat_rates(session)
    return saved


def seed_vat_rates(session: Session) -> int:
    """Add the usual rates of the company's country while there are no VAT rates at all; how many were added
    (a user's own list, even a short one, is never added to)."""
    if session.scalar(select(TaxRate.id).limit(1)) is not None:
        return 0
    usual = USUAL_RATES.get(company_service.get_company(session).country, ())
    for category, rate in usual:
        taxes.find_or_create(session, TaxKey(category, rate))
    return len(usual)


@dataclass(frozen=True)
class FirstSteps:
    """What is done of: company profile, VAT rates, first customer, first invoice."""

    company: bool
    vat_rates: bool
    customer: bool
    invoice: bool

    @property
    def done(self) -> bool:
        return self.company and self.vat_rates and self.customer and self.invoice


def first_steps(session: Session) -> FirstSteps:
    seller = company_service.get_company(session)
    try:
        company_service.require_complete(seller)
        complete = True
    except ValidationError:
        complete = False
    # a country without VAT (the US) has no rates to enter
    rates = session.scalar(select(TaxRate.id).limit(1)) is not None or USUAL_RATES.get(seller.country) == ()
    return FirstSteps(
        company=complete,
        vat_rates=complete and rates,
        customer=session.scalar(select(Customer.id).limit(1)) is not None,
        invoice=session.scalar(select(Invoice.id).limit(1)) is not None,
    )
