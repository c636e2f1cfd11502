"""Bank statements as banks send them, built for tests: CAMT.053 (ISO 20022 camt.053.001.08, the layout
German and Swiss banks deliver; each one built is checked against ISO's schema in resources/validation/iso20022),
MT940 (Deutsche Bank's layout: structured ``:86:`` with ``?20`` purpose,
``?30`` BIC, ``?31`` IBAN, ``?32`` name) and a CSV export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ACCOUNT = "DE89370400440532013000"
SCHEMAS = Path(__file__).resolve().parents[2] / "resources" / "validation" / "iso20022"


@cache
def schema(message: str) -> Any:  # an lxml XMLSchema
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{message}.xsd")))


def assert_valid(data: bytes, message: str) -> None:
    """Raise lxml's DocumentInvalid, naming the line and the rule, unless ``data`` is valid per ISO's schema."""
    from lxml import etree

    schema(message).assertValid(etree.fromstring(data, etree.XMLParser(huge_tree=True)))


@dataclass(frozen=True)
class Tx:
    amount: Decimal  # signed: credits positive
    name: str = ""
    iban: str = ""
    text: str = ""
    structured: str = ""  # a creditor reference (RF / QR reference)
    ref: str = ""  # the bank's reference (AcctSvcrRef / :61: bank reference)
    booked: date = date(2026, 11, 20)
    value: date | None = None
    batch: list[Tx] = field(default_factory=list)  # CAMT: one entry booking several transfers
    status: str = "BOOK"  # CAMT: PDNG for a booking not final yet


def _party(tx: Tx, credit: bool) -> str:
    role = "Dbtr" if credit else "Cdtr"
    parts = []
    if tx.name:
        parts.append(f"<{role}><Pty><Nm>{escape(tx.name)}</Nm></Pty></{role}>")
    if tx.iban:
        parts.append(f"<{role}Acct><Id><IBAN>{tx.iban}</IBAN></Id></{role}Acct>")
    return f"<RltdPties>{''.join(parts)}</RltdPties>" if parts else ""


def _tx_details(tx: Tx, currency: str, with_amount: bool) -> str:
    credit = tx.amount > 0
    rmt = ""
    if tx.text or tx.structured:
        strd = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{tx.structured}</Ref>"
                f"</CdtrRefInf></Strd>") if tx.structured else ""
        ustrd = f"<Ustrd>{escape(tx.text)}</Ustrd>" if tx.text else ""
        rmt = f"<RmtInf>{ustrd}{strd}</RmtInf>"
    amount = (f'<Amt Ccy="{currency}">{abs(tx.amount):.2f}</Amt>'
              f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>") if with_amount else ""
    refs = f"<Refs><AcctSvcrRef>{tx.ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>" if tx.ref else \
        "<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
    return f"<TxDtls>{refs}{amount}{_party(tx, credit)}{rmt}</TxDtls>"


def camt053(txs: list[Tx], currency: str = "EUR", statement_id: str = "STMT-2026-11-20",
            validate: bool = True) -> bytes:
    """A camt.053.001.08 end-of-day statement, checked against ISO 20022's camt.053.001.08 schema."""
    data = _camt(txs, currency, statement_id, notification=False)
    if validate:
        assert_valid(data, "camt.053.001.08")
    return data


def camt054(txs: list[Tx], currency: str = "EUR", statement_id: str = "NTFCTN-2026-11-20") -> bytes:
    """A camt.054.001.08 debit/credit notification (intraday, as Swiss banks send one per incoming payment),
    checked against ISO 20022's camt.054.001.08 schema."""
    data = _camt(txs, currency, statement_id, notification=True)
    assert_valid(data, "camt.054.001.08")
    return data


def _entry_total(tx: Tx) -> Decimal:
    return tx.amount if not tx.batch else sum((t.amount for t in tx.batch), Decimal(0))


