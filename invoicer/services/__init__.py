"""Use cases, one module per aggregate. Each function runs inside the caller's transaction
(``db.engine.transaction``), uses the core for every rule and every cent, and leaves an audit event."""
