"""The tests' PostgreSQL backend empties the tables again when a test server wrote meanwhile."""

from unittest import mock

import pytest
from django.db import IntegrityError
from django.db.backends.postgresql import operations

from extranet.testing.backends.postgresql.base import FLUSH_ATTEMPTS, DatabaseOperations


def flush_with(outcomes):
    with mock.patch.object(operations.DatabaseOperations, "execute_sql_flush", side_effect=outcomes) as parent:
        DatabaseOperations(connection=None).execute_sql_flush(["DELETE FROM chat_presence;"])
    return parent


def test_a_flush_that_met_a_late_write_runs_again():
    late_write = IntegrityError('violates foreign key constraint "chat_presence_user_id_fk"')

    parent = flush_with([late_write, None])

    assert parent.call_count == 2


def test_a_flush_that_keeps_failing_raises_after_the_last_attempt():
    failures = [IntegrityError(f"attempt {n}") for n in range(1, FLUSH_ATTEMPTS + 1)]

    with pytest.raises(IntegrityError, match=f"attempt {FLUSH_ATTEMPTS}"):
        flush_with(failures)
