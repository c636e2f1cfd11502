"""Swiss QR-bill (Swiss Payment Standards, QR-bill 2.3): the Swiss Payments Code of a bill, built and checked by
the qrbill library, and its payment part (receipt and payment part, 210 x 105 mm, the layout of the style guide)
drawn with ReportLab in Liberation Sans (the style guide allows Arial, Frutiger, Helvetica and Liberation Sans,
black, not italic), embedded; the scissors symbol comes from DejaVu Sans, which has the glyph."""

from __future__ import annotations

from typing import Any

import segno
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from invoicer.core.money import format_minor
from invoicer.documents.fonts import FONT as SYMBOLS
from invoicer.documents.fonts import QR_FONT as FONT
from invoicer.documents.fonts import QR_FONT_BOLD as FONT_BOLD
from invoicer.documents.model import Party, QrBill

LANGUAGES = ("de", "fr", "it", "en")
HEIGHT = 105 * mm
RECEIPT = 62 * mm
QR = 46 * mm
CROSS = 7 * mm


def _address(party: Party) -> dict[str, str]:
    lines = party.address_lines
    return {"name": party.name, "street": lines[0] if lines else "", "pcode": party.postcode, "city": party.city,
            "country": party.country}


def make_bill(bill: QrBill) -> Any:
    """The library's bill; ValueError (in English) when the Swiss Payment Standards do not allow it."""
    import qrbill  # with its QR and SVG libraries, only when a QR-bill is made

    return qrbill.QRBill(
        account=bill.account, creditor=_address(bill.creditor),
        debtor=_address(bill.debtor) if bill.debtor is not None else None,
        amount=format_minor(bill.amount, bill.currency), currency=bill.currency,
        reference_number=bill.reference, additional_information=bill.message, language=bill.language,
    )


def spc_payload(bill: QrBill) -> str:
    """The text of the Swiss QR code ("SPC", version 0200, lines separated by CR LF)."""
    return str(make_bill(bill).qr_data())


def language(locale: str) -> str:
    """The bill's language for a document locale: German, French or Italian, else English."""
    code = locale.replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def _label(text: str, lang: str) -> str:
    """The form's headings in its language, as the standard's annex gives them (the library's table)."""
    from qrbill.bill import LABELS

    return str(LABELS[text].get(lang, text)) if lang != "en" else text


def _grouped(text: str, first: int, size: int) -> str:
    parts = [text[:first]] + [text[i : i + size] for i in range(first, len(text), size)]
    return " ".join(p for p in parts if p)


def _reference(bill: QrBill) -> str:
    assert bill.reference is not None
    return _grouped(bill.reference, 2, 5) if bill.reference_type == "QRR" else _grouped(bill.reference, 4, 4)


def _amount(bill: QrBill) -> str:
    whole, _, cents = format_minor(bill.amount, bill.currency).partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{' '.join(groups)}.{cents}"


def _party_lines(party: Party) -> list[str]:
    lines = [party.name, *party.address_lines[:1]]
    place = f"{party.postcode} {party.city}".strip()
    lines.append(f"{party.country}-{place}" if party.country not in ("CH", "LI") else place)
    return lines


class _Writer:
    """Headings and values down one column of the bill, from a top edge."""

    def __init__(self, canvas: Canvas, x: float, top: float, width: float, head: float, size: float) -> None:
        self.canvas, self.x, self.y, self.width = canvas, x, top, width
        self.head, self.size = head, size

    def block(self, heading: str, lines: list[str]) -> None:
        self.canvas.setFont(FONT_BOLD, self.head)
        self.y -= self.head + 1
        self.canvas.drawString(self.x, self.y, heading)
        self.canvas.setFont(FONT, self.size)
        for line in lines:
            for part in simpleSplit(line, FONT, self.size, self.width) or [""]:
                self.y -= self.size + 1
                self.canvas.drawString(self.x, self.y, part)
        self.y -= self.size  # the space between two blocks

    def corners(self, width: float, height: float) -> None:
        """The blank box of a field to fill in by hand: its four corner marks."""
        c, arm = self.canvas, 3 * mm
        top, left = self.y - 1 * mm, self.x
        bottom, right = top - height, left + width
        c.setLineWidth(0.75)
        c.setStrokeColor(colors.black)
        for x, y, dx, dy in ((left, top, arm, -arm), (right, top, -arm, -arm), (left, bottom, arm, arm),
                             (right, bottom, -arm, arm)):
            c.line(x, y, x + dx, y)
            c.line(x, y, x, y + dy)
        self.y = bottom - self.size


