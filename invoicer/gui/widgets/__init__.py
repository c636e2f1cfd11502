"""Reusable widgets: status badge delegate, search field, charts, list tables."""