def _camt(txs: list[Tx], currency: str, statement_id: str, notification: bool) -> bytes:
    entries = []
    for tx in txs:
        batch = f"<Btch><NbOfTxs>{len(tx.batch)}</NbOfTxs></Btch>" if tx.batch else ""
        total = _entry_total(tx)
        details = "".join(_tx_details(t, currency, True) for t in tx.batch) if tx.batch else \
            _tx_details(tx, currency, False)
        entries.append(
            f'<Ntry><NtryRef>{tx.ref or "NONREF"}</NtryRef><Amt Ccy="{currency}">{abs(total):.2f}</Amt>'
            f"<CdtDbtInd>{'CRDT' if total > 0 else 'DBIT'}</CdtDbtInd><Sts><Cd>{tx.status}</Cd></Sts>"
            f"<BookgDt><Dt>{tx.booked.isoformat()}</Dt></BookgDt>"
            f"<ValDt><Dt>{(tx.value or tx.booked).isoformat()}</Dt></ValDt>"
            + (f"<AcctSvcrRef>{tx.ref}</AcctSvcrRef>" if tx.ref else "")
            + "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"<NtryDtls>{batch}{details}"
            "</NtryDtls></Ntry>"
        )
    opening = Decimal("1000.00")
    closing = opening + sum((_entry_total(t) for t in txs), Decimal(0))
    day = max((t.booked for t in txs), default=date(2026, 11, 20)).isoformat()

    def balance(code: str, amount: Decimal) -> str:
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">{abs(amount):.2f}"
                f"</Amt><CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>")

    message, root, report = ("camt.054.001.08", "BkToCstmrDbtCdtNtfctn", "Ntfctn") if notification else \
        ("camt.053.001.08", "BkToCstmrStmt", "Stmt")
    balances = "" if notification else balance("OPBD", opening) + balance("CLBD", closing)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{message}">'
        f"<{root}><GrpHdr><MsgId>MSG-{statement_id}</MsgId>"
        f"<CreDtTm>{day}T18:00:00</CreDtTm></GrpHdr>"
        f"<{report}><Id>{statement_id}</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>{day}T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
        + balances + "".join(entries) + f"</{report}></{root}></Document>"
    ).encode()


def _mt_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def mt940(txs: list[Tx], currency: str = "EUR") -> bytes:
    """Deutsche Bank's MT940 layout (blocks of 27 characters in :86:, ?20.. purpose, ?3x counterparty)."""
    lines = [":20:STARTUMSE", ":25:37040044/0532013000", ":28C:00042/001",
             f":60F:C261119{currency}1000,00"]
    balance = Decimal("1000.00")
    for tx in txs:
        balance += tx.amount
        value = tx.value or tx.booked
        mark = "C" if tx.amount > 0 else "D"
        lines.append(f":61:{value:%y%m%d}{tx.booked:%m%d}{mark}{_mt_amount(tx.amount)}NTRFNONREF//{tx.ref or 'NONREF'}")
        purpose = tx.text or tx.structured
        chunks = [purpose[i:i + 27] for i in range(0, len(purpose), 27)] or [""]
        sub = "".join(f"?{20 + n}{c}" for n, c in enumerate(chunks[:10]))
        gvc = "166" if tx.amount > 0 else "805"
        lines.append(f":86:{gvc}?00{'GUTSCHRIFT' if tx.amount > 0 else 'ENTGELT'}?109310{sub}"
                     f"?30DEUTDEFFXXX?31{tx.iban}?32{tx.name[:27]}")
    lines.append(f":62F:{'C' if balance >= 0 else 'D'}261120{currency}{_mt_amount(balance)}")
    lines.append("-")
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def csv_export(txs: list[Tx]) -> bytes:
    """A German online-banking CSV export: semicolons, comma decimals, dd.mm.yyyy dates."""
    rows = ["Buchungstag;Valuta;Auftraggeber;IBAN Auftraggeber;Verwendungszweck;Betrag;Währung"]
    for tx in txs:
        rows.append(";".join([
            f"{tx.booked:%d.%m.%Y}", f"{(tx.value or tx.booked):%d.%m.%Y}", tx.name, tx.iban, tx.text or tx.structured,
            f"{tx.amount:.2f}".replace(".", ","), "EUR",
        ]))
    return ("\n".join(rows) + "\n").encode("utf-8")
