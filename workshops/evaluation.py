"""Evaluation services (being written)."""
