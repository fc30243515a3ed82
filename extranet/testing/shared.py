"""Data built once for many tests: Django's `setUpTestData` idea, for pytest fixtures.

A module-scoped (or session-scoped) fixture opens an outer transaction, builds its data
inside it, and hands it to the tests; each test's own `db` fixture then runs in a
savepoint of that transaction, rolled back after the test, so every test sees the data
exactly as built. The outer transaction is rolled back when the fixture ends. Use it
for data the tests read (the URL walk's world, permission matrices); tests that need
committed data (`transaction=True`: sockets, threads, server processes) cannot share it.

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with shared_transaction(django_db_blocker):
            with building(django_db_blocker):
                data = build_the_world()
            yield data

The tests that use it must have database access (`db`, or `pytestmark = pytest.mark.django_db`).
Objects in `data` are shared: a test that changes one in memory must reload it
(`refresh_from_db`) or work on its own copy.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def shared_transaction(django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Like the atomic blocks of Django's TestCase: a durable block inside is allowed.
        outer._from_testcase = True
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@contextmanager
def building(django_db_blocker):
    """Database access while the shared data is built. At the end the deferred foreign-key
    checks of the build run once: left pending, PostgreSQL would run them all again at the
    end of every test (TestCase checks constraints in each test's savepoint)."""
    with django_db_blocker.unblock():
        yield
        connection.check_constraints()
