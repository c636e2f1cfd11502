"""Reading bank statements: CAMT.053 / CAMT.054 (ISO 20022 XML, lxml), MT940 (the ``mt-940`` parser) and CSV
(a column mapping saved per bank), into plain booked lines."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from invoicer.core.errors import N_, InvoicerError
from invoicer.documents.importers import guess_mapping, read_csv_bytes


class StatementFileError(InvoicerError):
    """The file is not a bank statement Invoicer can read."""


@dataclass(frozen=True)
class StatementLine:
    booked_on: date
    value_date: date
    amount: Decimal  # signed, major units: credits positive
    currency: str
    counterparty: str | None = None
    counterparty_iban: str | None = None
    remittance: str | None = None
    bank_reference: str | None = None


@dataclass(frozen=True)
class Statement:
    format: str  # camt.053, camt.054, mt940, csv
    account: str | None
    lines: tuple[StatementLine, ...]


def detect_format(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"<"):
        match = re.search(rb"camt\.05([34])", head)
        if match is None:
            raise StatementFileError(N_("This XML file is not a CAMT.053 or CAMT.054 bank statement."))
        return "camt.05" + match.group(1).decode()
    if re.search(rb"(^|\n):20:", head) or head.startswith(b"{1:"):
        return "mt940"
    return "csv"


def read_statement(data: bytes, name: str = "file", csv_mapping: Mapping[str, str] | None = None) -> Statement:
    """The statement in ``data``, whatever its format (CSV needs a mapping unless its headers are common ones)."""
    kind = detect_format(data)
    if kind.startswith("camt"):
        return _read_camt(data, kind)
    if kind == "mt940":
        return _read_mt940(data)
    return read_csv_statement(data, name, csv_mapping or {})


# -- CAMT ------------------------------------------------------------------------------------------------------


def _children(node: Any) -> dict[str, Any]:
    """An element's child elements by tag (the first of each), in one pass over them: a year's statement has
    100,000 entries of some 40 elements each, and a path search per field cost four times more."""
    found: dict[str, Any] = {}
    for child in node:
        found.setdefault(child.tag, child)
    return found


def _text(node: Any) -> str | None:
    if node is None:
        return None
    text: str | None = node.text
    return (text.strip() or None) if text else None


def _path(node: Any, *tags: str) -> Any:
    """The element at ``tags`` (namespace-qualified) below ``node`` (first of each tag), or None; lxml filters
    the children by tag in C."""
    for tag in tags:
        if node is None:
            return None
        node = next(node.iterchildren(tag), None)
    return node


def _date(node: Any, ns: str) -> date | None:
    """A CAMT date choice: ``Dt`` or ``DtTm``."""
    if node is None:
        return None
    text = _text(_path(node, ns + "Dt")) or _text(_path(node, ns + "DtTm"))
    return None if text is None else date.fromisoformat(text[:10])


def _read_camt(data: bytes, kind: str) -> Statement:
    """Entries streamed one by one (iterparse) and dropped once read: a year's 100,000 entries never sit in
    memory as one tree. Every element of a CAMT message is in the message's one namespace (the entry's)."""
    from lxml import etree

    account: str | None = None
    lines: list[StatementLine] = []
    events = etree.iterparse(io.BytesIO(data), events=("end",), tag=("{*}Acct", "{*}Ntry"), resolve_entities=False,
                             no_network=True, huge_tree=True)
    try:
        for _event, entry in events:
            tag = str(entry.tag)  # an element (the iterparse tag filter): its tag is a str
            ns = tag[:tag.find("}") + 1]
            if tag.endswith("}Acct") or tag == "Acct":
                identity = _path(entry, ns + "Id")
                account = _text(_path(identity, ns + "IBAN")) or _text(_path(identity, ns + "Othr", ns + "Id")) \
                    or account
                continue
            lines.extend(_camt_entry(entry, ns))
            entry.clear()
            parent = entry.getparent()
            while parent is not None and entry.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise StatementFileError(N_("The bank statement is not well-formed XML: {error}"), error=str(exc)) from None
    return Statement(kind, account, tuple(lines))


def _remittance(tx: dict[str, Any], ns: str) -> str:
    """The transfer's texts: unstructured lines and creditor references, in the order the bank gives them."""
    info = tx.get(ns + "RmtInf")
    if info is None:
        return ""
    texts = []
    ustrd, strd = ns + "Ustrd", ns + "Strd"
    for child in info:
        tag = child.tag
        if tag == ustrd:
            texts.append(_text(child))
        elif tag == strd:
            texts.append(_text(_path(child, ns + "CdtrRefInf", ns + "Ref")))
    return " ".join(t for t in texts if t)


