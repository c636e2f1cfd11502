"""Realistic, deterministic demo data: a company, customers in several countries, currencies and
languages, a catalog, tax rates, and N invoices over the past two years in every state.

Small set-up (company, customers, products) goes through the services. The invoices themselves
are written in bulk (100,000 in seconds), but every figure comes from the same code the services
use: ``core.totals`` for amounts and ``invoices.freeze_document`` (numbers from ``core.numbering``, snapshots,
exchange, hash chain, audit) with this writer as its book, so ``invoicer verify`` passes on the result.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import sqlite3
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from stdnum import luhn
from stdnum.at import uid as at_uid
from stdnum.iso7064 import mod_11_10

from invoicer.core.errors import N_, ValidationError
from invoicer.core.numbering import counter_key, format_number
from invoicer.core.totals import TaxKey, convert_minor, totals_of
from invoicer.db.engine import bulk_page_cache, storage_error, transaction
from invoicer.db.migrate import Database, continue_ids
from invoicer.db.models import Invoice
from invoicer.services import audit, products, rates, settings, taxes
from invoicer.services import company as company_service
from invoicer.services import customers as customer_service
from invoicer.services.invoices import freeze_document

CHUNK = 2000
MAX_INVOICES = 2_000_000

S19, S7 = TaxKey("S", Decimal(19)), TaxKey("S", Decimal(7))
AE, G = TaxKey("AE", Decimal(0)), TaxKey("G", Decimal(0))


@dataclass(frozen=True)
class Market:
    country: str
    currency: str
    locale: str
    tax: TaxKey | None  # None: domestic rates from the product
    cities: tuple[tuple[str, str], ...]


MARKETS = (
    Market("DE", "EUR", "de_DE", None, (("10115", "Berlin"), ("80331", "München"), ("50667", "Köln"))),
    Market("AT", "EUR", "de_AT", AE, (("1010", "Wien"), ("8010", "Graz"))),
    Market("FR", "EUR", "fr_FR", AE, (("75001", "Paris"), ("69001", "Lyon"))),
    Market("ES", "EUR", "es_ES", None, (("28001", "Madrid"), ("08001", "Barcelona"))),
    Market("US", "USD", "en_US", G, (("10001", "New York"), ("94105", "San Francisco"))),
    Market("GB", "GBP", "en_GB", G, (("EC1A 1BB", "London"),)),
    Market("CH", "CHF", "de_CH", G, (("8001", "Zürich"),)),
    Market("JP", "JPY", "ja_JP", G, (("100-0001", "Tokyo"),)),
    Market("GR", "EUR", "el_GR", None, (("105 57", "Αθήνα"),)),
    Market("PL", "EUR", "pl_PL", None, (("90-001", "Łódź"),)),
)
WEIGHTS = (40, 8, 8, 6, 10, 6, 4, 3, 3, 4)
#: per country: family names, legal forms, a street, first names of contact people
PEOPLE = {
    "DE": (("Müller", "Schmidt", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer"),
           ("GmbH", "AG", "KG", "GmbH & Co. KG"), "Hauptstraße", ("Anna", "Jonas", "Lena")),
    "AT": (("Gruber", "Huber", "Bauer", "Pichler"), ("GmbH", "KG"), "Mariahilfer Straße", ("Sophie", "Lukas")),
    "FR": (("Dubois", "Moreau", "Laurent", "Lefèvre", "Girard"), ("SARL", "SAS", "SA"), "Rue de la Paix",
           ("Camille", "Hugo")),
    "ES": (("García", "López", "Martínez", "Sánchez"), ("S.L.", "S.A."), "Calle Mayor", ("Lucía", "Pablo")),
    "US": (("Johnson", "Miller", "Davis", "Wilson"), ("Inc.", "LLC"), "Main Street", ("Emily", "Michael")),
    "GB": (("Smith", "Taylor", "Brown"), ("Ltd", "LLP"), "High Street", ("Olivia", "George")),
    "CH": (("Keller", "Meier", "Brunner"), ("AG", "GmbH"), "Bahnhofstrasse", ("Laura", "Noah")),
    "JP": (("Tanaka", "Suzuki", "Watanabe"), ("K.K.",), "Chiyoda", ("Yuki", "Haruto")),
    "GR": (("Papadopoulos", "Georgiou"), ("A.E.",), "Odos Ermou", ("Maria", "Nikos")),
    "PL": (("Kowalski", "Nowak", "Wiśniewski"), ("Sp. z o.o.",), "ulica Piotrkowska", ("Zofia", "Jakub")),
}
TRADES = ("Consulting", "Logistics", "Design", "Engineering", "Media", "Retail", "Systems", "Foods", "Architects")
CATALOG = (
    ("Consulting", "HUR", "120.00", S19), ("Software development", "HUR", "95.00", S19),
    ("Project management", "HUR", "110.00", S19), ("Workshop (full day)", "DAY", "1450.00", S19),
    ("Hosting (monthly)", "MON", "49.90", S19), ("Support plan", "MON", "299.00", S19),
    ("Licence, per seat", "C62", "18.75", S19), ("Hardware token", "C62", "39.99", S19),
    ("Travel expenses (flat)", "LS", "250.00", S19), ("Training handbook", "C62", "34.90", S7),
    ("Specialist book", "C62", "14.995", S7), ("Design review", "HUR", "135.50", S19),
)
METHODS = ("30", "30", "30", "48", "10", "68")  # UNTDID 4461: transfer thrice as often as card, cash, online
RATES_TO_EUR = {"USD": Decimal("0.92"), "GBP": Decimal("1.16"), "CHF": Decimal("1.04"), "JPY": Decimal("0.0061")}


def _stamp(day: date, seconds: int = 36000) -> datetime:
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _vat_id(rng: random.Random, country: str) -> str | None:
    if country == "DE":
        body = str(rng.randint(10_000_000, 99_999_999))
        return "DE" + body + mod_11_10.calc_check_digit(body)
    if country == "AT":
        body = str(rng.randint(1_000_000, 9_999_999))
        return "ATU" + body + at_uid.calc_check_digit("U" + body)
    if country == "FR":
        body = str(rng.randint(10_000_000, 99_999_999))
        siren = body + luhn.calc_check_digit(body)
        # French VAT key: (12 + 3 * (SIREN mod 97)) mod 97
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    return None


def generate(
    db: Database,
    invoices: int = 200,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Fill an empty database with demo data; returns counts of what was made."""
    if invoices > MAX_INVOICES:
        raise ValidationError(N_("At most {n} demo invoices."), n=f"{MAX_INVOICES:,}")
    today = today or date.today()
    rng = random.Random(seed)
    with transaction(db.sessions) as s:
        if s.scalar(select(Invoice.id).limit(1)) is not None:
            raise ValidationError(
                N_("The database already has invoices; demo data goes into an empty data folder.")
            )
        # the business was set up when its history starts, two years ago
        with audit.clock_at(_stamp(today - timedelta(days=731))):
            setup = _set_up(s, rng, today)
    writer = _BulkWriter(db, setup, rng, today)
    made = writer.run(invoices, progress)
    return {"customers": len(setup.customers), "products": len(CATALOG), **made}


