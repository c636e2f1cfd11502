"""Payment reminders in the app: "N reminders due", the list, sending after confirmation, and the
watcher that checks when the app starts and every hour (and sends by itself when switched on)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages, operations
from invoicer.gui.dialogs.send_invoice import mail_login
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.operations import Failed, Job, Operations
from invoicer.gui.style import day, money
from invoicer.gui.widgets.background import LatestRead
from invoicer.i18n import N_, _, error_text, ngettext
from invoicer.services import mailing, reminders
from invoicer.services.reminders import DueReminder, ReminderRun

CHECK_INTERVAL_MS = 60 * 60 * 1000
LEVEL_TITLES = {"friendly": N_("friendly reminder"), "due": N_("due today"), "overdue": N_("overdue")}


def due_reminders(ops: Operations, today: date | None = None) -> list[DueReminder]:
    """The reminders due now (the watcher counts them in a background read: a second at a million invoices)."""
    return ops.read(lambda s: reminders.due_reminders(s, today or date.today()))


def sendable(due: list[DueReminder]) -> list[DueReminder]:
    return [r for r in due if r.email]


def summary(run: ReminderRun) -> str:
    text = ngettext("{count} reminder sent.", "{count} reminders sent.", run.count("sent")).format(
        count=run.count("sent"))
    problems = [f"{r.reminder.number}: {r.detail}" for r in run.results if r.outcome == "failed"]
    if problems:
        text += "\n\n" + _("Not sent:") + "\n" + "\n".join(problems)
    if run.stopped:
        text += "\n\n" + run.stopped + " " + _("The others stay due.")
    return text


def send_due_reminders(
    ops: Operations, parent: QWidget | None, today: date, done: Callable[[ReminderRun], None],
    failed: Failed | None = None, password: str | None = None,
) -> Job:
    """Send the reminders due on ``today`` off the UI thread; ``done(run)`` back on it."""
    return ops.start(
        parent, _("Sending reminders…"), lambda _progress: reminders.run_reminders(ops.db, today, password=password),
        changes=operations.INVOICES, done=done, failed=failed,
    )


class RemindersDialog(QDialog):
    """The due reminders; "Send" asks for confirmation, then sends them all."""

    def __init__(self, ops: Operations, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.today = today or date.today()
        self.last_run: ReminderRun | None = None
        self.sending: Job | None = None
        self.setWindowTitle(_("Payment reminders"))
        self.header = QLabel()
        self.header.setObjectName("reminders_header")
        # a model over the due reminders, each cell written when shown: a million invoices have 55,000 due, and
        # filling a QTableWidget cell by cell (333,000 items) kept the dialog from opening for seconds
        self.model: RecordTableModel[DueReminder] = RecordTableModel([
            Field(N_("Invoice"), lambda r: r.number),
            Field(N_("Customer"), lambda r: r.customer),
            Field(N_("Reminder"), lambda r: _(LEVEL_TITLES[r.level]) if r.level in LEVEL_TITLES else r.level),
            Field(N_("Recipient"), lambda r: r.email or _("(no email address)")),
            Field(N_("Amount due"), lambda r: money(r.amount_due, r.currency), numeric=True),
            Field(N_("Due date"), lambda r: day(r.due_date)),
        ])
        self.table = QTableView()
        self.table.setObjectName("reminders_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumSize(760, 240)  # six columns with their translated titles
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.send_button = self.buttons.addButton(_("Send"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("send_reminders")
        self.letters_button = self.buttons.addButton(_("Print &letters…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.letters_button.setObjectName("print_letters")
        self.letters_button.setToolTip(_("Customers without an email address get their reminder as a letter"))
        self.letters_button.clicked.connect(self.print_letters)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.due: list[DueReminder] = []
        self._reader = LatestRead(self, self._read, self._refused)
        self.refresh()

    def refresh(self) -> None:
        """Read the reminders due in the background (a second at a million invoices, the dialog shown meanwhile);
        the list, the header and the buttons follow once read, and nothing can be sent before."""
        self.header.setText(_("Reading the reminders due…"))
        self.send_button.setEnabled(False)
        self.letters_button.setEnabled(False)
        today = self.today
        self._reader.ask(lambda: due_reminders(self.ops, today))

    def loading(self) -> bool:
        return self._reader.busy()

    def _refused(self, err: InvoicerError) -> None:  # a broken schedule or template setting
        messages.show_error(self, err)
        self._read([])

    def _read(self, due: list[DueReminder]) -> None:
        self.due = due
        self.model.set_records(self.due)
        count = len(sendable(self.due))
        self.header.setText(
            ngettext("{count} reminder due", "{count} reminders due", count).format(count=count)
            if count else _("No reminders are due."))
        self.send_button.setText(ngettext("Send {count} reminder", "Send {count} reminders", count).format(count=count))
        self.send_button.setEnabled(count > 0)
        self.letters_button.setEnabled(any(r.email is None for r in self.due))

    def print_letters(self) -> None:
        """The reminders of customers without email as PDF letters in a folder, opened for printing."""
        folder = QFileDialog.getExistingDirectory(self, _("Save the letters in folder"))
        if not folder:
            return
        target = Path(folder)

        def done(run: ReminderRun) -> None:
            printed = run.count("printed")
            messages.show_info(self, ngettext("{count} letter written to {folder}.", "{count} letters written to "
                                              "{folder}.", printed).format(count=printed, folder=target))
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
            self.refresh()

        self.printing = self.ops.start(
            self, _("Writing the letters…"),
            lambda _progress: reminders.run_reminders(self.ops.db, self.today, letters=target, emailed=False),
            changes=operations.INVOICES, done=done)

    def send(self) -> None:
        count = len(sendable(self.due))
        question = ngettext("Send {count} payment reminder now?", "Send {count} payment reminders now?", count)
        if not count or not messages.confirm(self, _("Send reminders"), question.format(count=count), _("Send")):
            return
        login = mail_login(self.ops, self)
        if login is None:
            return
        self.send_button.setEnabled(False)

        def done(run: ReminderRun) -> None:
            self.last_run = run
            messages.show_info(self, summary(run))
            self.refresh()

        def failed(_error: BaseException) -> bool:
            self.refresh()
            return False  # shown as usual

        self.sending = send_due_reminders(self.ops, self, self.today, done, failed, login[1])


class ReminderWatcher(QObject):
    """Counts the due reminders when started, every hour and after changes (``due_changed``), in a background
    read: at a million invoices the count takes a second, which the window must not wait for; with "send
    automatically" on, sends them itself when the password is available without asking."""

    due_changed = Signal(int)
    auto_sent = Signal(str)  # a one-line summary for the status bar
    auto_failed = Signal(str)

    def __init__(
        self, ops: Operations, parent: QWidget, interval_ms: int = CHECK_INTERVAL_MS,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.parent_widget = parent
        self.today = today
        self.sending: Job | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self._counter = LatestRead(self, self._counted, lambda err: self.auto_failed.emit(error_text(err)))

    def start(self) -> None:
        self.check()
        self.timer.start()

    def check(self, *, send: bool = True) -> None:
        """Count what is due now, off the UI thread; once counted, start an automatic send when that is switched
        on (and ``send``)."""
        today = self.today()

        def read() -> tuple[int, bool]:
            count = len(sendable(due_reminders(self.ops, today)))
            return count, send and count > 0 and bool(self.ops.read(reminders.AUTO_SEND.get))

        self._counter.ask(read)

    def counting(self) -> bool:
        return self._counter.busy()

    def _counted(self, answer: tuple[int, bool]) -> None:
        count, automatic = answer
        self.due_changed.emit(count)
        if automatic and self.sending is None:
            self._send()

    def _send(self) -> None:
        # never a password dialog out of the blue: without a stored password, the user sends by hand
        try:
            config = self.ops.read(mailing.mail_settings)
            password = mailing.password_for(config)
        except InvoicerError as err:
            self.auto_failed.emit(error_text(err))
            return

        def done(run: ReminderRun) -> None:
            self.sending = None
            self.auto_sent.emit(summary(run).replace("\n\n", " ").replace("\n", "; "))
            self.check(send=False)

        def failed(error: BaseException) -> bool:
            self.sending = None
            if isinstance(error, InvoicerError):
                self.auto_failed.emit(error_text(error))
                return True  # reported in the status bar, not a dialog every hour
            return False

        self.sending = send_due_reminders(self.ops, self.parent_widget, self.today(), done, failed, password)
