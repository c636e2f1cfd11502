"""The database's own refusals (frozen documents, append-only logs, numbers never reused), described once and
written for both engines: SQLite triggers and PostgreSQL PL/pgSQL triggers.

A new rule is one ``Rule`` in ``RULES`` (with the revision that brings it) and, in that revision's migration,
``install(op.get_bind(), rules_since(REVISION))``: each engine gets its own dialect from the same description.
Conditions are written in the SQL both engines share (``OLD.``/``NEW.``, ``IS DISTINCT FROM``, scalar
subqueries); PostgreSQL evaluates them inside the trigger function, where subqueries are allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

FROZEN = "finalized document is frozen"
NEVER_REUSED = "document numbers are never reused"
REFERENCE_TAKEN = "payment reference already recorded for this customer"
ACTOR_IS_LOGIN = "an audit event names the database login that writes it"
#: the first key of PostgreSQL's advisory lock a payment with a reference takes (the second: its customer)
REFERENCE_LOCK = 280028


@dataclass(frozen=True)
class Rule:
    """Refuse ``event`` (INSERT, UPDATE or DELETE) on ``table`` with ``message`` when ``when`` holds (always when
    None). ``since`` is the revision whose migration installs it. ``lock`` (PostgreSQL only): a PL/pgSQL statement
    run before the check, in a statement of its own, so that the check's read (a fresh snapshot under READ
    COMMITTED) sees what a concurrent writer holding the same lock committed; SQLite has one writer at a time.
    ``server_only``: a rule about the server's logins, installed on PostgreSQL only (a local file has none)."""

    name: str
    table: str
    event: str
    message: str
    when: str | None = None
    since: str = "0001"
    lock: str | None = None
    server_only: bool = False


# the columns of an invoice that are issued once and for all: a finalized document keeps them as they are
FROZEN_INVOICE_COLUMNS = (
    "doc_type", "number", "counter_year", "counter_scope", "number_seq", "customer_id", "currency", "issue_date",
    "due_date", "tax_rounding", "notes", "buyer_reference", "seller_snapshot", "customer_snapshot", "subtotal",
    "allowance_total", "charge_total", "tax_total", "total", "exchange_rate", "company_currency",
    "company_subtotal", "company_tax_total", "company_total", "corrects_id", "reason", "applied_to_due",
    "to_customer_credit", "refunded", "created_at", "finalized_at",
)
# the date of supply and the service period (EU VAT Art. 226(7)), migration 0012
SERVICE_DATE_COLUMNS = ("delivery_date", "period_start", "period_end")
# the prepaid amount BT-113 and the method and reference it was received with, migration 0033
PREPAID_COLUMNS = ("prepaid", "prepaid_method", "prepaid_reference")
APPEND_ONLY = ("audit_events", "document_chain", "payments", "credit_entries")


