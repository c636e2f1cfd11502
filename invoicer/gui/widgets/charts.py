"""Bar charts (QtCharts) that follow the light or dark palette; exact amounts are in the tooltips."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QResizeEvent
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

from invoicer.gui.style import dark_theme
from invoicer.i18n import _

#: axis scales: amounts of a million and more in millions ("1.5 M"), of a thousand and more in thousands
SCALES = ((1_000_000, "%.1f M"), (1_000, "%.0f k"), (1, "%.0f"))


class BarChart(QChartView):
    """One bar series over labelled categories. Bar heights are only geometry; labels use exact text."""

    def __init__(self, title: str, color: str, parent: QWidget | None = None, first_color: str | None = None) -> None:
        """``first_color``: the first bar's own colour (the aging chart's "not due" is not overdue red)."""
        super().__init__(parent)
        self.color = color
        self.first_color = first_color
        self.empty = QLabel(_("Nothing to show yet"), self)  # over the empty plot, instead of a flat line
        self.empty.setObjectName("chart_empty")
        self.empty.setProperty("muted", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setMaximumHeight(280)
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setBackgroundVisible(False)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.setChart(chart)
        self.texts: list[str] = []
        self.on_click: Callable[[int], None] | None = None

    def show_values(self, labels: Sequence[str], values: Sequence[int], texts: Sequence[str],
                    minor_per_major: int = 100) -> None:
        """``values`` in minor units (heights), ``texts`` the formatted amounts shown on hover; the axis is
        in major units (``minor_per_major`` minor units each), in thousands or millions when they are large."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark_theme() else QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundVisible(False)
        self.texts = list(texts)
        bars = QBarSet("")
        bars.setColor(QColor(self.color))
        bars.setBorderColor(QColor(Qt.GlobalColor.transparent))  # a bar in its own colour keeps no red frame
        largest = max([v / minor_per_major for v in values] + [1])
        unit, label_format = next((u, f) for u, f in SCALES if largest >= u)
        for value in values:
            bars.append(value / minor_per_major / unit)  # chart geometry and axis only; amounts are in `texts`
        if self.first_color and values:
            bars.setSelectedColor(QColor(self.first_color))
            bars.selectBar(0)
        self.empty.setVisible(not any(values))
        self._place_empty()
        series = QBarSeries()
        series.append(bars)
        series.setBarWidth(0.6)
        series.hovered.connect(self._hovered)
        series.clicked.connect(lambda index, _set: self.on_click(index) if self.on_click else None)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(list(labels))
        small = x_axis.labelsFont()
        small.setPointSizeF(small.pointSizeF() * 0.85)  # twelve months ("sept.", "févr.") side by side, none cut
        x_axis.setLabelsFont(small)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x_axis)
        y_axis = QValueAxis()
        y_axis.setLabelFormat(label_format)
        y_axis.setMin(0)
        y_axis.setMax(largest / unit * 1.1)
        y_axis.applyNiceNumbers()
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y_axis)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_empty()

    def _place_empty(self) -> None:
        self.empty.setGeometry(0, 0, self.width(), self.height())

    def _hovered(self, status: bool, index: int, _bars: QBarSet) -> None:
        if status and 0 <= index < len(self.texts):
            QToolTip.showText(self.cursor().pos(), self.texts[index], self)
        else:
            QToolTip.hideText()