def _camt_entry(entry: Any, ns: str) -> list[StatementLine]:
    """The booked lines of one CAMT entry (one per transaction of a batch)."""
    lines: list[StatementLine] = []
    fields = _children(entry)
    status = fields.get(ns + "Sts")
    if _text(status) in ("PDNG", "INFO") or _text(_path(status, ns + "Cd")) in ("PDNG", "INFO"):
        return lines  # not booked
    sign = -1 if _text(fields.get(ns + "CdtDbtInd")) == "DBIT" else 1
    booked = _date(fields.get(ns + "BookgDt"), ns)
    value = _date(fields.get(ns + "ValDt"), ns) or booked
    if booked is None or value is None:
        raise StatementFileError(N_("A statement entry has no booking date."))
    entry_ref = _text(fields.get(ns + "AcctSvcrRef")) or _text(fields.get(ns + "NtryRef"))
    details = [_children(tx) for node in entry.iterchildren(ns + "NtryDtls") for tx in node.iterchildren(ns + "TxDtls")]
    for n, tx in enumerate(details or [{}]):
        amount_node = tx.get(ns + "Amt")
        if amount_node is None:
            amount_node = _path(tx.get(ns + "AmtDtls"), ns + "TxAmt", ns + "Amt")
        if amount_node is None or len(details) <= 1:
            amount_node = fields.get(ns + "Amt")
        if amount_node is None or not amount_node.text:
            raise StatementFileError(N_("A statement entry has no amount."))
        tx_sign = sign
        tx_direction = _text(tx.get(ns + "CdtDbtInd"))
        if tx_direction:
            tx_sign = -1 if tx_direction == "DBIT" else 1
        party = ns + ("Dbtr" if tx_sign > 0 else "Cdtr")
        related = tx.get(ns + "RltdPties")
        parties = _children(related) if related is not None else {}
        who = parties.get(party)
        tx_ref = _text(_path(tx.get(ns + "Refs"), ns + "AcctSvcrRef"))
        reference = tx_ref or (f"{entry_ref}/{n + 1}" if entry_ref and len(details) > 1 else entry_ref)
        lines.append(StatementLine(
            booked_on=booked, value_date=value,
            amount=tx_sign * Decimal(amount_node.text.strip()), currency=amount_node.get("Ccy", ""),
            counterparty=_text(_path(who, ns + "Nm")) or _text(_path(who, ns + "Pty", ns + "Nm")),
            counterparty_iban=_text(_path(parties.get(party + "Acct"), ns + "Id", ns + "IBAN")),
            remittance=_remittance(tx, ns) or _text(fields.get(ns + "AddtlNtryInf")),
            bank_reference=reference,
        ))
    return lines


# -- MT940 -----------------------------------------------------------------------------------------------------


def _read_mt940(data: bytes) -> Statement:
    import mt940

    try:
        parsed = mt940.parse(data, options=mt940.Options.all())
    except Exception as exc:  # the parser raises plain errors on damaged files
        raise StatementFileError(N_("The MT940 file cannot be read: {error}"), error=str(exc)) from None
    lines: list[StatementLine] = []
    for tx in parsed:
        d = tx.data
        amount = d["amount"]
        booked = d.get("entry_date") or d["date"]
        purpose = " ".join(str(d[k]) for k in ("purpose", "end_to_end_reference", "additional_purpose") if d.get(k))
        bank_ref = d.get("bank_reference")
        lines.append(StatementLine(
            booked_on=date(booked.year, booked.month, booked.day),
            value_date=date(d["date"].year, d["date"].month, d["date"].day),
            amount=Decimal(amount.amount), currency=str(amount.currency),
            counterparty=d.get("applicant_name") or None,
            counterparty_iban=d.get("applicant_iban") or d.get("gvc_applicant_iban") or None,
            remittance=purpose or d.get("transaction_details") or None,
            bank_reference=None if bank_ref in (None, "", "NONREF") else str(bank_ref),
        ))
    account = parsed.data.get("account_identification")
    return Statement("mt940", str(account) if account else None, tuple(lines))


# -- CSV -------------------------------------------------------------------------------------------------------

