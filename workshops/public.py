"""Public agenda reads and the venue page section (being written)."""
