"""Paints an invoice's statuses as coloured pills (the colour carries meaning in light and dark themes): in a
table cell through a delegate, and in a window's heading as labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QStyledItemDelegate, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

from invoicer.core.workflow import status_badges
from invoicer.gui.style import STATUS_STYLE, status_color, status_label

#: the model returns the raw display statuses (e.g. ["partially paid", "overdue"]) under this role
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
#: room between two badges, and around a badge's label
GAP = 4
PADDING = 12


def _statuses(value: object) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[attr-defined]


def badges_text(statuses: Sequence[str]) -> str:
    """The badges as one text (what a screen reader or a copy reads): "Partially paid, Overdue"."""
    return ", ".join(status_label(s) for s in statuses)


class Shown(Protocol):
    """A document as listed or viewed (InvoiceRow, InvoiceView)."""

    @property
    def display_status(self) -> str: ...
    @property
    def partially_paid(self) -> bool: ...
    @property
    def disputed(self) -> bool: ...


def badges(document: Shown) -> list[str]:
    return list(status_badges(document.display_status, document.partially_paid, document.disputed))


def badge_text(document: Shown) -> str:
    return badges_text(badges(document))


def badges_width(metrics: QFontMetrics, statuses: Sequence[str]) -> int:
    """The room a row's badges take, with their paddings and the gap between them."""
    labels = sum(metrics.horizontalAdvance(status_label(s)) + PADDING for s in statuses)
    return labels + GAP * (len(statuses) - 1) + 12


def badge_width(metrics: QFontMetrics) -> int:
    """The widest a status cell can be: any status with "disputed" beside it, or "partially paid", "overdue" and
    "disputed" (a status column that fits every row without measuring each one)."""
    return max([badges_width(metrics, status_badges(s, False, True)) for s in STATUS_STYLE]
               + [badges_width(metrics, status_badges("overdue", True, True))])


class StatusBadgeDelegate(QStyledItemDelegate):
    """Draws ``index.data(STATUS_ROLE)`` (one status or a list) as rounded badges with their translated labels.

    Whether a cell is selected is asked of the view, not read from ``option.state``: reading it makes PySide
    create every enum of ``QStyle`` (about 10 ms, at the first paint of the start's invoice list)."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        statuses = _statuses(index.data(STATUS_ROLE))
        if not statuses:
            super().paint(painter, option, index)
            return
        painter.save()
        if self._selected(index):
            painter.fillRect(option.rect, option.palette.highlight())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        height = metrics.height() + 4
        left = float(option.rect.left() + 6)
        for status in statuses:
            label = status_label(status)
            width = metrics.horizontalAdvance(label) + PADDING
            rect = QRectF(left, option.rect.center().y() - height / 2 + 1, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(status_color(status))
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            left += width + GAP
        painter.restore()

    def _selected(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        selection = self.view.selectionModel()
        if selection is None:
            return False
        if isinstance(index, QPersistentModelIndex):
            index = index.model().index(index.row(), index.column(), index.parent())
        return selection.isSelected(index)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        statuses = _statuses(index.data(STATUS_ROLE))
        if statuses:
            base.setWidth(badges_width(option.fontMetrics, statuses))
        return base


class StatusBadges(QWidget):
    """A document's statuses next to its heading, one pill each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(GAP)
        self.labels: list[QLabel] = []

    def show_statuses(self, statuses: Sequence[str]) -> None:
        while len(self.labels) < len(statuses):
            label = QLabel()
            label.setObjectName("status_badge")
            self._layout.addWidget(label)
            self.labels.append(label)
        for label, status in zip(self.labels, statuses, strict=False):
            label.setText(f"  {status_label(status)}  ")
            label.setStyleSheet(
                f"background: {status_color(status).name()}; color: white; border-radius: 9px; padding: 2px 4px;")
            label.show()
        for label in self.labels[len(statuses):]:
            label.hide()

    def texts(self) -> list[str]:
        return [label.text().strip() for label in self.labels if not label.isHidden()]
