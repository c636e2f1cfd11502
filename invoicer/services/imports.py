"""Importing customers and products from a file: every row validated by the same services the app uses,
each bad row reported with its line number, all-or-nothing unless the user imports the valid rows, and no
duplicates when a file is imported twice (matched on email, VAT ID or name)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from invoicer.core import reference
from invoicer.core.errors import InvoicerError, Message, ValidationError, listing
from invoicer.core.numbers import NumberReader
from invoicer.core.units import unit_code
from invoicer.db.models import Customer, Product, TaxRate
from invoicer.documents.importers import SourceRow, SourceTable, guess_mapping
from invoicer.i18n import N_, _, error_text
from invoicer.services import audit, company, customers, products, taxes, validation


@dataclass(frozen=True)
class ImportField:
    """A field a file column can be mapped to, with header names other tools use for it."""

    title: str
    required: bool = False
    synonyms: tuple[str, ...] = ()


CUSTOMER_FIELDS: dict[str, ImportField] = {
    "name": ImportField(N_("Name"), True, ("company", "company name", "customer", "customer name", "client",
                                           "organisation", "organization", "firma", "kunde", "raison sociale")),
    "contact": ImportField(N_("Contact"), False, ("contact person", "contact name", "attention", "ansprechpartner")),
    "email": ImportField(N_("Email"), False, ("e-mail", "mail", "email address", "e-mail-adresse", "courriel")),
    "address": ImportField(N_("Address"), False, ("street", "address line 1", "straße", "strasse", "anschrift",
                                                  "adresse")),
    "postcode": ImportField(N_("Postcode"), False, ("zip", "zip code", "postal code", "post code", "plz",
                                                    "postleitzahl", "code postal")),
    "city": ImportField(N_("City"), False, ("town", "ort", "stadt", "ville")),
    "country": ImportField(N_("Country"), True, ("country code", "land", "pays")),
    "vat_id": ImportField(N_("VAT ID"), False, ("vat", "vat number", "vat no", "vat reg no", "tax id", "ust-idnr",
                                                "ustid", "ust-id", "tva", "n° tva")),
    "currency": ImportField(N_("Currency"), False, ("währung", "devise")),
    "locale": ImportField(N_("Language"), False, ("locale", "sprache", "langue")),
    "terms_days": ImportField(N_("Payment terms (days)"), False, ("payment terms", "terms", "due days",
                                                                  "zahlungsziel")),
    "notes": ImportField(N_("Notes"), False, ("note", "comments", "remarks", "bemerkung", "notizen")),
}

PRODUCT_FIELDS: dict[str, ImportField] = {
    "name": ImportField(N_("Name"), True, ("product", "product name", "item", "article", "service", "artikel",
                                           "bezeichnung", "produit")),
    "description": ImportField(N_("Description"), False, ("details", "long description", "beschreibung")),
    "unit": ImportField(N_("Unit"), False, ("uom", "unit of measure", "einheit", "unité")),
    "unit_price": ImportField(N_("Unit price"), True, ("price", "net price", "unit price net", "preis",
                                                       "einzelpreis", "nettopreis", "prix", "prix unitaire")),
    "tax_rate": ImportField(N_("Tax rate"), False, ("vat", "vat rate", "vat %", "tax", "tax %", "mwst", "ust",
                                                    "steuersatz", "tva")),
    "tax_category": ImportField(N_("Tax category"), False, ("vat category", "tax code", "steuerkategorie")),
}

CUSTOMER_KEYS = ("email", "vat_id", "name")
_KEY_TITLES = {"email": N_("email"), "vat_id": N_("VAT ID"), "name": N_("name")}


@dataclass(frozen=True)
class RowProblem:
    """A row that was not imported: its line in the file and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("line {line}: {message}").format(line=self.line, message=self.message)


@dataclass
class ImportReport:
    """What an import did (or, when ``imported`` is False, would have done)."""

    rows: int = 0
    created: int = 0
    existing: list[RowProblem] = field(default_factory=list)  # matched a record already there: left alone
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)  # imported, but not quite as written
    imported: bool = False

    def summary(self) -> str:
        done = _("{created} imported") if self.imported else _("{created} would be imported")
        parts = [done.format(created=self.created)]
        if self.existing:
            parts.append(_("{n} already there").format(n=len(self.existing)))
        if self.errors:
            parts.append(_("{n} with errors").format(n=len(self.errors)))
        if self.warnings:
            parts.append(_("{n} with characters replaced").format(n=len(self.warnings)))
        text = _("{rows} rows: ").format(rows=self.rows) + ", ".join(parts) + "."
        if self.errors and not self.imported:
            text += " " + _("Nothing was imported; fix the rows or choose to import the valid rows.")
        return text


