"""The Redis cache with one client per pool behaves as Django's, from many threads, against a
real redis-server (skipped where none is installed)."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from yiwang.core.localproc import free_port
from yiwang.core.redis_cache import RedisCache

redis = pytest.importorskip("redis")  # the [redis] extra
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server here")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port, directory = free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(directory)],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


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
