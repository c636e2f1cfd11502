"""Invoicer: offline desktop invoicing for small businesses."""

__version__ = "0.1.0"
APP_NAME = "Invoicer"
APP_ID = "invoicer"
