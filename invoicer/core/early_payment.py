"""Early-payment discount terms ("2 % within 10 days, net 30"): the discount an invoice grants and until when,
and the one rule of when a payment takes it (bank reconciliation and payments typed in by hand both ask it).

The discount is taken off the gross amount; the VAT it contains is corrected by a credit note of that amount,
which splits it over the invoice's VAT rates in their proportion (as the invoice's own VAT was split)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from invoicer.core.money import round_fraction


@dataclass(frozen=True)
class DiscountTerms:
    percent: Decimal  # e.g. 2 for 2 %
    days: int  # counted from the issue date

    def until(self, issue_date: date) -> date:
        return issue_date + timedelta(days=self.days)

    def discount(self, total: int) -> int:
        """The discount on a gross total (minor units), rounded half-up to the currency's minor unit."""
        return round_fraction(Fraction(total) * Fraction(self.percent) / 100)


@dataclass(frozen=True)
class DiscountOffer:
    """What settles an invoice within its discount period: ``amount`` paid by ``until`` takes ``discount``."""

    amount: int
    discount: int
    until: date

    def taken(self, amount: int, on: date) -> int:
        """The discount a payment of ``amount`` on ``on`` takes: all of it when it is exactly the discounted amount
        within the period; else none (another amount, or after the period, is an ordinary payment)."""
        return self.discount if amount == self.amount and on <= self.until else 0


def offer(terms: DiscountTerms | None, total: int, payable: int, amount_due: int, issue_date: date) -> DiscountOffer | None:
    """The discount an invoice offers: on a payment of the whole invoice, so only while nothing was paid or
    credited on it (the terms are on the invoice's total, not on what is left of it). ``payable`` is what the
    invoice asks (its total with the rounding amount BT-114); the discount is taken off that."""
    if terms is None or total <= 0 or amount_due != payable:
        return None
    discount = terms.discount(total)
    return DiscountOffer(payable - discount, discount, terms.until(issue_date)) if discount > 0 else None
