"""PostgreSQL for the tests (see extranet/testing/backends/__init__.py)."""

from django.db import DatabaseError
from django.db.backends.postgresql import base, operations

from extranet.testing.backends import tables_to_empty

FLUSH_ATTEMPTS = 5


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables_to_empty(tables)
        ]

    def execute_sql_flush(self, sql_list):
        """Empty the tables, again if a server process of the tests wrote meanwhile.

        A browser or multi-process test's server may still be handling a socket its test
        has closed (a tab's presence: a row that refers to a member) while the tables are
        emptied: the rows are deleted table by table, so that row, committed between the
        deletion of its table and the deletion of the member's, fails the foreign key check
        at the end of the flush (or the two transactions deadlock). The flush is one
        transaction, rolled back whole; run again, it finds that row and deletes it."""
        for attempt in range(1, FLUSH_ATTEMPTS + 1):
            try:
                return super().execute_sql_flush(sql_list)
            except DatabaseError:
                if attempt == FLUSH_ATTEMPTS:
                    raise


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
