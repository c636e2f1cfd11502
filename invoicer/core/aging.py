"""Aged receivables buckets: current, 1-30, 31-60, 61-90, 90+ days past due."""

from __future__ import annotations

from datetime import date

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def bucket(due_date: date | None, as_of: date) -> str:
    """The bucket of an amount due on ``due_date``, seen on ``as_of``."""
    days = (as_of - due_date).days if due_date is not None else 0
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"
