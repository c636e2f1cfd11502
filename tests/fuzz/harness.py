"""What every fuzz test shares: the example budget (small by default, ``INVOICER_FUZZ_EXAMPLES`` for a long run),
a data folder with something in it, a cheap fingerprint of the database, and the promise checked on every run:
exit 0 or 2, one line on stderr and no traceback when refused, and a refusal leaves the database unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import string
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.cli.invocations import company_folder, ok, run

EXAMPLES = int(os.environ.get("INVOICER_FUZZ_EXAMPLES", "15"))

fuzz = settings(max_examples=EXAMPLES, deadline=None, derandomize="INVOICER_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def fingerprint(folder: Path) -> str:
    """A hash of the whole database's content (the SQL dump): any committed change alters it."""
    connection = sqlite3.connect(f"file:{folder / 'invoicer.sqlite3'}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for statement in connection.iterdump():
            digest.update(statement.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        connection.close()


def check(folder: Path, *args: str) -> int:
    """Run ``invoicer ARGS`` and assert the promise; returns the exit code (0 or 2)."""
    before = fingerprint(folder)
    result = run(folder, *args)
    shown = [a if len(a) < 200 else f"{a[:100]}…({len(a)} characters)" for a in args]  # readable failures
    assert "Traceback" not in result.stderr, (shown, result.stderr[:2000])
    assert result.returncode in (0, 2), (shown, result.returncode, result.stderr[:2000])
    if result.returncode == 2:
        assert len(result.stderr.strip().splitlines()) == 1, (shown, result.stderr[:2000])
        assert fingerprint(folder) == before, (shown, "a refused command changed the database")
    return result.returncode


def stocked_folder(folder: Path) -> dict[str, int]:
    """A data folder with a German seller, a customer, a draft and an open (finalized) invoice."""
    company_folder(folder)
    customer = ok(folder, "customer", "add", "--name", "Kunde AG", "--country", "DE", "--email", "k@example.com")["id"]
    draft = ok(folder, "invoice", "create", "--customer", str(customer), "--line", "Beratung|2|100|19")["id"]
    invoice = ok(folder, "invoice", "create", "--customer", str(customer), "--line", "Beratung|1|100|19")["id"]
    ok(folder, "invoice", "finalize", str(invoice))
    return {"customer": customer, "draft": draft, "invoice": invoice}


# ---------------------------------------------------------------- strategies

CONTROL = "".join(map(chr, range(32))) + "\x7f\u0085\u2028\u202e\ufeff"
# text as users and other programs produce it: any character but lone surrogates (no file or argv holds one)
any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
hostile_text = st.one_of(any_text, st.text(st.sampled_from(CONTROL + "|:;,\"'=@+-"), max_size=10),
                         st.sampled_from(["", " ", "|", "||||", "\x00", "\u202e", "=HYPERLINK(\"x\")", "x" * 5000]))

whole_numbers = st.one_of(
    st.integers().map(str),
    st.sampled_from(["-0", "0", "-1", "9223372036854775807", "9223372036854775808", "1" + "0" * 40, "1e3",
                     "0x10", "٣", "１２", " 7 ", "+5", "", "NaN"]),
)

number_texts = st.one_of(
    st.sampled_from(["1e9", "1E-9", "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "-0", "0", "-0.00",
                     "1" + "0" * 39, "9" * 40, "0." + "1" * 40, "1,234.56", "1.234,56", "1 234,56", "1'234.56",
                     "12,5", "12.5", "1e400", "1e-400", "1e999999", "-1", "+1", "٣٫٥", "１２", "1_000", "", " ",
                     "0.005", "12.345678901", "€12", "12 EUR"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
    st.text(st.sampled_from("0123456789.,-+eE _'"), max_size=25),
)

date_texts = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-02-30", "2023-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2024-13-01",
                     "2024-1-1", "20240101", "01.02.2024", "2024-W01-1", "", "today", "-2024-01-01"]),
    any_text,
)

codes = st.one_of(st.sampled_from(["DE", "de", "FR", "US", "XK", "EU", "ZZ", "EUR", "eur", "JPY", "BHD", "XXX", "XTS",
                                   "", " ", "D", "DEU", "Deutschland", "€"]),
                  st.text(st.characters(blacklist_categories=["Cs"]), max_size=4))


def json_values(max_leaves: int = 20) -> st.SearchStrategy[object]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                        any_text, st.sampled_from([10**40, -(10**40), "1e400", "9" * 40, "x" * 10000]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)), max_leaves=max_leaves)


def json_texts() -> st.SearchStrategy[str]:
    return json_values().map(lambda value: json.dumps(value, ensure_ascii=False))


alnum = string.ascii_uppercase + string.digits
