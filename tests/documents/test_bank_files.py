"""Reading bank statements as banks send them: CAMT.053 and CAMT.054 (batches, pending entries, structured
references), MT940 in Deutsche Bank's layout (a year's turn between value and booking date, purpose split over
sub-fields), CSV exports (decimal marks, date formats)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from invoicer.core.errors import InvoicerError
from invoicer.documents.bank_files import read_statement
from tests.documents.bank_samples import ACCOUNT, Tx, _camt, assert_valid, camt053, camt054, csv_export, mt940

ACME = "FR7630006000011234567890189"


def test_camt053_entries_batches_and_pending_bookings() -> None:
    statement = read_statement(camt053([
        Tx(Decimal("477.03"), "ACME SARL", ACME, "Rechnung INV-2026-00001", ref="E1", value=date(2026, 11, 19)),
        Tx(Decimal("0"), ref="E2", batch=[
            Tx(Decimal("119.00"), "Beta", "", "Sammelzahlung 1", ref="E2-1"),
            Tx(Decimal("-19.00"), "Beta", "", "Rückbuchung", ref="E2-2"),
        ]),
        Tx(Decimal("10.00"), "Later", "", "not booked yet", ref="E3", status="PDNG"),
        Tx(Decimal("12.00"), "Ref Payer", "", "", structured="RF18539007547034", ref="E4"),
    ]))
    assert (statement.format, statement.account) == ("camt.053", ACCOUNT)
    lines = {line.bank_reference: line for line in statement.lines}
    assert set(lines) == {"E1", "E2-1", "E2-2", "E4"}  # the pending one is not booked: left for a later file
    first = lines["E1"]
    assert (first.amount, first.currency, first.counterparty, first.counterparty_iban) == (
        Decimal("477.03"), "EUR", "ACME SARL", ACME)
    assert (first.booked_on, first.value_date, first.remittance) == (
        date(2026, 11, 20), date(2026, 11, 19), "Rechnung INV-2026-00001")
    assert (lines["E2-1"].amount, lines["E2-2"].amount) == (Decimal("119.00"), Decimal("-19.00"))
    assert lines["E2-2"].counterparty == "Beta"  # a debit names the creditor
    assert lines["E4"].remittance == "RF18539007547034"


def test_the_samples_are_checked_against_isos_schema() -> None:
    """Every CAMT sample the tests build is validated against ISO 20022's XSD (resources/validation/iso20022);
    the check does catch what a bank would never send."""

    txs = [Tx(Decimal("12.00"), "Ref Payer", ACME, "", structured="RF18539007547034", ref="E4"),
           Tx(Decimal("0"), ref="E2", batch=[Tx(Decimal("1.00"), "A", text="x"), Tx(Decimal("-2.00"), "B")])]
    assert_valid(camt053(txs), "camt.053.001.08")
    assert_valid(camt054(txs), "camt.054.001.08")
    too_long = [Tx(Decimal("1.00"), "N" * 141, text="a name longer than ISO's Max140Text")]
    with pytest.raises(etree.DocumentInvalid, match="Nm"):
        assert_valid(_camt(too_long, "EUR", "S1", notification=False), "camt.053.001.08")
    with pytest.raises(etree.DocumentInvalid):  # a statement is not a notification
        assert_valid(_camt(txs, "EUR", "S1", notification=False), "camt.054.001.08")


@pytest.mark.parametrize("version", ["02", "04"])
def test_older_camt_versions_banks_still_send(version: str) -> None:
    """camt.053/054.001.02 and 001.04 (a plain status code, parties named without Pty, in 001.02 a batch's
    amounts only in AmtDtls): each sample valid per ISO's schema of its version, and read like 001.08."""
    txs = [Tx(Decimal("477.03"), "ACME SARL", ACME, "Rechnung INV-2026-00001", ref="E1", value=date(2026, 11, 19)),
           Tx(Decimal("0"), ref="E2", batch=[Tx(Decimal("119.00"), "Beta", "", "Sammelzahlung 1", ref="E2-1"),
                                             Tx(Decimal("20.00"), "Gamma", "", "Sammelzahlung 2", ref="E2-2")]),
           Tx(Decimal("10.00"), "Later", "", "not booked yet", ref="E3", status="PDNG"),
           Tx(Decimal("-4.90"), "Bank", "", "Kontoführung", ref="E5")]
    for build, message in ((camt053, "camt.053"), (camt054, "camt.054")):
        data = build(txs, version=version)  # checked against camt.05x.001.<version>.xsd while built
        assert f"{message}.001.{version}".encode() in data[:200]
        with pytest.raises(etree.DocumentInvalid):  # and the schemas do tell the versions apart
            assert_valid(data, f"{message}.001.08")
        statement = read_statement(data)
        assert (statement.format, statement.account) == (message, ACCOUNT)
        lines = {line.bank_reference: line for line in statement.lines}
        assert set(lines) == {"E1", "E2-1", "E2-2", "E5"}
        assert (lines["E1"].amount, lines["E1"].counterparty, lines["E1"].counterparty_iban) == (
            Decimal("477.03"), "ACME SARL", ACME)
        assert (lines["E1"].value_date, lines["E1"].remittance) == (date(2026, 11, 19), "Rechnung INV-2026-00001")
        assert [(lines[r].amount, lines[r].counterparty) for r in ("E2-1", "E2-2")] == [
            (Decimal("119.00"), "Beta"), (Decimal("20.00"), "Gamma")]
        assert (lines["E5"].amount, lines["E5"].counterparty) == (Decimal("-4.90"), "Bank")


def test_camt054_notification() -> None:
    statement = read_statement(camt054([Tx(Decimal("59.50"), "Müller AG", "CH9300762011623852957",
                                           "Facture 2026-17", ref="N1")]))
    assert statement.format == "camt.054"
    (line,) = statement.lines
    assert (line.counterparty, line.amount, line.bank_reference) == ("Müller AG", Decimal("59.50"), "N1")


