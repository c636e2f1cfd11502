"""Pure domain rules: money, totals, workflow, numbering. No Qt, no SQLAlchemy, no I/O."""
