"""Printed reports, statements of account and reminder letters (ReportLab): report tables on plain pages, and
letters with the seller's letterhead and the recipient's address where a DIN 5008 window envelope shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_skeleton
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from invoicer.documents.fonts import FONT, FONT_BOLD, register_fonts
from invoicer.documents.model import Party, Seller
from invoicer.documents.pdf import PAGE_SIZES
from invoicer.documents.tables import Kind
from invoicer.documents.tables import Table as DataTable
from invoicer.documents.wording import Wording, paper_for_locale, printable_locale
from invoicer.i18n import format_date, format_money, format_number, translator

SIZE = 9
MARGIN = 20 * mm
GREY = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.6, 0.6, 0.6)
HEAD = colors.Color(0.92, 0.92, 0.92)
# DIN 5008 form B (window envelopes C5/6, DL, C4): the address field starts 45 mm from the top and 20 mm from
# the left edge and is 85 × 45 mm; its first 5 mm carry the sender's return address in small print
ADDRESS_TOP = 45 * mm
ADDRESS_LEFT = 20 * mm
ADDRESS_WIDTH = 85 * mm
ADDRESS_HEIGHT = 45 * mm
RETURN_LINE = 5 * mm
BODY_TOP = 98.5 * mm  # where the letter's text starts (below the address field and the information block)
#: a TableStyle command: name, first cell, last cell, arguments
Command = tuple[Any, ...]


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": SIZE, "leading": SIZE * 1.3}
    base.update(kw)
    return ParagraphStyle(name, **base)


BODY = _style("body")
SMALL = _style("small", fontSize=7.5, leading=9.5, textColor=GREY)
TITLE = _style("title", fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=2 * mm)
HEADING = _style("heading", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=4 * mm, spaceAfter=1.5 * mm)


def _para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _grid(rows: list[list[Any]], widths: Sequence[float] | None, numeric: Sequence[int], total_row: bool) -> Table:
    """A table with a grey header row that repeats on every page, numbers right-aligned, an optional bold last row."""
    commands: list[Command] = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE - 1),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, SIZE - 1),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    commands += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i in numeric]
    if total_row:
        commands += [("FONT", (0, -1), (-1, -1), FONT_BOLD, SIZE - 1), ("LINEABOVE", (0, -1), (-1, -1), 0.5, RULE)]
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")


# ---------------------------------------------------------------- report tables


@dataclass(frozen=True)
class ReportPrint:
    """A report for the printer: title, the facts under it, and its tables (rows read from each table)."""

    title: str
    facts: tuple[str, ...]  # "Muster GmbH", "1 Jan 2024 – 31 Mar 2024", …
    tables: tuple[DataTable, ...]
    company_currency: str
    locale: str
    total_label: str
    empty_text: str


def _cell_text(value: object, kind: Kind, row: Sequence[object], currency_column: int | None, report: ReportPrint) -> str:
    if value is None:
        return ""
    if kind == Kind.MONEY and isinstance(value, int):
        assert currency_column is not None
        return format_money(value, str(row[currency_column]), report.locale)
    if kind == Kind.COMPANY_MONEY and isinstance(value, int):
        return format_money(value, report.company_currency, report.locale)
    if kind == Kind.MONTH and isinstance(value, date):
        return format_skeleton("yMMMM", value, locale=report.locale)
    if kind == Kind.DATE and isinstance(value, date):
        return format_date(value, report.locale)
    if kind in (Kind.DECIMAL, Kind.INT) and not isinstance(value, str):
        return format_number(value, report.locale)  # type: ignore[arg-type]  # Decimal or int by the column's kind
    return str(value)


def _data_table(table: DataTable, report: ReportPrint, width: float) -> Flowable:
    columns = table.columns
    rows = [list(row) for row in table.rows()]
    if not rows:
        return _para(report.empty_text, SMALL)
    money = [i for i, c in enumerate(columns) if c.kind in (Kind.MONEY, Kind.COMPANY_MONEY)]
    numeric = [i for i, c in enumerate(columns) if c.kind not in (Kind.TEXT, Kind.DATE, Kind.MONTH)]
    body = [[_cell_text(v, c.kind, row, c.currency_column, report) for v, c in zip(row, columns, strict=True)]
            for row in rows]
    currencies = {str(row[c.currency_column]) for row in rows for c in columns
                  if c.kind == Kind.MONEY and c.currency_column is not None}
    total = len(rows) > 1 and bool(money) and len(currencies) <= 1
    if total:
        sums: list[str] = [report.total_label] + [""] * (len(columns) - 1)
        for i in money:
            amount = sum(int(row[i] or 0) for row in rows)  # type: ignore[call-overload]  # minor units by kind
            currency = next(iter(currencies)) if columns[i].kind == Kind.MONEY else report.company_currency
            sums[i] = format_money(amount, currency, report.locale)
        body.append(sums)
    shares = [max(c.width, 6) for c in columns]
    widths = [width * s / sum(shares) for s in shares]
    header = [Paragraph(escape(c.title), _style("th", fontName=FONT_BOLD, fontSize=SIZE - 1,
                                                alignment=2 if i in numeric else 0))
              for i, c in enumerate(columns)]
    wrapped = [[Paragraph(escape(text), _style("td", fontSize=SIZE - 1, alignment=2 if i in numeric else 0))
                for i, text in enumerate(line)] for line in body]
    return _grid([header, *wrapped], widths, numeric, total)


def render_report(report: ReportPrint) -> bytes:
    """The report on A4 (landscape when a table has many columns), its header repeated on every page."""
    register_fonts()
    wide = max((len(t.columns) for t in report.tables), default=0) > 6
    size = landscape(A4) if wide else A4
    buffer = BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=report.title, creator="Invoicer", invariant=1,
                                 initialFontName=FONT)
    width = size[0] - 2 * MARGIN
    story: list[Flowable] = [_para(report.title, TITLE), *(_para(fact, SMALL) for fact in report.facts)]
    for table in report.tables:
        story += [_para(table.title, HEADING), _data_table(table, report, width)]
    template.build(story)
    return buffer.getvalue()


# ---------------------------------------------------------------- letters


@dataclass(frozen=True)
class Letter:
    """A letter to a customer: letterhead, address window, information block, subject, text and a table."""

    seller: Seller
    recipient: Party
    locale: str
    currency: str
    on: date
    subject: str
    info: tuple[tuple[str, str], ...]  # (label, value) beside the address: customer number, period…
    text_before: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...]  # columns aligned right
    total_rows: int  # how many of the last rows are totals (bold)
    text_after: str = ""
    summary_headers: tuple[str, ...] = ()  # a second, small table (the aged summary of a statement)
    summary: tuple[str, ...] = ()


def letter_wording(locale: str, currency: str) -> Wording:
    return Wording(printable_locale(locale), currency, translator(locale))


def _address_lines(party: Party, words: Wording, own_country: str) -> list[str]:
    lines = [party.name]
    if party.contact:
        lines.append(party.contact)
    lines += [*party.address_lines, f"{party.postcode} {party.city}".strip()]
    if party.country and party.country != own_country:  # the country only on mail abroad (DIN 5008, UPU)
        lines.append(words.country(party.country).upper())
    return [line for line in lines if line]


class _Letterhead:
    """Draws the first page's letterhead, return address and address field, and a footer on every page."""

    def __init__(self, letter: Letter, words: Wording, size: tuple[float, float]) -> None:
        self.letter = letter
        self.words = words
        self.width, self.height = size

    def first(self, canvas: Canvas, _doc: Any) -> None:
        seller, words = self.letter.seller, self.words
        top = self.height - 12 * mm
        canvas.setFont(FONT_BOLD, 13)
        canvas.drawString(ADDRESS_LEFT, top - 13, seller.name)
        contact = [*seller.address_lines, f"{seller.postcode} {seller.city}".strip(),
                   *(x for x in (seller.phone, seller.email) if x)]
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        for i, line in enumerate(contact):
            canvas.drawRightString(self.width - MARGIN, top - 8 - i * 9.5, line)
        # the return address, on one line at the top of the window
        window_top = self.height - ADDRESS_TOP
        back = " · ".join(x for x in (seller.name, *seller.address_lines,
                                      f"{seller.postcode} {seller.city}".strip()) if x)
        canvas.setFont(FONT, 6.5)
        canvas.drawString(ADDRESS_LEFT, window_top - RETURN_LINE + 1.5 * mm, back[:110])
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        canvas.line(ADDRESS_LEFT, window_top - RETURN_LINE + 0.8 * mm, ADDRESS_LEFT + ADDRESS_WIDTH,
                    window_top - RETURN_LINE + 0.8 * mm)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, 10)
        lines = _address_lines(self.letter.recipient, words, seller.country)
        for i, line in enumerate(lines[:8]):
            canvas.drawString(ADDRESS_LEFT, window_top - RETURN_LINE - 4 * mm - i * 12, line)
        # the information block beside the window: date and the letter's references
        info = [*self.letter.info, (words._("Date"), words.date(self.letter.on))]
        left = 125 * mm
        for i, (label, value) in enumerate(info):
            y = window_top - RETURN_LINE - 4 * mm - i * 11
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(GREY)
            canvas.drawString(left, y, label)
            canvas.setFont(FONT, 8.5)
            canvas.setFillColor(colors.black)
            canvas.drawRightString(self.width - MARGIN, y, value)
        self._footer(canvas)

    def later(self, canvas: Canvas, _doc: Any) -> None:
        self._footer(canvas)

    def _footer(self, canvas: Canvas) -> None:
        seller, words = self.letter.seller, self.words
        parts = [seller.name]
        if seller.vat_id:
            parts.append(f"{words._('VAT ID')} {seller.vat_id}")
        if seller.iban:
            parts.append(f"IBAN {seller.iban}" + (f" · BIC {seller.bic}" if seller.bic else ""))
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 12 * mm, " · ".join(parts))
        canvas.drawRightString(self.width - MARGIN, 12 * mm,
                               words._("Page {page}").format(page=canvas.getPageNumber()))
        canvas.setFillColor(colors.black)


