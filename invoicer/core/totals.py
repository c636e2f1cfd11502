"""Line and document totals with the tax breakdown per (category, rate), by the EN 16931 rules.

Every amount that leaves this module is an integer in the currency's minor unit. Unit prices and
quantities are never rounded; a line net is rounded once, half-up; VAT is rounded once per
(category, rate) over the document ("document" mode, EN 16931) or once per line and per
document allowance/charge ("line" mode, an option stored on each invoice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Protocol

from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import HUNDRED, ZERO, exponent, from_minor, round_fraction, round_half_up, to_minor


class TaxRounding(StrEnum):
    """Where VAT is rounded: once per rate over the document, or on every line."""

    DOCUMENT = "document"
    LINE = "line"


class TaxCategory(StrEnum):
    """EN 16931 VAT category codes (UNTDID 5305 subset)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


CATEGORIES = frozenset(c.value for c in TaxCategory)
#: Categories where the seller charges no VAT: the rate must be 0.
ZERO_RATE_CATEGORIES = frozenset({"Z", "E", "AE", "K", "G", "O"})
#: Categories that need an exemption reason on the document (BT-120).
NEEDS_EXEMPTION_REASON = frozenset({"E", "AE", "K", "G", "O"})


@dataclass(frozen=True, order=True)
class TaxKey:
    """A VAT category with its rate in percent, e.g. ``TaxKey("S", Decimal("19"))``."""

    category: str
    rate: Decimal

    def __post_init__(self) -> None:
        check_tax(self.category, self.rate)
        # normalise so 19, 19.0 and 19.00 are the same key
        object.__setattr__(self, "rate", _norm_rate(self.rate))


def _norm_rate(rate: Decimal) -> Decimal:
    normal = rate.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def check_tax(category: str, rate: Decimal) -> None:
    """Refuse a category/rate pair EN 16931 does not allow."""
    if category not in CATEGORIES:
        raise ValidationError(
            N_("Unknown VAT category '{category}' (use S, Z, E, AE, K, G or O)."), "category", category=category
        )
    if rate < ZERO or rate >= HUNDRED:
        raise ValidationError(N_("A tax rate must be between 0 and 100 %, not {rate}."), "rate", rate=rate)
    if category in ZERO_RATE_CATEGORIES and rate != ZERO:
        raise ValidationError(
            N_("VAT category {category} carries a rate of 0 %, not {rate} %."), "rate", category=category, rate=rate
        )
    if category == "S" and rate == ZERO:
        raise ValidationError(N_("Standard-rated VAT (S) needs a rate above 0 %."), "rate")


@dataclass(frozen=True)
class LineCharge:
    """One more allowance or charge on a line (EN 16931 BG-27 / BG-28): an amount in major units, or a
    percent of its base (BT-137 / BT-142): the line's amount before any allowance or charge, or ``base`` (major
    units, zero or more) when it has a base amount of its own."""

    is_charge: bool
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: Decimal | None = None


@dataclass(frozen=True)
class LineInput:
    """One invoice line as entered: quantity and unit price are exact, never rounded.

    A negative quantity makes a negative line (goods taken back, a deposit returned); the net unit price
    itself is never negative (BR-27). ``gross_price`` (BT-148) is the price before the price discount
    (BT-147 = gross - net price); it is shown, it does not change the amount.
    """

    quantity: Decimal
    unit_price: Decimal
    tax: TaxKey
    discount_percent: Decimal | None = None
    discount_amount: int | None = None  # minor units, for the whole line
    price_base: Decimal = Decimal(1)
    charges: tuple[LineCharge, ...] = ()  # further line allowances and charges, in order
    gross_price: Decimal | None = None


@dataclass(frozen=True)
class AdjustmentInput:
    """A document-level allowance (discount) or charge (e.g. shipping), in major units: an amount, or a
    percent (BT-94 / BT-101) of a base amount (BT-93 / BT-100)."""

    amount: Decimal | None
    tax: TaxKey
    is_charge: bool
    percent: Decimal | None = None
    base: Decimal | None = None


