"""Dialogs: invoice editor, payment, credit note, customer, product, tax rate, history."""
