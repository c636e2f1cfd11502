"""Roles enforced by the server: a clerk keeps customers and drafts but cannot give numbers, take money or change
an invoice's status, in the app or in psql; an accountant cannot change settings; the audit trail names the
database login that acted."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from invoicer.db.migrate import HEAD_REVISION, migrate
from tests.postgres.invocations import run


def _as(url: str, user: str) -> str:
    return make_url(url).set(username=user).render_as_string(hide_password=False)


@pytest.fixture
def staff(copied: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    folder, url = copied
    for command, name, role in ((["db", "user"], "clara", "clerk"), (["users"], "anna", "accountant")):
        code, _out, err = run(capsys, "--data-dir", str(folder), "--db", url, *command, "add", name, "--role", role)
        assert code == 0, err
    return folder, url


def _open_invoice(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT id FROM invoices WHERE doc_type = 'invoice' AND status = 'open' LIMIT 1").fetchone()
    assert row is not None
    return int(row[0])


#: each forbidden action of a clerk, as psql would send it
CLERK_REFUSED = [
    "UPDATE number_counters SET last_seq = last_seq + 1",  # finalize: draw a number
    "UPDATE invoices SET status = 'open' WHERE status = 'draft'",  # finalize: issue the draft
    "UPDATE invoices SET status = 'void' WHERE status = 'open'",  # void
    "UPDATE invoices SET status = 'uncollectible' WHERE status = 'open'",  # write off
    "UPDATE invoices SET paid = total WHERE status = 'open'",
    "INSERT INTO payments (kind, invoice_id) VALUES ('payment', 1)",
    "INSERT INTO document_chain (invoice_id) VALUES (1)",
    "INSERT INTO invoices (doc_type, status, number, customer_id, currency, issue_date) "
    "VALUES ('invoice', 'open', 'FAKE-1', 1, 'EUR', '2026-11-02')",
    "INSERT INTO invoices (doc_type, status, number, customer_id, currency, issue_date, corrects_id) "
    "SELECT 'credit_note', 'open', 'FAKE-CN', customer_id, currency, issue_date, id FROM invoices "
    "WHERE status = 'open' LIMIT 1",  # a credit note
    "INSERT INTO credit_entries (customer_id, currency, amount, kind, entry_on) VALUES (1, 'EUR', 1, 'credit_note', "
    "'2026-11-02')",
    "INSERT INTO frozen_pdfs (invoice_id, sha256, pdf) VALUES (1, 'x', 'x')",
    "UPDATE settings SET value = value",
    "INSERT INTO settings (key, value) VALUES ('numbering.invoice', 'X-{seq}')",
    "UPDATE company SET name = 'Someone Else GmbH'",
    "CREATE ROLE mallory LOGIN",  # users add
    "DELETE FROM audit_events",
]
#: each forbidden action of an accountant (settings, the company profile, VAT rates, users), as psql would send it
ACCOUNTANT_REFUSED = [
    "UPDATE settings SET value = value",
    "INSERT INTO settings (key, value) VALUES ('numbering.invoice', 'X-{seq}')",
    "UPDATE company SET name = 'Someone Else GmbH'",
    "INSERT INTO company_logos (name, sha256, content) VALUES ('x', 'x', 'x')",
    "UPDATE tax_rates SET rate = rate",
    "DELETE FROM tax_rates",
    "CREATE ROLE mallory LOGIN",
    "GRANT invoicer_{database}_owner TO anna",
]


@pytest.mark.parametrize("statement", CLERK_REFUSED)
def test_what_a_clerk_may_not_do_is_refused_by_the_server(staff: tuple[Path, str], statement: str) -> None:
    _folder, url = staff
    with psycopg.connect(_as(url, "clara")) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


@pytest.mark.parametrize("statement", ACCOUNTANT_REFUSED)
def test_what_an_accountant_may_not_do_is_refused_by_the_server(staff: tuple[Path, str], statement: str) -> None:
    _folder, url = staff
    database = make_url(url).database
    with psycopg.connect(_as(url, "anna")) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement.replace("{database}", str(database)))


def test_an_audit_event_in_another_logins_name_is_refused_by_the_server(staff: tuple[Path, str]) -> None:
    """The trail's actor is the login that wrote the row: a clerk in psql (even after SET ROLE to its group) cannot
    append an event in the owner's name; in its own name it may (the app records a clerk's drafts so)."""
    _folder, url = staff
    row = "INSERT INTO audit_events (at, actor, action, entity, entity_id) VALUES (now(), %s, 'void', 'invoice', 1)"
    with psycopg.connect(_as(url, "clara")) as conn:
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="names the database login"):
            conn.execute(row, ("postgres",))
        conn.rollback()
        conn.execute(f'SET ROLE "invoicer_{make_url(url).database}_clerk"')
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
            conn.execute(row, ("invoicer_owner",))
        conn.rollback()
        conn.execute(row, ("clara",))
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.IntegrityConstraintViolation):
        conn.execute(row, ("clara",))  # nor the owner in a clerk's


def test_a_clerk_drafts_in_the_app_but_cannot_finalize_pay_void_write_off_or_credit(
        staff: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = staff
    clerk = ["--data-dir", str(folder), "--db", _as(url, "clara"), "--json"]
    code, out, err = run(capsys, *clerk, "invoice", "create", "--customer", "1", "--line", "Advice|1|100|19")
    assert code == 0, err
    draft = json.loads(out)["id"]
    issued = _open_invoice(url)
    for refused in (["invoice", "finalize", str(draft)], ["invoice", "pay", str(issued), "--amount", "1"],
                    ["invoice", "void", str(issued)], ["invoice", "uncollectible", str(issued)],
                    ["invoice", "credit", str(issued), "--amount", "1", "--reason", "Goodwill"],
                    ["company", "set", "--name", "Someone Else GmbH"], ["users", "add", "mallory", "--role", "owner"]):
        code, _out, err = run(capsys, *clerk, *refused)
        assert code == 2 and "may not do this" in err and "Traceback" not in err, refused
    with psycopg.connect(url) as conn:
        actor = conn.execute("SELECT actor FROM audit_events WHERE action = 'create' AND entity = 'invoice' "
                             "AND entity_id = %s", (draft,)).fetchone()
        status = conn.execute("SELECT status FROM invoices WHERE id = %s", (draft,)).fetchone()
    assert actor == ("clara",) and status == ("draft",)
    # the owner finalizes it
    assert run(capsys, "--data-dir", str(folder), "--db", url, "invoice", "finalize", str(draft))[0] == 0


def test_an_accountant_takes_payments_but_cannot_change_settings(staff: tuple[Path, str],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = staff
    accountant = ["--data-dir", str(folder), "--db", _as(url, "anna")]
    code, _out, err = run(capsys, *accountant, "invoice", "pay", str(_open_invoice(url)), "--amount", "1")
    assert code == 0, err
    code, _out, err = run(capsys, *accountant, "invoice", "credit", str(_open_invoice(url)), "--amount", "1",
                          "--reason", "Goodwill")
    assert code == 0, err
    code, _out, err = run(capsys, *accountant, "export", "ledger", "--from", "2020-01-01", "--to", "2030-12-31",
                          "-o", str(folder / "ledger.xlsx"))
    assert code == 0 and (folder / "ledger.xlsx").stat().st_size > 0, err
    for refused in (["company", "set", "--name", "Someone Else GmbH"], ["users", "add", "mallory", "--role", "clerk"]):
        code, _out, err = run(capsys, *accountant, *refused)
        assert code == 2 and "Traceback" not in err and err.count("\n") == 1, (refused, err)
    code, _out, err = run(capsys, *accountant, "company", "set", "--name", "Someone Else GmbH")
    assert "may not do this" in err
    with psycopg.connect(url) as conn:
        actors = {a for (a,) in conn.execute("SELECT actor FROM audit_events WHERE action IN ('pay', 'credit')"
                                            " AND at > now() - interval '1 hour'")}
    assert "anna" in actors
    assert run(capsys, "--data-dir", str(folder), "--db", url, "verify")[0] == 0


def test_a_bad_role_or_name_is_refused(staff: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = staff
    code, _out, err = run(capsys, "--data-dir", str(folder), "--db", url, "db", "user", "add", "Robert'); --",
                          "--role", "clerk")
    assert code == 2 and "is not" in err


def test_the_roles_keep_their_rights_through_a_schema_upgrade(staff: tuple[Path, str],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """db init after an upgrade grants again (a new table would otherwise be closed to every role)."""
    folder, url = staff
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:  # one revision behind, for real (the head's migration runs again on db init)
        migrate(engine, f"{int(HEAD_REVISION) - 1:04d}", downgrade=True)
    finally:
        engine.dispose()
    with psycopg.connect(url) as conn:
        conn.execute("REVOKE ALL ON customers FROM invoicer_" + make_url(url).database + "_clerk")  # type: ignore[operator]
    assert run(capsys, "--data-dir", str(folder), "--db", url, "db", "init")[0] == 0
    clerk = ["--data-dir", str(folder), "--db", _as(url, "clara")]
    code, _out, err = run(capsys, *clerk, "customer", "add", "--name", "New GmbH", "--country", "DE")
    assert code == 0, err