def render_letter(letter: Letter) -> bytes:
    """The letter as a PDF: A4 (Letter paper for US and Canadian customers), the address in the window."""
    register_fonts()
    words = letter_wording(letter.locale, letter.currency)
    size = PAGE_SIZES[paper_for_locale(letter.locale)]
    buffer = BytesIO()
    # the text starts below the address field on page 1, near the top on the following pages
    head = _Letterhead(letter, words, size)
    template = BaseDocTemplate(buffer, pagesize=size, title=letter.subject, author=letter.seller.name,
                               creator="Invoicer", invariant=1, initialFontName=FONT)
    left, bottom = 25 * mm, 22 * mm
    width = size[0] - left - MARGIN
    template.addPageTemplates([
        PageTemplate(id="first", frames=[Frame(left, bottom, width, size[1] - BODY_TOP - bottom, 0, 0, 0, 0)],
                     onPage=head.first, autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[Frame(left, bottom, width, size[1] - MARGIN - bottom, 0, 0, 0, 0)],
                     onPage=head.later),
    ])
    story: list[Flowable] = [_para(letter.subject, _style("subject", fontName=FONT_BOLD, fontSize=11, leading=14)),
                             Spacer(1, 5 * mm)]
    if letter.text_before:
        story += [_para(letter.text_before), Spacer(1, 4 * mm)]
    if letter.rows:
        rows = [list(letter.headers), *(list(r) for r in letter.rows)]
        table = _grid(rows, None, letter.numeric, False)
        if letter.total_rows:
            table.setStyle(TableStyle([("FONT", (0, -letter.total_rows), (-1, -1), FONT_BOLD, SIZE - 1),
                                       ("LINEABOVE", (0, -letter.total_rows), (-1, -letter.total_rows), 0.5, RULE)]))
        table.hAlign = "LEFT"
        story.append(table)
    if letter.summary:
        story += [Spacer(1, 5 * mm),
                  _grid([list(letter.summary_headers), list(letter.summary)], None,
                        range(len(letter.summary)), False)]
    if letter.text_after:
        story += [Spacer(1, 5 * mm), _para(letter.text_after)]
    template.build(story)
    return buffer.getvalue()
