"""Typed errors that carry a message meant for the user: an English template and its values, put together
in the user's language where the message is shown (a dialog), or in English (``str(err)``: the command line,
logs, scripts)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Any


def N_(template: str) -> str:
    """Mark an English message (template) for translation; it is translated where it is shown, not here."""
    return template


def _english(template: str) -> str:
    return template


class Message:
    """An English template with named values, e.g. ``Message(N_("There is no invoice {id}."), id=7)``.

    Values that are Messages themselves (a label such as a field name, or another error's message) are put
    together in the same language. Without values the template is taken as it is, so a plain text holding
    braces (a library's message) needs no escaping.
    """

    def __init__(self, template: str, /, **values: object) -> None:
        self.template = template
        self.values = values

    def render(self, gettext: Callable[[str], str] = _english) -> str:
        """The text in the language of ``gettext`` (the identity gives English)."""
        text = gettext(self.template)
        if not self.values:
            return text
        return text.format_map(
            {name: value.render(gettext) if isinstance(value, Message) else _one_line(value)
             for name, value in self.values.items()}
        )

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.values!r})"


def _one_line(value: object) -> object:
    """Text a user gave, inside a message, with its control characters and line breaks escaped (``\\r``): the
    message stays the one line the command line promises, and a carriage return cannot overwrite it."""
    if not isinstance(value, str):
        return value
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)


def listing(labels: Sequence[str]) -> Message:
    """Labels (each marked with N_) as "a, b, c", every one translated where the message is shown."""
    return Message(", ".join(f"{{label{i}}}" for i in range(len(labels))),
                   **{f"label{i}": Message(label) for i, label in enumerate(labels)})


class InvoicerError(Exception):
    """A problem the user can understand and fix; ``str(err)`` is the English message, ``err.text`` the
    Message to show in the user's language (``i18n.error_text``)."""

    def __init__(self, message: str | Message, /, **values: object) -> None:
        self.text = message if isinstance(message, Message) else Message(message, **values)
        self.message = str(self.text)
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # errors cross process boundaries (PDF workers); rebuild them with their template, not from str(err)
        return _restore, (type(self), self.__dict__)


def _restore(kind: type[InvoicerError], state: dict[str, Any]) -> InvoicerError:
    error = kind.__new__(kind)
    Exception.__init__(error, state["message"])
    error.__dict__.update(state)
    return error


def reason(exc: BaseException) -> Message | str:
    """Another exception as a value in a message: an InvoicerError's own message (shown in the same
    language), else the exception's text as it is."""
    return exc.text if isinstance(exc, InvoicerError) else str(exc)


class ValidationError(InvoicerError):
    """Input that breaks a rule (bad amount, missing field, unknown country...)."""

    def __init__(self, message: str | Message, field: str | None = None, /, **values: object) -> None:
        super().__init__(message, **values)
        self.field = field


class NotFoundError(InvoicerError):
    """The record asked for does not exist."""


class TransitionError(InvoicerError):
    """A status change the invoice lifecycle does not allow."""


class FrozenError(InvoicerError):
    """An attempt to change a finalized document."""


class ConflictError(InvoicerError):
    """The action clashes with existing data (duplicate reference, date before last number...)."""


class StorageError(InvoicerError):
    """The database file cannot be used (newer version, corrupt, locked)."""


class ClashError(StorageError):
    """Another desk wrote the same records at the same moment (the server's deadlock or serialization failure):
    nothing was saved, and the whole action may safely run again."""
