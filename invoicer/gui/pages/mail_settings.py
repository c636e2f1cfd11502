"""Settings → Mail: the outgoing server (its password goes to the system keyring), a connection test
off the UI thread, the reminder schedule, and the email templates per language."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError, ValidationError
from invoicer.gui import messages
from invoicer.gui.dialogs.reminders_dialog import LEVEL_TITLES
from invoicer.gui.operations import Job, Operations
from invoicer.gui.widgets.checked_field import CheckedLineEdit
from invoicer.i18n import N_, SUPPORTED_LANGUAGES, _, error_text
from invoicer.services import mailing, reminders, validation
from invoicer.services.mailing import (
    DEFAULT_PORTS,
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    SECURITY_MODES,
    SECURITY_TITLES,
    MailSettings,
    PasswordNeededError,
    template_names,
)

#: the built-in email templates as the user knows them (a template the user adds is shown by its own name)
TEMPLATE_TITLES = {
    "invoice": N_("Invoice email"), "invoice_paid": N_("Paid invoice email"), "credit_note": N_("Credit note email"),
    "reminder_friendly": N_("Friendly reminder"), "reminder_due": N_("Reminder on the due date"),
    "reminder_overdue": N_("Overdue reminder"),
}


def title(name: str, titles: dict[str, str]) -> str:
    """A stored key as the user reads it: its translated title, or the key itself when it has none."""
    return _(titles[name]) if name in titles else name


def key(text: str, titles: dict[str, str]) -> str:
    """The stored key of what the user sees (a title), or what they typed as a new name."""
    return next((name for name, shown in titles.items() if _(shown) == text), text)


class MailSettingsWidget(QWidget):
    """The mail part of Settings; ``save()`` stores it (the Settings page calls it with its own save)."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.templates: dict[str, Any] = {}
        self._shown: tuple[str, str] | None = None  # the (template, language) in the editor
        self.testing: Job | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._server_box())
        layout.addWidget(self._reminders_box())
        layout.addWidget(self._templates_box())
        layout.addStretch(1)
        self.load()

    # ------------------------------------------------------------ layout

    def _server_box(self) -> QGroupBox:
        self.host = QLineEdit()
        self.host.setObjectName("mail_host")
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox()
        self.port.setObjectName("mail_port")
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        self.security.setObjectName("mail_security")
        for mode in SECURITY_MODES:
            self.security.addItem(_(SECURITY_TITLES[mode]), mode)
        self.security.currentIndexChanged.connect(self._security_changed)
        self.user = QLineEdit()
        self.user.setObjectName("mail_user")
        self.password = QLineEdit()
        self.password.setObjectName("mail_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyring_note")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setProperty("muted", True)
        self.from_name = QLineEdit()
        self.from_name.setObjectName("mail_from_name")
        self.from_name.setPlaceholderText(_("The company name"))
        self.from_address = CheckedLineEdit(validation.email)
        self.from_address.setObjectName("mail_from")
        self.reply_to = CheckedLineEdit(validation.email)
        self.reply_to.setObjectName("mail_reply_to")
        self.copy_to_sender = QCheckBox(_("Send me a copy of every message"))
        self.copy_to_sender.setObjectName("mail_copy")
        self.test_button = QPushButton(_("Test connection"))
        self.test_button.setObjectName("mail_test")
        self.test_button.clicked.connect(self.test_connection)
        box = QGroupBox(_("Outgoing mail"))
        form = QFormLayout(box)
        form.addRow(_("SMTP &server"), self.host)
        form.addRow(_("&Port"), self.port)
        form.addRow(_("&Security"), self.security)
        form.addRow(_("&User name"), self.user)
        form.addRow(_("Pass&word"), self.password)
        form.addRow("", self.keyring_note)
        form.addRow(_("Sender &name"), self.from_name)
        form.addRow(_("Sender &address"), self.from_address)
        form.addRow(_("&Reply to"), self.reply_to)
        form.addRow("", self.copy_to_sender)
        form.addRow("", self.test_button)
        return box

    def _reminders_box(self) -> QGroupBox:
        self.auto_send = QCheckBox(_("Send due reminders automatically while Invoicer is open"))
        self.auto_send.setObjectName("reminders_auto_send")
        self.schedule = QTableWidget(0, 3)
        self.schedule.setObjectName("reminder_schedule")
        self.schedule.setHorizontalHeaderLabels([_("Level"), _("Days from due date"), _("Template")])
        self.schedule.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.schedule.verticalHeader().setVisible(False)
        self.schedule.setMaximumHeight(150)
        add = QPushButton(_("Add level"))
        add.setObjectName("add_level")
        add.clicked.connect(lambda: self._add_level({"level": "", "days": 0, "template": "reminder_overdue"}))
        remove = QPushButton(_("Remove level"))
        remove.setObjectName("remove_level")
        remove.clicked.connect(lambda: self.schedule.removeRow(self.schedule.currentRow()))
        note = QLabel(_("Negative days are before the due date. Each level is sent once per invoice; paid, void, "
                        "written-off and fully credited invoices get none."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        box = QGroupBox(_("Payment reminders"))
        layout = QVBoxLayout(box)
        layout.addWidget(self.auto_send)
        layout.addWidget(self.schedule)
        layout.addLayout(buttons)
        layout.addWidget(note)
        return box

    def _templates_box(self) -> QGroupBox:
        self.template = QComboBox()
        self.template.setObjectName("template_name")
        self.template.setEditable(True)  # a new name makes a new template (for an extra reminder level)
        self.language = QComboBox()
        self.language.setObjectName("template_language")
        for code in SUPPORTED_LANGUAGES:
            self.language.addItem(code, code)
        self.subject = QLineEdit()
        self.subject.setObjectName("template_subject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("template_body")
        self.body.setMinimumHeight(140)
        reset = QPushButton(_("Restore the default text"))
        reset.clicked.connect(self._reset_template)
        placeholders = QLabel(_("Placeholders: ") + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS))
        placeholders.setWordWrap(True)
        placeholders.setProperty("muted", True)
        self.template.currentTextChanged.connect(lambda _text: self._show_template())
        self.language.currentIndexChanged.connect(lambda _index: self._show_template())
        choose = QHBoxLayout()
        choose.addWidget(self.template, 1)
        choose.addWidget(self.language)
        choose.addWidget(reset)
        box = QGroupBox(_("Email templates"))
        form = QFormLayout(box)
        label = QLabel(_("&Template"))  # a label without a buddy would show its "&"
        label.setBuddy(self.template)
        form.addRow(label, choose)
        form.addRow(_("S&ubject"), self.subject)
        form.addRow(_("&Body"), self.body)
        form.addRow("", placeholders)
        return box

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        def read(session: Any) -> tuple[MailSettings, bool, list[dict[str, Any]], dict[str, Any]]:
            return (
                mailing.load_mail_settings(session), reminders.AUTO_SEND.get(session),
                reminders.SCHEDULE.get(session), mailing.TEMPLATES.get(session),
            )

        config, auto_send, schedule, stored_templates = self.ops.read(read)
        self.host.setText(config.host)
        self.security.blockSignals(True)
        self.security.setCurrentIndex(max(self.security.findData(config.security), 0))
        self.security.blockSignals(False)
        self.port.setValue(config.port)
        self.user.setText(config.user or "")
        self.password.clear()
        self.from_name.setText(config.from_name or "")
        self.from_address.setText(config.from_address or "")
        self.reply_to.setText(config.reply_to or "")
        self.copy_to_sender.setChecked(config.copy_to_sender)
        self._timeout = config.timeout
        self.auto_send.setChecked(auto_send)
        self.schedule.setRowCount(0)
        for level in schedule:
            self._add_level(level)
        self.templates = copy.deepcopy(stored_templates)
        self._shown = None
        self.template.blockSignals(True)
        self.template.clear()
        self.template.addItems(sorted(title(name, TEMPLATE_TITLES) for name in template_names(self.templates)))
        self.template.blockSignals(False)
        self._show_template()
        self._show_keyring_state(config)

    def _show_keyring_state(self, config: MailSettings) -> None:
        if not mailing.keyring_available():
            self.keyring_note.setText(_("There is no system keyring here: the password is not stored; Invoicer "
                                        "asks for it when it sends mail."))
            self.password.setPlaceholderText(_("Asked when sending"))
            return
        stored = mailing.password_stored(config)
        self.password.setPlaceholderText(_("Stored in the system keyring") if stored else "")
        self.keyring_note.setText(_("The password is kept only in the system keyring, never in Invoicer's files."))

    def _security_changed(self) -> None:
        # follow the usual port of the new mode unless the user typed an unusual one
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[self.security.currentData()])

    def _add_level(self, level: dict[str, Any]) -> None:
        row = self.schedule.rowCount()
        self.schedule.insertRow(row)
        shown = (title(str(level.get("level", "")), LEVEL_TITLES), str(level.get("days", "")),
                 title(str(level.get("template", "")), TEMPLATE_TITLES))
        for column, text in enumerate(shown):
            self.schedule.setItem(row, column, QTableWidgetItem(text))

    # ------------------------------------------------------------ templates

    def _keep_template_edits(self) -> None:
        if self._shown is None:
            return
        name, language = self._shown
        subject, body = self.subject.text(), self.body.toPlainText()
        default = DEFAULT_TEMPLATES.get(name, {}).get(language)
        current = self.templates.get(name, {}).get(language)
        if current is None and (not subject.strip() or default == {"subject": subject, "body": body}):
            return  # nothing typed for a new entry, or the built-in text unchanged
        self.templates.setdefault(name, {})[language] = {"subject": subject, "body": body}

    def _show_template(self) -> None:
        self._keep_template_edits()
        name, language = key(self.template.currentText().strip(), TEMPLATE_TITLES), self.language.currentData()
        if not name:
            return
        self._shown = (name, language)
        found = self.templates.get(name, {}).get(language) or DEFAULT_TEMPLATES.get(name, {}).get(language)
        self.subject.setText(found["subject"] if found else "")
        self.body.setPlainText(found["body"] if found else "")

    def _reset_template(self) -> None:
        name, language = key(self.template.currentText().strip(), TEMPLATE_TITLES), self.language.currentData()
        self.templates.get(name, {}).pop(language, None)
        self._shown = None
        self._show_template()

    # ------------------------------------------------------------ saving and testing

    def mail_settings(self) -> MailSettings:
        return MailSettings(
            host=self.host.text(), port=self.port.value(), security=self.security.currentData(),
            user=self.user.text(), from_address=self.from_address.text(), from_name=self.from_name.text(),
            reply_to=self.reply_to.text(), copy_to_sender=self.copy_to_sender.isChecked(), timeout=self._timeout,
        )

    def _schedule_value(self) -> list[dict[str, Any]]:
        levels = []
        for row in range(self.schedule.rowCount()):
            name, days, template = (
                (item.text() if (item := self.schedule.item(row, column)) else "").strip()
                for column in range(3)
            )
            try:
                number = int(days)
            except ValueError:
                raise ValidationError(_("Reminder level '{level}': the days must be a whole number.").format(
                    level=name)) from None
            levels.append({"level": key(name, LEVEL_TITLES), "days": number, "template": key(template, TEMPLATE_TITLES)})
        return levels

    def shown(self) -> tuple[object, ...]:
        """Everything the tab shows, unchecked (to tell whether the user changed anything)."""
        schedule = [[item.text() if (item := self.schedule.item(row, column)) else "" for column in range(3)]
                    for row in range(self.schedule.rowCount())]
        self._keep_template_edits()
        return (self.mail_settings(), self.password.text(), self.auto_send.isChecked(), schedule,
                copy.deepcopy(self.templates))

    def values(self) -> dict[str, Any]:
        """The reminder and template settings to store (InvoicerError when something is wrong)."""
        self._keep_template_edits()
        found: dict[str, Any] = {
            "reminders.auto_send": self.auto_send.isChecked(),
            "reminders.schedule": self._schedule_value(),
            "mail.templates": self.templates,
        }
        missing = {lv["template"] for lv in found["reminders.schedule"]} - template_names(self.templates)
        if missing:
            raise ValidationError(_("There is no email template named {names}.").format(names=", ".join(sorted(missing))))
        return found

    def save(self) -> bool:
        """Store the settings and the typed password (in the keyring) in one go: all of it, or nothing."""
        try:
            values = self.values()
        except InvoicerError as err:
            messages.show_error(self, err)
            return False
        config = self.mail_settings()
        password = self.password.text() or None
        server = config if config.host.strip() or (config.from_address or "").strip() or password else None
        if not self.ops.save_mail_settings(self, values, server, password):
            return False
        self.load()
        return True

    def test_connection(self) -> None:
        """Connect, secure and log in with what the form shows now (saved or not), in the background."""
        try:
            config = MailSettings(**{
                key.removeprefix("mail."): value for key, value in mailing.setting_values(self.mail_settings()).items()
            })
            password = mailing.password_for(config, self.password.text() or None)
        except PasswordNeededError as err:
            password = messages.ask_password(self, error_text(err))
            if password is None:
                return
        except InvoicerError as err:
            messages.show_error(self, err)
            return
        self.test_button.setEnabled(False)

        def done(_result: object) -> None:
            self.test_button.setEnabled(True)
            login = _(", logged in as {user}").format(user=config.user) if config.user else ""
            messages.show_info(self, _("The connection to {server} works{login}.").format(
                server=f"{config.host}:{config.port}", login=login))

        def failed(_error: BaseException) -> bool:
            self.test_button.setEnabled(True)
            return False  # shown as usual

        self.testing = self.ops.start(
            self, _("Connecting to {server}…").format(server=config.host),
            lambda _progress: mailing.test_connection(config, password), done=done, failed=failed,
        )
