"""The business as the first window reads it, before SQLAlchemy is loaded: the local file through db/fastread.py.

The desktop app paints its window from this read, loads the ORM and the services in the background, and then opens
the store as usual (``FirstRead.open``); from then on everything goes through ``services.store``. A desk set to a
shared server, an encrypted file, a file to migrate (or to create) and a read-only folder take the normal path
from the start: ``first_read`` returns None for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from invoicer import paths
from invoicer.core.listing import InvoiceFilter, InvoiceRow
from invoicer.db import fastread

if TYPE_CHECKING:
    from invoicer.services.store import Database

#: the interface language's setting (declared with its title and rule in services/settings.py)
LANGUAGE_KEY = "ui.language"
#: the modules the app loads after the first paint, in the background: the store, and the services the first
#: page asks once it has them
LATER = ("invoicer.services.store", "invoicer.services.settings", "invoicer.services.invoices",
         "invoicer.services.customers", "invoicer.services.backups")


@dataclass(frozen=True)
class FirstRead:
    """The local database file at this version's schema, read without the ORM."""

    folder: Path
    path: Path
    url: None = None  # never a shared server (as ``Database.url``)

    def language(self) -> str | None:
        """The ``ui.language`` setting (None: follow the system)."""
        value = fastread.setting(self.path, LANGUAGE_KEY)
        return value if isinstance(value, str) and value else None

    def answers(self, flt: InvoiceFilter, sort: str) -> bool:
        """Can this read give the list ``flt`` asks for, sorted by ``sort``? (Any search or filter needs the ORM.)"""
        return flt.is_everything() and sort in fastread.sorts()

    def invoice_page(self, flt: InvoiceFilter, *, today: date, sort: str, descending: bool, limit: int,
                     offset: int = 0) -> list[InvoiceRow]:
        """The rows services.invoices.list_invoices gives, for a list this read ``answers``."""
        return fastread.invoice_page(self.path, flt.doc_type, today=today, sort=sort, descending=descending,
                                     limit=limit, offset=offset)

    def count(self, flt: InvoiceFilter) -> int:
        """services.invoices.count_invoices, for a list this read ``answers``."""
        return fastread.count_documents(self.path, flt.doc_type)

    def open(self) -> Database:
        """The store, opened as usual (SQLAlchemy is loaded now if the background has not loaded it yet)."""
        from invoicer.services import store

        return store.open_database(self.folder, daily_backup=False)


def first_read(folder: Path) -> FirstRead | None:
    """The first window's read of ``folder``, or None when the normal path must open it (see the module's doc)."""
    path = paths.database_path(folder)
    if paths.server_connection_path(folder).exists() or not os.access(folder, os.W_OK) or not os.access(path, os.W_OK):
        return None
    return FirstRead(folder, path) if fastread.readable(path) else None
