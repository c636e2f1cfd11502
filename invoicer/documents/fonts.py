"""The bundled TrueType fonts, registered once per process: DejaVu Sans (Latin, Greek, Cyrillic) for documents,
Liberation Sans (metric-compatible with Arial, one of the four fonts the Swiss QR-bill style guide allows) for
the QR-bill's payment part. Both are embedded as subsets, as PDF/A requires."""

from __future__ import annotations

from functools import lru_cache
from typing import cast

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from invoicer.paths import resources_dir

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
QR_FONT = "LiberationSans"
QR_FONT_BOLD = "LiberationSans-Bold"


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the fonts with ReportLab (they are embedded in each PDF as subsets)."""
    folder = resources_dir() / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    pdfmetrics.registerFont(TTFont(QR_FONT, str(folder / "LiberationSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(QR_FONT_BOLD, str(folder / "LiberationSans-Bold.ttf")))


def can_print(text: str) -> bool:
    """True when the fonts have a glyph for every character of ``text``."""
    register_fonts()
    font = cast(TTFont, pdfmetrics.getFont(FONT))  # registered as a TTFont above; the stub says Font
    glyphs = font.face.charToGlyph
    return all(ord(char) in glyphs for char in text)
