"""Who may do what on a shared server, enforced by PostgreSQL itself (GRANTs and row-level security), so a login
refused in the app is refused in psql too.

Three group roles per database (``invoicer_<database>_owner|accountant|clerk``): the owner may do everything;
the accountant everything but the company profile, settings and VAT rates (read-only); the clerk keeps customers
and drafts: it reads everything, but may not give numbers (number_counters), take payments or credit
(payments, credit_entries), chain or keep issued documents (document_chain, frozen_pdfs), change an invoice's
status or amounts, nor insert a document that is not a draft. The database's own triggers keep finalized
documents and logs as they are for everyone."""

from __future__ import annotations

from sqlalchemy import Connection, text

ROLES = ("owner", "accountant", "clerk")
#: what the accountant may read but not change
SETTINGS_TABLES = ("company", "company_logos", "settings", "tax_rates")
#: what a clerk may write: customers and drafts (and the audit trail its actions leave)
CLERK_TABLES = ("customers", "invoice_lines", "invoice_line_allowances", "invoice_adjustments", "invoice_taxes")
#: the invoice columns that issuing, paying, crediting and closing set: a clerk never changes them
ISSUED_COLUMNS = frozenset({
    "status", "number", "counter_year", "counter_scope", "number_seq", "paid", "credited", "seller_snapshot",
    "customer_snapshot", "exchange_rate", "company_currency", "company_subtotal", "company_tax_total",
    "company_total", "applied_to_due", "to_customer_credit", "refunded", "finalized_at", "paid_at", "closed_at",
    "pdf_sha256",
})


def group(database: str, role: str) -> str:
    return f"invoicer_{database}_{role}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def set_up(conn: Connection) -> None:
    """Create the group roles of the connection's database and give each its rights (again: idempotent)."""
    from invoicer.db.base import Base

    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    owner, accountant, clerk = (_quoted(group(database, r)) for r in ROLES)
    for role in (owner, accountant, clerk):
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role.strip('"')}).scalar()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    tables = [t.name for t in Base.metadata.sorted_tables]
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {owner}")
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(t for t in tables if t not in SETTINGS_TABLES)}"
                         f" TO {accountant}")
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(CLERK_TABLES)} TO {clerk}")
    conn.exec_driver_sql(f"GRANT INSERT ON audit_events TO {clerk}")
    from invoicer.db.models import Invoice

    columns = [c.name for c in Invoice.__table__.columns]
    conn.exec_driver_sql(f"GRANT INSERT ({', '.join(columns)}), DELETE ON invoices TO {clerk}")
    conn.exec_driver_sql(f"GRANT UPDATE ({', '.join(c for c in columns if c not in ISSUED_COLUMNS)}) ON invoices"
                         f" TO {clerk}")
    # the clerk inserts drafts only: a row born issued would carry a number nobody drew
    conn.exec_driver_sql("ALTER TABLE invoices ENABLE ROW LEVEL SECURITY")
    policies = {
        "invoicer_staff": f"FOR ALL TO {owner}, {accountant} USING (true) WITH CHECK (true)",
        "invoicer_clerk_reads": f"FOR SELECT TO {clerk} USING (true)",
        "invoicer_clerk_drafts": f"FOR INSERT TO {clerk} WITH CHECK (status = 'draft' AND number IS NULL)",
        "invoicer_clerk_edits": f"FOR UPDATE TO {clerk} USING (true) WITH CHECK (status = 'draft')",
        "invoicer_clerk_deletes": f"FOR DELETE TO {clerk} USING (status = 'draft')",
    }
    for name, rule in policies.items():
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON invoices")
        conn.exec_driver_sql(f"CREATE POLICY {name} ON invoices {rule}")


def add_user(conn: Connection, name: str, role: str, password: str | None) -> None:
    """A login ``name`` with the rights of ``role`` (an owner may add users too); its password, if given, is set
    by the server's own SQL, never written anywhere else."""
    set_up(conn)
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    user = _quoted(name)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).scalar()
    if not exists:
        conn.exec_driver_sql(f"CREATE ROLE {user} LOGIN" + (" CREATEROLE" if role == "owner" else ""))
    if password:
        literal = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar_one()
        conn.exec_driver_sql(f"ALTER ROLE {user} PASSWORD {literal}")
    for other in ROLES:
        if other != role:
            conn.exec_driver_sql(f"REVOKE {_quoted(group(database, other))} FROM {user}")
    conn.exec_driver_sql(f"GRANT {_quoted(group(database, role))} TO {user}")


def grant_again(conn: Connection) -> None:
    """After a schema upgrade: the roles of this database, if it has them, get their rights on new tables too."""
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": group(database, "owner")}).scalar():
        set_up(conn)