#: the fields of a CSV statement and header names banks commonly give them
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("Booking date", "Buchungstag", "Buchungsdatum", "Date", "Date comptable", "Fecha"),
    "value_date": ("Value date", "Valuta", "Wertstellung", "Valutadatum", "Date de valeur", "Fecha valor"),
    "amount": ("Amount", "Betrag", "Montant", "Importe"),
    "currency": ("Currency", "Währung", "Waehrung", "Devise", "Divisa"),
    "name": ("Counterparty", "Name", "Beguenstigter/Zahlungspflichtiger", "Auftraggeber", "Payer", "Tiers"),
    "iban": ("IBAN", "Kontonummer/IBAN", "IBAN Auftraggeber", "IBAN Zahlungspflichtiger", "Counterparty IBAN"),
    "text": ("Reference text", "Verwendungszweck", "Purpose", "Description", "Libellé", "Concepto"),
    "reference": ("Bank reference", "Transaction ID", "Referenz"),
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%m/%d/%Y")


def _csv_amount(text: str, decimal_mark: str | None) -> Decimal:
    raw = text.replace(" ", "").replace("\u00a0", "").replace("'", "")
    if decimal_mark is None:
        marks = [c for c in raw if c in ".,"]
        if not marks:
            decimal_mark = "."
        elif len(set(marks)) == 2:
            decimal_mark = marks[-1]
        elif re.search(r"[.,]\d{1,2}$", raw) and len(marks) == 1:
            decimal_mark = marks[0]
        else:
            raise StatementFileError(
                N_("The amount '{text}' is ambiguous; set the bank's decimal mark (decimal=, or decimal=.)."),
                text=text,
            )
    group = "," if decimal_mark == "." else "."
    try:
        return Decimal(raw.replace(group, "").replace(decimal_mark, "."))
    except InvalidOperation:
        raise StatementFileError(N_("'{text}' is not an amount."), text=text) from None


def _strptime_format(pattern: str) -> str:
    """``DD.MM.YYYY`` (how banks document their export) -> ``%d.%m.%Y``."""
    pattern = pattern.upper()
    for token, code in (("YYYY", "%Y"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d")):
        pattern = pattern.replace(token, code)
    return pattern


def _csv_date(text: str, fmt: str | None) -> date:
    for candidate in (_strptime_format(fmt),) if fmt else DATE_FORMATS[:3]:
        try:
            return datetime.strptime(text.strip(), candidate).date()
        except ValueError:
            continue
    raise StatementFileError(
        N_("'{text}' is not a date in the bank's format; give it in the column mapping (date_format=DD/MM/YYYY)."),
        text=text,
    )


def read_csv_statement(data: bytes, name: str, mapping: Mapping[str, str]) -> Statement:
    """A CSV statement read with ``mapping`` (field -> header, plus ``currency``/``decimal``/``date_format``
    settings); fields not mapped are found by common header names."""
    table = read_csv_bytes(data, name)
    headers = {h.strip(): i for i, h in enumerate(table.headers)}
    columns = guess_mapping(table.headers, CSV_FIELDS)
    for field_name, header in mapping.items():
        if field_name in CSV_FIELDS:
            if header not in headers:
                raise StatementFileError(N_("The statement has no column '{header}'."), header=header)
            columns[field_name] = headers[header]
    for needed in ("date", "amount"):
        if needed not in columns:
            raise StatementFileError(
                N_("Which column holds the {field}? Give the bank's column mapping (e.g. --columns "
                   "date=Buchungstag,amount=Betrag)."), field=needed,
            )
    fixed_currency = mapping.get("currency_code")
    if "currency" not in columns and not fixed_currency:
        raise StatementFileError(N_("The statement has no currency column; give currency_code=EUR in the mapping."))
    decimal_mark = mapping.get("decimal")
    fmt = mapping.get("date_format")
    lines = []
    for row in table.rows:
        if not row.get(columns["amount"]):
            continue
        booked = _csv_date(row.get(columns["date"]), fmt)
        value_text = row.get(columns.get("value_date"))
        lines.append(StatementLine(
            booked_on=booked, value_date=_csv_date(value_text, fmt) if value_text else booked,
            amount=_csv_amount(row.get(columns["amount"]), decimal_mark),
            currency=(row.get(columns.get("currency")) or fixed_currency or "").upper(),
            counterparty=row.get(columns.get("name")) or None,
            counterparty_iban=row.get(columns.get("iban")) or None,
            remittance=row.get(columns.get("text")) or None,
            bank_reference=row.get(columns.get("reference")) or None,
        ))
    return Statement("csv", None, tuple(lines))
