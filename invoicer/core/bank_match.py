"""Matching bank credits to open invoices: by invoice number or structured reference in the remittance text,
by amount (the amount due, or the discounted amount within an early-payment period), by the customer's IBAN or
name. Each proposal carries its reason and a confidence; ``SURE`` and above may be confirmed in one go.

Pure: the service hands over plain facts and records what the user confirms.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from invoicer.core.early_payment import DiscountOffer
from invoicer.core.errors import N_
from invoicer.core.payment_reference import number_key, references_in, tokens

SURE = 0.9
_MAX_COMBINATION = 10  # a customer's open invoices searched for a subset paying one transfer

REASONS = {
    "reference": N_("invoice number or reference in the transfer text, amount equal to the amount due"),
    "reference_discount": N_("invoice number or reference in the transfer text, amount less the early-payment "
                             "discount, paid within the discount period"),
    "reference_partial": N_("invoice number or reference in the transfer text, part of the amount due"),
    "reference_over": N_("invoice number or reference in the transfer text, more than the amount due"),
    "amount_iban": N_("amount due, from the customer's IBAN"),
    "amount_name": N_("amount due, from an account holder named like the customer"),
    "amount": N_("amount due of the only invoice with that amount"),
    "ambiguous": N_("amount due of several invoices: choose one"),
    "customer_sum": N_("several open invoices of the customer that add up to the amount"),
    "customer_partial": N_("the customer's oldest open invoice, part of its amount due"),
}


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    number: str
    customer_id: int
    customer_name: str
    customer_iban: str | None
    currency: str
    amount_due: int
    issue_date: date
    discount: DiscountOffer | None = None  # the early-payment discount it offers (core.early_payment.offer)


@dataclass(frozen=True)
class Credit:
    id: int
    amount: int
    currency: str
    value_date: date
    counterparty: str | None
    counterparty_iban: str | None
    remittance: str | None


@dataclass(frozen=True)
class Allocation:
    invoice_id: int
    amount: int  # the money applied to this invoice
    discount: int = 0  # the early-payment discount taken on it


@dataclass(frozen=True)
class Proposal:
    entry_id: int
    allocations: tuple[Allocation, ...]
    reason: str  # a key of REASONS
    confidence: float
    alternatives: tuple[int, ...] = ()  # other invoices the same facts would fit

    @property
    def sure(self) -> bool:
        return self.confidence >= SURE


_LEGAL_FORMS = frozenset(
    ["gmbh", "ag", "kg", "ohg", "ug", "mbh", "co", "sarl", "sa", "sas", "sasu", "eurl", "sl", "sll", "srl", "spa", "bv", "nv", "ltd", "limited", "llc", "inc", "corp", "plc", "oy", "ab", "as", "aps", "se", "e", "k", "ek", "the", "und", "and", "et", "y"]
)


def name_words(name: str) -> frozenset[str]:
    """The significant words of a name: accents, punctuation and legal forms removed."""
    plain = unicodedata.normalize("NFKD", name.replace("ß", "ss")).encode("ascii", "ignore").decode().casefold()
    plain = plain.replace(".", "")  # S.A., e.K., Co.
    # banks spell Müller as MUELLER or MULLER: both sides are read the same way, so the two meet
    plain = re.sub(r"([aou])e", r"\1", plain)
    return frozenset(w for w in re.split(r"[^a-z0-9]+", plain) if w and w not in _LEGAL_FORMS)


def _iban(text: str | None) -> str | None:
    return re.sub(r"\s+", "", text).upper() or None if text else None


@dataclass
class Matcher:
    """Proposes allocations for credits against a set of open invoices; what it proposes is taken off the
    invoices' amounts due, so two transfers in one statement never both claim the same money."""

    invoices: Sequence[OpenInvoice]
    _due: dict[int, int] = field(init=False)
    _by_id: dict[int, OpenInvoice] = field(init=False)
    _by_number: dict[str, int] = field(init=False)
    _by_rf: dict[str, int] = field(init=False)
    _by_amount: dict[tuple[str, int], list[int]] = field(init=False)
    _by_iban: dict[str, set[int]] = field(init=False)
    _by_word: dict[str, set[int]] = field(init=False)
    _words: dict[int, frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        self._due = {inv.id: inv.amount_due for inv in self.invoices}
        self._by_id = {inv.id: inv for inv in self.invoices}
        self._by_number, self._by_rf = {}, {}
        self._by_amount = defaultdict(list)
        self._by_iban, self._by_word, self._words = defaultdict(set), defaultdict(set), {}
        for inv in sorted(self.invoices, key=lambda i: (i.issue_date, i.id)):
            key = number_key(inv.number)
            self._by_number[key] = inv.id
            self._by_rf[key[-21:]] = inv.id
            self._by_amount[(inv.currency, inv.amount_due)].append(inv.id)
            if inv.discount is not None:
                self._by_amount[(inv.currency, inv.discount.amount)].append(inv.id)
            iban = _iban(inv.customer_iban)
            if iban:
                self._by_iban[iban].add(inv.customer_id)
            if inv.customer_id not in self._words:
                self._words[inv.customer_id] = words = name_words(inv.customer_name)
                for w in words:
                    self._by_word[w].add(inv.customer_id)

    # -- facts ---------------------------------------------------------------------------------------------

    def _open(self, invoice_id: int, currency: str) -> bool:
        return self._due.get(invoice_id, 0) > 0 and self._by_id[invoice_id].currency == currency

    def _referenced(self, credit: Credit) -> list[int]:
        if not credit.remittance:
            return []
        found: list[int] = []
        rf, qr = references_in(credit.remittance)
        for key in tokens(credit.remittance):
            if key in self._by_number:
                found.append(self._by_number[key])
        found += [self._by_rf[body] for body in rf if body in self._by_rf]
        found += [i for i in qr if i in self._by_id]
        return sorted({i for i in found if self._open(i, credit.currency)},
                      key=lambda i: (self._by_id[i].issue_date, i))

    def _customers(self, credit: Credit) -> tuple[set[int], str]:
        """The customers the account holder is (by IBAN), else may be (by name)."""
        iban = _iban(credit.counterparty_iban)
        if iban and iban in self._by_iban:
            return set(self._by_iban[iban]), "iban"
        if credit.counterparty:
            words = name_words(credit.counterparty)
            candidates: set[int] = set()
            for w in words:
                candidates |= self._by_word.get(w, set())
            named = {c for c in candidates if self._words[c] and self._words[c] <= words}
            if named:
                return named, "name"
        return set(), ""

    def _discount(self, invoice_id: int, amount: int, on: date) -> int:
        """The discount taken when ``amount`` pays the invoice within its discount period (else 0); not once
        another credit of the statement has paid part of it."""
        inv = self._by_id[invoice_id]
        if inv.discount is None or self._due[invoice_id] != inv.amount_due:
            return 0
        return inv.discount.taken(amount, on)

    # -- proposing -------------------------------------------------------------------------------------------

    def propose(self, credit: Credit) -> Proposal | None:
        proposal = self._propose(credit)
        if proposal is not None:
            for a in proposal.allocations:
                self._due[a.invoice_id] = max(0, self._due[a.invoice_id] - a.amount - a.discount)
        return proposal

    def _propose(self, credit: Credit) -> Proposal | None:
        if credit.amount <= 0:
            return None
        referenced = self._referenced(credit)
        if referenced:
            return self._by_reference(credit, referenced)
        customers, how = self._customers(credit)
        by_amount = [i for i in self._by_amount.get((credit.currency, credit.amount), [])
                     if self._open(i, credit.currency)
                     and credit.amount in (self._due[i], self._discounted(i, credit.value_date))]
        if by_amount:
            return self._by_amount_due(credit, by_amount, customers, how)
        if customers:
            return self._by_customer(credit, customers, how)
        return None

    def _discounted(self, invoice_id: int, on: date) -> int | None:
        offered = self._by_id[invoice_id].discount
        if offered is None or self._discount(invoice_id, offered.amount, on) == 0:
            return None
        return offered.amount

    def _full(self, credit: Credit, invoice_id: int) -> Allocation:
        discount = self._discount(invoice_id, credit.amount, credit.value_date)
        return Allocation(invoice_id, credit.amount if discount else self._due[invoice_id], discount)

    def _by_reference(self, credit: Credit, ids: list[int]) -> Proposal:
        due = sum(self._due[i] for i in ids)
        if credit.amount == due:
            return Proposal(credit.id, tuple(Allocation(i, self._due[i]) for i in ids), "reference", 0.99)
        discounted = [self._discounted(i, credit.value_date) for i in ids]
        if all(d is not None for d in discounted) and credit.amount == sum(d or 0 for d in discounted):
            allocations = tuple(Allocation(i, d or 0, self._due[i] - (d or 0)) for i, d in zip(ids, discounted,
                                                                                                  strict=True))
            return Proposal(credit.id, allocations, "reference_discount", 0.97)
        allocations = self._oldest_first(ids, credit.amount)
        if credit.amount < due:
            return Proposal(credit.id, allocations, "reference_partial", 0.9 if len(ids) == 1 else 0.75)
        return Proposal(credit.id, allocations, "reference_over", 0.8)

    def _oldest_first(self, ids: Iterable[int], amount: int) -> tuple[Allocation, ...]:
        """``amount`` spread over the invoices oldest first; what is left over goes to the last one (it becomes
        the customer's credit when recorded)."""
        ids = list(ids)
        allocations: list[Allocation] = []
        left = amount
        for n, i in enumerate(ids):
            part = left if n == len(ids) - 1 else min(left, self._due[i])
            if part > 0:
                allocations.append(Allocation(i, part))
            left -= part
        return tuple(allocations)

    def _by_amount_due(self, credit: Credit, ids: list[int], customers: set[int], how: str) -> Proposal:
        theirs = [i for i in ids if self._by_id[i].customer_id in customers]
        if len(theirs) == 1:
            confidence = 0.95 if how == "iban" else 0.85
            return Proposal(credit.id, (self._full(credit, theirs[0]),), f"amount_{how}", confidence)
        pool = theirs or ids
        first, others = pool[0], tuple(pool[1:])
        if not others:
            return Proposal(credit.id, (self._full(credit, first),), "amount", 0.7)
        return Proposal(credit.id, (self._full(credit, first),), "ambiguous", 0.3, others)

    def _by_customer(self, credit: Credit, customers: set[int], how: str) -> Proposal | None:
        ids = sorted(
            (i for i, inv in self._by_id.items() if inv.customer_id in customers and self._open(i, credit.currency)),
            key=lambda i: (self._by_id[i].issue_date, i),
        )
        if not ids:
            return None
        recent = ids[:_MAX_COMBINATION]
        for size in range(2, len(recent) + 1):
            for combo in combinations(recent, size):
                if sum(self._due[i] for i in combo) == credit.amount:
                    return Proposal(credit.id, tuple(Allocation(i, self._due[i]) for i in combo), "customer_sum",
                                    0.9 if how == "iban" else 0.8)
        if credit.amount < self._due[ids[0]]:
            return Proposal(credit.id, (Allocation(ids[0], credit.amount),), "customer_partial", 0.5)
        return Proposal(credit.id, self._oldest_first(ids, credit.amount), "customer_partial", 0.4)