def _rules() -> list[Rule]:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_INVOICE_COLUMNS)
    rules = [
        Rule("invoices_frozen", "invoices", "UPDATE", FROZEN,
             f"OLD.status <> 'draft' AND ({changed} OR NEW.status = 'draft'"
             " OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256))"),
        Rule("invoices_no_delete", "invoices", "DELETE", FROZEN, "OLD.status <> 'draft'"),
    ]
    for table in ("invoice_lines", "invoice_adjustments", "invoice_taxes"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            rules.append(Rule(f"{table}_frozen_{event.lower()}", table, event, FROZEN,
                              f"(SELECT status FROM invoices WHERE id = {row}.invoice_id) <> 'draft'"))
    for table, since in (*((t, "0001") for t in APPEND_ONLY), ("sent_messages", "0002"), ("frozen_pdfs", "0017"),
                         ("company_logos", "0020")):
        for event in ("UPDATE", "DELETE"):
            rules.append(Rule(f"{table}_append_only_{event.lower()}", table, event, f"{table} is append-only",
                              since=since))
    # a trigger of its own for what a later revision freezes: invoices_frozen keeps the columns of 0001
    service = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in SERVICE_DATE_COLUMNS)
    rules.append(Rule("invoices_frozen_service", "invoices", "UPDATE", FROZEN,
                      f"OLD.status <> 'draft' AND ({service})", since="0012"))
    # EN 16931 line detail (0013, which writes these for SQLite itself): on PostgreSQL they come with 0017
    detail = ("type_code", "preceding_number", "preceding_date", "rounding_amount")
    rules.append(Rule("invoices_frozen_detail", "invoices", "UPDATE", FROZEN, "OLD.status <> 'draft' AND ("
                      + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in detail) + ")", since="0013"))
    # the prepaid amount (BT-113) the document states and how it was settled at finalize (0033)
    rules.append(Rule("invoices_frozen_prepaid", "invoices", "UPDATE", FROZEN, "OLD.status <> 'draft' AND ("
                      + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in PREPAID_COLUMNS) + ")", since="0033"))
    line_status = "(SELECT i.status FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.id = {}.line_id)"
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        rules.append(Rule(f"invoice_line_allowances_frozen_{event.lower()}", "invoice_line_allowances", event, FROZEN,
                          f"{line_status.format(row)} <> 'draft'", since="0013"))
    # moving a row onto a finalized invoice's line is a change of that invoice too
    rules.append(Rule("invoice_line_allowances_frozen_move", "invoice_line_allowances", "UPDATE", FROZEN,
                      f"{line_status.format('NEW')} <> 'draft'", since="0013"))
    # the advance invoices a final invoice deducts (0021) are part of it: frozen with it
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        rules.append(Rule(f"invoice_deductions_frozen_{event.lower()}", "invoice_deductions", event, FROZEN,
                          f"(SELECT status FROM invoices WHERE id = {row}.invoice_id) <> 'draft'", since="0021"))
    rules.append(Rule("invoice_deductions_frozen_move", "invoice_deductions", "UPDATE", FROZEN,
                      "(SELECT status FROM invoices WHERE id = NEW.invoice_id) <> 'draft'", since="0021"))
    # payment links and QR-bills (0025): what the frozen PDF prints never changes; a link's expiry and use may
    link = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in ("invoice_id", "token", "url_template", "issued",
                                                                        "created_at"))
    rules += [
        Rule("payment_links_fixed", "payment_links", "UPDATE", "payment link tokens are fixed", link, since="0025"),
        Rule("payment_links_no_delete", "payment_links", "DELETE", "payment links are kept", since="0025"),
        *(Rule(f"qr_bills_append_only_{event.lower()}", "qr_bills", event, "qr_bills is append-only", since="0025")
          for event in ("UPDATE", "DELETE")),
    ]
    rules += [
        # a payment's reference is unique among the customer's payments that stand (0028): a reversed one
        # frees it for the corrected payment; one writer per customer at a time on PostgreSQL (0020's index held
        # reversed payments too)
        Rule("payments_reference_standing", "payments", "INSERT", REFERENCE_TAKEN,
             "NEW.kind = 'payment' AND NEW.reference IS NOT NULL AND NEW.reference <> ''"
             " AND EXISTS (SELECT 1 FROM payments p WHERE p.customer_id = NEW.customer_id"
             " AND p.reference = NEW.reference AND p.kind = 'payment'"
             " AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_id = p.id))",
             since="0028", lock=f"PERFORM pg_advisory_xact_lock({REFERENCE_LOCK}, NEW.customer_id::integer)"),
        # the audit trail's actor is the login that wrote the row (0032): a clerk in psql cannot act in another's
        # name (session_user: the login, whatever role it SET ROLE to)
        Rule("audit_events_actor_is_login", "audit_events", "INSERT", ACTOR_IS_LOGIN,
             "NEW.actor IS DISTINCT FROM session_user", since="0032", server_only=True),
        Rule("number_counters_forward", "number_counters", "UPDATE", NEVER_REUSED, "NEW.last_seq < OLD.last_seq"),
        Rule("number_counters_no_delete", "number_counters", "DELETE", NEVER_REUSED),
    ]
    return rules


