"""Figures the database keeps summed up as documents change: net revenue per month of issue (``revenue_months``).

Kept by triggers on ``invoices`` (SQLite and PostgreSQL, from one description here), so every path that writes a
document (the services' finalize, void, write-off, credit note, the demo's and imports' bulk writes, a copy to a
server) changes the month's figure in its own transaction. A document counts as services/reports.py ``revenue``
counts it: a finalized, not void invoice adds its net amount in the company currency, an issued credit note
takes it off. Migration 0023 installs the triggers and fills the table from the stored documents.
"""

from __future__ import annotations

from sqlalchemy import Connection

#: what a document adds to its month, in the SQL both engines share (``{row}`` is NEW or OLD)
CONTRIBUTION = (
    "CASE WHEN {row}.doc_type = 'invoice' AND {row}.status IN ('open', 'paid', 'uncollectible') "
    "THEN coalesce({row}.company_subtotal, 0) "
    "WHEN {row}.doc_type = 'credit_note' AND {row}.status <> 'draft' THEN -coalesce({row}.company_subtotal, 0) "
    "ELSE 0 END"
)
#: the columns that decide a document's contribution and month
COLUMNS = ("doc_type", "status", "company_subtotal", "issue_date")
_NAME = "revenue_months_kept"
#: the PostgreSQL trigger that keeps the summary (SQLite has one per event: its name and _insert/_update/_delete)
POSTGRESQL_TRIGGER = _NAME


def month_sql(dialect: str, column: str) -> str:
    """The ``YYYY-MM`` of a date column (SQLite stores dates as ISO text)."""
    return f"to_char({column}, 'YYYY-MM')" if dialect == "postgresql" else f"substr({column}, 1, 7)"


def _add(dialect: str, row: str, sign: str = "") -> str:
    return (f"INSERT INTO revenue_months (month, net) VALUES ({month_sql(dialect, f'{row}.issue_date')}, "
            f"{sign}({CONTRIBUTION.format(row=row)})) "
            "ON CONFLICT (month) DO UPDATE SET net = revenue_months.net + excluded.net")


def _sqlite_ddl() -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)
    return [
        f"CREATE TRIGGER {_NAME}_insert AFTER INSERT ON invoices WHEN ({CONTRIBUTION.format(row='NEW')}) <> 0"
        f" BEGIN {_add('sqlite', 'NEW')}; END",
        f"CREATE TRIGGER {_NAME}_update AFTER UPDATE ON invoices WHEN {changed}"
        f" BEGIN {_add('sqlite', 'OLD', '-')}; {_add('sqlite', 'NEW')}; END",
        f"CREATE TRIGGER {_NAME}_delete AFTER DELETE ON invoices WHEN ({CONTRIBUTION.format(row='OLD')}) <> 0"
        f" BEGIN {_add('sqlite', 'OLD', '-')}; END",
    ]


def _postgresql_ddl() -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)
    body = (f"IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR {changed}) THEN "
            f"{_add('postgresql', 'OLD', '-')}; END IF; "
            f"IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ({changed})) THEN {_add('postgresql', 'NEW')}; END IF; "
            "RETURN NULL;")
    return [
        # runs with its owner's rights: a clerk's draft or an accountant's credit note keeps the summary it may not write
        f"CREATE OR REPLACE FUNCTION {_NAME}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public"
        f" AS $$ BEGIN {body} END $$",
        f"DROP TRIGGER IF EXISTS {_NAME} ON invoices",
        f"CREATE TRIGGER {_NAME} AFTER INSERT OR UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION {_NAME}()",
    ]


def install(conn: Connection) -> None:
    """Create the triggers that keep ``revenue_months``."""
    for statement in _postgresql_ddl() if conn.dialect.name == "postgresql" else _sqlite_ddl():
        conn.exec_driver_sql(statement)


def uninstall(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_NAME} ON invoices")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_NAME}()")
        return
    for event in ("insert", "update", "delete"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_NAME}_{event}")


def refill(conn: Connection) -> None:
    """``revenue_months`` computed afresh from every stored document (the migration's fill)."""
    dialect = conn.dialect.name
    conn.exec_driver_sql("DELETE FROM revenue_months")
    conn.exec_driver_sql(
        f"INSERT INTO revenue_months (month, net) SELECT {month_sql(dialect, 'i.issue_date')}, "
        f"sum({CONTRIBUTION.format(row='i')}) FROM invoices AS i GROUP BY 1")
