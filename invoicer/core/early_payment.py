"""Early-payment discount terms ("2 % within 10 days, net 30"): the discount an invoice grants and until when.

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
