"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation,
and building one fills its table of ~170 response callbacks: more than half of the CPU of a
cache read (bench/profile_edge.py, docs/performance-cpu.md "What every request pays"). A client
holds no connection of its own — it takes one from the pool for each command and gives it
back — and redis-py documents clients as safe to share between threads, so one per pool is
kept and reused. Everything else (pools, serializer, options) is Django's.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _SharedClients(RedisCacheClient):
    # Django's (the client class and the pool per server); not in django-stubs.
    _client: Callable[..., Any]
    _get_connection_pool: Callable[[bool], Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}  # id(pool) -> redis.Redis (redis is an optional extra)

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # made once per server and kept: its id is stable
        client = self._clients.get(id(pool))
        if client is None:  # two threads may both make one: the last kept is as good
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """settings.CACHES["default"] when REDIS_URL is set."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClients
