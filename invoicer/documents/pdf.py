"""Invoice and credit-note PDFs with ReportLab platypus, in the customer's language and formats.

A4 or Letter; embedded DejaVu fonts (Latin, Greek, Cyrillic); multi-page with the table header
repeated and the totals kept with the last lines; "page x of y"; EPC QR code; DRAFT and VOID
marks. Output is deterministic: ReportLab's invariant mode plus the document's own timestamp.
"""

from __future__ import annotations

import logging
import struct
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from io import BytesIO
from typing import Any, Protocol, cast
from xml.sax.saxutils import escape

from PIL import ImageCms
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from invoicer.core.totals import TaxSubtotal
from invoicer.documents import facturx, qr, swiss_qr
from invoicer.documents.fonts import FONT, FONT_BOLD, register_fonts
from invoicer.documents.model import Document, DocumentMark, Line, PaperSize, Party, QrBill
from invoicer.documents.wording import ADVANCE_TITLES, Wording

log = logging.getLogger(__name__)

SIZE = 8.5
HEADER_SIZE = 7.5  # the line table's column titles
MARGIN = 18 * mm
HEADER_FIRST = 44 * mm  # logo and seller block on page 1
HEADER_NEXT = 14 * mm  # one line on the following pages
FOOTER = 16 * mm
BOTTOM = FOOTER + 3 * mm  # the frames' lower edge
QR_SIZE = 30 * mm
QR_BILL_PAGE = "_qr_bill_page"  # set on the canvas of the page that carries the Swiss QR-bill
GREY = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.6, 0.6, 0.6)
WATERMARK = colors.Color(0.86, 0.86, 0.86)
VOID_RED = colors.Color(0.8, 0.1, 0.1)
PAGE_SIZES = {PaperSize.A4: A4, PaperSize.LETTER: LETTER}
#: a TableStyle command: name, first cell, last cell, arguments
TableCommand = tuple[str, tuple[int, int], tuple[int, int], *tuple[Any, ...]]


# ---------------------------------------------------------------- styles, colour profile, logo


ICC_DATE = slice(24, 36)  # the ICC header's creation date and time (six big-endian 16-bit numbers)


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    """An sRGB ICC profile (littleCMS via Pillow) for the PDF/A output intent.

    littleCMS stamps the profile with the current time; a fixed date keeps the PDFs reproducible.
    """
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[ICC_DATE] = struct.pack(">6H", 2000, 1, 1, 0, 0, 0)
    return bytes(profile)


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": SIZE, "leading": SIZE * 1.25}
    base.update(kw)
    return ParagraphStyle(name, **base)


BODY = _style("body")
TITLE = _style("title", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=2 * mm)
RIGHT = _style("right", alignment=2)


def _para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of user text: escaped, newlines kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


@lru_cache(maxsize=8)
def _logo(path: str) -> ImageReader | None:
    try:
        return ImageReader(path)
    except (OSError, ValueError) as exc:
        log.warning("Logo %s cannot be read, leaving it out: %s", path, exc)
        return None


# ---------------------------------------------------------------- the canvas: page x of y, PDF/A basics


class _Catalog(Protocol):
    """The PDF's catalog: the keys it writes, and the output intents added to them."""

    __NoDefault__: list[str]
    OutputIntents: PDFArray


class _Writer(Protocol):
    """ReportLab's PDFDocument as used here (types-reportlab leaves out Catalog and types no Reference)."""

    Catalog: _Catalog

    def Reference(self, obj: PDFObject, name: str | None = None) -> PDFObjectReference: ...


class _CanvasInternals(Protocol):
    """The parts of ReportLab's Canvas this module reaches that are private there and left out of its stubs."""

    _doc: _Writer  # the document being written

    def _startPage(self) -> None: ...  # a fresh page state after showPage


class _DocumentCanvas(Canvas):
    """Defers each page until the count is known ("page x of y") and adds the PDF/A output intent."""

    def __init__(self, *args: Any, doc: Document, page_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: list[dict[str, Any]] = []
        self._page_label = page_label
        self._page_width = kwargs["pagesize"][0]
        created = doc.created
        # the only date in the file is the document's own (no clock read: reproducible bytes)
        self.setDateFormatter(
            lambda *_: f"D:{created:%Y%m%d%H%M%S}+00'00'"
        )
        self._add_output_intent()

    def _internals(self) -> _CanvasInternals:
        return cast(_CanvasInternals, self)  # every Canvas has both: set in __init__ and defined on the class

    def _add_output_intent(self) -> None:
        pdf = self._internals()._doc
        profile = PDFStream(PDFDictionary({"N": 3}), content=_srgb_profile(), filters=[PDFZCompress])
        intent = PDFDictionary(
            {
                "Type": PDFName("OutputIntent"),
                "S": PDFName("GTS_PDFA1"),
                "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
                "Info": PDFString("sRGB IEC61966-2.1"),
                "DestOutputProfile": pdf.Reference(profile),
            }
        )
        catalog = pdf.Catalog
        # ReportLab's catalog writes only the keys it knows; OutputIntents is added to that list
        catalog.__NoDefault__ = [*catalog.__NoDefault__, "OutputIntents"]
        catalog.OutputIntents = PDFArray([intent])

    def linkURL(self, *args: Any, **kw: Any) -> None:
        # PDF/A (ISO 19005-3, 6.3.2): every annotation carries its flags, with Print set (4)
        kw.setdefault("F", 4)
        super().linkURL(*args, **kw)

    def showPage(self) -> None:
        self._deferred.append(dict(self.__dict__))
        self._internals()._startPage()

    def save(self) -> None:
        total = len(self._deferred)
        for number, state in enumerate(self._deferred, 1):
            self.__dict__.update(state)
            if state.get(QR_BILL_PAGE):  # the QR-bill's payment part fills the foot of this page
                super().showPage()
                continue
            self.setFont(FONT, 7)
            self.setFillColor(GREY)
            label = self._page_label.format(page=number, pages=total)
            self.drawRightString(self._page_width - MARGIN, FOOTER - 6 * mm, label)
            super().showPage()
        super().save()


# ---------------------------------------------------------------- page decoration


class _Pages:
    """Draws what every page carries: seller header, compact header, footer, draft/void marks."""

    def __init__(self, doc: Document, words: Wording, size: tuple[float, float]) -> None:
        self.doc = doc
        self.words = words
        self.width, self.height = size

    def first(self, canvas: Canvas, _template: Any) -> None:
        self._watermark(canvas)
        self._seller_header(canvas)
        if self.doc.qr_bill is None:
            self._footer(canvas)

    def later(self, canvas: Canvas, _template: Any) -> None:
        self._watermark(canvas)
        doc, words = self.doc, self.words
        canvas.setFont(FONT_BOLD, SIZE)
        canvas.setFillColor(colors.black)
        top = self.height - MARGIN
        canvas.drawString(MARGIN, top - SIZE, words.title(doc))
        canvas.setFont(FONT, SIZE)
        canvas.drawRightString(self.width - MARGIN, top - SIZE, doc.seller.name)
        if self.doc.qr_bill is None:
            self._footer(canvas)

    def end(self, canvas: Canvas, _template: Any) -> None:
        # with a QR-bill the footer is drawn once the page is laid out: not on the page the bill's part fills
        if self.doc.qr_bill is not None and not getattr(canvas, QR_BILL_PAGE, False):
            self._footer(canvas)
        if self.doc.mark is DocumentMark.VOID:
            self._big_mark(canvas, self.words._("VOID"), VOID_RED, 96, fill=False)

    def _seller_header(self, canvas: Canvas) -> None:
        seller, words = self.doc.seller, self.words
        top = self.height - MARGIN
        logo = _logo(self.doc.seller.logo_path) if self.doc.seller.logo_path else None
        if logo is not None:
            canvas.drawImage(
                logo, MARGIN, top - 22 * mm, width=60 * mm, height=22 * mm,
                preserveAspectRatio=True, anchor="nw", mask="auto",
            )
        else:
            canvas.setFont(FONT_BOLD, 14)
            canvas.drawString(MARGIN, top - 14, seller.name)
        right = self.width - MARGIN
        lines = [*_address(seller, words), *_contact(seller, words)]
        if logo is not None:
            lines.insert(0, seller.name)
        canvas.setFont(FONT, SIZE - 0.5)
        canvas.setFillColor(GREY)
        for i, line in enumerate(lines):
            canvas.drawRightString(right, top - SIZE - i * (SIZE + 1.5), line)
        canvas.setFillColor(colors.black)

    def _footer(self, canvas: Canvas) -> None:
        seller, words = self.doc.seller, self.words
        parts = [seller.name, ", ".join([*seller.address_lines, f"{seller.postcode} {seller.city}".strip()])]
        if seller.vat_id:
            parts.append(f"{words._('VAT ID')} {seller.vat_id}")
        if seller.tax_number:
            parts.append(f"{words._('Tax number')} {seller.tax_number}")
        lines = [" · ".join(p for p in parts if p)]
        if self.doc.seller.iban:
            bank = f"IBAN {_grouped(self.doc.seller.iban)}" + (f" · BIC {self.doc.seller.bic}" if self.doc.seller.bic else "")
            lines.append(bank)
        if self.doc.seller.legal_details:
            lines.extend(line.strip() for line in self.doc.seller.legal_details.splitlines() if line.strip())
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, FOOTER, self.width - MARGIN, FOOTER)
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        for i, line in enumerate(lines[:4]):
            canvas.drawString(MARGIN, FOOTER - 3 * mm - i * 8.5, line)
        canvas.setFillColor(colors.black)

    def _watermark(self, canvas: Canvas) -> None:
        if self.doc.mark is DocumentMark.DRAFT:
            mark = self.words._("DRAFT — not sent yet") if self.doc.is_quote else self.words._(
                "DRAFT — not a valid invoice")
            self._big_mark(canvas, mark, WATERMARK, 44, fill=True)
        elif self.doc.mark is DocumentMark.COPY:
            self._big_mark(canvas, self.words._("COPY"), WATERMARK, 96, fill=True)

    def _big_mark(self, canvas: Canvas, text: str, color: colors.Color, size: float, fill: bool) -> None:
        canvas.saveState()
        canvas.translate(self.width / 2, self.height / 2)
        canvas.rotate(50)
        width = pdfmetrics.stringWidth(text, FONT_BOLD, size)
        if width > self.height * 0.9:  # long translations shrink to fit the diagonal
            size *= self.height * 0.9 / width
        text_object = canvas.beginText()
        text_object.setTextRenderMode(0 if fill else 1)
        text_object.setFont(FONT_BOLD, size)
        canvas.setFillColor(color)
        canvas.setStrokeColor(color)
        canvas.setLineWidth(2)
        text_object.setTextOrigin(-pdfmetrics.stringWidth(text, FONT_BOLD, size) / 2, -size / 3)
        text_object.textOut(text)
        canvas.drawText(text_object)
        canvas.restoreState()


def _grouped(iban: str) -> str:
    compact = "".join(iban.split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _address(party: Party, words: Wording) -> list[str]:
    lines = [*party.address_lines, f"{party.postcode} {party.city}".strip()]
    if party.country:
        lines.append(words.country(party.country))
    return [line for line in lines if line]


def _contact(party: Party, words: Wording) -> list[str]:
    lines = [x for x in (party.phone, party.email) if x]
    if party.vat_id:
        lines.append(f"{words._('VAT ID')}: {party.vat_id}")
    if party.tax_number:
        lines.append(f"{words._('Tax number')}: {party.tax_number}")
    return lines


# ---------------------------------------------------------------- the story


def _heading(doc: Document, words: Wording, width: float) -> list[Flowable]:
    buyer = doc.buyer
    buyer_lines = [buyer.name]
    if buyer.contact:
        buyer_lines.append(buyer.contact)
    buyer_lines += _address(buyer, words)
    buyer_block = _para("\n".join(buyer_lines))

    info: list[tuple[str, str]] = []
    number_label = (words._("Credit note number") if doc.is_credit_note else words._("Quote number")
                    if doc.is_quote else words._("Invoice number"))
    info.append((number_label, doc.number or words._("(draft)")))
    info.append((words._("Issue date"), words.date(doc.issue_date)))
    if doc.due_date and not doc.is_credit_note:
        info.append((words._("Valid until") if doc.is_quote else words._("Due date"), words.date(doc.due_date)))
    # the date of supply or the period of the service (EU VAT Art. 226(7))
    if doc.delivery_date:
        info.append((words._("Date of supply"), words.date(doc.delivery_date)))
    if doc.period_start or doc.period_end:
        info.append((words._("Service period"), _period_text(doc.period_start, doc.period_end, words)))
    if doc.buyer_reference:
        info.append((words._("Your reference"), doc.buyer_reference))
    if buyer.vat_id:
        info.append((words._("Your VAT ID"), buyer.vat_id))
    info_table = Table(
        [[label, _wrapped(value, 42 * mm)] for label, value in info],
        colWidths=[34 * mm, 42 * mm],
        style=TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, SIZE),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ("TEXTCOLOR", (0, 0), (0, -1), GREY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0.6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
        ]),
    )
    top = Table(
        [[buyer_block, info_table]],
        colWidths=[width - 76 * mm, 76 * mm],
        style=TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, SIZE),  # else ReportLab selects Helvetica, not embedded
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]),
    )
    story: list[Flowable] = [top, Spacer(1, 9 * mm), Paragraph(escape(words.title(doc)), TITLE)]
    if doc.is_credit_note and doc.corrected_number:
        cited = words._("This credit note corrects invoice {number} of {date}.").format(
            number=doc.corrected_number,
            date=words.date(doc.corrected_date) if doc.corrected_date else "",
        )
        story.append(_para(cited))
    if not doc.is_credit_note and doc.type_code in ("384", "389"):
        kind = words._("Corrected invoice") if doc.type_code == "384" else words._("Self-billed invoice")
        if doc.preceding_number:
            kind += " — " + words._("replaces invoice {number} of {date}.").format(
                number=doc.preceding_number, date=words.date(doc.preceding_date) if doc.preceding_date else "")
        story.append(_para(kind))
    if doc.reason:
        story.append(_para(f"{words._('Reason')}: {doc.reason}"))
    story.append(Spacer(1, 4 * mm))
    return story


def _line_table(doc: Document, words: Wording, width: float) -> Table:
    """Lines, adjustments, VAT breakdown and totals in one table: the header repeats on every page,
    and the last line is never parted from the totals (NOSPLIT)."""
    show_discount = any(line.own_discount for line in doc.lines)
    columns = [
        ("#", 7 * mm),
        (words._("Description"), 0),
        (words._("Qty"), 15 * mm),
        (words._("Unit"), 15 * mm),
        (words._("Unit price"), 23 * mm),
        *([(words._("Discount"), 18 * mm)] if show_discount else []),
        (words._("VAT"), 12 * mm),
        (words._("Net"), 25 * mm),
    ]
    fixed = sum(w for _, w in columns)
    widths = [w or width - fixed for _, w in columns]
    description_width = width - fixed
    # translated headers may be longer than their column ("Precio unitario"): they wrap
    rows: list[list[Any]] = [
        [_wrapped(label, w, FONT_BOLD, HEADER_SIZE) for (label, _), w in zip(columns, widths, strict=True)]
    ]
    for line in doc.lines:
        discount = []
        if show_discount:
            if not line.own_discount:
                discount = [""]
            elif line.discount_percent is not None:
                discount = [words.percent(line.discount_percent)]
            else:
                discount = [words.money(line.own_discount)]
        rows.append([
            str(line.position),
            _wrapped("\n".join([line.description, *_line_detail(line, words)]), description_width),
            words.number(line.quantity),
            words.unit(line.unit),
            words.unit_price(line.unit_price)
            + (f" / {words.number(line.price_base)}" if line.price_base != 1 else ""),
            *discount,
            words.percent(line.tax_rate) if line.tax_category != "O" else "—",
            words.money(line.net),
        ])
    last_line_row = len(rows) - 1
    span = len(columns) - 2
    totals: list[tuple[Any, str, bool]] = []  # label, amount, bold
    if doc.adjustments:
        totals.append((words._("Sum of lines"), words.money(doc.totals.subtotal), False))
        for adj in doc.adjustments:
            kind = words._("Charge") if adj.is_charge else words._("Discount")
            rate = words.percent(adj.tax_rate) if adj.tax_category != "O" else "—"
            share = "" if adj.percent is None or adj.base is None else ", " + words._("{percent} of {base}").format(
                percent=words.percent(adj.percent), base=words.money(adj.base))
            label = f"{kind}: {adj.reason}{share} ({words._('VAT')} {rate})"
            totals.append((label, ("" if adj.is_charge else "−") + words.money(adj.amount), False))
    totals.append((words._("Total net"), words.money(doc.totals.tax_basis), False))
    for tax in doc.totals.taxes:
        label = words._("VAT {rate} on {basis}").format(
            rate=words.percent(tax.rate) if tax.category != "O" else "—", basis=words.money(tax.basis)
        )
        cell: Any = label
        if tax.exemption_reason:
            cell = Paragraph(f"{escape(label)}<br/><font size=7>{escape(tax.exemption_reason)}</font>", RIGHT)
        totals.append((cell, words.money(tax.amount), False))
    if len(doc.totals.taxes) > 1:
        totals.append((words._("Total VAT"), words.money(doc.totals.tax_total), False))
    totals.append((words._("Total"), words.money(doc.totals.total), True))
    rounding = doc.totals.rounding_amount
    rounding_row = (words._("Rounding"), ("+" if rounding > 0 else "−") + words.money(abs(rounding)), False)
    if doc.is_credit_note:
        if rounding:  # the credit note that completes an invoice's credit carries its rounding amount
            totals.append(rounding_row)
        settled = doc.settlement
        for label, value in (
            (words._("Deducted from the invoice's amount due"), settled.applied_to_due),
            (words._("Added to your credit balance"), settled.to_customer_credit),
            (words._("Refunded to you"), settled.refunded),
        ):
            if value:
                totals.append((label, words.money(value), False))
    elif not doc.is_quote:
        if doc.totals.prepaid and doc.mark is not DocumentMark.COPY:  # a copy counts it in what was paid
            totals.append((words._("Paid in advance"), "−" + words.money(doc.totals.prepaid), False))
        if doc.balance.paid:
            totals.append((words._("Paid"), "−" + words.money(doc.balance.paid), False))
        if doc.balance.credited:
            totals.append((words._("Credited"), "−" + words.money(doc.balance.credited), False))
        if rounding:
            totals.append(rounding_row)
        if doc.mark is DocumentMark.COPY:
            label = words._("Amount due on {date}").format(date=words.date(doc.created.date()))
            totals.append((label, words.money(doc.amount_payable), True))
        elif doc.mark is not DocumentMark.VOID:
            totals.append((words._("Amount due"), words.money(doc.amount_payable), True))
    first_total = len(rows)
    for label, amount, _bold in totals:
        rows.append([label, *[""] * span, amount])
    style: list[TableCommand] = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, HEADER_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (3, 0), (3, last_line_row), "LEFT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, last_line_row - 1), 0.25, RULE),
        ("LINEBELOW", (0, last_line_row), (-1, last_line_row), 0.8, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        # the last line and every total stay together on one page
        ("NOSPLIT", (0, last_line_row), (-1, -1)),
    ]
    for row, (_label, _amount, bold) in enumerate(totals, first_total):
        style.append(("SPAN", (0, row), (span, row)))
        style.append(("ALIGN", (0, row), (span, row), "RIGHT"))
        if bold:
            style.append(("FONT", (0, row), (-1, row), FONT_BOLD, SIZE + 0.5))
            style.append(("LINEABOVE", (span + 1, row), (-1, row), 0.8, colors.black))
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _advances(doc: Document, words: Wording, width: float) -> list[Flowable]:
    """A final invoice's reconciliation, per VAT rate: the whole work, less each deposit and partial invoice (with
    what was paid on it), is this invoice (German UStAE 14.8 (10) shows it so); then what is still open on them."""
    if not doc.advances:
        return []
    columns = [
        (words._("Description"), 0),
        (words._("Date"), 22 * mm),
        (words._("VAT rate"), 16 * mm),
        (words._("Net"), 24 * mm),
        (words._("VAT"), 22 * mm),
        (words._("Total"), 24 * mm),
        (words._("Paid"), 24 * mm),
    ]
    fixed = sum(w for _, w in columns)
    widths = [w or width - fixed for _, w in columns]
    rows: list[list[Any]] = [
        [_wrapped(label, w, FONT_BOLD, HEADER_SIZE) for (label, _), w in zip(columns, widths, strict=True)]
    ]
    whole: dict[tuple[str, Decimal], list[int]] = {}
    for tax in (*doc.totals.taxes, *(t for a in doc.advances for t in a.taxes)):
        basis_vat = whole.setdefault((tax.category, tax.rate), [0, 0])
        basis_vat[0] += tax.basis
        basis_vat[1] += tax.amount
    whole_taxes = tuple(TaxSubtotal(c, r, b, v) for (c, r), (b, v) in whole.items())
    groups: list[tuple[str, str, tuple[TaxSubtotal, ...], int, str]] = [
        (words._("Whole work"), "", whole_taxes, sum(b + v for b, v in whole.values()), ""),
        *((f"{words._(ADVANCE_TITLES.get(a.type_code, 'Invoice'))} {a.number}", words.date(a.issue_date),
           tuple(TaxSubtotal(t.category, t.rate, -t.basis, -t.amount) for t in a.taxes), -a.total,
           words.money(a.paid)) for a in doc.advances),
        (words.title(doc), words.date(doc.issue_date), doc.totals.taxes, doc.totals.total, ""),
    ]
    starts = []
    for label, day, taxes, total, paid in groups:
        starts.append(len(rows))
        for i, tax in enumerate(sorted(taxes, key=lambda t: (t.category, -t.rate))):
            first = i == 0
            rows.append([
                _wrapped(label, widths[0]) if first else "", day if first else "",
                words.percent(tax.rate) if tax.category != "O" else "—",
                words.money(tax.basis), words.money(tax.amount),
                words.money(total) if first else "", paid if first else "",
            ])
    style: list[TableCommand] = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, HEADER_SIZE),
        ("FONT", (0, starts[-1]), (-1, -1), FONT_BOLD, SIZE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEABOVE", (0, starts[-1]), (-1, starts[-1]), 0.8, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("NOSPLIT", (0, 0), (-1, -1)),
    ]
    style += [("LINEABOVE", (0, row), (-1, row), 0.25, RULE) for row in starts[1:-1]]
    flowables: list[Flowable] = [
        Spacer(1, 5 * mm), Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style)), Spacer(1, 2 * mm),
        _para(words._("This final invoice lists the whole work and deducts the invoices above with their VAT per "
                      "rate; what was paid on them settled those invoices.")),
    ]
    still_open = sum(a.open for a in doc.advances)
    if still_open > 0:
        flowables.append(_para(words._("Still to pay on the invoices deducted, besides this invoice: {amount}.").format(
            amount=words.money(still_open))))
    return flowables


def _line_detail(line: Line, words: Wording) -> list[str]:
    """What a line states besides its description: the gross price and price discount (BT-148/147), and each
    further allowance or charge with its reason (a line's own discount stays in the discount column)."""
    detail = []
    if line.period_start or line.period_end:
        detail.append(f"{words._('Service period')}: {_period_text(line.period_start, line.period_end, words)}")
    if line.gross_price is not None and line.price_discount:
        detail.append(words._("Gross price {gross}, price discount {discount}").format(
            gross=words.unit_price(line.gross_price), discount=words.unit_price(line.price_discount)))
    for extra in line.allowances:
        sign = "+" if extra.is_charge else "−"
        share = "" if extra.percent is None else f" ({words.percent(extra.percent)})" if extra.base is None else (
            " (" + words._("{percent} of {base}").format(percent=words.percent(extra.percent),
                                                         base=words.money(abs(extra.base))) + ")")
        detail.append(f"{extra.reason}{share}: {sign}{words.money(abs(extra.amount))}")
    return detail


def _period_text(start: date | None, end: date | None, words: Wording) -> str:
    """``1 Oct 2026 – 31 Oct 2026``, or the one day known (``from …`` / ``until …``)."""
    if start and end:
        return f"{words.date(start)} – {words.date(end)}"
    if start:
        return words._("from {date}").format(date=words.date(start))
    assert end is not None
    return words._("until {date}").format(date=words.date(end))


def _wrapped(text: str, width: float, font: str = FONT, size: float = SIZE) -> str:
    """Text for a table cell, broken into lines that fit ``width`` (cell padding included).

    Plain multi-line strings lay out several times faster than paragraphs, which matters for
    documents rendered at finalize and by the thousand in exports.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += simpleSplit(paragraph, font, size, width - 4) or [""]
    return "\n".join(lines)


def _payment(doc: Document, words: Wording, width: float) -> list[Flowable]:
    """Payment terms, bank details and the EPC QR code (invoices only, drafts show them as a preview)."""
    if doc.is_quote and doc.due_date:
        return [Spacer(1, 5 * mm), _para(words._("This quote is valid until {date}.").format(
            date=words.date(doc.due_date)))]
    if doc.is_credit_note or doc.is_quote or doc.mark is DocumentMark.VOID:
        return []
    due = doc.amount_payable
    if due <= 0:
        return [Spacer(1, 5 * mm), _para(words._("Nothing is left to pay. Thank you!"))]
    texts: list[Flowable] = []
    if doc.due_date:
        days = (doc.due_date - doc.issue_date).days
        terms = (
            words._("Payment due on receipt.")
            if days <= 0
            else words.ngettext("Payment terms: {days} day net.", "Payment terms: {days} days net.", days).format(
                days=days
            )
        )
        texts.append(_para(terms))
        if doc.discount_percent is not None and doc.discount_until and doc.discount_payable is not None:
            texts.append(_para(words._("{percent} early-payment discount: pay {amount} by {date}.").format(
                percent=words.percent(doc.discount_percent), amount=words.money(doc.discount_payable),
                date=words.date(doc.discount_until))))
        ask = words._("Please pay {amount} by {date}.").format(amount=words.money(due), date=words.date(doc.due_date))
    else:
        ask = words._("Please pay {amount}.").format(amount=words.money(due))
    texts.append(_para(ask))
    if doc.seller.iban:
        texts.append(Spacer(1, 2 * mm))
        bank = [
            f"{words._('Account holder')}: {doc.seller.name}",
            f"IBAN: {_grouped(doc.seller.iban)}",
            *([f"BIC: {doc.seller.bic}"] if doc.seller.bic else []),
        ]
        if doc.number:
            bank.append(f"{words._('Payment reference')}: {doc.number}")
        texts.append(_para("\n".join(bank)))
    if doc.qr_bill is not None:
        texts.append(Spacer(1, 2 * mm))
        texts.append(_para(words._("Or pay with the QR-bill's payment part at the foot of the last page.")))
    codes: list[list[Flowable]] = []
    if doc.payment_link:
        texts.append(Spacer(1, 2 * mm))
        link = escape(doc.payment_link, {'"': "&quot;"})
        texts.append(Paragraph(f'{escape(words._("Pay online"))}: <a href="{link}" color="#1a56db">{link}</a>',
                               _style("link", splitLongWords=1)))
        codes.append([_QRFlowable(qr.qr_modules(doc.payment_link), QR_SIZE), _caption(words._("Pay online"))])
    code = _epc_code(doc) if doc.qr_bill is None else None
    if code is not None:
        codes.append([code, _caption(words._("Scan to pay"))])
    if not codes:
        return [Spacer(1, 5 * mm), KeepTogether(texts)]
    block = Table(
        [[texts, *codes]],
        colWidths=[width - QR_SIZE - 4 * mm - (len(codes) - 1) * (QR_SIZE + 4 * mm), *[QR_SIZE + 4 * mm] * len(codes)],
        style=TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, SIZE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]),
    )
    return [Spacer(1, 5 * mm), KeepTogether([block])]


def _caption(text: str) -> Paragraph:
    return _para(text, _style("caption", fontSize=7, alignment=1, textColor=GREY))


class _QRBillFlowable(Flowable):
    """The Swiss QR-bill's payment part across the foot of the last page: it takes the rest of the page when the
    bill's 105 mm are free below the text, else it goes to a page of its own."""

    def __init__(self, bill: QrBill, page_width: float) -> None:
        super().__init__()
        self.bill = bill
        self.page_width = page_width
        self.needed = swiss_qr.HEIGHT - BOTTOM + 2 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.height = avail_height if avail_height >= self.needed else self.needed
        return avail_width, self.height

    def split(self, _avail_width: float, _avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        canvas = self.canv
        setattr(canvas, QR_BILL_PAGE, True)
        canvas.saveState()
        canvas.translate(-MARGIN, -BOTTOM)  # the frame's lower left corner -> the page's
        swiss_qr.draw_payment_part(canvas, self.bill, self.page_width)
        canvas.restoreState()


class _QRFlowable(Flowable):
    """A QR symbol drawn as vector rectangles (sharp at any zoom, no image to embed)."""

    def __init__(self, modules: tuple[tuple[bool, ...], ...], size: float) -> None:
        super().__init__()
        self.modules = modules
        self.size = size
        self.width = self.height = size

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.modules) + 8  # 4 modules of quiet zone on each side
        cell = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for y, row in enumerate(self.modules):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                # one rectangle per run of dark modules keeps the page stream small
                path.rect((start + 4) * cell, self.size - (y + 5) * cell, (x - start) * cell, cell)
        canvas.drawPath(path, stroke=0, fill=1)


