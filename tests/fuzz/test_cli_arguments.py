"""Every argument type of the ``invoicer`` command, fuzzed in-process: a clear one-line refusal (exit 2) or
success, never an unexpected error, and a refusal never changes the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.harness import (
    alnum,
    check,
    codes,
    date_texts,
    fuzz,
    hostile_text,
    json_texts,
    json_values,
    number_texts,
    stocked_folder,
    whole_numbers,
)


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    return folder, stocked_folder(folder)


ID_COMMANDS = [
    ("invoice", "show"), ("invoice", "history"), ("invoice", "delete"), ("invoice", "finalize"),
    ("invoice", "void"), ("invoice", "duplicate"), ("invoice", "uncollectible"), ("customer", "archive"),
    ("payment", "reverse"),
]


@fuzz
@given(command=st.sampled_from(ID_COMMANDS), ident=whole_numbers)
@example(command=("invoice", "show"), ident="99999999999999999999999")
def test_ids(stock: tuple[Path, dict[str, int]], command: tuple[str, str], ident: str) -> None:
    check(stock[0], *command, "--", ident)


@fuzz
@given(option=st.sampled_from([("invoice", "list", "--customer"), ("invoice", "list", "--limit"),
                               ("payment", "list", "--invoice"), ("payment", "list", "--customer"),
                               ("invoice", "create", "--customer")]),
       value=whole_numbers)
@example(option=("invoice", "list", "--limit"), value="99999999999999999999")
@example(option=("invoice", "create", "--customer"), value="99999999999999999999")
def test_id_options(stock: tuple[Path, dict[str, int]], option: tuple[str, str, str], value: str) -> None:
    extra = ["--line", "x|1|1|19"] if option[1] == "create" else []
    check(stock[0], *option[:2], f"{option[2]}={value}", *extra)


@fuzz
@given(amount=number_texts, where=st.sampled_from(["pay", "credit", "apply-credit", "product", "rate", "tax",
                                                   "finalize-rate"]))
@example(amount="1e400", where="product")
@example(amount="9" * 40, where="pay")
def test_amounts(stock: tuple[Path, dict[str, int]], amount: str, where: str) -> None:
    folder, ids = stock
    invoice = str(ids["invoice"])
    argv = {
        "pay": ["invoice", "pay", invoice, f"--amount={amount}"],
        "credit": ["invoice", "credit", invoice, f"--amount={amount}"],
        "apply-credit": ["invoice", "apply-credit", invoice, f"--amount={amount}"],
        "product": ["product", "add", "--name", f"P {amount}", f"--price={amount}", f"--tax={amount}"],
        "rate": ["rate", "set", "USD", "--", amount],
        "tax": ["tax", "add", "--name", f"T {amount}", f"--rate={amount}"],
        "finalize-rate": ["invoice", "finalize", str(ids["draft"]), f"--rate={amount}"],
    }[where]
    check(folder, *argv)


@fuzz
@given(issue=date_texts, due=date_texts, which=st.sampled_from(["create", "list", "pay", "rate", "supply"]))
@example(issue="9999-12-31", due="", which="create")
def test_dates(stock: tuple[Path, dict[str, int]], issue: str, due: str, which: str) -> None:
    folder, ids = stock
    argv = {
        "create": ["invoice", "create", "--customer", str(ids["customer"]), "--line", "x|1|1|19", f"--date={issue}"]
                  + ([f"--due={due}"] if due else []),
        "list": ["invoice", "list", f"--from={issue}", f"--to={due}"],
        "pay": ["invoice", "pay", str(ids["invoice"]), "--amount", "0.01", f"--date={issue}"],
        "rate": ["rate", "set", "CHF", "0.9", f"--date={issue}"],
        "supply": ["invoice", "create", "--customer", str(ids["customer"]), "--line", "x|1|1|19",
                   f"--delivery-date={issue}", f"--period={issue}..{due}"],
    }[which]
    check(folder, *argv)


line_fields = st.one_of(hostile_text, number_texts)


big_numbers = st.one_of(number_texts, st.integers(10**9, 10**18).map(str),
                        st.decimals(min_value=-(10**18), max_value=10**18, places=4).map(str))
well_formed_lines = st.tuples(hostile_text, big_numbers, big_numbers, st.sampled_from(["19", "7", "0", "100"])).map(
    "|".join)


@fuzz
@given(lines=st.lists(st.one_of(st.lists(line_fields, max_size=7).map("|".join), well_formed_lines),
                      min_size=1, max_size=3))
@example(lines=["x|1|" + "9" * 40 + "|19"])
@example(lines=["x|1|1e400|19"])
@example(lines=["\x00|1|1|19"])
def test_line_specs(stock: tuple[Path, dict[str, int]], lines: list[str]) -> None:
    folder, ids = stock
    check(folder, "invoice", "create", "--customer", str(ids["customer"]), *[f"--line={x}" for x in lines])


@fuzz
@given(country=codes, currency=codes, locale=st.one_of(codes, st.sampled_from(["de_DE", "en", "xx_YY", "de-DE"])),
       vat_id=st.one_of(hostile_text, st.text(st.sampled_from(alnum + " .-"), max_size=20),
                        st.sampled_from(["DE123456788", "DE123456789", "ATU12345675", "EL123456783", "GB123456789"])),
       iban=st.one_of(hostile_text, st.text(st.sampled_from(alnum + " "), max_size=40),
                      st.sampled_from(["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB00"])),
       email=st.one_of(st.emails().map(str), hostile_text), terms=whole_numbers, name=hostile_text)
def test_customer_fields(stock: tuple[Path, dict[str, int]], country: str, currency: str, locale: str, vat_id: str,
                         iban: str, email: str, terms: str, name: str) -> None:
    check(stock[0], "customer", "add", f"--name={name}", f"--country={country}", f"--currency={currency}",
          f"--locale={locale}", f"--vat-id={vat_id}", f"--iban={iban}", f"--email={email}", f"--terms-days={terms}")


@fuzz
@given(field=st.sampled_from(["name", "address", "postcode", "city", "country", "vat-id", "tax-number", "email",
                              "phone", "iban", "bic", "currency", "locale", "legal-details"]),
       value=st.one_of(hostile_text, codes))
def test_company_fields(stock: tuple[Path, dict[str, int]], field: str, value: str) -> None:
    check(stock[0], "company", "set", f"--{field}={value}")


SETTING_KEYS = ["numbering.invoice", "numbering.credit_note", "invoice.terms_days", "invoice.tax_rounding",
                "invoice.future_days", "backup.keep", "ui.language", "no.such.key", ""]


@fuzz
@given(key=st.one_of(st.sampled_from(SETTING_KEYS), hostile_text),
       value=st.one_of(json_texts(), hostile_text, number_texts, st.sampled_from(["x" * 1_000_000, "1" * 5000])))
@example(key="invoice.terms_days", value="99999999999999999999999")
@example(key="ui.language", value="[[[[[]]]]]")
def test_settings(stock: tuple[Path, dict[str, int]], key: str, value: str) -> None:
    folder, ids = stock
    if check(folder, "settings", "--", key, value) == 0:
        # whatever was accepted, the commands that use settings still work or refuse clearly
        check(folder, "settings", "--", key)
        check(folder, "invoice", "create", "--customer", str(ids["customer"]), "--line", "x|1|1|19")


draft_keys = st.sampled_from(["customer", "currency", "issue_date", "due_date", "tax_rounding", "notes",
                              "buyer_reference", "lines", "allowances", "charges", "unknown"])
line_keys = st.sampled_from(["description", "quantity", "unit", "unit_price", "discount", "tax"])


def drafts(customer: int) -> st.SearchStrategy[object]:
    """Draft-shaped JSON: the schema's keys with random values (of any type), and random JSON documents."""
    tax = st.fixed_dictionaries({"rate": st.one_of(number_texts, json_values(4))},
                                optional={"category": st.one_of(st.sampled_from(["S", "Z", "E", "AE", "K"]),
                                                                json_values(2))})
    line = st.fixed_dictionaries(
        {"description": st.one_of(hostile_text, json_values(2)), "unit_price": st.one_of(number_texts, json_values(2)),
         "tax": st.one_of(tax, json_values(3))},
        optional={"quantity": st.one_of(number_texts, json_values(2)), "unit": st.one_of(hostile_text, codes),
                  "discount": st.dictionaries(st.sampled_from(["percent", "amount", "x"]), number_texts, max_size=2)})
    shaped = st.fixed_dictionaries(
        {"customer": st.one_of(st.just(customer), st.integers(), json_values(2))},
        optional={"currency": codes, "issue_date": date_texts, "due_date": date_texts,
                  "tax_rounding": st.one_of(st.sampled_from(["document", "line"]), json_values(2)),
                  "notes": st.one_of(hostile_text, json_values(3)), "buyer_reference": hostile_text,
                  "lines": st.one_of(st.lists(st.one_of(line, json_values(3)), max_size=3), json_values(3)),
                  "allowances": st.lists(st.fixed_dictionaries({"amount": number_texts, "tax": tax}), max_size=2),
                  "charges": st.lists(json_values(3), max_size=2), "delivery_date": date_texts,
                  "period": st.one_of(st.fixed_dictionaries({"start": date_texts, "end": date_texts}),
                                      json_values(2))})
    return st.one_of(shaped, json_values(), st.dictionaries(draft_keys, json_values(3)))


