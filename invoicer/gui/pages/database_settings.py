"""Settings → Database: which database this desk uses (the local file or a shared PostgreSQL server), a connection
test off the UI thread, and switching to a server (its password to the system keyring) or back to the local file."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from invoicer import paths
from invoicer.core.errors import InvoicerError
from invoicer.gui import messages
from invoicer.gui.operations import Job, Operations
from invoicer.gui.style import warning_style
from invoicer.i18n import _, error_text
from invoicer.services import server

ADDRESS_EXAMPLE = "postgresql://user@host/database"


class DatabaseSettingsWidget(QWidget):
    """The database part of Settings. Switching takes effect at the next start: ``restart`` closes the window."""

    def __init__(self, ops: Operations, restart: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.restart = restart
        self.testing: Job | None = None
        self.in_use = QLabel()
        self.in_use.setObjectName("database_in_use")
        self.in_use.setWordWrap(True)
        self.address = QLineEdit()
        self.address.setObjectName("server_address")
        self.address.setPlaceholderText(ADDRESS_EXAMPLE)
        self.password = QLineEdit()
        self.password.setObjectName("server_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        note = QLabel(_("The password is kept in the system keyring, never in a file. Leave it empty when the "
                        "server needs none, or when the keyring has it already."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        self.result = QLabel()
        self.result.setObjectName("server_test_result")
        self.result.setWordWrap(True)
        self.test_button = QPushButton(_("&Test connection"))
        self.test_button.setObjectName("test_server")
        self.test_button.clicked.connect(self.test)
        self.use_server_button = QPushButton(_("&Use this server"))
        self.use_server_button.setObjectName("use_server")
        self.use_server_button.clicked.connect(self.use_server)
        self.use_local_button = QPushButton(_("Use the local &file"))
        self.use_local_button.setObjectName("use_local_file")
        self.use_local_button.clicked.connect(self.use_local_file)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.use_server_button, self.use_local_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow(_("Server &address"), self.address)
        form.addRow(_("Pass&word"), self.password)
        form.addRow("", note)
        explain = QLabel(_("A business shared by several desks lives on a PostgreSQL server: every desk set to it "
                           "works on the same books. The local file needs no set-up and works without a network. "
                           "A change takes effect when Invoicer starts again."))
        explain.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.in_use)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.load()

    def load(self) -> None:
        db = self.ops.db
        if db.url:
            self.in_use.setText(_("This desk uses the shared database on the server {address}.").format(address=db.url))
        else:
            self.in_use.setText(_("This desk uses its local database file {path}.").format(
                path=paths.database_path(db.folder)))
        self.address.setText(db.url or server.saved_url(db.folder) or "")
        self.use_local_button.setEnabled(db.url is not None or server.saved_url(db.folder) is not None)

    def _address(self) -> str | None:
        address = self.address.text().strip()
        if not address:
            messages.show_error(self, _("Enter the server's address first, like {example}.").format(
                example=ADDRESS_EXAMPLE))
            self.address.setFocus()
            return None
        return address

    def _show(self, text: str, problem: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(warning_style() if problem else "")

    def test(self) -> None:
        address = self._address()
        if address is None or self.testing is not None:
            return
        password = self.password.text() or None
        folder = self.ops.db.folder

        def done(_result: object) -> None:
            self.testing = None
            self._show(_("The server answers and holds a current Invoicer database."), problem=False)

        def failed(error: BaseException) -> bool:
            self.testing = None
            if isinstance(error, InvoicerError):
                self._show(error_text(error), problem=True)
                return True
            return False  # a bug: reported as one

        self.testing = self.ops.start(
            self, _("Connecting to {server}…").format(server=address),
            lambda _progress: server.check_server(address, folder, password), done=done, failed=failed,
        )

    def use_server(self) -> None:
        address = self._address()
        if address is None:
            return
        password = self.password.text() or None
        if self.ops.run(self, lambda: server.use_server(self.ops.db.folder, address, password)) is None:
            return
        self.password.clear()
        messages.show_info(self, _("This desk now uses the server {address}. Invoicer closes; start it again to "
                                   "work there.").format(address=address))
        self.restart()

    def use_local_file(self) -> None:
        if self.ops.run(self, lambda: server.save_connection(self.ops.db.folder, None)) is None:
            return
        messages.show_info(self, _("This desk uses its local database file again. Invoicer closes; start it "
                                   "again to work there."))
        self.restart()