def _qr_code(canvas: Canvas, payload: str, x: float, y: float) -> None:
    """The Swiss QR code, 46 x 46 mm, error correction M, with the Swiss cross (7 x 7 mm) in its middle."""
    code = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    rows = [tuple(bool(cell) for cell in row) for row in code.matrix]
    cell = QR / len(rows)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            path.rect(x + start * cell, y + QR - (r + 1) * cell, (c - start) * cell, cell)
    canvas.drawPath(path, stroke=0, fill=1)
    cx, cy = x + (QR - CROSS) / 2, y + (QR - CROSS) / 2
    canvas.setFillColor(colors.white)
    canvas.rect(cx, cy, CROSS, CROSS, stroke=0, fill=1)
    inner = CROSS - 1 * mm
    canvas.setFillColor(colors.black)
    canvas.rect(cx + 0.5 * mm, cy + 0.5 * mm, inner, inner, stroke=0, fill=1)
    arm, bar = inner * 0.6, inner * 0.19
    middle_x, middle_y = cx + CROSS / 2, cy + CROSS / 2
    canvas.setFillColor(colors.white)
    canvas.rect(middle_x - bar / 2, middle_y - arm / 2, bar, arm, stroke=0, fill=1)
    canvas.rect(middle_x - arm / 2, middle_y - bar / 2, arm, bar, stroke=0, fill=1)
    canvas.setFillColor(colors.black)


def draw_payment_part(canvas: Canvas, bill: QrBill, page_width: float) -> None:
    """The receipt and the payment part across the foot of the page (the canvas's origin is the page's lower left
    corner), with the dashed lines to separate them along and the scissors symbol."""
    lang = bill.language
    payload = spc_payload(bill)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(0, 0, page_width, HEIGHT, stroke=0, fill=1)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.5)
    canvas.setDash(2, 2)
    canvas.line(0, HEIGHT, page_width, HEIGHT)
    canvas.line(RECEIPT, 0, RECEIPT, HEIGHT)
    canvas.setDash()
    canvas.setFillColor(colors.black)
    canvas.setFont(SYMBOLS, 10)
    canvas.drawString(5 * mm, HEIGHT - 1.3 * mm, "\u2702")
    account = [_grouped(bill.account, 4, 4), *_party_lines(bill.creditor)]
    debtor = _party_lines(bill.debtor) if bill.debtor is not None else None
    reference = [_reference(bill)] if bill.reference_type != "NON" else None

    # the receipt: 5 mm margins, headings 6 pt, values 8 pt
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(5 * mm, HEIGHT - 5 * mm - 11, _label("Receipt", lang))
    left = _Writer(canvas, 5 * mm, HEIGHT - 12 * mm, RECEIPT - 10 * mm, 6, 8)
    left.block(_label("Account / Payable to", lang), account)
    if reference:
        left.block(_label("Reference", lang), reference)
    if debtor:
        left.block(_label("Payable by", lang), debtor)
    else:
        left.block(_label("Payable by (name/address)", lang), [])
        left.corners(52 * mm, 20 * mm)
    amount_top = HEIGHT - 68 * mm
    for x, heading, value in ((5 * mm, "Currency", bill.currency), (18 * mm, "Amount", _amount(bill))):
        canvas.setFont(FONT_BOLD, 6)
        canvas.drawString(x, amount_top - 7, _label(heading, lang))
        canvas.setFont(FONT, 8)
        canvas.drawString(x, amount_top - 18, value)
    canvas.setFont(FONT_BOLD, 6)
    canvas.drawRightString(RECEIPT - 5 * mm, HEIGHT - 82 * mm - 6, _label("Acceptance point", lang))

    # the payment part: title, QR code and amount on the left, the information on the right
    x0 = RECEIPT + 5 * mm
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(x0, HEIGHT - 5 * mm - 11, _label("Payment part", lang))
    _qr_code(canvas, payload, x0, HEIGHT - 17 * mm - QR)
    for x, heading, value in ((x0, "Currency", bill.currency), (x0 + 22 * mm, "Amount", _amount(bill))):
        canvas.setFont(FONT_BOLD, 8)
        canvas.drawString(x, amount_top - 9, _label(heading, lang))
        canvas.setFont(FONT, 10)
        canvas.drawString(x, amount_top - 22, value)
    right = _Writer(canvas, RECEIPT + 56 * mm, HEIGHT - 5 * mm, page_width - RECEIPT - 61 * mm, 8, 10)
    right.block(_label("Account / Payable to", lang), account)
    if reference:
        right.block(_label("Reference", lang), reference)
    if bill.message:
        right.block(_label("Additional information", lang), [bill.message])
    if debtor:
        right.block(_label("Payable by", lang), debtor)
    else:
        right.block(_label("Payable by (name/address)", lang), [])
        right.corners(65 * mm, 25 * mm)
    canvas.restoreState()