@dataclass(frozen=True)
class LineAmounts:
    """What a line comes to, in minor units."""

    gross: int  # quantity x price / base quantity, before allowances and charges, rounded
    discount: int  # every line allowance, each rounded
    net: int  # gross - discount + charge: EN 16931 BT-131
    tax: int | None  # only in line rounding mode
    charge: int = 0  # every line charge, each rounded
    parts: tuple[int, ...] = ()  # each of LineInput.charges in minor units, with the sign of the line
    bases: tuple[int | None, ...] = ()  # each charge's own base amount likewise (None: the line's gross amount)


@dataclass(frozen=True)
class TaxSubtotal:
    """VAT for one (category, rate): taxable basis and tax amount, in minor units."""

    category: str
    rate: Decimal
    basis: int
    amount: int
    exemption_reason: str | None = None  # BT-120, stored with a finalized document's breakdown


@dataclass(frozen=True)
class Totals:
    """Every total of a document, in minor units of its currency."""

    lines: tuple[LineAmounts, ...]
    subtotal: int  # sum of line nets (BT-106)
    allowance_total: int  # BT-107
    charge_total: int  # BT-108
    tax_basis: int  # BT-109
    taxes: tuple[TaxSubtotal, ...]
    tax_total: int  # BT-110
    total: int  # BT-112
    adjustments: tuple[int, ...] = ()  # each document allowance/charge, in minor units, in input order
    prepaid: int = 0  # BT-113, paid before this invoice (deposit invoices)
    rounding_amount: int = 0  # BT-114, added to round the amount payable

    @property
    def payable(self) -> int:
        """BT-115 as issued: grand total - prepaid + rounding (BR-CO-16)."""
        return self.total - self.prepaid + self.rounding_amount


def check_prepaid(prepaid: int, totals: Totals, currency: str, *, final_invoice: bool = False) -> None:
    """The prepaid amount (BT-113) a draft may state: money received before the invoice, settled at finalize. Not
    negative, at most what the invoice asks (BT-112 + BT-114), and none on a final invoice, whose lines already
    deduct the advances invoiced (so no payment is counted twice)."""
    if not prepaid:
        return
    if prepaid < 0:
        raise ValidationError(N_("The prepaid amount cannot be negative."), "prepaid")
    if final_invoice:
        raise ValidationError(
            N_("A final invoice already deducts the deposit and partial invoices; money received before it is not "
               "entered as a prepaid amount (record it as a payment once it is finalized)."), "prepaid")
    asked = totals.total + totals.rounding_amount
    if prepaid > asked:
        raise ValidationError(N_("The prepaid amount {prepaid} is more than the invoice asks ({total})."), "prepaid",
                              prepaid=str(from_minor(prepaid, currency)), total=str(from_minor(asked, currency)))


@dataclass(frozen=True)
class Balance:
    """What was settled on a document and what is still owed, in minor units of its currency."""

    paid: int  # payments and applied customer credit, net of reversals (BT-113)
    credited: int  # credit notes that reduced the amount due
    amount_due: int  # BT-115


