"""Figures the database keeps summed up as documents change: net revenue per month of issue (``revenue_months``).

Kept by triggers on ``invoices`` (SQLite and PostgreSQL, from one description here), so every path that writes a
document (the services' finalize, void, write-off, credit note, the demo's and imports' bulk writes, a copy to a
server) changes the month's figure in its own transaction. Migration 0023 installs the triggers and fills the table
from the stored documents; 0029 counts deposits as the journal books them.

What a document adds to revenue is the rule here (``contribution``), and services/reports.py ``revenue`` asks the
same SQL, so the dashboard, the Reports page and ``invoicer report revenue`` agree with each other and with the
journal's revenue accounts (services/ledger.py) for any month: a finalized, not void invoice adds its net amount in
the company currency as locked at finalize, an issued credit note takes it off; but a deposit invoice (386) bills
work not yet done, so its net is an advance payment received, not revenue, and so is a credit note of it; the final
invoice that deducts deposits releases their advances (their net as booked, less their credit notes) to revenue in
its own month. Partial invoices (326) bill delivered work: revenue when issued, and the final invoice's deduction
lines take them off, so the whole work is revenue once.
"""

from __future__ import annotations

from sqlalchemy import Connection

from invoicer.core.type_codes import DEPOSIT

#: the advances a final invoice releases: the net of the deposits it deducts, less their issued credit notes
_RELEASED = (
    "(SELECT coalesce(sum(p.company_subtotal), 0) FROM invoice_deductions d JOIN invoices p ON p.id = d.deducted_id"
    f" WHERE d.invoice_id = {{row}}.id AND p.type_code = '{DEPOSIT}' AND p.status NOT IN ('draft', 'void'))"
    " - (SELECT coalesce(sum(c.company_subtotal), 0) FROM invoice_deductions d JOIN invoices p ON p.id = d.deducted_id"
    " JOIN invoices c ON c.corrects_id = p.id"
    f" WHERE d.invoice_id = {{row}}.id AND p.type_code = '{DEPOSIT}' AND c.doc_type = 'credit_note'"
    " AND c.status NOT IN ('draft', 'void'))"
)
#: the same figure, its joins written in the order they must run (SQLite keeps the order of a CROSS JOIN; PostgreSQL
#: plans it like any join): from the final invoice's own deductions to their deposits to the deposits' credit notes.
#: Under 0029's plain joins SQLite, which keeps no statistics here, began with every credit note (by the doc_type
#: index), so each status change of any invoice read all credit notes: 1 ms a change at 20,000 invoices, growing
#: with the file (the demo load took 6 minutes at 100,000)
_RELEASED_IN_ORDER = (
    "(SELECT coalesce(sum(p.company_subtotal), 0) FROM invoice_deductions d CROSS JOIN invoices p"
    f" WHERE p.id = d.deducted_id AND d.invoice_id = {{row}}.id AND p.type_code = '{DEPOSIT}'"
    " AND p.status NOT IN ('draft', 'void'))"
    " - (SELECT coalesce(sum(c.company_subtotal), 0) FROM invoice_deductions d CROSS JOIN invoices p"
    " CROSS JOIN invoices c WHERE p.id = d.deducted_id AND c.corrects_id = p.id"
    f" AND d.invoice_id = {{row}}.id AND p.type_code = '{DEPOSIT}' AND c.doc_type = 'credit_note'"
    " AND c.status NOT IN ('draft', 'void'))"
)
_RULE_0029 = (
    "CASE WHEN {{row}}.doc_type = 'invoice' AND {{row}}.status IN ('open', 'paid', 'uncollectible') "
    f"THEN CASE WHEN {{{{row}}}}.type_code = '{DEPOSIT}' THEN 0 "
    "ELSE coalesce({{row}}.company_subtotal, 0) + {released} END "
    "WHEN {{row}}.doc_type = 'credit_note' AND {{row}}.status <> 'draft' "
    f"THEN CASE WHEN (SELECT o.type_code FROM invoices o WHERE o.id = {{{{row}}}}.corrects_id) = '{DEPOSIT}' THEN 0 "
    "ELSE -coalesce({{row}}.company_subtotal, 0) END "
    "ELSE 0 END"
)
#: what a document adds to its month, in the SQL both engines share (``{row}`` is NEW, OLD or the table's name),
#: by the revision that brought the rule
CONTRIBUTIONS = {
    "0023": (
        "CASE WHEN {row}.doc_type = 'invoice' AND {row}.status IN ('open', 'paid', 'uncollectible') "
        "THEN coalesce({row}.company_subtotal, 0) "
        "WHEN {row}.doc_type = 'credit_note' AND {row}.status <> 'draft' THEN -coalesce({row}.company_subtotal, 0) "
        "ELSE 0 END"
    ),
    "0029": _RULE_0029.format(released=_RELEASED),
    # the rule of 0029, read in an order that does not grow with the credit notes
    "0037": _RULE_0029.format(released=_RELEASED_IN_ORDER),
}
#: the rule in force (what the newest migration installs)
CURRENT = "0037"
#: what migration 0023 installed: its calls name no revision
_FIRST = "0023"


