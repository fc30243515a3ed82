"""SQLite for the tests (see extranet/testing/backends/__init__.py): Django's flush already
deletes rows; the tables filled by the migrations are kept."""

from django.db.backends.sqlite3 import base, operations

from extranet.testing.backends import tables_to_empty


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not reset_sequences and not allow_cascade:
            tables = tables_to_empty(tables)
        return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
