"""Session scheduling services (being written)."""
