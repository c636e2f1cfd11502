"""Document number patterns such as ``INV-{year}-{seq:05}``: validation, counter scope, formatting.

Tokens: ``{year}`` (the issue year; a pattern with it restarts every year), ``{seq}`` with an
optional zero-padding width (``{seq:05}``), and ``{customer}`` (the customer's id; a pattern with
it keeps one sequence per customer).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from invoicer.core.errors import N_, ValidationError

DEFAULT_PATTERNS = {"invoice": "INV-{year}-{seq:05}", "credit_note": "CN-{year}-{seq:05}",
                    "quote": "QUO-{year}-{seq:05}"}
_ALLOWED = {"year", "seq", "customer"}
_SEQ_SPEC = re.compile(r"^0?\d{0,2}d?$")


@dataclass(frozen=True)
class CounterKey:
    """Which counter row a number comes from: one per (series, year, customer scope)."""

    series: str
    year: int
    scope: str


def validate_pattern(pattern: str) -> None:
    """Refuse a pattern that cannot produce unique numbers or has unknown tokens."""
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        raise ValidationError(
            N_("Number format '{pattern}' has an unbalanced brace."), "pattern", pattern=pattern
        ) from None
    names = [name for name, _ in fields]
    unknown = set(names) - _ALLOWED
    if unknown:
        raise ValidationError(
            N_("Number format '{pattern}' has unknown token(s) {tokens}; use {{year}}, {{seq}} and {{customer}}."),
            "pattern",
            pattern=pattern,
            tokens=", ".join(sorted(unknown)),
        )
    if names.count("seq") != 1:
        raise ValidationError(
            N_("Number format '{pattern}' needs exactly one {{seq}} token."), "pattern", pattern=pattern
        )
    for name, spec in fields:
        if name == "seq" and spec and not _SEQ_SPEC.match(spec):
            raise ValidationError(
                N_("'{{seq:{spec}}}' is not a valid width (try {{seq:05}})."), "pattern", spec=spec
            )
        if name != "seq" and spec:
            raise ValidationError(N_("'{{{name}}}' takes no format."), "pattern", name=name)
    if len(pattern) > 60:
        raise ValidationError(N_("A number format may have at most 60 characters."), "pattern")


def counter_key(series: str, pattern: str, year: int, customer_id: int) -> CounterKey:
    """The counter a new number is drawn from: per year only if the pattern shows the year."""
    names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name}
    return CounterKey(
        series=series,
        year=year if "year" in names else 0,
        scope=str(customer_id) if "customer" in names else "",
    )


def format_number(pattern: str, year: int, seq: int, customer_id: int) -> str:
    """The document number for ``seq`` in ``year``."""
    return pattern.format(year=year, seq=seq, customer=customer_id)
