"""Finding clipped text in a shown window: each label, button, tab, group title, column header, status badge and
chart label is measured with its own font (QFontMetrics) against the room it has on screen."""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QTabBar,
    QTableView,
    QToolButton,
    QWidget,
)

from invoicer.gui.widgets.status_badge import STATUS_ROLE

#: what a button needs beside its text (Qt's own margins, frame and focus rect)
BUTTON_PADDING = 12
#: room QtCharts keeps free beside a category label before it elides it
CHART_PADDING = 10
#: a title bar's buttons and margins next to a dialog's title
TITLE_BAR = 110


def _plain(text: str) -> str:
    """Text as drawn: mnemonics' & gone (&& is one &), rich text as its characters."""
    if "<" in text and ">" in text:
        document = QTextDocument()
        document.setHtml(text)
        text = document.toPlainText()
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}({widget.objectName() or '-'})"


def _widest_line(metrics: QFontMetrics, text: str) -> int:
    return max((metrics.horizontalAdvance(line) for line in text.splitlines() or [""]), default=0)


def _label(label: QLabel) -> str | None:
    text = _plain(label.text())
    if not text.strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    room = label.contentsRect()
    if label.wordWrap():
        need = label.heightForWidth(room.width())
        return None if need <= room.height() + 1 else f"needs {need} px high, has {room.height()}"
    need = _widest_line(label.fontMetrics(), text)
    return None if need <= room.width() + 1 else f"needs {need} px, has {room.width()}"


def _button(button: QAbstractButton) -> str | None:
    text = _plain(button.text())
    if not text.strip() or (isinstance(button, QToolButton) and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly):
        return None
    need = button.fontMetrics().horizontalAdvance(text) + BUTTON_PADDING
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    if isinstance(button, (QCheckBox, QRadioButton)):
        need += button.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) - BUTTON_PADDING // 2
    return None if need <= button.width() + 1 else f"needs {need} px, has {button.width()}"


def _tabs(bar: QTabBar) -> list[str]:
    found = []
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        need = bar.fontMetrics().horizontalAdvance(_plain(bar.tabText(i)))
        has = bar.tabRect(i).width() - 8
        if need > has:
            found.append(f"tab {_plain(bar.tabText(i))!r} needs {need} px, has {has}")
    return found


def _headers(view: QTableView) -> list[str]:
    header = view.horizontalHeader()
    model = view.model()
    if model is None or not header.isVisible():
        return []
    found = []
    font = header.font()
    font.setWeight(QFont.Weight.DemiBold)  # the style sheet's font-weight: 600 and padding: 6px a side
    metrics = QFontMetrics(font)
    margin = 14
    for column in range(model.columnCount()):
        if header.isSectionHidden(column):
            continue
        title = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if not title:
            continue
        need = metrics.horizontalAdvance(str(title)) + margin
        has = header.sectionSize(column)
        if need > has:
            found.append(f"column {title!r} needs {need} px, has {has}")
        found += _badges(view, column, str(title))
    return found


def _badges(view: QTableView, column: int, title: str) -> list[str]:
    """A status badge is drawn as wide as its label: the column must hold the widest one shown."""
    model = view.model()
    delegate = view.itemDelegateForColumn(column) or view.itemDelegate()
    rows = range(min(model.rowCount(), 200))
    for row in rows:
        index = model.index(row, column)
        if index.data(STATUS_ROLE):
            from PySide6.QtWidgets import QStyleOptionViewItem

            option = QStyleOptionViewItem()
            option.initFrom(view)
            need = delegate.sizeHint(option, index).width()
            if need > view.columnWidth(column):
                return [f"badge {index.data(STATUS_ROLE)!r} in {title!r} needs {need} px, has {view.columnWidth(column)}"]
    return []


def _chart(view: QChartView) -> list[str]:
    chart = view.chart()
    found = []
    for axis in chart.axes(Qt.Orientation.Horizontal):
        if isinstance(axis, QBarCategoryAxis) and axis.count() and axis.isVisible() and axis.labelsVisible():
            metrics = QFontMetrics(axis.labelsFont())
            has = chart.plotArea().width() / axis.count()
            angle = abs(axis.labelsAngle()) % 180
            for label in axis.categories():
                # QtCharts elides a label that does not fit its category less some padding
                need = (metrics.horizontalAdvance(label) if angle == 0 else metrics.height()) + CHART_PADDING
                if need > has:
                    found.append(f"chart label {label!r} needs {need} px, has {has:.0f}")
    return found


def clipped(window: QWidget) -> list[str]:
    """Every piece of text in ``window`` (itself and what it shows) that has less room than it needs."""
    found: list[str] = []
    if window.isWindow() and window.windowTitle():
        need = QFontMetrics(window.font()).horizontalAdvance(window.windowTitle()) + TITLE_BAR
        if need > window.width():
            found.append(f"window title {window.windowTitle()!r} needs {need} px, has {window.width()}")
    for widget in [window, *window.findChildren(QWidget)]:
        if not _shown(widget) or widget.window() is not window:
            continue
        problem = None
        if isinstance(widget, QLabel):
            problem = _label(widget)
        elif isinstance(widget, (QPushButton, QCheckBox, QRadioButton, QToolButton)):
            problem = _button(widget)
        elif isinstance(widget, QGroupBox) and widget.title():
            need = widget.fontMetrics().horizontalAdvance(_plain(widget.title())) + 16
            problem = None if need <= widget.width() else f"title needs {need} px, has {widget.width()}"
        if problem:
            text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else widget.title()  # type: ignore[union-attr]
            found.append(f"{_name(widget)} {_plain(text)!r}: {problem}")
        if isinstance(widget, QTabBar):
            found += _tabs(widget)
        if isinstance(widget, QTableView) and isinstance(widget, QAbstractItemView):
            found += _headers(widget)
        if isinstance(widget, QChartView):
            found += _chart(widget)
        if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().isVisible():
            found.append(f"{_name(widget)}: wider than the window (scrolls sideways)")
    return found
