"""Attendance services (being written)."""
