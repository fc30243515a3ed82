"""Loaded by pytest before Django (see pyproject.toml): test defaults for the settings.

The variables CI sets (DATABASE_URL, REDIS_URL) still come from the environment; the
developer's local `.env` is ignored so that tests run the same everywhere.
"""

import os

os.environ.setdefault("MAILLAGE_ENV_FILE", os.devnull)
os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
# by the same tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