def contribution(row: str, revision: str = CURRENT) -> str:
    """What the document ``row`` (NEW, OLD or a table's name) adds to revenue, in the company's minor units."""
    return CONTRIBUTIONS[revision].format(row=row)


#: the columns that decide a document's contribution and month, by the rule's revision (those of 0029 are frozen
#: once issued, but a draft may change them)
_COLUMNS_0023 = ("doc_type", "status", "company_subtotal", "issue_date")
_COLUMNS_0029 = (*_COLUMNS_0023, "type_code", "corrects_id")
COLUMNS: dict[str, tuple[str, ...]] = {"0023": _COLUMNS_0023, "0029": _COLUMNS_0029, "0037": _COLUMNS_0029}
_NAME = "revenue_months_kept"
#: the PostgreSQL trigger that keeps the summary (SQLite has one per event: its name and _insert/_update/_delete)
POSTGRESQL_TRIGGER = _NAME


def month_sql(dialect: str, column: str) -> str:
    """The ``YYYY-MM`` of a date column (SQLite stores dates as ISO text)."""
    return f"to_char({column}, 'YYYY-MM')" if dialect == "postgresql" else f"substr({column}, 1, 7)"


def _add(dialect: str, row: str, revision: str, sign: str = "") -> str:
    return (f"INSERT INTO revenue_months (month, net) VALUES ({month_sql(dialect, f'{row}.issue_date')}, "
            f"{sign}({contribution(row, revision)})) "
            "ON CONFLICT (month) DO UPDATE SET net = revenue_months.net + excluded.net")


def _sqlite_ddl(revision: str) -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS[revision])
    return [
        f"CREATE TRIGGER {_NAME}_insert AFTER INSERT ON invoices WHEN ({contribution('NEW', revision)}) <> 0"
        f" BEGIN {_add('sqlite', 'NEW', revision)}; END",
        f"CREATE TRIGGER {_NAME}_update AFTER UPDATE ON invoices WHEN {changed}"
        f" BEGIN {_add('sqlite', 'OLD', revision, '-')}; {_add('sqlite', 'NEW', revision)}; END",
        f"CREATE TRIGGER {_NAME}_delete AFTER DELETE ON invoices WHEN ({contribution('OLD', revision)}) <> 0"
        f" BEGIN {_add('sqlite', 'OLD', revision, '-')}; END",
    ]


def _postgresql_ddl(revision: str) -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS[revision])
    body = (f"IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR {changed}) THEN "
            f"{_add('postgresql', 'OLD', revision, '-')}; END IF; "
            f"IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ({changed})) THEN {_add('postgresql', 'NEW', revision)};"
            " END IF; RETURN NULL;")
    return [
        # runs with its owner's rights: a clerk's draft or an accountant's credit note keeps the summary it may not write
        f"CREATE OR REPLACE FUNCTION {_NAME}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public"
        f" AS $$ BEGIN {body} END $$",
        f"DROP TRIGGER IF EXISTS {_NAME} ON invoices",
        f"CREATE TRIGGER {_NAME} AFTER INSERT OR UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION {_NAME}()",
    ]


def install(conn: Connection, revision: str = _FIRST) -> None:
    """Create the triggers that keep ``revenue_months`` by the rule of ``revision`` (a migration names its own)."""
    for statement in _postgresql_ddl(revision) if conn.dialect.name == "postgresql" else _sqlite_ddl(revision):
        conn.exec_driver_sql(statement)


def uninstall(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_NAME} ON invoices")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_NAME}()")
        return
    for event in ("insert", "update", "delete"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_NAME}_{event}")


def reinstall(conn: Connection, revision: str) -> None:
    """The triggers replaced by those of ``revision``'s rule (a migration that changes how, not what, is summed)."""
    uninstall(conn)
    install(conn, revision)


def refill(conn: Connection, revision: str = _FIRST) -> None:
    """``revenue_months`` computed afresh from every stored document by the rule of ``revision`` (a migration's
    fill)."""
    dialect = conn.dialect.name
    conn.exec_driver_sql("DELETE FROM revenue_months")
    conn.exec_driver_sql(
        f"INSERT INTO revenue_months (month, net) SELECT {month_sql(dialect, 'i.issue_date')}, "
        f"sum({contribution('i', revision)}) FROM invoices AS i GROUP BY 1")
