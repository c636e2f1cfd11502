"""The VAT rates a business usually needs in its country."""

from __future__ import annotations

from decimal import Decimal

#: (category, rate) pairs per country, standard rate first, as in force in 2025 (national tax
#: authorities; Switzerland 8.1 % since 2024). A country not listed (the US: sales tax is not VAT) gets none.
USUAL_RATES: dict[str, tuple[tuple[str, Decimal], ...]] = {
    country: tuple((category, Decimal(rate)) for category, rate in rates)
    for country, rates in {
        "DE": (("S", "19"), ("S", "7")),
        "AT": (("S", "20"), ("S", "13"), ("S", "10")),
        "FR": (("S", "20"), ("S", "10"), ("S", "5.5"), ("S", "2.1")),
        "BE": (("S", "21"), ("S", "12"), ("S", "6")),
        "NL": (("S", "21"), ("S", "9")),
        "ES": (("S", "21"), ("S", "10"), ("S", "4")),
        "IT": (("S", "22"), ("S", "10"), ("S", "5"), ("S", "4")),
        "CH": (("S", "8.1"), ("S", "3.8"), ("S", "2.6")),
        "GB": (("S", "20"), ("S", "5"), ("Z", "0")),
        "US": (),
    }.items()
}


def standard_rate(country: str) -> Decimal | None:
    """The highest standard-category rate of ``country``; None where no rates are known."""
    rates = [rate for category, rate in USUAL_RATES.get(country, ()) if category == "S"]
    return max(rates) if rates else None
