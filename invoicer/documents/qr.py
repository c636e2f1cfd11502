"""EPC QR code ("GiroCode", EPC069-12): the SEPA credit-transfer payload and its QR matrix (segno)."""

from __future__ import annotations

import segno

from invoicer.core.money import format_minor

MAX_NAME = 70
MAX_REMITTANCE = 140
MAX_AMOUNT_MINOR = 99_999_999_999  # EUR 999,999,999.99, the largest amount EPC069-12 allows


def epc_payload(name: str, iban: str, amount_minor: int, remittance: str, bic: str | None = None) -> str | None:
    """The EPC069-12 version 002 text for a EUR credit transfer, or None when no valid code is possible.

    Lines: service tag, version, character set (1 = UTF-8), SCT, BIC, beneficiary name, IBAN,
    ``EUR`` + amount with a dot, purpose, structured reference, unstructured remittance text.
    Empty trailing elements are left out, as the standard allows.
    """
    name = " ".join(name.split())[:MAX_NAME]
    iban = "".join(iban.split()).upper()
    if not name or not iban or not 1 <= amount_minor <= MAX_AMOUNT_MINOR:
        return None
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        "".join((bic or "").split()).upper(),
        name,
        iban,
        f"EUR{format_minor(amount_minor, 'EUR')}",
        "",
        "",
        remittance.strip()[:MAX_REMITTANCE],
    ]
    return "\n".join(lines).rstrip("\n")


def qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol as rows of dark (True) / light modules, without the quiet zone.

    EPC069-12 asks for error correction level M, so segno must not raise it.
    """
    code = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    return tuple(tuple(bool(cell) for cell in row) for row in code.matrix)
