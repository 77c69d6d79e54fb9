"""Shared pytest fixtures: the demo world and logged-in clients for its personas."""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from yiwang.core.calendar import calendar_changed
from yiwang.core.tests.redis_server import RedisServer, started

# Tests never time: no per-example deadline (Hypothesis's default 200 ms failed a property
# test while the SQLite and PostgreSQL runs shared two busy cores).
hypothesis_settings.register_profile("yiwang", deadline=None)
hypothesis_settings.load_profile("yiwang")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache(db: None) -> None:
    """Each test starts with the calendar rebuilt from its own database."""
    calendar_changed()


@pytest.fixture
def calendar_version_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The calendar's version is read from the (database) cache at most once a second: keep
    that read out of query counts, which would otherwise depend on how long a scene took."""
    monkeypatch.setattr("yiwang.core.calendar.VERSION_CHECK_SECONDS", 3600.0)


@pytest.fixture
def calendar(db: None) -> None:
    from django.conf import settings

    from yiwang.core.calendar import calendar_seed

    calendar_seed(years=settings.CALENDAR_SEED_YEARS)


@pytest.fixture
def world(calendar: None) -> None:
    from yiwang.demo.world import load_world

    load_world()


@pytest.fixture
def login_as(world: None) -> Callable[[str], Client]:
    from yiwang.accounts.models import User

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server (no persistence) shared by the run; skipped where none is installed."""
    server = started(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of this test's own, with its AOF on: the test may stop it and start it again."""
    server = started(tmp_path_factory.mktemp("redis-aof"), appendonly=True)
    yield server
    server.stop()
