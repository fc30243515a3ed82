"""Periodic tasks (being written)."""
