"""One small function per user action: open a transaction, call the service, report, announce the change.

The GUI changes data only through here. A typed error (InvoicerError) is shown through
``messages.show_error``; anything else is logged and reported as unexpected; on success the
``changed`` signal names what changed so pages can refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages
from invoicer.services import (
    backups,
    company,
    credit_notes,
    customers,
    invoices,
    mailing,
    payments,
    products,
    settings,
    store,
    taxes,
)
from invoicer.services.backups import BackupInfo
from invoicer.services.company import CompanyData
from invoicer.services.credit_notes import CreditLine, Settlement
from invoicer.services.customers import CustomerData
from invoicer.services.invoices import DraftData
from invoicer.services.mailing import MailSettings
from invoicer.services.products import ProductData
from invoicer.services.store import Database, Session

if TYPE_CHECKING:
    from invoicer.documents.importers import SourceTable
    from invoicer.services.imports import ImportReport

T = TypeVar("T")

def _put_changed(session: Session, values: dict[str, object]) -> None:
    for key, value in values.items():
        if settings.get(session, key) != value:
            settings.put(session, key, value)


# what changed, for pages deciding whether to refresh
COMPANY, SETTINGS, CUSTOMERS, CATALOG, INVOICES = "company", "settings", "customers", "catalog", "invoices"


@dataclass(frozen=True)
class Done(Generic[T]):
    """A completed action and what the service returned (None also means success here)."""

    value: T


class Operations(QObject):
    """The user's actions on one open database."""

    changed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db

    # ------------------------------------------------------------ plumbing

    def read(self, query: Callable[[Session], T]) -> T:
        """Run a read-only query (no write lock, never blocks a writer)."""
        return store.read(self.db, query)

    def dry_run(self, action: Callable[[Session], T]) -> T:
        """Run an action and roll it back: the exact effect of a payment or credit note, shown before
        the user confirms (no copy of the service's rules in the GUI). Raises InvoicerError."""
        return store.rehearse(self.db, action)

    def _run(self, area: str, action: Callable[[Session], T], parent: QWidget | None) -> Done[T] | None:
        try:
            result = store.write(self.db, action)
        except InvoicerError as err:
            messages.show_error(parent, err)
            return None
        except Exception:  # anything else is a bug: logged, reported calmly, and the app keeps running
            messages.show_unexpected(parent)
            return None
        self.changed.emit(area)
        return Done(result)

    def _value(self, area: str, action: Callable[[Session], T], parent: QWidget | None) -> T | None:
        done = self._run(area, action, parent)
        return None if done is None else done.value

    def _ok(self, area: str, action: Callable[[Session], object], parent: QWidget | None) -> bool:
        return self._run(area, action, parent) is not None

    # ------------------------------------------------------------ company and settings

    def save_company(self, parent: QWidget | None, data: CompanyData) -> bool:
        return self._ok(COMPANY, lambda s: company.update_company(s, **vars(data)), parent)

    def save_settings(self, parent: QWidget | None, values: dict[str, object]) -> bool:
        return self._ok(SETTINGS, lambda s: _put_changed(s, values), parent)

    def save_mail_settings(
        self, parent: QWidget | None, values: dict[str, object], config: MailSettings | None, password: str | None
    ) -> bool:
        """Settings → Mail: its settings, the server (when given) and the password (keyring) in one transaction."""

        def save(session: Session) -> None:
            _put_changed(session, values)
            if config is not None:
                mailing.configure_mail(session, config, password)

        return self._ok(SETTINGS, save, parent)

    def create_backup(self, parent: QWidget | None) -> Path | None:
        try:
            return backups.create_backup(self.db.folder)
        except InvoicerError as err:
            messages.show_error(parent, err)
            return None

    def list_backups(self) -> list[BackupInfo]:
        return backups.list_backups(self.db.folder)

    def restore_backup(self, parent: QWidget | None, source: Path) -> bool:
        """Replace the database with a backup; the caller closes the app afterwards (it must reopen)."""
        try:
            backups.check_backup(source)
            self.db.close()
            backups.restore_backup(self.db.folder, source)
        except InvoicerError as err:
            messages.show_error(parent, err)
            return False
        return True

    # ------------------------------------------------------------ customers and catalog

    def add_customer(self, parent: QWidget | None, data: CustomerData) -> int | None:
        return self._value(CUSTOMERS, lambda s: customers.add_customer(s, data), parent)

    def update_customer(self, parent: QWidget | None, customer_id: int, data: CustomerData) -> bool:
        return self._ok(CUSTOMERS, lambda s: customers.update_customer(s, customer_id, data), parent)

    def archive_customer(self, parent: QWidget | None, customer_id: int, archived: bool) -> bool:
        return self._ok(CUSTOMERS, lambda s: customers.archive_customer(s, customer_id, archived), parent)

    def delete_customer(self, parent: QWidget | None, customer_id: int) -> bool:
        return self._ok(CUSTOMERS, lambda s: customers.delete_customer(s, customer_id), parent)

    def add_product(self, parent: QWidget | None, data: ProductData) -> int | None:
        return self._value(CATALOG, lambda s: products.add_product(s, data), parent)

    def update_product(self, parent: QWidget | None, product_id: int, data: ProductData) -> bool:
        return self._ok(CATALOG, lambda s: products.update_product(s, product_id, data), parent)

    def archive_product(self, parent: QWidget | None, product_id: int, archived: bool) -> bool:
        return self._ok(CATALOG, lambda s: products.archive_product(s, product_id, archived), parent)

    def add_tax_rate(
        self, parent: QWidget | None, name: str, rate: str, category: str, reason: str | None
    ) -> int | None:
        return self._value(CATALOG, lambda s: taxes.add_tax_rate(s, name, rate, category, reason), parent)

    def update_tax_rate(self, parent: QWidget | None, tax_rate_id: int, name: str, reason: str | None) -> bool:
        return self._ok(CATALOG, lambda s: taxes.update_tax_rate(s, tax_rate_id, name, reason), parent)

    def archive_tax_rate(self, parent: QWidget | None, tax_rate_id: int, archived: bool) -> bool:
        return self._ok(CATALOG, lambda s: taxes.archive_tax_rate(s, tax_rate_id, archived), parent)

    def import_records(
        self, parent: QWidget | None, kind: str, table: SourceTable, mapping: dict[str, int], key: str,
        valid_only: bool,
    ) -> ImportReport | None:
        """Import customers or products from a file read by documents.importers (one transaction)."""
        from invoicer.services import imports  # loaded when first used: keeps the app's start fast

        run = imports.import_customers if kind == "customers" else imports.import_products
        area = CUSTOMERS if kind == "customers" else CATALOG
        return self._value(area, lambda s: run(s, table, mapping, key=key, valid_only=valid_only), parent)

    # ------------------------------------------------------------ invoices

    def create_draft(self, parent: QWidget | None, data: DraftData) -> int | None:
        return self._value(INVOICES, lambda s: invoices.create_draft(s, data), parent)

    def update_draft(self, parent: QWidget | None, invoice_id: int, data: DraftData) -> bool:
        return self._ok(INVOICES, lambda s: invoices.update_draft(s, invoice_id, data), parent)

    def finalize(self, parent: QWidget | None, invoice_id: int) -> str | None:
        return self._value(INVOICES, lambda s: invoices.finalize_invoice(s, invoice_id), parent)

    def duplicate(self, parent: QWidget | None, invoice_id: int) -> int | None:
        return self._value(INVOICES, lambda s: invoices.duplicate_invoice(s, invoice_id), parent)

    def delete_draft(self, parent: QWidget | None, invoice_id: int) -> bool:
        return self._ok(INVOICES, lambda s: invoices.delete_draft(s, invoice_id), parent)

    def void(self, parent: QWidget | None, invoice_id: int, reason: str | None) -> bool:
        return self._ok(INVOICES, lambda s: invoices.void_invoice(s, invoice_id, reason), parent)

    def mark_uncollectible(self, parent: QWidget | None, invoice_id: int, reason: str | None) -> bool:
        return self._ok(INVOICES, lambda s: invoices.mark_uncollectible(s, invoice_id, reason), parent)

    def record_payment(
        self, parent: QWidget | None, invoice_id: int, amount: int, paid_on: date,
        method: str | None, reference: str | None,
    ) -> int | None:
        return self._value(
            INVOICES, lambda s: payments.record_payment(s, invoice_id, amount, paid_on, method, reference), parent
        )

    def reverse_payment(self, parent: QWidget | None, payment_id: int, reason: str | None) -> int | None:
        return self._value(INVOICES, lambda s: payments.reverse_payment(s, payment_id, reason), parent)

    def apply_credit(self, parent: QWidget | None, invoice_id: int, amount: int | None) -> int | None:
        return self._value(INVOICES, lambda s: payments.apply_credit(s, invoice_id, amount), parent)

    def document_pdf(self, parent: QWidget | None, invoice_id: int) -> bytes | None:
        """The PDF as printed (frozen for a finalized document, watermarked for a draft); rendering a document
        never rendered before keeps it, so this writes."""
        from invoicer.services import documents  # ReportLab and Factur-X load only when a PDF is wanted

        return self._value(INVOICES, lambda s: documents.document_pdf(s, invoice_id), parent)

    def issue_credit_note(
        self, parent: QWidget | None, invoice_id: int, *, full: bool = False,
        lines: list[CreditLine] | None = None, amount: int | None = None, reason: str | None = None,
        refund: bool = False,
    ) -> Settlement | None:
        return self._value(
            INVOICES,
            lambda s: credit_notes.issue_credit_note(
                s, invoice_id, full=full, lines=lines, amount=amount, reason=reason, refund=refund
            ),
            parent,
        )
