"""The operation runner: every user action that changes data, quick or long, goes through here.

A quick action (a Session function) runs on the UI thread in one transaction; a long one (sending mail,
exports, backups) runs in a worker thread with a progress dialog, and a Cancel button when it can stop.
Either way a typed error (InvoicerError) is shown through ``messages.show_error``, anything else is logged
and reported as unexpected, and on success ``changed`` is emitted once, naming what changed, so pages
can refresh. One small method per user action below says which service call and which area.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages
from invoicer.i18n import _, format_number
from invoicer.services.first_window import FirstRead

if TYPE_CHECKING:
    # types only: the services load when first used (the first window is painted before SQLAlchemy is loaded)
    from PySide6.QtWidgets import QProgressDialog

    from invoicer.core.bank_match import Allocation
    from invoicer.documents.importers import SourceTable
    from invoicer.services.backups import BackupInfo
    from invoicer.services.bank import ImportResult
    from invoicer.services.billing import PlanData, RunResult
    from invoicer.services.company import CompanyData
    from invoicer.services.credit_notes import CreditLine, Settlement
    from invoicer.services.customers import CustomerData
    from invoicer.services.early_payment import RecordedPayment
    from invoicer.services.imports import ImportReport
    from invoicer.services.invoices import DraftData
    from invoicer.services.mailing import MailSettings
    from invoicer.services.payment_links import LinkInfo
    from invoicer.services.products import ProductData
    from invoicer.services.quotes import QuoteData
    from invoicer.services.store import Database, Session

T = TypeVar("T")

#: A long task's report of how far it is: ``progress(done, total)``.
Progress = Callable[[int, int], None]
#: Told about a failure first; returns True when it dealt with it (else it is shown as usual).
Failed = Callable[[BaseException], bool]

# what changed, for pages deciding whether to refresh
COMPANY, SETTINGS, CUSTOMERS, CATALOG, INVOICES = "company", "settings", "customers", "catalog", "invoices"
PLANS, QUOTES = "plans", "quotes"


@dataclass(frozen=True)
class Done(Generic[T]):
    """A completed action and what the service returned (None also means success here)."""

    value: T


class Job(QObject):
    """A long operation running in a worker thread. Lives on the UI thread: the worker's signals reach it
    queued, so its callbacks may touch widgets. ``ended`` is emitted once, after the outcome was handled."""

    ended = Signal()
    _progressed = Signal(int, int)
    _finished = Signal(object, object)  # (result, error): exactly one of them is meaningful

    def __init__(self, parent: QObject, cancel: Callable[[], BaseException] | None) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self._cancel = cancel
        self.running = True
        self._progressed.connect(self._show_progress)
        self._finished.connect(self._end)
        self.on_progress: Callable[[int, int], None] = lambda done, total: None
        self.on_end: Callable[[object, BaseException | None], None] = lambda result, error: None

    def cancel(self) -> None:
        """Ask the task to stop: its next progress report raises ``cancel()`` (a task that cannot stop
        safely is started without one and runs to its end)."""
        if self._cancel is not None:
            self._stop.set()

    def progress(self, done: int, total: int) -> None:
        """Called by the task in the worker thread."""
        if self._cancel is not None and self._stop.is_set():
            raise self._cancel()  # the task stops here and cleans up after itself
        self._progressed.emit(done, total)

    def work(self, task: Callable[[Progress], object]) -> None:
        result: object = None
        failure: BaseException | None = None
        try:
            result = task(self.progress)
        except Exception as error:  # handed to the UI thread, which reports it
            failure = error
        try:
            self._finished.emit(result, failure)
        except RuntimeError:  # the app was closed meanwhile: nobody is left to tell
            return

    @Slot(int, int)
    def _show_progress(self, done: int, total: int) -> None:
        self.on_progress(done, total)

    @Slot(object, object)
    def _end(self, result: object, error: BaseException | None) -> None:
        self.running = False
        try:
            self.on_end(result, error)
        finally:
            self.ended.emit()
            self.deleteLater()


class Operations(QObject):
    """The user's actions on one open database."""

    changed = Signal(str)
    #: a message offered the way to Settings → Mail and the user took it; the main window goes there
    mail_settings_wanted = Signal()
    #: the store is open (after a first window painted from a ``FirstRead``): what needs the ORM may load now
    opened = Signal()

    def __init__(self, db: Database | FirstRead, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._jobs: set[Job] = set()

    @property
    def db(self) -> Database:
        """The open store; when the window was painted from a first read, asking for it opens it now."""
        if isinstance(self._db, FirstRead):
            self._db = self._db.open()
            QTimer.singleShot(0, self.opened.emit)  # told once the caller that opened it is done
        return self._db

    @property
    def first_read(self) -> FirstRead | None:
        """The first window's read, until the store is open (then None: everything goes through the store)."""
        return self._db if isinstance(self._db, FirstRead) else None

    @property
    def folder(self) -> Path:
        """The data folder (known before the store is open)."""
        return self._db.folder

    # ------------------------------------------------------------ the runner

    def read(self, query: Callable[[Session], T]) -> T:
        """Run a read-only query (no write lock, never blocks a writer)."""
        from invoicer.services import store

        return store.read(self.db, query)

    def dry_run(self, action: Callable[[Session], T]) -> T:
        """Run an action and roll it back: the exact effect of a payment or credit note, shown before
        the user confirms (no copy of the service's rules in the GUI). Raises InvoicerError."""
        from invoicer.services import store

        return store.rehearse(self.db, action)

    def run(
        self, parent: QWidget | None, work: Callable[[], T], changes: str | None = None,
        failed: Failed | None = None,
    ) -> Done[T] | None:
        """A quick operation on the UI thread: ``work()``, its failure reported, one ``changed(changes)``
        when it succeeds and changed something. None when it failed."""
        try:
            result = work()
        except Exception as error:  # a bug is logged and reported calmly; the app keeps running
            self._failed(parent, error, failed)
            return None
        self._succeeded(changes)
        return Done(result)

    def write(self, parent: QWidget | None, changes: str, action: Callable[[Session], T]) -> Done[T] | None:
        """A quick operation in one write transaction."""
        from invoicer.services import store

        return self.run(parent, lambda: store.write(self.db, action), changes)

    def start(
        self, parent: QWidget | None, label: str | None, task: Callable[[Progress], T], *,
        changes: str | None = None, done: Callable[[T], None] | None = None, failed: Failed | None = None,
        cancel: Callable[[], BaseException] | None = None,
    ) -> Job:
        """A long operation: ``task(progress)`` in a worker thread (it opens its own transactions), with a
        progress dialog saying ``label`` (None: quietly, e.g. a backup at start-up). With ``cancel`` the
        dialog offers Cancel, and the task's next progress report raises ``cancel()``, which reaches
        ``failed`` like any error. On success: one ``changed(changes)``, then ``done(result)``."""
        job = Job(self, cancel)
        self._jobs.add(job)
        dialog = None if label is None else self._progress_dialog(parent, label, job, cancellable=cancel is not None)
        gone = threading.Event()  # the window that asked was closed: nobody is left to tell
        if parent is not None:
            parent.destroyed.connect(gone.set)

        def end(result: Any, error: BaseException | None) -> None:
            self._jobs.discard(job)
            if dialog is not None and not gone.is_set():
                dialog.close()
                dialog.deleteLater()
            if error is not None:
                self._failed(None if gone.is_set() else parent, error, None if gone.is_set() else failed)
                return
            self._succeeded(changes)
            if done is not None and not gone.is_set():
                done(result)

        job.on_end = end
        threading.Thread(target=job.work, args=(task,), name="invoicer-operation").start()
        return job

    def _progress_dialog(self, parent: QWidget | None, label: str, job: Job, cancellable: bool) -> QProgressDialog:
        from PySide6.QtWidgets import QProgressDialog  # here: its type is made when first used, not at start

        dialog = QProgressDialog(label, _("Cancel"), 0, 0, parent)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(job.cancel)

        def progressed(current: int, total: int) -> None:
            dialog.setLabelText(f"{label}\n" + _("{done} of {total}").format(done=format_number(current),
                                                                          total=format_number(total)))
            dialog.setMaximum(total)
            dialog.setValue(current)

        job.on_progress = progressed
        return dialog

    def _succeeded(self, changes: str | None) -> None:
        if changes is not None:
            self.changed.emit(changes)

    @staticmethod
    def _failed(parent: QWidget | None, error: BaseException, failed: Failed | None) -> None:
        if failed is not None and failed(error):
            return
        if isinstance(error, InvoicerError):
            messages.show_error(parent, error)
        else:
            messages.show_unexpected(parent, (type(error), error, error.__traceback__))

    def _value(self, area: str, action: Callable[[Session], T], parent: QWidget | None) -> T | None:
        done = self.write(parent, area, action)
        return None if done is None else done.value

    def _ok(self, area: str, action: Callable[[Session], object], parent: QWidget | None) -> bool:
        return self.write(parent, area, action) is not None

    # ------------------------------------------------------------ company and settings

    def save_company(self, parent: QWidget | None, data: CompanyData) -> bool:
        from invoicer.services import setup

        return self._ok(COMPANY, lambda s: setup.save_company(s, **vars(data)), parent)

    def save_settings(self, parent: QWidget | None, values: dict[str, object]) -> bool:
        from invoicer.services import settings

        return self._ok(SETTINGS, lambda s: settings.put_all(s, values), parent)

    def save_mail_settings(
        self, parent: QWidget | None, values: dict[str, object], config: MailSettings | None, password: str | None
    ) -> bool:
        """Settings → Mail: its settings, the server (when given) and the password (keyring) in one transaction."""
        from invoicer.services import mailing, settings

        def save(session: Session) -> None:
            settings.put_all(session, values)
            if config is not None:
                mailing.configure_mail(session, config, password)

        return self._ok(SETTINGS, save, parent)

    def create_backup(self, parent: QWidget | None, done: Callable[[Path], None]) -> Job:
        """Back up the whole business in a worker thread, its progress shown; ``done(archive)`` once it is written:
        the local file's archive, or a pg_dump of the shared server's database."""
        from invoicer.services import backups, server

        folder, url = self.db.folder, self.db.url

        def task(progress: Progress) -> Path:
            if url:
                return server.back_up_server(url, folder)
            # the service counts bytes, beyond a Qt int's range for a large business: the dialog gets kilobytes
            return backups.create_backup(folder, progress=lambda n, total: progress(n // 1024, total // 1024))

        return self.start(parent, _("Backing up…"), task, done=done)

    def list_backups(self) -> list[BackupInfo]:
        from invoicer.services import backups, server

        if self.db.url:
            return server.list_server_backups(self.db.folder)
        return backups.list_backups(self.db.folder)

    def restore_backup(self, parent: QWidget | None, source: Path) -> bool:
        """Replace the database with a backup; the caller closes the app afterwards (it must reopen)."""
        from invoicer.services import backups

        if self.db.url:
            messages.show_error(parent, _(
                "A shared server's database is restored into a new, empty database on the server, with the "
                "command line: invoicer --db ADDRESS backup restore FILE."))
            return False
        key = None
        if backups.needs_key(self.db.folder, source):  # an encrypted backup from another computer or folder
            key = messages.ask_password(parent, _(
                "The backup {name} holds an encrypted database, and no key for it is known on this computer. Enter "
                "its key (on the computer it was made on, 'invoicer db key' shows it):").format(name=source.name))
            if key is None:
                return False

        def restore() -> None:
            backups.check_backup(source, self.db.folder, key)
            self.db.close()
            backups.restore_backup(self.db.folder, source, key)

        return self.run(parent, restore) is not None

    # ------------------------------------------------------------ customers and catalog

    def add_customer(self, parent: QWidget | None, data: CustomerData) -> int | None:
        from invoicer.services import customers

        return self._value(CUSTOMERS, lambda s: customers.add_customer(s, data), parent)

    def update_customer(self, parent: QWidget | None, customer_id: int, data: CustomerData) -> bool:
        from invoicer.services import customers

        return self._ok(CUSTOMERS, lambda s: customers.update_customer(s, customer_id, data), parent)

    def archive_customer(self, parent: QWidget | None, customer_id: int, archived: bool) -> bool:
        from invoicer.services import customers

        return self._ok(CUSTOMERS, lambda s: customers.archive_customer(s, customer_id, archived), parent)

    def delete_customer(self, parent: QWidget | None, customer_id: int) -> bool:
        from invoicer.services import customers

        return self._ok(CUSTOMERS, lambda s: customers.delete_customer(s, customer_id), parent)

    def add_product(self, parent: QWidget | None, data: ProductData) -> int | None:
        from invoicer.services import products

        return self._value(CATALOG, lambda s: products.add_product(s, data), parent)

    def update_product(self, parent: QWidget | None, product_id: int, data: ProductData) -> bool:
        from invoicer.services import products

        return self._ok(CATALOG, lambda s: products.update_product(s, product_id, data), parent)

    def archive_product(self, parent: QWidget | None, product_id: int, archived: bool) -> bool:
        from invoicer.services import products

        return self._ok(CATALOG, lambda s: products.archive_product(s, product_id, archived), parent)

    def add_tax_rate(
        self, parent: QWidget | None, name: str, rate: str, category: str, reason: str | None
    ) -> int | None:
        from invoicer.services import taxes

        return self._value(CATALOG, lambda s: taxes.add_tax_rate(s, name, rate, category, reason), parent)

    def update_tax_rate(self, parent: QWidget | None, tax_rate_id: int, name: str, reason: str | None) -> bool:
        from invoicer.services import taxes

        return self._ok(CATALOG, lambda s: taxes.update_tax_rate(s, tax_rate_id, name, reason), parent)

    def archive_tax_rate(self, parent: QWidget | None, tax_rate_id: int, archived: bool) -> bool:
        from invoicer.services import taxes

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
        from invoicer.services import invoices

        return self._value(INVOICES, lambda s: invoices.create_draft(s, data), parent)

    def update_draft(self, parent: QWidget | None, invoice_id: int, data: DraftData) -> bool:
        from invoicer.services import invoices

        return self._ok(INVOICES, lambda s: invoices.update_draft(s, invoice_id, data), parent)

    def finalize(self, parent: QWidget | None, invoice_id: int, exchange_rate: str | None = None) -> str | None:
        from invoicer.services import invoices

        return self._value(INVOICES, lambda s: invoices.finalize_invoice(s, invoice_id, exchange_rate), parent)

    def duplicate(self, parent: QWidget | None, invoice_id: int) -> int | None:
        from invoicer.services import invoices

        return self._value(INVOICES, lambda s: invoices.duplicate_invoice(s, invoice_id), parent)

    def delete_draft(self, parent: QWidget | None, invoice_id: int) -> bool:
        from invoicer.services import invoices

        return self._ok(INVOICES, lambda s: invoices.delete_draft(s, invoice_id), parent)

    def void(self, parent: QWidget | None, invoice_id: int, reason: str | None, on: date | None = None) -> bool:
        from invoicer.services import invoices

        return self._ok(INVOICES, lambda s: invoices.void_invoice(s, invoice_id, reason, on), parent)

    def mark_uncollectible(
        self, parent: QWidget | None, invoice_id: int, reason: str | None, on: date | None = None
    ) -> bool:
        from invoicer.services import invoices

        return self._ok(INVOICES, lambda s: invoices.mark_uncollectible(s, invoice_id, reason, on), parent)

    def renew_payment_link(self, parent: QWidget | None, invoice_id: int) -> LinkInfo | None:
        from invoicer.services import payment_links

        return self._value(INVOICES, lambda s: payment_links.renew(s, invoice_id, date.today()), parent)

    def record_payment(
        self, parent: QWidget | None, invoice_id: int, amount: int, paid_on: date,
        method: str | None, reference: str | None, exchange_rate: str | None = None, apply_discount: bool = True,
    ) -> RecordedPayment | None:
        """Money received; the discounted amount within the discount period settles the invoice (unless
        ``apply_discount`` is False), as the bank reconciliation does."""
        from invoicer.services import early_payment

        return self._value(
            INVOICES, lambda s: early_payment.record_payment(s, invoice_id, amount, paid_on, method, reference,
                                                             exchange_rate, apply_discount=apply_discount), parent
        )

    def import_statement(self, parent: QWidget | None, data: bytes, name: str, bank: str | None) -> ImportResult | None:
        from invoicer.services import bank as bank_service

        return self._value(INVOICES, lambda s: bank_service.import_statement(s, data, name, bank), parent)

    def confirm_bank_entry(
        self, parent: QWidget | None, entry_id: int, allocations: list[Allocation] | None = None
    ) -> list[int] | None:
        from invoicer.services import bank as bank_service

        return self._value(INVOICES, lambda s: bank_service.confirm(s, entry_id, allocations), parent)

    def confirm_sure_matches(self, parent: QWidget | None) -> int | None:
        from invoicer.services import bank as bank_service

        return self._value(INVOICES, lambda s: bank_service.confirm_sure(s), parent)

    def settle_bank_entry(
        self, parent: QWidget | None, entry_id: int, kind: str, note: str | None, customer_id: int | None = None
    ) -> bool:
        from invoicer.services import bank as bank_service

        return self._ok(INVOICES, lambda s: bank_service.settle_other(s, entry_id, kind, note, customer_id), parent)

    def reverse_payment(
        self, parent: QWidget | None, payment_id: int, reason: str | None, on: date | None = None
    ) -> int | None:
        from invoicer.services import payments

        return self._value(INVOICES, lambda s: payments.reverse_payment(s, payment_id, reason, on), parent)

    def apply_credit(
        self, parent: QWidget | None, invoice_id: int, amount: int | None, on: date | None = None
    ) -> int | None:
        from invoicer.services import payments

        return self._value(INVOICES, lambda s: payments.apply_credit(s, invoice_id, amount, on), parent)

    def document_pdf(self, parent: QWidget | None, invoice_id: int) -> bytes | None:
        """The PDF as printed (frozen for a finalized document, watermarked for a draft); rendering a document
        never rendered before keeps it, so this writes."""
        from invoicer.services import documents  # ReportLab and Factur-X load only when a PDF is wanted

        return self._value(INVOICES, lambda s: documents.document_pdf(s, invoice_id), parent)

    def issue_credit_note(
        self, parent: QWidget | None, invoice_id: int, *, full: bool = False,
        lines: list[CreditLine] | None = None, amount: int | None = None, reason: str | None = None,
        refund: bool = False, issue_date: date | None = None,
    ) -> Settlement | None:
        from invoicer.services import credit_notes

        return self._value(
            INVOICES,
            lambda s: credit_notes.issue_credit_note(
                s, invoice_id, full=full, lines=lines, amount=amount, reason=reason, refund=refund,
                issue_date=issue_date,
            ),
            parent,
        )

    def open_dispute(self, parent: QWidget | None, invoice_id: int, reason: str, on: date | None = None) -> bool:
        from invoicer.services import disputes

        return self._ok(INVOICES, lambda s: disputes.open_dispute(s, invoice_id, reason, on), parent)

    def close_dispute(self, parent: QWidget | None, invoice_id: int, note: str | None, on: date | None = None) -> bool:
        from invoicer.services import disputes

        return self._ok(INVOICES, lambda s: disputes.close_dispute(s, invoice_id, note, on), parent)

    def resolve_dispute(
        self, parent: QWidget | None, invoice_id: int, *, full: bool = False,
        lines: list[CreditLine] | None = None, amount: int | None = None, reason: str | None = None,
        refund: bool = False, issue_date: date | None = None,
    ) -> Settlement | None:
        """End the invoice's dispute by a credit note (the credit-note dialog's choices)."""
        from invoicer.services import disputes

        return self._value(
            INVOICES,
            lambda s: disputes.resolve_by_credit_note(
                s, invoice_id, full=full, lines=lines, amount=amount, reason=reason, refund=refund,
                issue_date=issue_date,
            ),
            parent,
        )

    # ------------------------------------------------------------ recurring billing

    def add_plan(self, parent: QWidget | None, data: PlanData) -> int | None:
        from invoicer.services import billing

        return self._value(PLANS, lambda s: billing.add_plan(s, data), parent)

    def update_plan(self, parent: QWidget | None, plan_id: int, data: PlanData) -> bool:
        from invoicer.services import billing

        return self._ok(PLANS, lambda s: billing.update_plan(s, plan_id, data), parent)

    def pause_plan(self, parent: QWidget | None, plan_id: int, on: date) -> bool:
        from invoicer.services import billing

        return self._ok(PLANS, lambda s: billing.pause_plan(s, plan_id, on), parent)

    def resume_plan(self, parent: QWidget | None, plan_id: int, on: date) -> bool:
        from invoicer.services import billing

        return self._ok(PLANS, lambda s: billing.resume_plan(s, plan_id, on), parent)

    def change_plan_price(
        self, parent: QWidget | None, plan_id: int, position: int, valid_from: date, unit_price: str
    ) -> bool:
        from invoicer.services import billing

        return self._ok(PLANS, lambda s: billing.change_price(s, plan_id, position, valid_from, unit_price), parent)

    def run_billing(self, parent: QWidget | None, today: date, done: Callable[[RunResult], None]) -> Job:
        """Bill every period due on ``today`` in a worker (one transaction per period; safe to repeat)."""
        from invoicer.services import billing

        return self.start(parent, _("Billing the periods due…"),
                          lambda progress: billing.run_billing(self.db, today, progress=progress),
                          changes=INVOICES, done=done)

    # ------------------------------------------------------------ quotes

    def add_quote(self, parent: QWidget | None, data: QuoteData) -> int | None:
        from invoicer.services import quotes

        return self._value(QUOTES, lambda s: quotes.create_quote(s, data), parent)

    def update_quote(self, parent: QWidget | None, quote_id: int, data: QuoteData) -> bool:
        from invoicer.services import quotes

        return self._ok(QUOTES, lambda s: quotes.update_quote(s, quote_id, data), parent)

    def delete_quote(self, parent: QWidget | None, quote_id: int) -> bool:
        from invoicer.services import quotes

        return self._ok(QUOTES, lambda s: quotes.delete_quote(s, quote_id), parent)

    def send_quote(self, parent: QWidget | None, quote_id: int) -> str | None:
        from invoicer.services import quotes

        return self._value(QUOTES, lambda s: quotes.send_quote(s, quote_id), parent)

    def decide_quote(self, parent: QWidget | None, quote_id: int, accepted: bool) -> bool:
        from invoicer.services import quotes

        decide = quotes.accept_quote if accepted else quotes.decline_quote
        return self._ok(QUOTES, lambda s: decide(s, quote_id), parent)

    def _from_quote(self, parent: QWidget | None, action: Callable[[Session], int]) -> int | None:
        """An invoice made from a quote: both lists change."""
        done = self.write(parent, INVOICES, action)
        if done is not None:
            self.changed.emit(QUOTES)
        return None if done is None else done.value

    def invoice_quote(self, parent: QWidget | None, quote_id: int, positions: list[int],
                      partial: bool = False) -> int | None:
        from invoicer.services import quotes

        return self._from_quote(parent, lambda s: quotes.invoice_quote(s, quote_id, positions, partial=partial))

    def deposit_invoice(self, parent: QWidget | None, quote_id: int, percent: str | None,
                        amount: str | None) -> int | None:
        from invoicer.services import quotes

        return self._from_quote(parent, lambda s: quotes.deposit_invoice(s, quote_id, percent=percent,
                                                                         amount=amount))

    def final_invoice(self, parent: QWidget | None, quote_id: int) -> int | None:
        from invoicer.services import quotes

        return self._from_quote(parent, lambda s: quotes.final_invoice(s, quote_id))

    def quote_pdf(self, parent: QWidget | None, quote_id: int) -> bytes | None:
        from invoicer.services import quotes

        done = self.run(parent, lambda: self.read(lambda s: quotes.quote_pdf(s, quote_id)))
        return None if done is None else done.value

    def email_quote(self, parent: QWidget | None, quote_id: int, done: Callable[[str], None]) -> Job:
        from invoicer.services import quotes

        return self.start(parent, _("Sending the quote…"), lambda _progress: quotes.email_quote(self.db, quote_id),
                          changes=QUOTES, done=done)
