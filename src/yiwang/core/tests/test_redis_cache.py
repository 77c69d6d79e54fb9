"""The Redis cache with one client per pool behaves as Django's, from many threads, against a
real redis-server (`redis_url`, in the root conftest.py; skipped where none is installed)."""

from concurrent.futures import ThreadPoolExecutor

from yiwang.core.redis_cache import RedisCache


def test_values_round_trip_and_add_never_overwrites(redis_url: str) -> None:
    cache = RedisCache(redis_url, {})
    cache.set("calendar-version", {"version": 7}, 60)
    assert cache.get("calendar-version") == {"version": 7}
    assert cache.add("calendar-version", {"version": 8}, 60) is False
    assert cache.get("calendar-version") == {"version": 7}
    cache.delete("calendar-version")
    assert cache.get("calendar-version", "gone") == "gone"


def test_one_client_serves_every_call(redis_url: str) -> None:
    cache = RedisCache(redis_url, {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client  # Django's own builds a new one per call
    assert cache._cache.get_client("another-key") is client


def test_threads_sharing_the_client_each_read_their_own_values(redis_url: str) -> None:
    cache = RedisCache(redis_url, {})

    def work(worker: int) -> list[int]:
        seen = []
        for i in range(200):
            cache.set(f"w{worker}", i, 60)
            seen.append(cache.get(f"w{worker}"))
        return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(seen == list(range(200)) for seen in results)
