"""Units of measure as UN/ECE Recommendation 20/21 codes (every code EN 16931 accepts, from
:mod:`invoicer.core.reference`), with readable names for the common ones."""

from __future__ import annotations

from invoicer.core.errors import N_, ValidationError
from invoicer.core.reference import units

#: The common units: code -> English name (documents translate the name through gettext); any other
#: Rec 20/21 code is accepted and shown as its code.
UNIT_NAMES: dict[str, str] = {
    "C62": "piece",
    "H87": "piece",
    "HUR": "hour",
    "MIN": "minute",
    "DAY": "day",
    "WEE": "week",
    "MON": "month",
    "ANN": "year",
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "MTR": "m",
    "KMT": "km",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "KWH": "kWh",
    "LS": "lump sum",
    "E48": "service",
    "SET": "set",
    "PR": "pair",
    "XPK": "package",
    "E49": "working day",
    "KWT": "kW",
    "MWH": "MWh",
    "CMT": "cm",
    "MMT": "mm",
    "MLT": "ml",
    "P1": "percent",
    "IE": "person",
    "NAR": "article",
    "XBX": "box",
    "XCT": "carton",
    "XPX": "pallet",
    "XBO": "bottle",
}
_BY_NAME = {name.lower(): code for code, name in reversed(list(UNIT_NAMES.items()))}
_ALIASES = {"pc": "C62", "pcs": "C62", "h": "HUR", "hr": "HUR", "hours": "HUR", "days": "DAY", "months": "MON",
            "%": "P1"}


def unit_code(text: str | None) -> str:
    """``"hour"``, ``"h"`` or ``"HUR"`` -> ``"HUR"``; any UN/ECE Rec 20/21 code (``"KWT"``); empty -> piece (C62)."""
    raw = (text or "").strip()
    if not raw:
        return "C62"
    if raw.upper() in UNIT_NAMES:
        return raw.upper()
    lowered = raw.lower()
    # a friendly name wins over a code it happens to spell ("t" is a tonne, not the code T)
    code = _BY_NAME.get(lowered) or _ALIASES.get(lowered) or (raw.upper() if raw.upper() in units() else None)
    if code is None:
        raise ValidationError(
            N_("Unknown unit '{unit}' (use e.g. piece, hour, day, month, kg, m, or a UN/ECE code like HUR)."),
            "unit",
            unit=raw,
        )
    return code
