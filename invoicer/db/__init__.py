"""Persistence: SQLAlchemy models, engine and sessions, migrations, backups. Nothing else touches SQL."""
