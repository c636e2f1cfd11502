"""How a customer paid, stored as a UNTDID 4461 payment means code and shown by its label in the reader's
language; a method typed before codes (migration 0014) that matches none keeps its words."""

from __future__ import annotations

from invoicer.core.errors import N_, ValidationError
from invoicer.core.text import fold

#: UNTDID 4461 codes in the order the payment dialog offers them. 97 ("clearing between partners") is the
#: customer's own credit applied to an invoice.
METHODS: dict[str, str] = {
    "30": N_("Bank transfer"),
    "10": N_("Cash"),
    "48": N_("Card"),
    "68": N_("Online payment (e.g. PayPal)"),
    "49": N_("Direct debit"),
    "20": N_("Cheque"),
    "97": N_("Customer credit"),
}
CUSTOMER_CREDIT = "97"

#: words a method was typed as (before codes, or on the command line), folded, per code
_WORDS: dict[str, str] = {
    **{fold(label): code for code, label in METHODS.items()},
    **{word: code for code, words in {
        "30": ("bank transfer", "transfer", "credit transfer", "sepa", "sepa transfer", "wire"),
        "10": ("cash",),
        "48": ("card", "credit card", "debit card", "bank card"),
        "68": ("paypal", "online", "online payment"),
        "49": ("direct debit", "sepa direct debit", "debit"),
        "20": ("cheque", "check"),
        "97": ("customer credit", "credit"),
    }.items() for word in words},
}


def method_code(text: str | None) -> str | None:
    """The code for a method given as a code or in words ("cash", "Bank transfer"); None when not given.
    Unknown words are refused: a method is one of the list."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text in METHODS:
        return text
    code = _WORDS.get(fold(text))
    if code is None:
        raise ValidationError(
            N_("'{method}' is not a payment method. Use one of: {choices}."),
            "method", method=text, choices=", ".join(f"{c} ({label})" for c, label in METHODS.items()),
        )
    return code


def method_label(stored: str | None) -> str:
    """The English label (translate it where it is shown) of a stored method; words kept from before
    codes as they are."""
    if not stored:
        return ""
    return METHODS.get(stored, stored)
