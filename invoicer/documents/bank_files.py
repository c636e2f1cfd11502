"""Reading bank statements: CAMT.053 / CAMT.054 (ISO 20022 XML, lxml), MT940 (the ``mt-940`` parser) and CSV
(a column mapping saved per bank), into plain booked lines."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

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

# An entry's fields are picked out by an XSLT stylesheet (libxslt, in C) for a chunk of entries at a time, as one
# text of records that Python splits: on a year's statement 5-8 % less CPU than walking each entry's children and
# paths in Python, or than one filtered pass over its elements placed by their parents (both measured). The separators are private-use characters, taken out of the free texts (no bank writes them); a
# code, date or amount holding one is refused.
_FS, _RS, _PS = "\ue000", "\ue001", "\ue002"  # between fields, records (one per transaction), remittance pieces
_CHUNK = 500  # entries per stylesheet run: the tree never holds more than these
_ENTRY = (  # an entry's fields
    "c:Sts[1]/text()[1]", "c:Sts[1]/c:Cd[1]", "c:CdtDbtInd[1]", "c:BookgDt[1]/c:Dt[1]", "c:BookgDt[1]/c:DtTm[1]",
    "c:ValDt[1]/c:Dt[1]", "c:ValDt[1]/c:DtTm[1]", "c:AcctSvcrRef[1]", "c:NtryRef[1]", "c:AddtlNtryInf[1]",
    "count(c:NtryDtls/c:TxDtls)",
)
_TX = (  # a transaction's fields
    "position()", "c:CdtDbtInd[1]", "c:RltdPties[1]/c:Dbtr[1]/c:Nm[1]", "c:RltdPties[1]/c:Dbtr[1]/c:Pty[1]/c:Nm[1]",
    "c:RltdPties[1]/c:DbtrAcct[1]/c:Id[1]/c:IBAN[1]", "c:RltdPties[1]/c:Cdtr[1]/c:Nm[1]",
    "c:RltdPties[1]/c:Cdtr[1]/c:Pty[1]/c:Nm[1]", "c:RltdPties[1]/c:CdtrAcct[1]/c:Id[1]/c:IBAN[1]",
    "c:Refs[1]/c:AcctSvcrRef[1]",
)
_TEXTS = {p for p in (*_ENTRY, *_TX) if "Ref" in p or "Nm" in p or "Addtl" in p}


def _text(node: Any) -> str | None:
    if node is None:
        return None
    text: str | None = node.text
    return (text.strip() or None) if text else None


def _path(node: Any, *tags: str) -> Any:
    """The element at ``tags`` (namespace-qualified) below ``node`` (first of each tag), or None."""
    for tag in tags:
        if node is None:
            return None
        node = next(node.iterchildren(tag), None)
    return node


@cache
def _stylesheet(ns: str) -> Any:
    from lxml import etree

    return etree.XSLT(etree.fromstring(_stylesheet_text(ns).encode()))


def _stylesheet_text(ns: str) -> str:
    """The stylesheet for CAMT messages in namespace ``ns``: per transaction (or per entry without any) one record
    of the entry's fields, its amount (``=`` + amount, currency: empty when there is no such element), then the
    transaction's fields, its own amount, its AmtDtls' amount and its remittance pieces."""
    def xpath(path: str) -> str:
        return escape(path if ns else path.replace("c:", ""))

    def values(paths: tuple[str, ...]) -> str:  # free texts without the separators, codes and dates as they are
        return "".join(f'<x:value-of select="translate({xpath(p)}, \'{_FS}{_RS}{_PS}\', \'\')"/>{_FS}'
                       if p in _TEXTS else f'<x:value-of select="{xpath(p)}"/>{_FS}' for p in paths)

    def amount(path: str) -> str:
        return (f'<x:if test="{xpath(path)}">=</x:if><x:value-of select="{xpath(path)}"/>{_FS}'
                f'<x:value-of select="{xpath(path)}/@Ccy"/>{_FS}')

    def piece(path: str) -> str:
        return f'<x:value-of select="translate({xpath(path)}, \'{_FS}{_RS}{_PS}\', \'\')"/>{_PS}'

    remittance = (f'<x:for-each select="{xpath("c:RmtInf[1]/c:Ustrd | c:RmtInf[1]/c:Strd")}"><x:choose>'
                  f'<x:when test="{xpath("self::c:Ustrd")}">{piece(".")}</x:when>'
                  f'<x:otherwise>{piece("c:CdtrRefInf[1]/c:Ref[1]")}</x:otherwise></x:choose></x:for-each>')
    namespace = f' xmlns:c={quoteattr(ns)}' if ns else ""
    text = f"""<x:stylesheet version="1.0" xmlns:x="http://www.w3.org/1999/XSL/Transform"{namespace}>
