"""Bank statements as banks send them, built for tests: CAMT.053 / CAMT.054 (ISO 20022 camt.05x.001.08, and the
older 001.02 and 001.04 many banks still deliver; each one built is checked against ISO's schema of its version
in resources/validation/iso20022),
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


def _party(tx: Tx, credit: bool, version: str) -> str:
    role = "Dbtr" if credit else "Cdtr"
    parts = []
    if tx.name:  # up to 001.06 a party is named directly; 001.07 on wraps it in a Pty/Agt choice
        name = f"<Nm>{escape(tx.name)}</Nm>"
        parts.append(f"<{role}>{name if version < '07' else f'<Pty>{name}</Pty>'}</{role}>")
    if tx.iban:
        parts.append(f"<{role}Acct><Id><IBAN>{tx.iban}</IBAN></Id></{role}Acct>")
    return f"<RltdPties>{''.join(parts)}</RltdPties>" if parts else ""


def _tx_details(tx: Tx, currency: str, with_amount: bool, version: str) -> str:
    credit = tx.amount > 0
    rmt = ""
    if tx.text or tx.structured:
        strd = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{tx.structured}</Ref>"
                f"</CdtrRefInf></Strd>") if tx.structured else ""
        ustrd = f"<Ustrd>{escape(tx.text)}</Ustrd>" if tx.text else ""
        rmt = f"<RmtInf>{ustrd}{strd}</RmtInf>"
    amount = ""
    if with_amount and version == "02":  # 001.02 has no amount of its own on a transaction, only AmtDtls
        amount = f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{abs(tx.amount):.2f}</Amt></TxAmt></AmtDtls>'
    elif with_amount or version == "04":  # 001.04 requires it even for an entry's one transaction
        amount = (f'<Amt Ccy="{currency}">{abs(tx.amount):.2f}</Amt>'
                  f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>")
    refs = f"<Refs><AcctSvcrRef>{tx.ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>" if tx.ref else \
        "<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
    return f"<TxDtls>{refs}{amount}{_party(tx, credit, version)}{rmt}</TxDtls>"


VERSIONS = ("02", "04", "08")  # the message versions banks send (001.02 and 001.04 are still the most common)


def camt053(txs: list[Tx], currency: str = "EUR", statement_id: str = "STMT-2026-11-20",
            validate: bool = True, version: str = "08") -> bytes:
    """A camt.053.001.<version> end-of-day statement, checked against ISO 20022's schema of that version."""
    data = _camt(txs, currency, statement_id, notification=False, version=version)
    if validate:
        assert_valid(data, f"camt.053.001.{version}")
    return data


def camt054(txs: list[Tx], currency: str = "EUR", statement_id: str = "NTFCTN-2026-11-20",
            version: str = "08") -> bytes:
    """A camt.054.001.<version> debit/credit notification (intraday, as Swiss banks send one per incoming
    payment), checked against ISO 20022's schema of that version."""
    data = _camt(txs, currency, statement_id, notification=True, version=version)
    assert_valid(data, f"camt.054.001.{version}")
    return data


def _entry_total(tx: Tx) -> Decimal:
    return tx.amount if not tx.batch else sum((t.amount for t in tx.batch), Decimal(0))


def _camt(txs: list[Tx], currency: str, statement_id: str, notification: bool, version: str = "08") -> bytes:
    entries = []
    for tx in txs:
        batch = f"<Btch><NbOfTxs>{len(tx.batch)}</NbOfTxs></Btch>" if tx.batch else ""
        total = _entry_total(tx)
        details = "".join(_tx_details(t, currency, True, version) for t in tx.batch) if tx.batch else \
            _tx_details(tx, currency, False, version)
        status = tx.status if version < "05" else f"<Cd>{tx.status}</Cd>"  # a plain code up to 001.04
        entries.append(
            f'<Ntry><NtryRef>{tx.ref or "NONREF"}</NtryRef><Amt Ccy="{currency}">{abs(total):.2f}</Amt>'
            f"<CdtDbtInd>{'CRDT' if total > 0 else 'DBIT'}</CdtDbtInd><Sts>{status}</Sts>"
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

    message, root, report = (f"camt.054.001.{version}", "BkToCstmrDbtCdtNtfctn", "Ntfctn") if notification else \
        (f"camt.053.001.{version}", "BkToCstmrStmt", "Stmt")
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
