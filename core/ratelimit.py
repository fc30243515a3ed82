"""Fixed-window counters in Django's cache (shared by every process when REDIS_URL is set).

`hit(key, limit, window)` counts one attempt and says whether it went past the limit; the
window starts with the first attempt. Used by the public forms (per address) and the
chat (per member).
"""

from django.core.cache import cache


def hit(key, *, limit, window):
    """Count one attempt under `key`; True when it is beyond `limit` in the current window."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
