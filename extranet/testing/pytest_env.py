"""Loaded by pytest before Django (see pyproject.toml): test defaults for the settings.

The variables CI sets (DATABASE_URL, REDIS_URL) still come from the environment; the
developer's local `.env` is ignored so that tests run the same everywhere.
"""

import os

os.environ.setdefault("MAILLAGE_ENV_FILE", os.devnull)
os.environ.setdefault("DEBUG", "1")
