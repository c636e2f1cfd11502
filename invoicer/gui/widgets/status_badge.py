"""Paints an invoice status as a coloured pill (the colour carries meaning in light and dark themes)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from invoicer.gui.style import STATUS_STYLE, status_color, status_label

#: the model returns the raw display status (e.g. "partially paid") under this role
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1


def badge_width(metrics: QFontMetrics, status: str | None = None) -> int:
    """The room a status badge takes with its paddings; without ``status``, the widest of every status (a status
    column that fits every row without measuring each one)."""
    statuses = (status,) if status else tuple(STATUS_STYLE)
    return max(metrics.horizontalAdvance(status_label(s)) for s in statuses) + 28


class StatusBadgeDelegate(QStyledItemDelegate):
    """Draws ``index.data(STATUS_ROLE)`` as a rounded badge with its translated label."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        status = index.data(STATUS_ROLE)
        if not status:
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label = status_label(status)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(label) + 16
        height = metrics.height() + 4
        rect = QRectF(option.rect.left() + 6, option.rect.center().y() - height / 2 + 1, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(status_color(status))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        status = index.data(STATUS_ROLE)
        if status:
            base.setWidth(badge_width(option.fontMetrics, status))
        return base