@lru_cache(maxsize=65536)  # pure; catalogs repeat the same lines a lot
def line_amounts(
    line: LineInput, currency: str, rounding: TaxRounding, round_to: int | None = None
) -> LineAmounts:
    """Net amount of one line: quantity x price / base, minus its discount, rounded once (to ``round_to``
    decimals instead of the currency's for a document computed before its minor unit changed)."""
    if line.price_base <= ZERO:
        raise ValidationError(N_("The price base quantity must be above zero."), "price_base")
    if line.unit_price < ZERO:
        raise ValidationError(N_("A unit price cannot be negative; use a negative quantity instead."), "unit_price")
    if line.gross_price is not None and line.gross_price < line.unit_price:
        raise ValidationError(N_("The gross price cannot be below the net unit price."), "gross_price")
    places = exponent(currency) if round_to is None else round_to
    exact_gross = line.quantity * line.unit_price / line.price_base
    gross = round_half_up(exact_gross, places)
    discount = ZERO
    if line.discount_percent is not None and line.discount_amount is not None:
        raise ValidationError(N_("A line takes a discount in percent or as an amount, not both."), "discount")
    if line.discount_percent is not None:
        if not ZERO <= line.discount_percent <= HUNDRED:
            raise ValidationError(N_("A discount must be between 0 and 100 %."), "discount")
        # on the rounded gross: the e-invoice states that basis with the percent, and basis x percent must
        # give the amount (1 x 10.005 at 50 %: 10.01 x 50 % = 5.01 off, not 5.00); 100 % then leaves 0.00
        discount = round_half_up(gross * line.discount_percent / HUNDRED, places)
    elif line.discount_amount is not None:
        discount = from_minor(line.discount_amount, currency)
        if discount < ZERO:
            raise ValidationError(N_("A discount cannot be negative."), "discount")
        if gross < ZERO:  # an amount off a negative line takes it towards zero, like a percent does
            discount = -discount
    charge = ZERO
    parts = []
    bases: list[int | None] = []
    for extra in line.charges:
        part = _line_charge(extra, gross, places)
        parts.append(to_minor(part, currency))
        bases.append(None if extra.base is None else to_minor(line_charge_base(extra, gross, places), currency))
        if extra.is_charge:
            charge += part
        else:
            discount += part
    net = gross - discount + charge  # all already in whole minor units
    # allowances take a line towards zero, never past it (a negative line stays negative)
    if (gross >= ZERO and net < ZERO) or (gross < ZERO and net > ZERO):
        raise ValidationError(N_("The discount is larger than the line amount."), "discount")
    tax = None
    if rounding is TaxRounding.LINE:
        tax = to_minor(net * line.tax.rate / HUNDRED, currency, places)
    return LineAmounts(
        gross=to_minor(gross, currency),
        discount=to_minor(discount, currency),
        net=to_minor(net, currency),
        tax=tax,
        charge=to_minor(charge, currency),
        parts=tuple(parts),
        bases=tuple(bases),
    )


def _line_charge(extra: LineCharge, gross: Decimal, places: int) -> Decimal:
    """The amount of one line allowance/charge: as given, or its percent of its base (BT-137/BT-142: its own base
    amount, else the line's gross amount), rounded once half-up; on a negative line it counts with the line's
    sign, its own base too."""
    given = None
    if extra.amount is not None:
        if extra.amount < ZERO:
            raise ValidationError(N_("A line allowance or charge cannot be negative."), "charges")
        given = round_half_up(extra.amount, places) if gross >= ZERO else -round_half_up(extra.amount, places)
    if extra.percent is None:
        if given is None:
            raise ValidationError(N_("A line allowance or charge needs an amount or a percent."), "charges")
        if extra.base is not None:
            raise ValidationError(N_("A line allowance or charge with a base amount needs its percent."), "charges")
        return given
    if not ZERO <= extra.percent <= HUNDRED:
        raise ValidationError(N_("A discount must be between 0 and 100 %."), "charges")
    computed = round_half_up(line_charge_base(extra, gross, places) * extra.percent / HUNDRED, places)
    _same(given, computed)
    return computed


def line_charge_base(extra: LineCharge, gross: Decimal, places: int) -> Decimal:
    """BT-137 / BT-142 of a line allowance/charge in percent: its own base amount (rounded half-up to the minor unit,
    as every EN 16931 amount, with the sign of the line), else the line's gross amount."""
    if extra.base is None:
        return gross
    if extra.base < ZERO:
        raise ValidationError(N_("The base amount of a line allowance or charge cannot be negative."), "charges")
    base = round_half_up(extra.base, places)
    return base if gross >= ZERO else -base


def _same(given: Decimal | None, computed: Decimal) -> None:
    """An amount stated next to its percent and base must be what they give (PEPPOL-EN16931-R040/R041)."""
    if given is not None and given != computed:
        raise ValidationError(
            N_("The amount {given} is not the percent of its base ({computed})."), "amount",
            given=given, computed=computed,
        )