@dataclass
class _Setup:
    seller_snapshot: str
    company_currency: str
    customers: list[SimpleNamespace]
    product_ids: list[int]


def _set_up(s: Any, rng: random.Random, today: date) -> _Setup:
    company = company_service.update_company(
        s, name="Müller & Söhne Software GmbH", address="Friedrichstraße 123", postcode="10117", city="Berlin",
        country="DE", vat_id="DE123456788", tax_number="30/123/45678", email="billing@mueller-soehne.example",
        phone="+49 30 1234567", iban="DE89370400440532013000", bic="COBADEFFXXX", currency="EUR",
        locale="de_DE", legal_details="Amtsgericht Berlin-Charlottenburg HRB 123456 · Geschäftsführer: Anna Müller",
    )
    for key, name in ((S19, "USt 19 %"), (S7, "USt 7 %")):
        taxes.add_tax_rate(s, name, key.rate, key.category)
    taxes.add_tax_rate(s, "Reverse charge", AE.rate, AE.category)
    taxes.add_tax_rate(s, "Export", G.rate, G.category)
    for currency, rate in RATES_TO_EUR.items():
        for months_back in range(25):
            day = date(today.year, today.month, 1) - timedelta(days=30 * months_back)
            drift = Decimal(1) + Decimal(rng.randint(-40, 40)) / Decimal(1000)
            rates.set_rate(s, currency, (rate * drift).quantize(Decimal("0.000001")), day.replace(day=1))
    product_ids = []
    rate_ids = {t.category + str(t.rate): t.id for t in taxes.list_tax_rates(s)}
    for name, unit, price, key in CATALOG:
        product_ids.append(products.add_product(
            s, products.ProductData(name, price, unit, None, rate_ids[key.category + str(key.rate)])
        ))
    customers = []
    used: set[str] = set()
    for i in range(60):
        market = rng.choices(MARKETS, WEIGHTS)[0]
        business = market.tax is not None or rng.random() < 0.7
        surnames, forms, street, first_names = PEOPLE[market.country]
        name = ""
        while not name or name in used:
            if business:
                name = f"{rng.choice(surnames)} {rng.choice(TRADES)} {rng.choice(forms)}"
            else:
                name = f"{rng.choice(first_names)} {rng.choice(surnames)}"
        used.add(name)
        postcode, city = rng.choice(market.cities)
        domain = unicodedata.normalize("NFKD", name.split()[0].lower()).encode("ascii", "ignore").decode()
        cid = customer_service.add_customer(s, customer_service.CustomerData(
            name=name, country=market.country, contact=rng.choice((*first_names, None)) if business else None,
            email=f"{'accounts' if business else 'mail'}{i}@{domain}.example",
            address=f"{street} {rng.randint(1, 200)}",
            postcode=postcode, city=city, vat_id=_vat_id(rng, market.country) if business else None,
            currency=market.currency, locale=market.locale, terms_days=rng.choice((14, 14, 30, 30, 30, 60)),
        ))
        customer = customer_service.get_customer(s, cid)
        customers.append(SimpleNamespace(
            id=cid, market=market, terms=customer.terms_days, snapshot=customer_service.snapshot(customer),
            vat_id=customer.vat_id,
        ))
    return _Setup(company_service.snapshot(company), company.currency, customers, product_ids)


