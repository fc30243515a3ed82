"""Dashboard widget (being written)."""
