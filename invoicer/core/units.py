"""Units of measure as UN/ECE Recommendation 20 codes (what EN 16931 wants), with readable names."""

from __future__ import annotations

from invoicer.core.errors import N_, ValidationError

#: code -> English name (documents translate the name through gettext).
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
}
_BY_NAME = {name: code for code, name in reversed(list(UNIT_NAMES.items()))}
_ALIASES = {"pc": "C62", "pcs": "C62", "h": "HUR", "hr": "HUR", "hours": "HUR", "days": "DAY", "months": "MON"}


def unit_code(text: str | None) -> str:
    """``"hour"``, ``"h"`` or ``"HUR"`` -> ``"HUR"``; empty -> piece (C62)."""
    raw = (text or "").strip()
    if not raw:
        return "C62"
    if raw.upper() in UNIT_NAMES:
        return raw.upper()
    lowered = raw.lower()
    code = _BY_NAME.get(lowered) or _ALIASES.get(lowered)
    if code is None:
        raise ValidationError(
            N_("Unknown unit '{unit}' (use e.g. piece, hour, day, month, kg, m, or a UN/ECE code like HUR)."),
            "unit",
            unit=raw,
        )
    return code
