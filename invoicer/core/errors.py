"""Typed errors that carry a message meant for the user (shown in a dialog or on stderr)."""

from __future__ import annotations


class InvoicerError(Exception):
    """A problem the user can understand and fix; ``str(err)`` is the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(InvoicerError):
    """Input that breaks a rule (bad amount, missing field, unknown country...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
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