def adjustment_amount(adj: AdjustmentInput, currency: str, round_to: int | None = None) -> int:
    """A document allowance/charge in minor units: as given, or base x percent rounded half-up (the
    amount the e-invoice states with its base and percent, PEPPOL-EN16931-R040)."""
    places = exponent(currency) if round_to is None else round_to
    if adj.percent is not None:
        if adj.base is None:
            raise ValidationError(N_("A discount or charge in percent needs its base amount."), "base")
        if not ZERO <= adj.percent <= HUNDRED:
            raise ValidationError(N_("A discount must be between 0 and 100 %."), "percent")
        value = round_half_up(adj.base * adj.percent / HUNDRED, places)
        _same(None if adj.amount is None else round_half_up(adj.amount, places), value)
    elif adj.amount is None:
        raise ValidationError(N_("A document discount or charge needs an amount or a percent."), "amount")
    else:
        value = adj.amount
    minor = to_minor(value, currency)
    if minor < 0:
        raise ValidationError(N_("A document discount or charge cannot be negative."), "amount")
    return minor


def compute_totals(
    lines: Sequence[LineInput],
    adjustments: Sequence[AdjustmentInput],
    currency: str,
    rounding: TaxRounding = TaxRounding.DOCUMENT,
    stated_taxes: Mapping[TaxKey, int] | None = None,
    *,
    round_to: int | None = None,
    prepaid: int = 0,
    rounding_amount: int = 0,
) -> Totals:
    """All totals of a document and its VAT breakdown per (category, rate).

    ``prepaid`` (BT-113) and ``rounding_amount`` (BT-114, minor units, either sign) only change the amount
    payable (``Totals.payable``), never the VAT or the grand total.

    ``stated_taxes`` gives the VAT of some rates instead of computing it: a credit note's share of the
    invoice's VAT (see ``credit_share``). EN 16931 accepts a stated amount within one currency unit of
    basis x rate (the official rule BR-S-09 and its siblings); anything further is refused.
    ``round_to``: see line_amounts.
    """
    amounts = tuple(line_amounts(line, currency, rounding, round_to) for line in lines)
    basis: dict[TaxKey, int] = {}
    line_tax: dict[TaxKey, int] = {}
    for line, figures in zip(lines, amounts, strict=True):
        basis[line.tax] = basis.get(line.tax, 0) + figures.net
        line_tax[line.tax] = line_tax.get(line.tax, 0) + (figures.tax or 0)
    lines_basis = dict(basis)  # before document allowances and charges
    allowance_total = charge_total = 0
    adjustment_amounts = []
    for adj in adjustments:
        minor = adjustment_amount(adj, currency, round_to)
        adjustment_amounts.append(minor)
        signed = minor if adj.is_charge else -minor
        if adj.is_charge:
            charge_total += minor
        else:
            allowance_total += minor
        basis[adj.tax] = basis.get(adj.tax, 0) + signed
        if rounding is TaxRounding.LINE:
            line_tax[adj.tax] = line_tax.get(adj.tax, 0) + _tax_on(signed, adj.tax.rate, currency, round_to)
    taxes = []
    for key in sorted(basis):
        # a rate's basis may be negative when its lines are (goods taken back), never by discounts alone
        if basis[key] < 0 and lines_basis.get(key, 0) >= 0:
            raise ValidationError(
                N_("Discounts exceed the lines taxed at {category} {rate} %."), "allowances",
                category=key.category, rate=key.rate,
            )
        amount = (
            line_tax[key] if rounding is TaxRounding.LINE else _tax_on(basis[key], key.rate, currency, round_to)
        )
        if stated_taxes is not None and key in stated_taxes:
            amount = _stated(stated_taxes[key], basis[key], key, currency, round_to)
        taxes.append(TaxSubtotal(key.category, key.rate, basis[key], amount))
    subtotal = sum(a.net for a in amounts)
    tax_basis = subtotal - allowance_total + charge_total
    tax_total = sum(t.amount for t in taxes)
    return Totals(
        lines=amounts,
        subtotal=subtotal,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_basis=tax_basis,
        taxes=tuple(taxes),
        tax_total=tax_total,
        total=tax_basis + tax_total,
        adjustments=tuple(adjustment_amounts),
        prepaid=prepaid,
        rounding_amount=rounding_amount,
    )


