"""Test settings: the project's settings plus what every test wants, in one place.

pytest loads this module (`DJANGO_SETTINGS_MODULE` in pyproject.toml); the server processes
of the browser and multi-process tests load it too (extranet.testing.servers), so that a
password hashed by the test process is checked by the server with the same hasher.

- a fast password hasher (factories hash one password per user; PBKDF2 costs ~0.3 s each);
- a stable SQLite test database name, next to its migrated template (extranet.testing.database)
  (pytest-xdist adds `_gw0`, `_gw1`... per worker); `MAILLAGE_TEST_DB` names another file
  for a second run on the same machine;
- backends that empty the tables faster after transactional tests
  (extranet/testing/backends), and on PostgreSQL commits that do not wait for the disk;
- e-mails kept in memory (`django.core.mail.outbox`); uploads in var/test-media(-gwN);
- the test servers (MAILLAGE_TEST_SERVER) without allauth's rate limits;
- on Redis, a cache whose clear() empties this run's keys only (extranet.testing.caches);
- under pytest-xdist, cache keys and channel-layer groups of each worker apart from the
  others' (on Redis they would otherwise share `user.5` between two test databases); the
  servers a worker starts inherit PYTEST_XDIST_WORKER and so compute the same prefixes.
"""

import os

from extranet.settings import *  # noqa: F403
from extranet.settings import CACHES, CHANNEL_LAYERS, DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
# Uploads and the demo's pictures, apart from the development server's var/media.
MEDIA_ROOT = VAR_DIR / (f"test-media-{_worker}" if _worker else "test-media")
PRIVATE_FILES_ROOT = VAR_DIR / (f"test-files-{_worker}" if _worker else "test-files")
STORAGES = {**STORAGES, "files": {**STORAGES["files"], "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None}}}  # noqa: F405
if os.environ.get("MAILLAGE_TEST_SERVER"):
    # The server process of the browser and multi-process tests (extranet.testing.servers):
    # every test logs in from 127.0.0.1 to the same long-lived process, whose cache the tests
    # cannot empty. allauth's rate limits are tested through the test client instead.
    ACCOUNT_RATE_LIMITS = False

_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["ENGINE"] = "extranet.testing.backends.sqlite3"
    _db["TEST"] = {"NAME": os.environ.get("MAILLAGE_TEST_DB") or str(VAR_DIR / "test.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["ENGINE"] = "extranet.testing.backends.postgresql"
    # Commits that do not wait for the disk: nothing in a test database must survive a crash.
    _db.setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # clear() empties this run's keys only, never the whole Redis database (FLUSHDB).
    CACHES["default"]["BACKEND"] = "extranet.testing.caches.RedisCacheOfThisRun"
if _worker:
    _cache = CACHES["default"]
    if "KEY_PREFIX" in _cache:
        _cache["KEY_PREFIX"] = f"{_cache['KEY_PREFIX']}-{_worker}"
    _config = CHANNEL_LAYERS["default"].get("CONFIG")
    if _config is not None and "prefix" in _config:
        _config["prefix"] = f"{_config['prefix']}-{_worker}"
