"""The test database, copied from a migrated template instead of migrated at every run.

Running the ~150 migrations costs 20 to 40 s per test process (more on PostgreSQL, and once
per pytest-xdist worker). The first process to need it migrates a test database as usual
and keeps a copy as the template; the others, and later runs, copy the template (under a
lock, so that parallel workers migrate once) and then run `migrate`, which finds nothing
to do. The template's name carries a key: the hash of every migration file of the project
and of the pinned requirements (third-party migrations change with their versions), so a
new or edited migration makes a new template; templates of other keys are removed.

- SQLite: `var/test-template-<key>.sqlite3`, copied with SQLite's backup API.
- PostgreSQL: a database `maillage_test_template_<key>`, copied by
  `CREATE DATABASE ... TEMPLATE` under an advisory lock.

Every run starts from a copy of the template, `--reuse-db` included: a database kept from an
earlier run has been emptied by its transactional tests (the rows the data migrations made,
the home page among them, are gone), and the copy costs about a second. `--reuse-db` only
keeps the test database at the end. To rebuild a template by hand, delete
`var/test-template-*.sqlite3` or drop the `maillage_test_template_*` database. With
`--nomigrations` the tables are made from the models, without a template. The root
conftest.py uses `setup` as its `django_db_setup` fixture.

The time spent here (a whole migration while another worker holds the lock) is not
counted in the per-test timeout of the test that happens to need the database first.
"""

import contextlib
import fcntl
import hashlib
import os
import signal
import sqlite3
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases

TEMPLATE_PREFIX = "maillage_test_template_"
LOCK_ID = 0x6D61696C  # "mail": the advisory lock of the template on PostgreSQL


def migrations_key():
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for path in sorted(base.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    digest.update((base / "requirements.txt").read_bytes())
    return digest.hexdigest()[:16]


def setup(*, verbosity, use_migrations, aliases, serialized_aliases):
    """Create the test database(s) like django.test.utils.setup_databases, from the template
    when there is one. Returns what django.test.utils.teardown_databases needs."""
    connection = connections["default"]
    test_name = connection.creation._get_test_db_name()
    args = {"verbosity": verbosity, "interactive": False, "aliases": aliases, "serialized_aliases": serialized_aliases}
    with _timeout_paused():
        if not use_migrations:
            from pytest_django.fixtures import _disable_migrations

            _disable_migrations()
            return setup_databases(**args)
        if connection.vendor == "sqlite" and not connection.creation.is_in_memory_db(test_name):
            return _from_sqlite_template(connection, test_name, args)
        if connection.vendor == "postgresql":
            return _from_postgresql_template(connection, test_name, args)
        return setup_databases(**args)


@contextlib.contextmanager
def _timeout_paused():
    """pytest-timeout's alarm (SIGALRM) stopped while the database is made, then given back."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    remaining, _interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining)




# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_copy(source, target):
    """Copy a database file (WAL included) with SQLite's backup API; `target` is replaced."""
    partial = f"{target}.partial"
    for name in (target, partial):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
    os.replace(partial, target)


@contextlib.contextmanager
def _file_lock(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _from_sqlite_template(connection, test_name, args):
    folder = Path(test_name).resolve().parent
    template = folder / f"test-template-{migrations_key()}.sqlite3"
    with _file_lock(folder / "test-template.lock"):
        if not template.exists():
            config = setup_databases(**args)  # migrates the test database
            connection.close()
            _sqlite_copy(test_name, template)
            for old in folder.glob("test-template-*.sqlite3"):
                if old != template:
                    old.unlink(missing_ok=True)
            return config
        _sqlite_copy(str(template), test_name)
    return setup_databases(keepdb=True, **args)  # migrate: nothing to do


# --- PostgreSQL -----------------------------------------------------------------------------


def _from_postgresql_template(connection, test_name, args):
    template = f"{TEMPLATE_PREFIX}{migrations_key()}"
    quote = connection.ops.quote_name
    # The lock lives as long as this maintenance connection.
    with connection._nodb_cursor() as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
        try:
            lock.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [TEMPLATE_PREFIX + "%"])
            templates = {row[0] for row in lock.fetchall()}
            # FORCE: a server process left behind by an interrupted run may still be connected.
            lock.execute(f"DROP DATABASE IF EXISTS {quote(test_name)} WITH (FORCE)")
            if template not in templates:
                config = setup_databases(**args)  # migrates the test database
                connections.close_all()
                lock.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(test_name)}")
                for old in templates:
                    lock.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
                return config
            lock.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
    return setup_databases(keepdb=True, **args)  # migrate: nothing to do