RULES: tuple[Rule, ...] = tuple(_rules())


def rules_since(revision: str) -> list[Rule]:
    return [r for r in RULES if r.since == revision]


def rules_through(revision: str) -> list[Rule]:
    return [r for r in RULES if r.since <= revision]


#: the revisions before 0017 that wrote their rules for both engines; 0001, 0002 and 0013 wrote SQLite's only, and
#: 0017 brings theirs (and its own) to PostgreSQL
BOTH_ENGINES_BEFORE_SERVER = frozenset({"0012"})
SERVER_REVISION = "0017"


def brought_to_server() -> list[Rule]:
    """The rules migration 0017 brings to PostgreSQL, and so the ones a step down from it removes there: not those
    an earlier revision installed for both engines itself (0012's), which stay until that revision is undone."""
    return [r for r in rules_through(SERVER_REVISION) if r.since not in BOTH_ENGINES_BEFORE_SERVER]


def sqlite_ddl(rule: Rule) -> list[str]:
    when = f" WHEN {rule.when}" if rule.when else ""
    return [f"CREATE TRIGGER {rule.name} BEFORE {rule.event} ON {rule.table}{when}"
            f" BEGIN SELECT RAISE(ABORT, '{rule.message}'); END"]


def postgresql_ddl(rule: Rule) -> list[str]:
    row = "OLD" if rule.event == "DELETE" else "NEW"
    check = (f"IF {rule.when} THEN RAISE EXCEPTION '{rule.message}' USING ERRCODE = 'integrity_constraint_violation';"
             f" END IF; RETURN {row};" if rule.when else
             f"RAISE EXCEPTION '{rule.message}' USING ERRCODE = 'integrity_constraint_violation';")
    body = f"{rule.lock}; {check}" if rule.lock else check
    return [
        f"CREATE OR REPLACE FUNCTION {rule.name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$",
        f"DROP TRIGGER IF EXISTS {rule.name} ON {rule.table}",
        f"CREATE TRIGGER {rule.name} BEFORE {rule.event} ON {rule.table} FOR EACH ROW EXECUTE FUNCTION {rule.name}()",
    ]


def install(conn: Connection, rules: Iterable[Rule]) -> None:
    """Create ``rules`` as triggers in the connection's dialect."""
    on_server = conn.dialect.name == "postgresql"
    ddl = postgresql_ddl if on_server else sqlite_ddl
    for rule in rules:
        if rule.server_only and not on_server:
            continue
        for statement in ddl(rule):
            conn.exec_driver_sql(statement)


def uninstall(conn: Connection, rules: Iterable[Rule]) -> None:
    for rule in rules:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {rule.name} ON {rule.table}")
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {rule.name}()")
        elif not rule.server_only:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {rule.name}")


@contextmanager
def triggers_set_aside(conn: Connection) -> Iterator[None]:
    """Let a migration (or a copy of stored data) past the triggers, and put them back exactly as they were.

    SQLite: drop every trigger and create it again from its stored text. Rebuilding a table drops its own
    triggers, and renaming the rebuilt table fails while another table's trigger names it; the triggers that
    freeze finalized documents and keep payments, credit and the audit log append-only would also refuse a
    conversion of the stored data (0008, 0010). PostgreSQL: the tables' own triggers are disabled for this
    transaction's work and enabled again (ALTER TABLE is transactional there).
    """
    if conn.dialect.name == "postgresql":
        tables = conn.exec_driver_sql(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY 1"
        ).scalars().all()
        for table in tables:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        yield
        for table in tables:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        return
    saved = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all()
    for name, _sql in saved:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in saved:
        conn.exec_driver_sql(sql)
