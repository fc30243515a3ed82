"""Registrations, waiting list and offers (being written)."""
