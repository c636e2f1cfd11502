"""Qt item models over service queries (the invoice list fetches lazily, page by page)."""
