"""The VAT category of a line follows the buyer: export, intra-EU goods or services, domestic."""

from decimal import Decimal

import pytest

from invoicer.core.vat_rules import line_category


@pytest.mark.parametrize(("buyer", "vat_id", "service", "category"), [
    ("FR", "FR40303265045", False, "K"),  # goods to a business in another member state
    ("FR", "FR40303265045", True, "AE"),  # services: the buyer accounts for the VAT
    ("FR", None, False, "Z"),  # an EU consumer: no intra-EU exemption
    ("US", None, False, "G"),  # export outside the EU
    ("CH", "CHE123456789", True, "G"),
    ("DE", "DE123456788", False, "Z"),  # domestic
])
def test_zero_rate_lines_take_their_category_from_the_buyer(
    buyer: str, vat_id: str | None, service: bool, category: str
) -> None:
    assert line_category(Decimal(0), "DE", buyer, vat_id, service) == category


def test_a_rate_above_zero_is_standard_rated_whoever_buys() -> None:
    assert line_category(Decimal(19), "DE", "US", None, False) == "S"
