"""Counting uses per key in fixed windows, in the cache `limits` (a cheap, bounded-cost limit)."""

import time

from django.core.cache import caches


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one use of `key`; False once more than `limit` uses fell in this `window` seconds.

    The file cache's incr is not atomic: two processes can race and let a use or two too many
    through. The cost stays bounded all the same; a shared cache with atomic incr makes it exact.
    """
    cache = caches["limits"]
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window)
    try:
        count = cache.incr(bucket)
    except ValueError:  # the bucket expired between add and incr
        cache.set(bucket, 1, timeout=window)
        count = 1
    return count <= limit
