"""The calendar source of workshop sessions (being written)."""