def field_titles(fields: Mapping[str, ImportField]) -> dict[str, str]:
    return {key: _(f.title) for key, f in fields.items()}


def guess_columns(table: SourceTable, fields: Mapping[str, ImportField]) -> dict[str, int]:
    """Field -> column, from the file's headers."""
    return guess_mapping(table.headers, {key: f.synonyms for key, f in fields.items()})


# ---------------------------------------------------------------- number and code parsing


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in ("en", "de", "fr", "es"):
        territories = Locale(lang).territories
        for code in reference.countries():
            names.setdefault(reference.country_name(code, territories).casefold(), code)
    return names


def country_code(text: str) -> str:
    """An ISO code, or a country name in English, German, French or Spanish -> its ISO code."""
    value = text.strip()
    return _country_names().get(value.casefold(), value) if len(value) > 2 else value


# ---------------------------------------------------------------- the import engine


Handler = Callable[[SourceRow], tuple[str, str] | None]


def _run(session: Session, table: SourceTable, handle: Handler, valid_only: bool, dry_run: bool,
         entity: str) -> ImportReport:
    """Every row in its own savepoint (a bad row leaves no trace), all rows in one that is kept only when
    the import goes ahead. ``handle`` adds one row, or returns (key, value) of the record it matched."""
    report = ImportReport(rows=len(table.rows))
    report.warnings = [RowProblem(line, _(
        "some bytes are no character in Windows-1252 and were replaced by \ufffd; check the row, or save the file "
        "as UTF-8")) for line in table.replaced_lines]
    everything = session.begin_nested()
    for row in table.rows:
        try:
            with session.begin_nested():
                matched = handle(row)
        except InvoicerError as exc:
            report.errors.append(RowProblem(row.line, error_text(exc)))
            continue
        except _SameAs as same:
            report.errors.append(RowProblem(row.line, _("the same {key} ({value}) as line {line}").format(
                key=_(_KEY_TITLES[same.key]), value=same.value, line=same.line)))
            continue
        if matched is not None:
            key, value = matched
            report.existing.append(RowProblem(row.line, _("{key} {value} exists already; left as it is").format(
                key=_(_KEY_TITLES[key]), value=value)))
        else:
            report.created += 1
    report.imported = not dry_run and (valid_only or not report.errors) and report.created > 0
    if report.imported:
        audit.record(session, "import", entity, None, payload={
            "rows": report.rows, "created": report.created, "existing": len(report.existing),
            "errors": len(report.errors),
        })
        everything.commit()
    else:
        everything.rollback()
    return report


class _SameAs(Exception):
    """A row repeats the key of an earlier row of the same file."""

    def __init__(self, key: str, value: str, line: int) -> None:
        super().__init__(key, value, line)
        self.key, self.value, self.line = key, value, line


class _Keys:
    """Keys already in the database and those met earlier in the file."""

    def __init__(self, key: str, existing: Sequence[str | None]) -> None:
        self.key = key
        self.existing = {value.casefold() for value in existing if value}
        self.seen: dict[str, int] = {}

    def check(self, value: str | None, line: int) -> tuple[str, str] | None:
        """None for a new record; (key, value) when it exists already; raises for a repeat within the file."""
        if not value:
            raise ValidationError(N_("there is no {key} to match on (the import matches by {key})."),
                                  key=Message(_KEY_TITLES[self.key]))
        folded = value.casefold()
        if folded in self.seen:
            raise _SameAs(self.key, value, self.seen[folded])
        self.seen[folded] = line
        return (self.key, value) if folded in self.existing else None


def _check_mapping(mapping: Mapping[str, int], fields: Mapping[str, ImportField]) -> None:
    missing = [f.title for key, f in fields.items() if f.required and key not in mapping]
    if missing:
        raise ValidationError(N_("No column is chosen for: {fields}."), fields=listing(missing))


# ---------------------------------------------------------------- customers