@fuzz
@given(data=st.data())
def test_draft_json(stock: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory,
                    data: st.DataObject) -> None:
    folder, ids = stock
    draft = data.draw(drafts(ids["customer"]))
    path = tmp_path_factory.mktemp("draft") / "draft.json"
    path.write_text(json.dumps(draft, ensure_ascii=False, default=str), encoding="utf-8")
    check(folder, "invoice", "create", f"--from-json={path}")


@pytest.mark.parametrize("content", [
    b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser's recursion
    b'{"customer": 1, "notes": "' + b"x" * 5_000_000 + b'"}',
    b"\xff\xfe{\x00}\x00",  # UTF-16, not the UTF-8 the format asks for
    b"",
    b"\x00" * 100,
    b'{"customer": 1, "customer": "x"}',
    b'{"customer": 1, "lines": [{"description": "x", "unit_price": 1e400, "tax": {"rate": 19}}]}',
    b'{"customer": 1, "lines": [{"description": "x", "unit_price": NaN, "tax": {"rate": 19}}]}',
    b'{"customer": 1, "issue_date": "2024-02-30"}',
    b'{"customer": 100000000000000000000000000}',
])
def test_draft_json_files(stock: tuple[Path, dict[str, int]], tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "draft.json"
    path.write_bytes(content)
    check(stock[0], "invoice", "create", f"--from-json={path}")