class _BulkWriter:
    """Writes invoices, lines, payments, credit notes, chain links and audit events with executemany.

    It is the book ``freeze_document`` writes to (``invoices.FreezeBook``): numbers from counters held
    here, chain links and events into the current chunk's rows, no PDF (rendered on first use).
    """

    def __init__(self, db: Database, setup: _Setup, rng: random.Random, today: date) -> None:
        self.db, self.setup, self.rng, self.today = db, setup, rng, today
        self.prev_hash = audit.GENESIS
        self.chain_seq = 0
        self.counters: dict[tuple[str, int, str], list[Any]] = {}
        self.patterns: dict[str, str] = {}
        self.rates: dict[str, list[tuple[date, Decimal]]] = {}
        self.counts = dict.fromkeys(("invoices", "lines", "payments", "credit_notes"), 0)
        # ids are given here (rows reference each other before they are written), fresh for each run
        self.line_ids, self.payment_ids = itertools.count(1), itertools.count(1)
        self.product_ids = {c[0]: pid for c, pid in zip(CATALOG, setup.product_ids, strict=True)}
        self.next_id = 1

    def run(self, n: int, progress: Callable[[int, int], None] | None) -> dict[str, int]:
        with transaction(self.db.readonly_sessions) as s:
            for row in rates.list_rates(s):
                self.rates.setdefault(row.currency, []).append((row.valid_on, row.rate))
            self.patterns = {series: str(settings.get(s, f"numbering.{series}")) for series in ("invoice", "credit_note")}
        start = self.today - timedelta(days=730)
        # how many invoices each day gets: the same sorted days as sorting N random ones, in memory flat in N
        per_day = [0] * 730
        for _ in range(n):
            per_day[int(self.rng.random() * 730)] += 1
        days = (start + timedelta(days=offset) for offset, count in enumerate(per_day) for _ in range(count))
        ends = list(itertools.accumulate(per_day))  # invoices up to and including each day
        self.next_id = 1
        pending_notes: list[tuple[date, SimpleNamespace]] = []
        raw = self.db.engine.raw_connection()
        on_server = self.db.engine.dialect.name == "postgresql"
        begin = "BEGIN" if on_server else "BEGIN IMMEDIATE"
        try:
            cur: Any = _ServerCursor(raw.cursor()) if on_server else raw.cursor()
            actor = "demo"
            if on_server:  # the server takes audit events only in the name of the login writing them (0032)
                cur.cursor.execute("SELECT session_user")
                actor = cur.cursor.fetchone()[0]
                cur.execute("COMMIT")  # the driver began a transaction of its own on first use: close it
            # each chunk's rows land all over the indexes: on SQLite they get a page cache that holds them
            cache = contextlib.nullcontext() if on_server else bulk_page_cache(cur)
            with cache:
                for offset in range(0, n, CHUNK):
                    cur.execute(begin)
                    self.rows = _Rows(self.line_ids, self.payment_ids, actor)
                    for day in itertools.islice(days, CHUNK):
                        inv = self._invoice(self.next_id, day)
                        self.next_id += 1
                        self._fate(inv, pending_notes)
                        self.rows.add_document(inv)
                    # credit notes dated before the next invoice's day are issued now (later invoices' notes all come
                    # later), so that what is kept for them does not grow with N
                    following = offset + CHUNK  # the next invoice, counted from 0: its day is where the sum passes it
                    until = start + timedelta(days=bisect_right(ends, following)) if following < n else None
                    pending_notes = self._issue_notes(pending_notes, until)
                    self.rows.flush(cur, self.counts)
                    if until is None:
                        self._write_counters(cur)
                    cur.execute("COMMIT")
                    if progress:
                        progress(min(offset + CHUNK, n), n)
            if n == 0:
                cur.execute(begin)
                self.rows = _Rows(self.line_ids, self.payment_ids, actor)
                self._write_counters(cur)
                cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raw.rollback()
            raise storage_error(exc) or exc from None
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        if on_server:
            with self.db.engine.begin() as conn:
                continue_ids(conn)
        return self.counts

    def _issue_notes(self, pending: list[tuple[date, SimpleNamespace]], until: date | None
                     ) -> list[tuple[date, SimpleNamespace]]:
        """Issue the pending credit notes dated before ``until`` (all of them when None), in date order; the rest."""
        pending.sort(key=lambda x: (x[0], x[1].corrects.id))
        now = [x for x in pending if until is None or x[0] < until]
        for day, note in now:
            note.id = self.next_id
            self.next_id += 1
            self._issue_note(note, day)
        return pending[len(now):]

    # ------------------------------------------------------------ building documents

    def _rate(self, currency: str, day: date) -> Decimal:
        if currency == self.setup.company_currency:
            return Decimal(1)
        return max((r for r in self.rates[currency] if r[0] <= day), default=self.rates[currency][-1])[1]

    def _invoice(self, invoice_id: int, day: date) -> SimpleNamespace:
        rng = self.rng
        customer = rng.choice(self.setup.customers)
        market = customer.market
        lines = []
        for position in range(1, rng.choice((1, 2, 3, 5, 8, 10, 12, 15, 19, 25)) + 1):
            name, unit, price, key = CATALOG[rng.randrange(len(CATALOG))]
            qty = Decimal(rng.choice(("1", "1", "2", "3", "5", "7.5", "10", "0.25", "12", "40")))
            percent = Decimal(rng.choice((5, 10, 15))) if rng.random() < 0.08 else None
            key = market.tax or key
            lines.append(SimpleNamespace(
                position=position, description=name, quantity=qty, unit=unit, unit_price=Decimal(price),
                price_base=Decimal(1), discount_percent=percent, discount_amount=None, tax_category=key.category,
                tax_rate=key.rate, product_id=self.product_ids[name],
                source_line_id=None, gross_price=None, allowances=[], charge=0, period_start=None, period_end=None,
            ))
        adjustments = []
        if rng.random() < 0.1:
            key = market.tax or S19
            adjustments.append(SimpleNamespace(position=1, is_charge=True, reason="Shipping",
                                               amount=990 if market.currency != "JPY" else 1500,
                                               tax_category=key.category, tax_rate=key.rate, percent=None,
                                               base=None, reason_code=None))
        inv = SimpleNamespace(
            id=invoice_id, doc_type="invoice", status="draft", number=None, counter_year=None, counter_scope=None,
            number_seq=None, customer_id=customer.id, customer=customer, currency=market.currency, issue_date=day,
            due_date=day + timedelta(days=customer.terms), delivery_date=None, period_start=None, period_end=None,
            tax_rounding="document", notes=None,
            buyer_reference=f"PO-{rng.randint(1000, 99999)}" if rng.random() < 0.3 else None,
            seller_snapshot=None, customer_snapshot=None, lines=lines, adjustments=adjustments, corrects_id=None,
            reason=None, applied_to_due=0, to_customer_credit=0, refunded=0, paid=0, credited=0, paid_at=None,
            closed_at=None, finalized_at=None, exchange_rate=None, company_currency=None, company_subtotal=None,
            company_tax_total=None, company_total=None, created_at=_stamp(day, 30000), events=[], payments=[],
            type_code=None, preceding_number=None, preceding_date=None, rounding_amount=0, prepaid=0,
            prepaid_method=None, prepaid_reference=None,
        )
        self._compute(inv)
        return inv

    def _compute(self, doc: SimpleNamespace) -> None:
        totals = totals_of(doc.lines, doc.adjustments, doc.currency, doc.tax_rounding)
        for line, amounts in zip(doc.lines, totals.lines, strict=True):
            line.gross, line.discount, line.net, line.tax = amounts.gross, amounts.discount, amounts.net, amounts.tax
        doc.subtotal, doc.allowance_total, doc.charge_total = totals.subtotal, totals.allowance_total, totals.charge_total
        doc.tax_total, doc.total = totals.tax_total, totals.total
        doc.taxes = [
            SimpleNamespace(category=t.category, rate=t.rate, basis=t.basis, amount=t.amount,
                            exemption_reason=taxes.DEFAULT_EXEMPTION_REASONS.get(t.category))
            for t in totals.taxes
        ]

    # ------------------------------------------------------------ the book freeze_document writes to

    def take_number(self, series: str, issue_date: date, customer_id: int) -> tuple[str, int, str, int]:
        pattern = self.patterns[series]
        key = counter_key(series, pattern, issue_date.year, customer_id)
        counter = self.counters.setdefault((key.series, key.year, key.scope), [0, issue_date])
        counter[0] += 1
        counter[1] = issue_date
        return format_number(pattern, issue_date.year, counter[0], customer_id), key.year, key.scope, counter[0]

    def settle_prepaid(self, doc: SimpleNamespace) -> None:
        """Demo invoices state no prepaid amount: their payments come later."""

    def keep_pdf(self, doc: SimpleNamespace) -> None:
        """Documents made in bulk get their PDF rendered on first use."""

    def chain(self, doc: SimpleNamespace) -> None:
        # a plain record with an Invoice's fields, as demo documents are written in bulk
        content = audit.sha256_of_content(audit.document_content(doc))  # type: ignore[arg-type]
        self.chain_seq += 1
        link = audit.link_hash(self.prev_hash, content)
        self.rows.chain.append((self.chain_seq, doc.id, content, None, self.prev_hash, link, doc.finalized_at))
        self.prev_hash = link

    def record(self, action: str, entity: str, doc: SimpleNamespace, before: str, after: str,
               payload: dict[str, Any]) -> None:
        doc.events.append((action, before, after, payload, doc.finalized_at))

    # ------------------------------------------------------------ what happens to each invoice

    def _finalize(self, inv: SimpleNamespace) -> None:
        rate = self._rate(inv.currency, inv.issue_date)
        freeze_document(
            inv, self, seller=self.setup.seller_snapshot, customer=inv.customer.snapshot,
            company_currency=self.setup.company_currency, rate=rate, at=_stamp(inv.issue_date, 36000),
            payload={"currency": inv.currency, "rate": rate},
        )

    def _pay(self, inv: SimpleNamespace, amount: int, day: date, reference: str | None = None) -> None:
        day = min(day, self.today)
        applied = min(amount, inv.total - inv.paid - inv.credited)
        inv.payments.append(SimpleNamespace(
            kind="payment", amount=amount, applied=applied, excess=amount - applied, paid_on=day,
            method=self.rng.choice(METHODS), reference=reference, reverses=None, reason=None,
        ))
        inv.paid += applied
        before = inv.status
        if inv.total - inv.paid - inv.credited == 0:
            inv.status, inv.paid_at = "paid", _stamp(day, 50000)
        inv.events.append(("payment", before, inv.status, {"amount": amount}, _stamp(day, 45000)))

    def _fate(self, inv: SimpleNamespace, notes: list[tuple[date, SimpleNamespace]]) -> None:
        rng, age = self.rng, (self.today - inv.issue_date).days
        if age < 25 and rng.random() < 0.25:
            return  # stays a draft
        self._finalize(inv)
        roll = rng.random()
        overdue_days = (self.today - inv.due_date).days
        pay_day = inv.issue_date + timedelta(days=rng.randint(3, inv.customer.terms + 15))
        if roll < 0.02:
            inv.status, inv.closed_at = "void", _stamp(inv.issue_date + timedelta(days=2))
            inv.events.append(("void", "open", "void", {"reason": "Issued by mistake"}, inv.closed_at))
        elif roll < 0.04 and overdue_days > 90:
            inv.status, inv.closed_at = "uncollectible", _stamp(inv.due_date + timedelta(days=90))
            inv.events.append(("write_off", "open", "uncollectible", {"amount_due": inv.total}, inv.closed_at))
        elif roll < 0.07 and age > 10:
            note_day = min(inv.issue_date + timedelta(days=rng.randint(2, 20)), self.today)
            if rng.random() < 0.5:
                self._pay(inv, inv.total, pay_day)  # paid, then partly credited to customer credit
                notes.append((note_day, SimpleNamespace(corrects=inv, sources=inv.lines[:1])))
            else:
                notes.append((note_day, SimpleNamespace(corrects=inv, sources=inv.lines)))
        elif pay_day <= self.today and rng.random() < (0.96 if overdue_days > 60 else 0.8):
            if rng.random() < 0.08:
                half = inv.total // 2
                self._pay(inv, half, pay_day)
                self._pay(inv, inv.total - half, pay_day + timedelta(days=rng.randint(5, 25)))
            elif rng.random() < 0.01:
                self._pay(inv, inv.total, pay_day, f"DEMO-{inv.id}-A")
                self._reverse_last(inv, pay_day)
                self._pay(inv, inv.total, pay_day + timedelta(days=3), f"DEMO-{inv.id}-B")
            else:
                extra = 500 if rng.random() < 0.01 and inv.currency != "JPY" else 0
                self._pay(inv, inv.total + extra, pay_day)
        elif rng.random() < 0.3 and pay_day <= self.today:
            self._pay(inv, inv.total // 3, pay_day)  # partially paid

    def _reverse_last(self, inv: SimpleNamespace, day: date) -> None:
        original = inv.payments[-1]
        before = inv.status
        inv.payments.append(SimpleNamespace(
            kind="reversal", amount=-original.amount, applied=-original.applied, excess=-original.excess,
            paid_on=min(day + timedelta(days=1), self.today), method=original.method, reference=None,
            reverses=original, reason="Payment bounced",
        ))
        inv.paid -= original.applied
        if inv.status == "paid":
            inv.status, inv.paid_at = "open", None
        inv.events.append(("reverse_payment", before, inv.status, {"amount": original.amount},
                           _stamp(inv.payments[-1].paid_on, 46000)))

    def _issue_note(self, spec: SimpleNamespace, day: date) -> None:
        inv = spec.corrects
        note = SimpleNamespace(
            id=spec.id, doc_type="credit_note", status="draft", customer_id=inv.customer_id, currency=inv.currency,
            issue_date=max(day, inv.issue_date), due_date=None, delivery_date=None, period_start=None,
            period_end=None, tax_rounding=inv.tax_rounding, notes=None,
            buyer_reference=inv.buyer_reference, lines=[], adjustments=[], corrects_id=inv.id,
            reason="Returned goods" if len(spec.sources) < len(inv.lines) else "Cancelled order", paid=0, credited=0,
            paid_at=None, closed_at=None, created_at=_stamp(day, 40000), events=[], payments=[],
            type_code=None, preceding_number=None, preceding_date=None, rounding_amount=0, prepaid=0,
            prepaid_method=None, prepaid_reference=None,
        )
        # the source lines were written with the invoice, so their ids (id_ref) are known by now
        note.lines = [
            SimpleNamespace(**{**vars(x), "position": position, "source_line_id": x.id_ref})
            for position, x in enumerate(spec.sources, 1)
        ]
        if len(spec.sources) == len(inv.lines):
            note.adjustments = [SimpleNamespace(**vars(a)) for a in inv.adjustments]
        self._compute(note)
        due = inv.total - inv.paid - inv.credited if inv.status == "open" else 0
        note.applied_to_due = min(note.total, due)
        note.to_customer_credit = note.total - note.applied_to_due
        note.refunded = 0
        freeze_document(
            note, self, seller=self.setup.seller_snapshot, customer=inv.customer_snapshot,
            company_currency=inv.company_currency, rate=inv.exchange_rate, at=note.created_at,
            payload={"invoice": inv.number},
        )
        rows = self.rows
        before = inv.status
        inv.credited += note.applied_to_due
        if inv.status == "open" and inv.total - inv.paid - inv.credited == 0:
            rows.settled.append(("paid", _stamp(day, 41000), inv.credited, inv.id))
        else:
            rows.settled.append((inv.status, inv.paid_at, inv.credited, inv.id))
        note.events.append(("credit", before, "paid" if rows.settled[-1][0] == "paid" else before,
                            {"credit_note": note.number}, note.created_at))
        rows.add_document(note, credit_entry=note.to_customer_credit)

    def _write_counters(self, cur: Any) -> None:
        cur.executemany(
            "INSERT INTO number_counters (series, year, scope, last_seq, last_issue_date) VALUES (?, ?, ?, ?, ?)",
            [(*key, seq, str(last)) for key, (seq, last) in self.counters.items()],
        )


class _Rows:
    """Row buffers for one chunk, flushed with executemany in dependency order."""

    def __init__(self, line_ids: Iterator[int], payment_ids: Iterator[int], actor: str) -> None:
        self.line_ids, self.payment_ids, self.actor = line_ids, payment_ids, actor
        self.invoices: list[tuple[Any, ...]] = []
        self.lines: list[tuple[Any, ...]] = []
        self.adjustments: list[tuple[Any, ...]] = []
        self.taxes: list[tuple[Any, ...]] = []
        self.payments: list[tuple[Any, ...]] = []
        self.credit: list[tuple[Any, ...]] = []
        self.chain: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.settled: list[tuple[Any, ...]] = []

    def add_document(self, d: SimpleNamespace, credit_entry: int = 0) -> None:
        dec = _dec
        self.invoices.append((
            d.id, d.doc_type, d.status, d.number, d.counter_year if d.number else None,
            d.counter_scope if d.number else None, d.number_seq if d.number else None, d.customer_id, d.currency,
            str(d.issue_date), _s(d.due_date), d.tax_rounding, d.notes, d.buyer_reference, d.seller_snapshot,
            d.customer_snapshot, d.subtotal, d.allowance_total, d.charge_total, d.tax_total, d.total, d.paid,
            d.credited, dec(d.exchange_rate), d.company_currency, d.company_subtotal, d.company_tax_total,
            d.company_total, d.corrects_id, d.reason, d.applied_to_due, d.to_customer_credit, d.refunded,
            _s(d.created_at), _s(d.finalized_at or d.created_at), _s(d.finalized_at), _s(d.paid_at), _s(d.closed_at),
        ))
        for line in d.lines:
            line_id = next(self.line_ids)
            if d.doc_type == "invoice":
                line.id_ref = line_id
            self.lines.append((
                line_id, d.id, line.position, line.description, str(line.quantity), line.unit,
                str(line.unit_price), str(line.price_base), dec(line.discount_percent), line.discount_amount,
                line.tax_category, str(line.tax_rate), line.gross, line.discount, line.net, line.tax,
                line.product_id, line.source_line_id,
            ))
        for a in d.adjustments:
            self.adjustments.append((d.id, a.position, a.is_charge, a.reason, a.amount, a.tax_category, str(a.tax_rate)))
        for t in d.taxes:
            self.taxes.append((d.id, t.category, str(t.rate), t.basis, t.amount, t.exemption_reason))
        for p in d.payments:
            p.id = next(self.payment_ids)
            self.payments.append((
                p.id, p.kind, d.id, d.customer_id, d.currency, p.amount, p.applied, p.excess, str(p.paid_on),
                p.method, p.reference, p.reverses.id if p.reverses else None, p.reason,
                _convert(p.amount, d), _s(_stamp(p.paid_on, 45000)),
            ))
            if p.excess:
                self.credit.append((d.customer_id, d.currency, p.excess, "overpayment" if p.excess > 0 else "reversal",
                                    str(p.paid_on), d.id, p.id, _s(_stamp(p.paid_on, 45000))))
        if credit_entry:
            self.credit.append((d.customer_id, d.currency, credit_entry, "credit_note", str(d.issue_date), d.id, None,
                                _s(d.created_at)))
        entity = "credit_note" if d.doc_type == "credit_note" else "invoice"
        if d.doc_type == "invoice":
            self.events.append((_s(d.created_at), self.actor, "create", entity, d.id, None, "draft",
                                json.dumps({"total": d.total})))
        for action, before, after, payload, when in d.events:
            target = d.corrects_id if action == "credit" else d.id
            self.events.append((_s(when), self.actor, action, "invoice" if action == "credit" else entity, target, before,
                                after, _payload(payload)))

    def flush(self, cur: Any, counts: dict[str, int]) -> None:
        counts["invoices"] += sum(1 for row in self.invoices if row[1] == "invoice")
        counts["credit_notes"] += sum(1 for row in self.invoices if row[1] == "credit_note")
        counts["lines"] += len(self.lines)
        counts["payments"] += len(self.payments)
        cur.executemany(
            "INSERT INTO invoices (id, doc_type, status, number, counter_year, counter_scope, number_seq, customer_id,"
            " currency, issue_date, due_date, tax_rounding, notes, buyer_reference, seller_snapshot, customer_snapshot,"
            " subtotal, allowance_total, charge_total, tax_total, total, paid, credited, exchange_rate, company_currency,"
            " company_subtotal, company_tax_total, company_total, corrects_id, reason, applied_to_due,"
            " to_customer_credit, refunded, created_at, updated_at, finalized_at, paid_at, closed_at)"
            f" VALUES ({', '.join('?' * 38)})",
            [(*row[:2], "draft", *row[3:]) for row in self.invoices],
        )
        cur.executemany(
            "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit, unit_price, price_base,"
            " discount_percent, discount_amount, tax_category, tax_rate, gross, discount, net, tax, product_id,"
            " source_line_id) VALUES (" + ", ".join("?" * 18) + ")",
            self.lines,
        )
        cur.executemany(
            "INSERT INTO invoice_adjustments (invoice_id, position, is_charge, reason, amount, tax_category, tax_rate)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.adjustments,
        )
        cur.executemany(
            "INSERT INTO invoice_taxes (invoice_id, category, rate, basis, amount, exemption_reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            self.taxes,
        )
        # inserted as drafts so lines could be added; now move each to its real status (the freeze starts here)
        cur.executemany(
            "UPDATE invoices SET status = ? WHERE id = ?",
            [(row[2], row[0]) for row in self.invoices if row[2] != "draft"],
        )
        cur.executemany(
            "INSERT INTO payments (id, kind, invoice_id, customer_id, currency, amount, applied, excess, paid_on, method,"
            " reference, reverses_id, reason, company_amount, created_at) VALUES (" + ", ".join("?" * 15) + ")",
            self.payments,
        )
        cur.executemany(
            "INSERT INTO credit_entries (customer_id, currency, amount, kind, entry_on, invoice_id, payment_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.credit,
        )
        cur.executemany(
            "INSERT INTO document_chain (seq, invoice_id, content_sha256, pdf_sha256, prev_hash, hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*row[:6], _s(row[6])) for row in self.chain],
        )
        cur.executemany(
            "INSERT INTO audit_events (at, actor, action, entity, entity_id, before_status, after_status, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.events,
        )
        cur.executemany("UPDATE invoices SET status = ?, paid_at = ?, credited = ? WHERE id = ?",
                        [(st, _s(at), cr, i) for st, at, cr, i in self.settled])


class _ServerCursor:
    """The bulk writer's SQL (sqlite3's ``?`` placeholders) on a PostgreSQL cursor (psycopg's ``%s``)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(sql.replace("?", "%s"), params or None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(sql.replace("?", "%s"), rows)


def _s(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")  # as "%Y-%m-%d %H:%M:%S.%f", without strftime's cost
    return value.isoformat()


#: audit payloads as the services write them (json.dumps with these options makes a new encoder at each call)
_payload = json.JSONEncoder(default=str, sort_keys=True).encode


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _convert(amount: int, doc: SimpleNamespace) -> int | None:
    if doc.exchange_rate is None:
        return None
    return convert_minor(amount, doc.currency, doc.company_currency, doc.exchange_rate)


