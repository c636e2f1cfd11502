"""Structured payment references of an invoice: the ISO 11649 RF creditor reference and the Swiss QR
reference (27 digits, modulo 10 recursive), and finding either (or an invoice number) in remittance text."""

from __future__ import annotations

import re

_RF = re.compile(r"RF\d{2}[A-Z0-9]{1,21}")
_RF_PRINTED = re.compile(r"RF\d{2}(?: ?[A-Z0-9]{1,4}){1,6}")  # as printed: groups of four, maybe spaced
_QRR = re.compile(r"(?<!\d)\d{27}(?!\d)")
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9/_.-]*[A-Z0-9]|[A-Z0-9]")


def _iso7064_mod97(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def rf_reference(invoice_number: str) -> str:
    """The RF creditor reference carrying the invoice number's letters and digits (at most 21)."""
    body = re.sub(r"[^A-Z0-9]", "", invoice_number.upper())[-21:] or "0"
    check = 98 - _iso7064_mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def rf_valid(reference: str) -> bool:
    ref = reference.replace(" ", "").upper()
    return bool(_RF.fullmatch(ref)) and _iso7064_mod97(ref[4:] + ref[:4]) == 1


_MOD10 = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


def _mod10_check(digits: str) -> int:
    carry = 0
    for ch in digits:
        carry = _MOD10[(carry + int(ch)) % 10]
    return (10 - carry) % 10


def qr_reference(invoice_id: int) -> str:
    """The 27-digit QR reference of an invoice (its id, zero-padded, and the check digit)."""
    body = f"{invoice_id:026d}"
    return body + str(_mod10_check(body))


def qr_valid(reference: str) -> bool:
    ref = reference.replace(" ", "")
    return len(ref) == 27 and ref.isdigit() and _mod10_check(ref[:26]) == int(ref[26])


def references_in(text: str) -> tuple[set[str], set[int]]:
    """The RF references' bodies (candidates whose check digits hold) and the QR references' invoice ids found
    (valid ones only) in ``text``."""
    upper = text.upper()
    rf: set[str] = set()
    for m in _RF_PRINTED.finditer(upper):
        found = m.group(0).replace(" ", "")[:25]
        # the text may run on after the reference ("RF18 5390 0754 7034 DANKE"), and a longer run can pass the
        # check digits by chance (1 in 97): every prefix that passes is a candidate; only a real one names an invoice
        rf.update(found[4:n] for n in range(len(found), 4, -1) if rf_valid(found[:n]))
    qr = {int(m.group(0)[:26]) for m in _QRR.finditer(re.sub(r"(?<=\d)\s+(?=\d)", "", upper)) if qr_valid(m.group(0))}
    return rf, qr


def tokens(text: str) -> set[str]:
    """The words of ``text`` an invoice number could be (upper case), also with their separators removed."""
    found = set(_TOKEN.findall(text.upper()))
    return found | {re.sub(r"[^A-Z0-9]", "", t) for t in found}


def number_key(number: str) -> str:
    """The form an invoice number is looked up in remittance text: upper case, separators removed."""
    return re.sub(r"[^A-Z0-9]", "", number.upper())
