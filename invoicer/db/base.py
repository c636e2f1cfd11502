"""Declarative base with a naming convention, and the column types: money is integer minor units, a catalog
VAT rate an integer in ten-thousandths of a percent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Date, DateTime, Dialect, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal kept as text (quantities, unit prices, rates): SQLite has no decimal type."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


#: a percentage with up to four decimals (parse_decimal's limit for rates) is a whole number of these
RATE_SCALE = 10_000


class ScaledRate(TypeDecorator[Decimal]):
    """A percentage kept as an exact integer (19 % is 190000): it sorts and compares as a number in SQL,
    where text puts "19" before "7" and finds no "19.0" for "19"."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * RATE_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"a rate of {value} % has more than four decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        # division gives the shortest exact form: 190000 -> 19, 55000 -> 5.5
        return None if value is None else Decimal(int(value)) / RATE_SCALE


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {Decimal: DecimalText(), date: Date(), datetime: DateTime()}
