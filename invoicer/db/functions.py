"""SQL functions the services use, written once and compiled for each engine (SQLite's json_extract and scalar
max have other names and types on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction


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
