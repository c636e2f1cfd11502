"""A line credit's share of its rate's basis and VAT: partial credits add up exactly, never to more."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicer.core.totals import CreditedLine, TaxSubtotal, credit_share, credited_fraction

nets = st.integers(0, 10**7)
quantities = st.sampled_from([Decimal(x) for x in ("1", "2", "3", "0.5", "7.25", "10", "0.3333")])


@st.composite
def credit_sequences(draw: st.DrawFn) -> tuple[TaxSubtotal, list[tuple[int, Decimal]], list[list[Decimal]]]:
    """A rate's subtotal, its lines (net, quantity), and credits that together cover every quantity."""
    lines = draw(st.lists(st.tuples(nets, quantities), min_size=1, max_size=4))
    basis = draw(st.integers(0, 2 * 10**7))
    subtotal = TaxSubtotal("S", Decimal(19), basis, draw(st.integers(0, basis)))
    steps = draw(st.integers(1, 5))
    credits: list[list[Decimal]] = [[Decimal(0)] * len(lines) for _ in range(steps)]
    for i, (_net, quantity) in enumerate(lines):
        left = quantity
        for step in range(steps - 1):
            part = min(left, draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1), left])))
            credits[step][i] = part
            left -= part
        credits[-1][i] = left
    return subtotal, lines, credits


@given(credit_sequences())
def test_line_credits_that_cover_a_rate_add_up_to_exactly_its_basis_and_vat(
    case: tuple[TaxSubtotal, list[tuple[int, Decimal]], list[list[Decimal]]],
) -> None:
    subtotal, lines, credits = case
    done = [Decimal(0)] * len(lines)
    before = Fraction(0)
    basis = tax = 0
    for credit in credits:
        done = [d + c for d, c in zip(done, credit, strict=True)]
        after = credited_fraction([CreditedLine(n, q, d) for (n, q), d in zip(lines, done, strict=True)])
        share = credit_share(subtotal, before, after)
        assert share.basis >= 0 and share.amount >= 0
        basis, tax = basis + share.basis, tax + share.amount
        assert basis <= subtotal.basis and tax <= subtotal.amount  # never more than the rate has
        before = after
    assert (basis, tax) == (subtotal.basis, subtotal.amount)


def test_three_single_hours_of_a_35_69_invoice() -> None:
    # 3 hours at 9.9967 = 29.99 net + 5.70 VAT: each hour alone rounds to 10.00 + 1.90
    subtotal = TaxSubtotal("S", Decimal(19), 2999, 570)
    shares = [credit_share(subtotal, Fraction(i, 3), Fraction(i + 1, 3)) for i in range(3)]
    assert sum(s.basis + s.amount for s in shares) == 3569
    assert sorted(s.basis for s in shares) == [999, 1000, 1000]


def test_credited_fraction_weighs_lines_by_net() -> None:
    lines = [CreditedLine(10000, Decimal(2), Decimal(1)), CreditedLine(30000, Decimal(1), Decimal(0))]
    assert credited_fraction(lines) == Fraction(1, 8)
    assert credited_fraction([CreditedLine(0, Decimal(2), Decimal(1))]) == Fraction(1, 2)


def test_a_share_cannot_go_backwards() -> None:
    with pytest.raises(ValueError):
        credit_share(TaxSubtotal("S", Decimal(19), 100, 19), Fraction(1, 2), Fraction(1, 3))
