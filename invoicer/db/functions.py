"""SQL functions the services use, written once and compiled for each engine (SQLite's json_extract and scalar
max have other names and types on PostgreSQL)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Integer, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.sql.selectable import Join


class json_text(GenericFunction[Any]):
    """A field of a JSON text column, as text: ``json_text(column, "name")``."""

    type = String()
    inherit_cache = True


class json_int(GenericFunction[Any]):
    """A whole-number field of a JSON text column: ``json_int(column, "payment_id")``."""

    type = Integer()
    inherit_cache = True


class greatest(GenericFunction[Any]):
    """The larger of two values in a row (SQLite's two-argument max)."""

    inherit_cache = True


class day_text(GenericFunction[Any]):
    """A timestamp's day as ISO text, YYYY-MM-DD."""

    type = String()
    inherit_cache = True


def _args(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(json_text, "sqlite")
@compiles(json_int, "sqlite")
def _json_sqlite(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    column, key = _args(element, compiler, **kw)
    return f"json_extract({column}, '$.' || {key})"


@compiles(json_text, "postgresql")
def _json_text_pg(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    column, key = _args(element, compiler, **kw)
    return f"(CAST({column} AS jsonb) ->> {key})"


@compiles(json_int, "postgresql")
def _json_int_pg(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    column, key = _args(element, compiler, **kw)
    return f"CAST(CAST({column} AS jsonb) ->> {key} AS BIGINT)"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({', '.join(_args(element, compiler, **kw))})"


@compiles(greatest, "postgresql")
def _greatest_pg(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"greatest({', '.join(_args(element, compiler, **kw))})"


@compiles(day_text, "sqlite")
def _day_sqlite(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({_args(element, compiler, **kw)[0]})"


@compiles(day_text, "postgresql")
def _day_pg(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({_args(element, compiler, **kw)[0]}, 'YYYY-MM-DD')"


class prefix_match(GenericFunction[bool]):
    """Case-sensitive "starts with": ``starts_with(column, text)`` builds it."""

    type = Boolean()
    inherit_cache = True

    def self_group(self, against: Any = None) -> prefix_match:
        # rendered as a comparison already: SQLAlchemy would otherwise write a boolean function in a WHERE as
        # "(number GLOB ?) = 1" on SQLite, which hides the prefix from the index (a scan of every document of the
        # type per prefix: linear in the invoices, 225 ms per search keystroke at 1,000,000)
        return self


def starts_with(column: ColumnElement[Any] | QueryableAttribute[Any], text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text``, exactly (case-sensitive): SQLite's GLOB, answered from a plain index, and
    PostgreSQL's LIKE (from the ``varchar_pattern_ops`` indexes of migration 0020, under any collation); each gets its own escaped pattern, and the
    statement renders the one its engine needs."""
    glob = "".join(f"[{c}]" if c in "*?[" else c for c in text) + "*"
    like = "".join(f"\\{c}" if c in "%_\\" else c for c in text) + "%"
    return prefix_match(column, literal(glob), literal(like))


@compiles(prefix_match, "sqlite")
def _prefix_sqlite(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    column, glob = [compiler.process(arg, **kw) for arg in list(element.clauses)[:2]]
    return f"({column} GLOB {glob})"


@compiles(prefix_match, "postgresql")
def _prefix_pg(element: GenericFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    clauses = list(element.clauses)
    column, like = compiler.process(clauses[0], **kw), compiler.process(clauses[2], **kw)
    return f"({column} LIKE {like} ESCAPE '\\')"


class LeftFirst(Join):
    """An inner join whose left side is read first, row by row, on SQLite too (``CROSS JOIN``: SQLite's planner
    never reorders it); a plain join elsewhere. For a page in an order only that way of reading gives without a
    sort (customers by name, then each one's invoices from an index)."""

    inherit_cache = True


def left_first(left: Any, right: Any, onclause: ColumnElement[bool]) -> LeftFirst:
    return LeftFirst(left, right, onclause)


@compiles(LeftFirst, "sqlite")
def _left_first_sqlite(element: LeftFirst, compiler: SQLCompiler, **kw: Any) -> str:
    if (linter := kw.get("from_linter")) is not None:  # the ON clause joins the two: no cartesian product
        linter.edges.update(itertools.product(element.left._from_objects, element.right._from_objects))
    sides, on = {**kw, "asfrom": True}, element.onclause
    assert on is not None  # left_first always joins on a condition
    return (f"{compiler.process(element.left, **sides)} CROSS JOIN {compiler.process(element.right, **sides)} "
            f"ON {compiler.process(on, **kw)}")