def _epc_code(doc: Document) -> _QRFlowable | None:
    """The GiroCode for a EUR invoice with an IBAN and something left to pay."""
    if doc.currency != "EUR" or not doc.seller.iban or not doc.is_payable or doc.number is None:
        return None
    payload = qr.epc_payload(doc.seller.name, doc.seller.iban, doc.amount_payable, doc.number, doc.seller.bic)
    if payload is None:
        return None
    return _QRFlowable(qr.qr_modules(payload), QR_SIZE)


def _notes(doc: Document, words: Wording) -> list[Flowable]:
    notes = "\n\n".join(text for text in (doc.notes, doc.without_einvoice) if text)
    if not notes:
        return []
    return [Spacer(1, 5 * mm), _para(f"{words._('Notes')}:", _style("label", fontName=FONT_BOLD)), _para(notes)]


# ---------------------------------------------------------------- entry points


def render_pdf(doc: Document) -> bytes:
    """The document as a plain PDF (no e-invoice attached); the same document gives the same bytes."""
    register_fonts()
    words = Wording.for_document(doc)
    size = PAGE_SIZES[doc.paper]
    width = size[0] - 2 * MARGIN
    pages = _Pages(doc, words, size)
    buffer = BytesIO()
    # pypdf writes the final Factur-X file and the library's XMP names it; PDF/A wants both to agree
    producer: dict[str, Any] = {"producer": "pypdf"} if doc.is_valid_document else {}
    template = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM,
        invariant=1,
        pageCompression=1,
        initialFontName=FONT,
        enforceColorSpace="rgb",
        title=words.title(doc),
        author=doc.seller.name,
        subject=words.title(doc),
        creator="Invoicer",
        lang=doc.locale.replace("_", "-"),
        **producer,
    )
    body_height_first = size[1] - MARGIN - HEADER_FIRST - BOTTOM
    body_height_next = size[1] - MARGIN - HEADER_NEXT - BOTTOM
    template.addPageTemplates([
        PageTemplate(
            id="first",
            frames=[Frame(MARGIN, BOTTOM, width, body_height_first, 0, 0, 0, 0, id="first")],
            onPage=pages.first,
            onPageEnd=pages.end,
            autoNextPageTemplate="later",
        ),
        PageTemplate(
            id="later",
            frames=[Frame(MARGIN, BOTTOM, width, body_height_next, 0, 0, 0, 0, id="later")],
            onPage=pages.later,
            onPageEnd=pages.end,
        ),
    ])
    story = [
        *_heading(doc, words, width),
        _line_table(doc, words, width),
        *_advances(doc, words, width),
        *_payment(doc, words, width),
        *_notes(doc, words),
    ]
    if doc.qr_bill is not None:
        story.append(_QRBillFlowable(doc.qr_bill, size[0]))
    canvasmaker = partial(_DocumentCanvas, doc=doc, page_label=words._("Page {page} of {pages}"))
    template.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


def render_document(doc: Document, xml: bytes | None = None) -> bytes:
    """What is issued: a valid document becomes a Factur-X PDF/A-3 with its CII XML embedded (``xml``: the
    document's ``facturx.cii_xml`` when the caller built it already, e.g. to check it); drafts and void copies
    stay plain PDFs (they are not invoices a machine should book)."""
    pdf = render_pdf(doc)
    if not doc.is_valid_document or doc.without_einvoice:
        return pdf
    title = Wording.for_document(doc).title(doc)
    return facturx.embed(pdf, xml or facturx.cii_xml(doc), doc, title=f"{doc.seller.name}: {title}",
                         subject=title)
