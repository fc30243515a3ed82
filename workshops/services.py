"""Workshop lifecycle services (being written)."""