def import_customers(
    session: Session,
    table: SourceTable,
    mapping: Mapping[str, int] | None = None,
    *,
    key: str = "email",
    valid_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Add the file's customers; those whose ``key`` (email, vat_id or name) exists already are left alone."""
    if key not in CUSTOMER_KEYS:
        raise ValidationError(N_("Customers are matched by email, vat_id or name, not '{key}'."), key=key)
    columns = dict(mapping) if mapping is not None else guess_columns(table, CUSTOMER_FIELDS)
    _check_mapping(columns, CUSTOMER_FIELDS)
    keys = _Keys(key, list(session.scalars(select(getattr(Customer, key)))))

    def handle(row: SourceRow) -> tuple[str, str] | None:
        def get(name: str) -> str:
            return row.get(columns.get(name))

        terms = get("terms_days")
        if terms and not terms.isdigit():
            raise ValidationError(N_("payment terms '{terms}' are not a whole number of days."), terms=terms)
        data = customers.clean_customer(session, customers.CustomerData(
            name=get("name"), country=country_code(get("country")), contact=get("contact"), email=get("email"),
            address=get("address"), postcode=get("postcode"), city=get("city"), vat_id=get("vat_id"),
            currency=get("currency"), locale=get("locale"), terms_days=int(terms) if terms else None,
            notes=get("notes"),
        ))
        matched = keys.check(getattr(data, key), row.line)
        if matched is None:
            customers.add_customer(session, data)
        return matched

    return _run(session, table, handle, valid_only, dry_run, "customer")


# ---------------------------------------------------------------- products


def import_products(
    session: Session,
    table: SourceTable,
    mapping: Mapping[str, int] | None = None,
    *,
    key: str = "name",
    valid_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Add the file's products; those whose name exists already are left alone."""
    if key != "name":
        raise ValidationError(N_("Products are matched by name."))
    columns = dict(mapping) if mapping is not None else guess_columns(table, PRODUCT_FIELDS)
    _check_mapping(columns, PRODUCT_FIELDS)
    keys = _Keys("name", list(session.scalars(select(Product.name))))
    price_column, rate_column = columns.get("unit_price"), columns.get("tax_rate")
    # the file's numbers written as text decide its convention; numbers a workbook stores as numbers are exact
    texts = [row.get(price_column) for row in table.rows if row.number(price_column) is None]
    texts += [found.group(2) for row in table.rows
              if row.number(rate_column) is None and (found := _RATE.match(row.get(rate_column)))]
    numbers = NumberReader(texts, company.get_company(session).locale)

    def handle(row: SourceRow) -> tuple[str, str] | None:
        def get(name: str) -> str:
            return row.get(columns.get(name))

        name = validation.required(get("name"), N_("Name"))
        matched = keys.check(name, row.line)
        if matched is not None:
            return matched
        def number(column: int | None, what: str) -> Callable[[str], Decimal]:
            exact = row.number(column)
            return (lambda text: numbers.read(text, what)) if exact is None else (lambda _text: exact)

        products.add_product(session, products.ProductData(
            name=name, unit_price=number(price_column, N_("unit price"))(get("unit_price")),
            unit=unit_code(get("unit")), description=get("description") or None,
            tax_rate_id=_tax_rate_id(session, get("tax_rate"), get("tax_category"),
                                     number(rate_column, N_("tax rate"))),
        ))
        return None

    return _run(session, table, handle, valid_only, dry_run, "product")


# "19", "19 %", "S 19", "AE 0", or a label before the rate: "VAT 19 %", "MwSt. 7%"
_RATE = re.compile(r"^(?:([A-Za-z]{1,2})\s+|[^\W\d_][\w.]{2,}\s*)?([\d.,]+)\s*%?$")


def _tax_rate_id(session: Session, rate_text: str, category_text: str, read: Callable[[str], Decimal]) -> int | None:
    """A tax rate named in the file: by its name (``VAT 19 %``), or ``19``, ``19 %``, ``S 19``, with an
    optional category column; a rate that does not exist yet is created."""
    if not rate_text and not category_text:
        return None
    named = session.scalar(select(TaxRate).where(func.lower(TaxRate.name) == rate_text.lower())) if rate_text else None
    if named is not None:
        return named.id
    found = _RATE.match(rate_text or "0")
    if found is None:
        raise ValidationError(N_("'{rate}' is not a tax rate (e.g. 19, 19 %, S 19 or a rate's name)."), rate=rate_text)
    rate = read(found.group(2)) if rate_text else Decimal(0)
    category = (category_text or found.group(1) or "").upper()
    if not category:
        if rate == 0:
            raise ValidationError(N_("a 0 % tax rate needs its VAT category (Z, E, AE, K, G or O)."))
        category = "S"
    return taxes.find_or_create(session, taxes.tax_key(category, rate)).id

