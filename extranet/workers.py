from django.core.exceptions import ImproperlyConfigured

IN_MEMORY_LAYER = "channels.layers.InMemoryChannelLayer"


def check_worker_count(workers, channel_layers):
    """Refuse several server processes sharing an in-memory channel layer."""
    backend = channel_layers.get("default", {}).get("BACKEND")
    if workers > 1 and backend == IN_MEMORY_LAYER:
        raise ImproperlyConfigured(
            f"WEB_CONCURRENCY={workers} asks for {workers} server processes, but the channel layer "
            "is in memory: realtime events would not reach the websockets of the other processes. "
            "Set REDIS_URL (channels-redis) to run several workers, or run one."
        )