def final_taxes(basis: Mapping[TaxKey, int], deducted: Mapping[TaxKey, tuple[int, int]], currency: str) -> dict[TaxKey, int]:
    """The VAT per rate of a final invoice that deducts advance (deposit, partial) invoices: the whole work's VAT,
    taxed once on its basis (the final invoice's ``basis`` plus the advances' ``deducted`` basis), less the VAT
    the advances stated (``deducted``: basis and VAT per rate). So the documents' VAT adds up to the whole work's
    to the cent (German UStG 14(5): the final invoice deducts the advances' VAT as they stated it), and each rate
    stays within EN 16931's tolerance of basis x rate (BR-S-09 and its siblings: under one currency unit)."""
    return {
        key: _tax_on(basis[key] + d_basis, key.rate, currency, None) - d_vat
        for key, (d_basis, d_vat) in deducted.items() if key in basis
    }


def _stated(amount: int, basis_minor: int, key: TaxKey, currency: str, round_to: int | None) -> int:
    if abs(amount - _tax_on(basis_minor, key.rate, currency, round_to)) >= 10 ** exponent(currency):
        raise ValidationError(
            N_("The VAT at {rate} % ({category}) differs from its basis x rate by a currency unit or more."),
            "taxes", category=key.category, rate=key.rate,
        )
    return amount


def _tax_on(basis_minor: int, rate: Decimal, currency: str, round_to: int | None) -> int:
    """VAT on a basis in minor units, rounded half-up to the minor unit (or to ``round_to`` decimals)."""
    if round_to is None:
        return int(round_half_up(Decimal(basis_minor) * rate / HUNDRED, 0))
    return to_minor(from_minor(basis_minor, currency) * rate / HUNDRED, currency, round_to)


@dataclass(frozen=True)
class CreditedLine:
    """An invoice line of one VAT rate for crediting: its net (minor units), quantity and quantity credited."""

    net: int
    quantity: Decimal
    credited: Decimal


def credited_fraction(lines: Sequence[CreditedLine]) -> Fraction:
    """How much of one rate's lines is credited (0 to 1), each line weighted by its net amount.

    Exact (a Fraction), so crediting every quantity of every line gives exactly 1. Lines that all come to
    zero weigh the same.
    """
    weights = [line.net for line in lines]
    if sum(weights) == 0:
        weights = [1] * len(lines)
    done = sum((Fraction(w) * Fraction(x.credited) / Fraction(x.quantity) for w, x in zip(weights, lines, strict=True)),
               Fraction(0))
    return done / sum(weights)


def credit_share(subtotal: TaxSubtotal, before: Fraction, after: Fraction) -> TaxSubtotal:
    """The basis and VAT of one rate that a line credit carries when it moves that rate's credited
    fraction from ``before`` to ``after``: its part of the lines and of the document allowances and charges.

    Each share is the difference of the rounded cumulative amounts, so any sequence of credits adds up to
    exactly the rate's basis and VAT once everything is credited (the last one takes the remainder), and
    never to more.
    """
    if not 0 <= before <= after <= 1:
        raise ValueError(f"credited fractions must grow within [0, 1], not {before} -> {after}")

    def part(amount: int) -> int:
        return round_fraction(amount * after) - round_fraction(amount * before)

    return TaxSubtotal(subtotal.category, subtotal.rate, part(subtotal.basis), part(subtotal.amount))


def convert_minor(minor: int, from_currency: str, to_currency: str, rate: Decimal) -> int:
    """Convert minor units with a locked exchange rate (1 unit of from = ``rate`` units of to)."""
    return to_minor(from_minor(minor, from_currency) * rate, to_currency)


def company_rounding(rounding: int, currency: str, company_currency: str | None, rate: Decimal | None) -> int:
    """A document's rounding amount (BT-114, minor units) in the company currency, with its locked rate: what the
    journal posts to the rounding account and adds to the receivable beside the stored company total."""
    if not rounding or company_currency is None or (company_currency == currency and rate in (None, 1)):
        return rounding
    return convert_minor(rounding, currency, company_currency, rate or Decimal(1))


