"""Demand services (being written)."""