def test_mt940_deutsche_bank_layout() -> None:
    statement = read_statement(mt940([
        Tx(Decimal("477.03"), "ACME SARL", ACME, "Rechnung INV-2026-00001 vielen Dank fuer die Lieferung",
           ref="DB-1", booked=date(2027, 1, 4), value=date(2026, 12, 31)),
        Tx(Decimal("-4.90"), text="Kontofuehrung Dezember", booked=date(2027, 1, 4)),
    ]))
    assert (statement.format, statement.account) == ("mt940", "37040044/0532013000")
    paid, fee = statement.lines
    assert (paid.booked_on, paid.value_date) == (date(2027, 1, 4), date(2026, 12, 31))
    # the purpose runs over ?20, ?21, ?22 in 27-character pieces; read back as one text
    assert paid.remittance == "Rechnung INV-2026-00001 vielen Dank fuer die Lieferung"
    assert (paid.counterparty, paid.counterparty_iban, paid.bank_reference) == ("ACME SARL", ACME, "DB-1")
    assert (fee.amount, fee.bank_reference, fee.counterparty) == (Decimal("-4.90"), None, None)


def test_csv_export_with_mapping_settings() -> None:
    data = csv_export([Tx(Decimal("1234.50"), "ACME", ACME, "INV-1"), Tx(Decimal("-3.00"), text="Gebühr")])
    statement = read_statement(data, "umsaetze.csv")
    assert [line.amount for line in statement.lines] == [Decimal("1234.50"), Decimal("-3.00")]
    assert (statement.lines[0].counterparty, statement.lines[0].counterparty_iban) == ("ACME", ACME)
    us = b"Date,Amount,Description\n11/03/2026,\"1,234.50\",INV-1\n"
    with pytest.raises(InvoicerError, match="currency"):
        read_statement(us, "us.csv", {"date": "Date"})
    with pytest.raises(InvoicerError, match="not a date"):
        read_statement(us, "us.csv", {"currency_code": "USD"})
    (line,) = read_statement(us, "us.csv", {"currency_code": "USD", "date_format": "MM/DD/YYYY"}).lines
    assert (line.booked_on, line.amount, line.currency) == (date(2026, 11, 3), Decimal("1234.50"), "USD")
    assert read_statement(b"Datum;Betrag\n01.11.2026;1.000\n", "x.csv", {
        "date": "Datum", "currency_code": "EUR", "decimal": ","}).lines[0].amount == Decimal("1000")


def test_camt_read_in_chunks_keeps_every_entry_in_order_and_each_statements_account() -> None:
    """Entries are read a chunk at a time (500): 1,201 entries in two statements come out whole, in their order;
    each line names its own account's counterparties and the file's last account is the statement's."""
    first = camt053([Tx(Decimal(i + 1) / 100, f"Payer {i}", "", f"Transfer {i}", ref=f"A{i:04d}")
                     for i in range(1001)])
    other = ACCOUNT.replace("0532013000", "0532013001")
    second = camt053([Tx(Decimal(-(i + 1)), text=f"Fee {i}", ref=f"B{i:03d}") for i in range(200)]).replace(
        ACCOUNT.encode(), other.encode())
    # one file of both statements (a bank sends each account's statement of the day in one message)
    body = second[second.index(b"<Stmt>"):second.index(b"</BkToCstmrStmt>")]
    both = first.replace(b"</Stmt></BkToCstmrStmt>", b"</Stmt>" + body + b"</BkToCstmrStmt>")
    statement = read_statement(both)
    assert [line.bank_reference for line in statement.lines] == [f"A{i:04d}" for i in range(1001)] + [
        f"B{i:03d}" for i in range(200)]
    assert statement.lines[1000].amount == Decimal("10.01") and statement.lines[1000].counterparty == "Payer 1000"
    assert statement.lines[-1].amount == Decimal("-200") and statement.lines[-1].remittance == "Fee 199"
    assert statement.account == other


def test_camt_date_times_an_entry_without_details_and_private_use_characters() -> None:
    """A booking given as DtTm, an entry without transaction details (its additional information is the text), and
    the private-use characters the reader separates fields with taken out of a text (no bank writes them)."""
    data = camt053([Tx(Decimal("5.00"), "Odd \ue000Name", "", "Text \ue001with\ue002 marks", ref="P1",
                       structured="RF18539007547034")])
    data = data.replace(b"<BookgDt><Dt>2026-11-20</Dt>", b"<BookgDt><DtTm>2026-11-20T09:30:00+01:00</DtTm>")
    bare = (b'<Ntry><Amt Ccy="EUR">7.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            b"<BookgDt><Dt>2026-11-21</Dt></BookgDt><ValDt><Dt>2026-11-21</Dt></ValDt><AcctSvcrRef>P2</AcctSvcrRef>"
            b"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CCRD</Cd><SubFmlyCd>POSD</SubFmlyCd></Fmly></Domn></BkTxCd>"
            b"<AddtlNtryInf> Card payment Bakery </AddtlNtryInf></Ntry>")
    data = data.replace(b"</Ntry>", b"</Ntry>" + bare, 1)
    assert_valid(data, "camt.053.001.08")
    first, second = read_statement(data).lines
    assert (first.booked_on, first.value_date) == (date(2026, 11, 20), date(2026, 11, 20))
    assert (first.counterparty, first.remittance) == ("Odd Name", "Text with marks RF18539007547034")
    assert (second.amount, second.currency, second.bank_reference, second.remittance, second.counterparty) == (
        Decimal("-7.50"), "EUR", "P2", "Card payment Bakery", None)
