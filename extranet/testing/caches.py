"""Emptying the cache between tests (rate-limit counters count per member id, and ids come
back from one test to the next)."""

from django.core.cache import caches


def clear_cache():
    """Empty the default cache. On Redis, only the keys of this run's prefix (never FLUSHDB:
    other runs, and this run's channel layer, may share the database)."""
    cache = caches["default"]
    if cache.__class__.__name__ == "RedisCache" and cache.key_prefix:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
