"""An ended session stays ended, whichever session engine runs (ADR 0035).

Production reads sessions from Redis (`yiwang.accounts.sessions`) when REDIS_URL is set. The
engine's tests run on a real private redis-server through `yiwang.core.redis_cache.RedisCache`
(skipped where none is installed) and on a local-memory cache (the same get / add / set
semantics); the last ones stop Redis while people are signed in.
"""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client

from yiwang.accounts import sessions
from yiwang.accounts.models import User
from yiwang.core.tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"
DATABASE = "django.contrib.sessions.backends.db"
CACHED = "yiwang.accounts.sessions"
STAND_IN = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions-test"}}


def _redis(url: str) -> dict[str, Any]:
    return {"default": {"BACKEND": "yiwang.core.redis_cache.RedisCache", "LOCATION": url}}


def _use(request: pytest.FixtureRequest, settings: Any, engine: str, cache: str) -> None:
    settings.SESSION_ENGINE = engine
    settings.CACHES = _redis(request.getfixturevalue("redis_url")) if cache == "redis" else STAND_IN
    caches["default"].clear()


@pytest.fixture(
    params=[
        pytest.param((DATABASE, "locmem"), id="database"),
        pytest.param((CACHED, "locmem"), id="cached-locmem"),
        pytest.param((CACHED, "redis"), id="cached-redis"),
    ]
)
def engine(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    _use(request, settings, *request.param)
    yield request.param[0]
    caches["default"].clear()


@pytest.fixture(params=["locmem", "redis"])
def cached(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    _use(request, settings, CACHED, request.param)
    yield
    caches["default"].clear()


@pytest.fixture
def on_redis(settings: Any, redis_server: RedisServer) -> RedisServer:
    """The cached engine on a redis-server of the test's own, which it stops and starts again."""
    settings.SESSION_ENGINE = CACHED
    settings.CACHES = _redis(redis_server.url)
    return redis_server


@pytest.fixture
def alice() -> User:
    return User.objects.create_user(username="alice", password=PASSWORD)


def _signed_in(username: str = "alice") -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def _copy(client: Client) -> Client:
    """Another browser holding the same session cookie (a stolen or a second tab's copy)."""
    other = Client()
    other.cookies[django_settings.SESSION_COOKIE_NAME] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return other


def _is_signed_in(client: Client) -> bool:
    """/accounts/home/ sends a signed-in applicant to 我的空间, anyone else to the login page."""
    location = client.get("/accounts/home/")["Location"]
    assert location.startswith(("/me/", "/accounts/login/")), location
    return location.startswith("/me/")


def test_a_copied_session_cookie_stops_working_at_logout(engine: str, alice: User) -> None:
    browser = _signed_in()
    copy = _copy(browser)
    assert _is_signed_in(copy)
    browser.post("/accounts/logout/")
    assert not _is_signed_in(copy)
    assert not _is_signed_in(browser)


def test_a_password_change_ends_every_session_at_once(engine: str, alice: User) -> None:
    first, second = _signed_in(), _signed_in()
    assert _is_signed_in(first) and _is_signed_in(second)
    alice.set_password("Another-horse-10")
    alice.save()
    assert not _is_signed_in(first)
    assert not _is_signed_in(second)


def test_a_deactivated_account_is_signed_out_at_once(engine: str, alice: User) -> None:
    browser = _signed_in()
    assert _is_signed_in(browser)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert not _is_signed_in(browser)


def test_a_signed_in_request_reads_no_session_row_with_the_cache(cached: None, alice: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = _signed_in()
    with CaptureQueriesContext(connection) as queries:
        assert _is_signed_in(browser)
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert [q for q in queries.captured_queries if "accounts_user" in q["sql"]]  # the person: every request


def test_a_read_from_just_before_a_logout_cannot_bring_the_session_back(cached: None, alice: User) -> None:
    """A second request of the same session missed the cache (evicted, Redis restarted) and read
    the row; the logout lands before it fills the cache with what it read."""
    browser = _signed_in()
    copy = _copy(browser)
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    caches["default"].delete(sessions.SessionStore.cache_key_prefix + key)
    read_row = DatabaseStore._get_session_from_db  # type: ignore[attr-defined]  # not in django-stubs
    logged_out: list[bool] = []

    def read_then_logout(store: sessions.SessionStore) -> Any:
        row = read_row(store)
        if not logged_out:  # once: the logout's own request reads the row too
            logged_out.append(True)
            browser.post("/accounts/logout/")
        return row

    with mock.patch.object(sessions.SessionStore, "_get_session_from_db", read_then_logout):
        assert _is_signed_in(copy)  # this request began before the logout: it is served
    assert not _is_signed_in(copy)  # the next one is not
    assert not _is_signed_in(browser)


def test_signed_in_pages_keep_working_when_the_cache_does_not_answer(cached: None, alice: User) -> None:
    browser = _signed_in()
    down = ConnectionError("Redis is down")
    cache = caches["default"]
    with (
        mock.patch.object(cache, "get", side_effect=down),
        mock.patch.object(cache, "add", side_effect=down),
        mock.patch.object(cache, "set", side_effect=down),
    ):
        assert _is_signed_in(browser)


def test_a_logout_the_cache_cannot_record_fails_without_ending_half_the_session(cached: None, alice: User) -> None:
    browser = _signed_in()
    browser.raise_request_exception = False
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    down, cache = ConnectionError("Redis is down"), caches["default"]
    with mock.patch.object(cache, "set", side_effect=down), mock.patch.object(cache, "delete", side_effect=down):
        assert browser.post("/accounts/logout/").status_code == 500
    # Nothing was ended (the row is there, as the copy Redis keeps): the person saw the error
    # and tries again.
    assert Session.objects.filter(session_key=key).exists()
    assert _is_signed_in(browser)
    browser.post("/accounts/logout/")
    assert not _is_signed_in(browser)


def _cached_copy(key: str) -> Any:
    return caches["default"].get(sessions.SessionStore.cache_key_prefix + key)


def test_people_stay_signed_in_while_redis_is_down_and_a_logout_waits_for_it(
    on_redis: RedisServer, alice: User
) -> None:
    browser = _signed_in()
    browser.raise_request_exception = False
    copy = _copy(browser)
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert _is_signed_in(copy) and _cached_copy(key)["_auth_user_id"] == str(alice.pk)  # Redis holds it
    on_redis.stop()
    assert _is_signed_in(browser) and _is_signed_in(copy)  # the row is read
    ready = Client().get("/api/v1/health/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["cache"].startswith("不可用")
    # The logout cannot leave its tombstone: it fails and nothing is ended.
    assert browser.post("/accounts/logout/").status_code == 500
    assert Session.objects.filter(session_key=key).exists()
    assert _is_signed_in(browser)
    on_redis.start()  # with what it held: the copy of the session from before it stopped
    assert _cached_copy(key)["_auth_user_id"] == str(alice.pk)
    assert browser.post("/accounts/logout/").status_code == 302  # the person tries again
    assert not _is_signed_in(copy)
    assert not _is_signed_in(browser)


def test_a_session_ended_as_redis_stops_stays_ended_when_it_is_back(on_redis: RedisServer, alice: User) -> None:
    """Redis goes away during a logout, after its tombstone and before the row is deleted: the
    copy of the session it held must not come back with it (Django's `cached_db` deleted the
    row first, then failed to delete that copy)."""
    browser = _signed_in()
    copy = _copy(browser)
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert _is_signed_in(copy) and _cached_copy(key)["_auth_user_id"] == str(alice.pk)  # Redis holds it
    delete_row = DatabaseStore.delete

    def stop_redis_then_delete(store: DatabaseStore, session_key: str | None = None) -> None:
        on_redis.stop()
        delete_row(store, session_key)

    with mock.patch.object(DatabaseStore, "delete", stop_redis_then_delete):
        assert browser.post("/accounts/logout/").status_code == 302
    on_redis.start()
    assert _cached_copy(key) == sessions.ENDED  # the tombstone came back from the AOF
    assert not _is_signed_in(copy)
    assert not _is_signed_in(browser)


def test_a_person_without_a_session_signs_in_while_redis_is_down(on_redis: RedisServer, alice: User) -> None:
    on_redis.stop()
    browser = _signed_in()
    assert _is_signed_in(browser)
    on_redis.start()
    assert _is_signed_in(browser)
    browser.post("/accounts/logout/")
    assert not _is_signed_in(browser)
