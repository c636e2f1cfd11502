"""Which VAT category a sale takes from where the buyer is: export, intra-EU supply, reverse charge, domestic."""

from __future__ import annotations

from decimal import Decimal

#: EU member states (ISO 3166-1 alpha-2; Greece as GR), as of 2020 (EU-27).
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
#: UN/ECE units of time: a line sold by the hour, day, month... is a service, anything else is goods.
SERVICE_UNITS = frozenset({"SEC", "MIN", "HUR", "DAY", "WEE", "MON", "ANN"})


def is_service(unit: str) -> bool:
    return unit in SERVICE_UNITS


def zero_rate_category(seller_country: str, buyer_country: str, buyer_vat_id: str | None, service: bool) -> str:
    """The category of a 0 % line: G for a buyer outside the EU (export); for a business with a VAT ID in
    another member state K (intra-community supply of goods) or AE (reverse charge on services); else Z."""
    if buyer_country == seller_country:
        return "Z"
    if buyer_country not in EU_MEMBER_STATES:
        return "G"
    if buyer_vat_id:
        return "AE" if service else "K"
    return "Z"


def line_category(
    rate: Decimal, seller_country: str, buyer_country: str, buyer_vat_id: str | None, service: bool
) -> str:
    """The VAT category of a line typed with a rate and no category: S above 0 %, else from the buyer."""
    if rate > 0:
        return "S"
    return zero_rate_category(seller_country, buyer_country, buyer_vat_id, service)