def convert_parts(parts: Sequence[int], currency: str, company_currency: str, rate: Decimal, target: int) -> list[int]:
    """Convert a document's parts with its locked rate so they add up to the stored company figure exactly.

    Each part is converted on its own; the rounding difference (a cent or so) goes to the largest part,
    so a journal entry or a VAT return balances to the cent against the document's stored company figure.
    """
    if currency == company_currency and rate == 1:
        return list(parts)
    converted = [convert_minor(part, currency, company_currency, rate) for part in parts]
    if converted:
        largest = max(range(len(parts)), key=lambda i: abs(parts[i]))
        converted[largest] += target - sum(converted)
    return converted


def owed_in_company_currency(
    owed: int, total: int, company_total: int | None, currency: str, company_currency: str, rate: Decimal
) -> int:
    """What the books carry for ``owed`` of an invoice in another currency: the stored company total while all of it
    is owed, else ``owed`` converted with the locked rate (each settlement's rounding is an exchange difference)."""
    if owed == total and company_total is not None:
        return company_total
    return convert_minor(owed, currency, company_currency, rate)


class StoredLineCharge(Protocol):
    """A further line allowance or charge as stored: its percent, or else its amount in minor units."""

    is_charge: bool
    percent: Decimal | None
    amount: int
    # also read when present (from 0019 on): base (int | None, minor units with the sign of the line)


class StoredLine(Protocol):
    """A line as stored (database row or plain object): what its net amount is computed from."""

    quantity: Decimal
    unit_price: Decimal
    price_base: Decimal
    discount_percent: Decimal | None
    discount_amount: int | None  # minor units
    tax_category: str
    tax_rate: Decimal
    # also read when present, else taken as absent (records of the schema before 0013, migration 0010's):
    # gross_price (Decimal | None), allowances (a sequence of StoredLineCharge)


class StoredAdjustment(Protocol):
    """A document allowance or charge as stored: its amount in minor units (and its percent and base, when
    it was given in percent)."""

    amount: int
    is_charge: bool
    tax_category: str
    tax_rate: Decimal
    # also read when present (from 0013 on): percent (Decimal | None) and base (int | None, minor units)


def totals_of(
    lines: Iterable[StoredLine], adjustments: Iterable[StoredAdjustment], currency: str, rounding: str,
    stated_taxes: Mapping[TaxKey, int] | None = None,
    *,
    round_to: int | None = None,
) -> Totals:
    """Totals of a stored document (issuing a credit note, verifying, bulk demo data); ``round_to``: the
    decimals it was computed with when its currency's minor unit has changed since (migration 0010)."""
    return compute_totals(
        [
            LineInput(x.quantity, x.unit_price, _stored_key(x.tax_category, x.tax_rate), x.discount_percent,
                      x.discount_amount, x.price_base,
                      tuple(_stored_charge(c, currency) for c in getattr(x, "allowances", ())),
                      getattr(x, "gross_price", None))
            for x in lines
        ],
        [
            AdjustmentInput(
                from_minor(a.amount, currency), _stored_key(a.tax_category, a.tax_rate), a.is_charge,
                getattr(a, "percent", None), _major(getattr(a, "base", None), currency),
            )
            for a in adjustments
        ],
        currency,
        TaxRounding(rounding),
        stated_taxes,
        round_to=round_to,
    )


def _major(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else from_minor(minor, currency)


def _stored_charge(charge: StoredLineCharge, currency: str) -> LineCharge:
    if charge.percent is not None:
        base = getattr(charge, "base", None)
        return LineCharge(charge.is_charge, percent=charge.percent,
                          base=None if base is None else abs(from_minor(base, currency)))
    return LineCharge(charge.is_charge, amount=abs(from_minor(charge.amount, currency)))


@lru_cache(maxsize=1024)  # a million stored lines share a handful of rates
def _stored_key(category: str, rate: Decimal) -> TaxKey:
    return TaxKey(category, rate)
