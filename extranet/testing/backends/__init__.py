"""Database backends for the tests: Django's, with a cheaper way to empty the tables after
each transactional test (websockets, threads, server processes). Chosen by
extranet/testing/settings.py only; production keeps Django's backends.

- Tables that the migrations fill and no test changes (content types, permissions) are
  kept: the post_migrate run after each flush then finds them complete instead of
  writing them again.
- On PostgreSQL, rows are deleted instead of `TRUNCATE`d: a TRUNCATE of ~130 tables gives
  each table, index and TOAST table a new file and syncs them all (seconds per test on a
  busy disk), while deleting the rows of these small tables, in one transaction with the
  foreign keys checked at its end (Django makes them DEFERRABLE INITIALLY DEFERRED),
  leaves the same empty tables in milliseconds.
"""

KEPT_TABLES = frozenset({"django_content_type", "auth_permission"})


def tables_to_empty(tables):
    return [table for table in tables if table not in KEPT_TABLES]
