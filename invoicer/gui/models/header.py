"""Column headers every table shares: the translated title, aligned like the column's values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from invoicer.i18n import _


def column_header(title: str, numeric: bool, role: int) -> Any:
    """``headerData`` for a horizontal header section with this (untranslated) title."""
    if role == Qt.ItemDataRole.DisplayRole:
        return _(title)
    if role == Qt.ItemDataRole.TextAlignmentRole:
        side = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
        return int(side | Qt.AlignmentFlag.AlignVCenter)
    return None
