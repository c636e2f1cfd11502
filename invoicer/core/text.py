"""Text as search compares it: without accents and case, so "muller" finds "Müller"."""

from __future__ import annotations

import unicodedata

#: letters that are not a base letter plus an accent, so decomposition keeps them (casefold makes ß "ss")
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def fold(text: str) -> str:
    """``text`` in small letters without accents or ligatures, whitespace collapsed: what search columns hold
    and what a search term is turned into before comparing."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_LETTERS).split())
