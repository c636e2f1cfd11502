"""Exchange rates to the company currency, stored per day and locked onto invoices at finalize."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import parse_decimal
from invoicer.db.models import ExchangeRate
from invoicer.services import audit, validation


@dataclass(frozen=True)
class RateRow:
    currency: str
    valid_on: date
    rate: Decimal


def parse_rate(value: str | Decimal) -> Decimal:
    rate = parse_decimal(value, N_("exchange rate"), 10)
    if rate <= 0:
        raise ValidationError(N_("An exchange rate must be above zero."), "rate")
    return rate


def set_rate(session: Session, currency: str, rate: str | Decimal, valid_on: date) -> None:
    """1 unit of ``currency`` = ``rate`` units of the company currency, from ``valid_on``."""
    code = validation.currency(currency)
    value = parse_rate(rate)
    row = session.scalar(select(ExchangeRate).where(ExchangeRate.currency == code, ExchangeRate.valid_on == valid_on))
    if row is None:
        session.add(ExchangeRate(currency=code, valid_on=valid_on, rate=value))
    else:
        row.rate = value
    audit.record(session, "set", "exchange_rate", None, payload={"currency": code, "rate": value, "valid_on": valid_on})


def rate_on(session: Session, currency: str, day: date) -> Decimal | None:
    """The newest stored rate valid on ``day`` (None if there is none)."""
    return session.scalar(
        select(ExchangeRate.rate)
        .where(ExchangeRate.currency == currency, ExchangeRate.valid_on <= day)
        .order_by(ExchangeRate.valid_on.desc())
        .limit(1)
    )


def list_rates(session: Session) -> list[RateRow]:
    stmt = select(ExchangeRate).order_by(ExchangeRate.currency, ExchangeRate.valid_on.desc())
    return [RateRow(r.currency, r.valid_on, r.rate) for r in session.scalars(stmt)]
