"""Real parallel attempts for the concurrency tests: threads released together.

Each attempt runs in its own thread with its own database connection, all released at a
barrier at once, so that the database (SQLite's IMMEDIATE transactions, PostgreSQL's
row locks and constraints) settles the race. Tests using it need transactional
database access (`django_db(transaction=True)`).
"""

import contextlib
import threading

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation


def run_together(attempts, *, language=None):
    """Run each attempt in its own thread, all released at once.

    An attempt is a callable, or a dict {"prepare": callable, "act": callable(prepared)}
    whose `prepare` runs before the barrier (loading the thread's own copies of objects).
    Returns one (outcome, value) per attempt: ("ok", result), ("invalid", ValidationError),
    ("denied", PermissionDenied) or ("error", any other exception). `language`: the
    language active in the threads (messages compared in English, say).
    """
    barrier = threading.Barrier(len(attempts))
    results = [None] * len(attempts)

    def worker(index, attempt):
        if callable(attempt):
            attempt = {"prepare": lambda: None, "act": lambda _prepared, call=attempt: call()}
        try:
            with translation.override(language) if language else contextlib.nullcontext():
                prepared = attempt["prepare"]()  # own connection, own copies of the objects
                barrier.wait(timeout=30)
                results[index] = ("ok", attempt["act"](prepared))
        except ValidationError as exc:
            results[index] = ("invalid", exc)
        except PermissionDenied as exc:
            results[index] = ("denied", exc)
        except Exception as exc:  # reported by the test's assertions
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an attempt is still running"
    return results


def outcomes(results):
    """The sorted outcomes, after checking that no attempt failed unexpectedly."""
    assert [r for r in results if r[0] == "error"] == [], results
    return sorted(r[0] for r in results)