<x:output method="text" encoding="UTF-8"/><x:param name="n"/>
<x:template match="/"><x:for-each select="*/{xpath('c:Ntry')}[position() &lt;= $n]">
<x:variable name="entry">{values(_ENTRY)}{amount("c:Amt[1]")}</x:variable>
<x:for-each select="{xpath('c:NtryDtls/c:TxDtls')}"><x:value-of select="$entry"/>{values(_TX)}{amount("c:Amt[1]")}{
        amount("c:AmtDtls[1]/c:TxAmt[1]/c:Amt[1]")}{remittance}{_RS}</x:for-each>
<x:if test="not({xpath('c:NtryDtls/c:TxDtls')})"><x:value-of select="$entry"/>{_RS}</x:if>
</x:for-each></x:template></x:stylesheet>"""
    return text


def _read_camt(data: bytes, kind: str) -> Statement:
    """Entries streamed (iterparse) a chunk at a time and dropped once read: a year's 100,000 entries never sit
    in memory as one tree."""
    from lxml import etree

    account: str | None = None
    lines: list[StatementLine] = []
    pending: list[Any] = []  # entries read, not turned into lines yet: all children of one statement
    days: dict[str, date] = {}

    def flush(parent: Any) -> None:
        tag = str(pending[0].tag)
        records = str(_stylesheet(tag[1:tag.find("}")] if tag.startswith("{") else "")(parent, n=str(len(pending))))
        for record in records.split(_RS)[:-1]:
            fields = record.split(_FS)
            if len(fields) not in (14, 27):  # a code, date or amount with a separator in it: not CAMT
                raise StatementFileError(N_("A statement entry holds characters that are not allowed there."))
            _camt_line(fields, days, lines)
        for entry in pending:
            parent.remove(entry)
        pending.clear()

    events = etree.iterparse(io.BytesIO(data), events=("end",), tag=("{*}Acct", "{*}Ntry"), resolve_entities=False,
                             no_network=True, huge_tree=True)
    try:
        parent = None
        for _event, element in events:
            tag = str(element.tag)  # an element (the iterparse tag filter): its tag is a str
            if tag.endswith("}Acct") or tag == "Acct":
                ns = tag[:tag.find("}") + 1]
                identity = _path(element, ns + "Id")
                account = _text(_path(identity, ns + "IBAN")) or _text(_path(identity, ns + "Othr", ns + "Id")) \
                    or account
                continue
            if pending and (len(pending) >= _CHUNK or element.getparent() is not parent):
                flush(parent)
            if not pending:
                parent = element.getparent()
            pending.append(element)
        if pending:
            flush(parent)
    except etree.XMLSyntaxError as exc:
        raise StatementFileError(N_("The bank statement is not well-formed XML: {error}"), error=str(exc)) from None
    return Statement(kind, account, tuple(lines))


def _day(text: str, days: dict[str, date]) -> date | None:
    """A CAMT date choice (``Dt`` or the date of ``DtTm``), parsed once per distinct text."""
    if not text:
        return None
    found = days.get(text)
    if found is None:
        found = days[text] = date.fromisoformat(text[:10])
    return found


def _camt_line(f: list[str], days: dict[str, date], lines: list[StatementLine]) -> None:
    """The booked line of one record (a transaction, or an entry without any): appended to ``lines``."""
    strip = str.strip
    if strip(f[0]) in ("PDNG", "INFO") or strip(f[1]) in ("PDNG", "INFO"):
        return  # not booked
    booked = _day(strip(f[3]) or strip(f[4]), days)
    value = _day(strip(f[5]) or strip(f[6]), days) or booked
    if booked is None or value is None:
        raise StatementFileError(N_("A statement entry has no booking date."))
    sign = -1 if strip(f[2]) == "DBIT" else 1
    count = int(f[10])
    entry_ref = strip(f[7]) or strip(f[8]) or None
    amount, currency = f[11], f[12]
    if len(f) == 14:  # an entry without transaction details
        lines.append(_line(booked, value, sign, amount, currency, None, None, None, f[9], entry_ref))
        return
    direction = strip(f[14])
    if direction:
        sign = -1 if direction == "DBIT" else 1
    if count > 1:
        if f[22]:
            amount, currency = f[22], f[23]
        elif f[24]:
            amount, currency = f[24], f[25]
    credit = sign > 0
    name = strip(f[15] if credit else f[18]) or strip(f[16] if credit else f[19]) or None
    iban = strip(f[17] if credit else f[20]) or None
    reference = strip(f[21]) or (f"{entry_ref}/{f[13]}" if entry_ref and count > 1 else entry_ref)
    remittance = " ".join(p for p in map(strip, f[26].split(_PS)) if p)
    lines.append(_line(booked, value, sign, amount, currency, name, iban, remittance, f[9], reference))


def _line(booked: date, value: date, sign: int, amount: str, currency: str, name: str | None, iban: str | None,
          remittance: str | None, additional: str, reference: str | None) -> StatementLine:
    if not amount[1:].strip():  # no amount element, or an empty one
        raise StatementFileError(N_("A statement entry has no amount."))
    return StatementLine(booked_on=booked, value_date=value, amount=sign * Decimal(amount[1:].strip()),
                         currency=currency, counterparty=name, counterparty_iban=iban,
                         remittance=remittance or additional.strip() or None, bank_reference=reference)


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
