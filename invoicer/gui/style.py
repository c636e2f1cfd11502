"""Look and wording shared by every page: status badges (colour + label), icons, money and date text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import cast

from PySide6.QtCore import QDate, QLocale
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QWidget

from invoicer import paths
from invoicer.i18n import N_, _, current_locale, format_date, format_money, format_number, format_price

#: display status -> (label, badge colour). Saturated colours with white text read well on light and dark themes.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "draft": (N_("Draft"), "#6b7280"),
    "open": (N_("Open"), "#2563eb"),
    "partially paid": (N_("Partially paid"), "#b45309"),
    "overdue": (N_("Overdue"), "#dc2626"),
    "paid": (N_("Paid"), "#15803d"),
    "void": (N_("Void"), "#475569"),
    "uncollectible": (N_("Uncollectible"), "#7c3aed"),
    "issued": (N_("Issued"), "#0f766e"),
    "disputed": (N_("Disputed"), "#be185d"),  # beside the status: the customer contests the invoice
}

#: the statuses a user can filter the invoice list by, in lifecycle order
FILTER_STATUSES = ("draft", "open", "partially paid", "overdue", "paid", "void", "uncollectible")


def dark_theme() -> bool:
    """Is the app painted light on dark (a dark desktop theme)?"""
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def warning_color() -> QColor:
    """Red for what is overdue or wrong, light enough to read on a dark theme too."""
    return QColor("#f87171" if dark_theme() else "#dc2626")


def warning_style() -> str:
    """A style sheet rule: text in the warning colour."""
    return f"color: {warning_color().name()};"


def status_label(status: str) -> str:
    label = STATUS_STYLE.get(status, (status, ""))[0]
    return _(label)


def status_color(status: str) -> QColor:
    return QColor(STATUS_STYLE.get(status, ("", "#6b7280"))[1])


#: audit actions as the history and the recent activity show them
ACTION_LABELS = {
    "create": N_("created"), "edit": N_("edited"), "finalize": N_("finalized"), "payment": N_("payment recorded"),
    "reverse_payment": N_("payment reversed"), "apply_credit": N_("credit applied"), "credit": N_("credited"),
    "issue": N_("issued"), "void": N_("voided"), "write_off": N_("written off"), "delete": N_("deleted"),
    "duplicate": N_("duplicated"), "update": N_("updated"), "archive": N_("archived"),
    "send": N_("sent by email"), "remind": N_("payment reminder sent"), "unarchive": N_("restored"),
    "import": N_("imported"), "set": N_("stored"), "send_statement": N_("statement sent"), "pause": N_("paused"),
    "resume": N_("resumed"), "change_price": N_("price changed"), "bill": N_("billed"),
    "dispute_open": N_("disputed"), "dispute_close": N_("dispute ended"), "bank_import": N_("imported"),
    "bank_confirm": N_("matched to a payment"), "bank_fee": N_("recorded as bank fee"),
    "bank_refund": N_("recorded as refund"), "bank_ignored": N_("taken off the bank queue"),
    "payment_link_new": N_("new payment link"), "payment_link_extend": N_("payment link renewed"),
}


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action.replace("_", " ")


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons (scales crisply on high-DPI screens); empty if missing."""
    path = paths.resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def money(minor: int, currency: str) -> str:
    """An amount in the user's locale, e.g. ``1.234,50 €``."""
    return format_money(minor, currency)


def day(value: date | None) -> str:
    return _short_date(value, current_locale()) if value else ""


@lru_cache(maxsize=4096)
def _short_date(value: date, locale: str) -> str:
    # lists show the same few hundred dates over and over; Babel takes a quarter of a millisecond for each
    return format_date(value, locale, fmt="short")


def local_time(utc: datetime) -> datetime:
    """A time the app stored in UTC (naive, as the audit log keeps it) in this computer's time zone."""
    return utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def moment(utc: datetime) -> str:
    """A stored UTC time as the user reads it: local time, their date format, e.g. ``28.12.2026 14:05``."""
    from babel.dates import format_time  # here: the first window formats no time (i18n.py: no Babel at start)

    local = local_time(utc)
    return f"{day(local.date())} {format_time(local, 'short', locale=current_locale())}"


def plain_decimal(text: str) -> str:
    """What the user typed in their locale (``1.234,5`` in German) as a plain decimal string (``1234.5``).

    Text that does not parse strictly in the locale is passed on as typed: the service then reads it
    with a dot as the separator or explains what is wrong.
    """
    from babel.numbers import NumberFormatError, parse_decimal  # here: the first window reads no typed number

    raw = text.strip()
    if not raw:
        return raw
    try:
        return str(parse_decimal(raw, locale=current_locale(), strict=True))
    except (NumberFormatError, ValueError):
        return raw


def locale_decimal(value: Decimal | str | None) -> str:
    """A stored decimal shown for editing in the user's locale (``1.5`` -> ``1,5`` in German), unrounded."""
    if value is None or value == "":
        return ""
    return format_number(Decimal(str(value)).normalize())


def price(value: Decimal | str | None, currency: str) -> str:
    """A unit price to show or edit: the currency's decimals at least (``80,00``), more when it has them
    (``12,3456``), never rounded (a currency not chosen yet counts as two decimals)."""
    if value is None or value == "":
        return ""
    return format_price(Decimal(str(value)), currency)


def python_date(value: QDate) -> date:
    """A date field's value as a ``datetime.date``."""
    # PySide6 converts a valid QDate to datetime.date; its stub declares only ``object``
    return cast(date, value.toPython())


def qt_date(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def date_format() -> str:
    """The user's short date format for date fields, always with a four-digit year."""
    fmt = QLocale(current_locale()).dateFormat(QLocale.FormatType.ShortFormat)
    return fmt if "yyyy" in fmt else fmt.replace("yy", "yyyy")


#: palette-based, so it follows the light or dark system theme
STYLE_SHEET = """
QListWidget#sidebar { background: palette(alternate-base); border: none; padding: 10px 8px; outline: 0;
                      show-decoration-selected: 1; }
QListWidget#sidebar::item { padding: 4px 10px; border-radius: 6px; margin: 1px 0; color: palette(window-text); }
QListWidget#sidebar::item:selected { background: palette(highlight); color: palette(highlighted-text); }
QListWidget#sidebar::item:hover:!selected { background: palette(midlight); }
QFrame[card="true"] { background: palette(base); border: 1px solid palette(midlight); border-radius: 10px; }
QFrame[card="true"]:hover { border-color: palette(highlight); }
QLabel[muted="true"] { color: palette(placeholder-text); }
QToolBar { border: none; spacing: 6px; padding: 4px 8px; }
QTableView { border: 1px solid palette(midlight); border-radius: 6px; }
*[frozen="true"] { background: palette(window); alternate-background-color: palette(window); }
QHeaderView::section { padding: 4px 6px; border: none; border-bottom: 1px solid palette(midlight);
                       background: palette(window); font-weight: 600; }
"""


#: a title bar's buttons and margins beside a window's title
TITLE_BAR = 120


def fit_title(window: QWidget) -> None:
    """At least as wide as the title bar needs to show the whole title (a long translation is not cut)."""
    need = QFontMetrics(window.font()).horizontalAdvance(window.windowTitle()) + TITLE_BAR
    window.setMinimumWidth(max(window.minimumWidth(), need))
