"""The cache in tests: emptied before and after every test (the root conftest), and on Redis
emptied of this run's keys only.

Rate limits count per member id, and ids come back from one test to the next. Django's
RedisCache.clear() is FLUSHDB: it would also empty the other pytest-xdist worker's keys
(its rate-limit counters, mid-test) and the channel layer's; the test settings use
`RedisCacheOfThisRun` instead, so that `cache.clear()` is safe anywhere in a test.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


class RedisCacheOfThisRun(RedisCache):
    def clear(self):
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return True


def clear_cache():
    caches["default"].clear()
