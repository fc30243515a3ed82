"""The project's pytest plugin, loaded before Django (`-p extranet.testing.plugin` in
pyproject.toml).

- Test defaults for the settings: the developer's local `.env` is ignored so that tests
  run the same everywhere, DEBUG=1; the variables CI sets (DATABASE_URL, REDIS_URL) still
  come from the environment. The test settings themselves: extranet.testing.settings.
- Tiers: tests marked `browser` (Chromium), `multiprocess` (server processes) or
  `subprocess` (a Python process) are the slow tiers, left out by `make test-fast`. They
  get a longer per-test timeout (SLOW_TIMEOUT) than the rest (`timeout` in pyproject.toml):
  a hang fails that test with a stack trace instead of stalling the run.
"""

import os

import pytest

os.environ.setdefault("MAILLAGE_ENV_FILE", os.devnull)
os.environ.setdefault("DEBUG", "1")

SLOW_TIERS = ("browser", "multiprocess", "subprocess")
SLOW_TIMEOUT = 240  # seconds, for one test of a slow tier (server start-up included)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("timeout") is None and any(item.get_closest_marker(t) for t in SLOW_TIERS):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))
