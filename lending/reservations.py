"""Written by its slice."""
