"""Outgoing email: SMTP delivery, the keyring-held password, and message templates (no database here)."""
