"""Read routing to a PostgreSQL streaming replica (docs/operations.md §4a, ADR 0022).

With `DATABASE_REPLICA_URL` set, the pages that only read what everyone may read — the guide,
disclosure, public data and ratings, the supervision dashboards (`REPLICA_READ_ROUTES`, URL
pattern names or their prefixes) — read from the replica, unless:

- the request is not a GET/HEAD, or runs inside a transaction on the primary (a read in a
  write transaction must see that transaction);
- the client wrote recently: every unsafe request sets a short-lived cookie
  (`READ_YOUR_WRITES_SECONDS`), and while it lives the client reads from the primary, so a
  person never misses their own change;
- the replica lags more than `REPLICA_MAX_LAG_SECONDS` or does not answer: checked at most
  every `REPLICA_CHECK_SECONDS` per process, and skipped until the next check.

Writes always go to the primary (an object read from the replica is saved to the primary).
Sessions, login throttling and the database cache never read from the replica.
"""

import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
READ_YOUR_WRITES_COOKIE = "yiwang_rw"
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_cache", "django_tasks_db"})
_SAFE = frozenset({"GET", "HEAD"})

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)
log = logging.getLogger(__name__)

# The replica's lag in seconds: 0 when it has replayed all it received (or is not replaying:
# a mirror in tests), None when the query fails. Interval since the last replayed commit otherwise.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass
class _Probe:
    checked_at: float = float("-inf")
    lag: float | None = None


_probe = _Probe()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag(*, fresh: bool = False) -> float | None:
    """The replica's lag in seconds (None: not answering), probed at most every
    REPLICA_CHECK_SECONDS per process unless `fresh`."""
    now = time.monotonic()
    if fresh or now - _probe.checked_at >= settings.REPLICA_CHECK_SECONDS:
        _probe.checked_at = now
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(LAG_SQL)
                _probe.lag = float(cursor.fetchone()[0])
        except DatabaseError as exc:
            if _probe.lag is not None:
                log.warning("replica not answering, reading from the primary: %s", exc)
            _probe.lag = None
            connections[REPLICA].close()
    return _probe.lag


def replica_usable() -> bool:
    lag = replica_lag()
    return lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when a replica is configured."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _use_replica.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block or not replica_usable():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _replica_route(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None else ""
    return any(name == route or name.startswith(f"{route}_") for route in settings.REPLICA_READ_ROUTES)


class ReplicaReadMiddleware:
    """Decides per request whether reads may go to the replica; marks clients that wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _use_replica.reset(token)
        if request.method not in _SAFE and replica_configured():
            response.set_cookie(
                READ_YOUR_WRITES_COOKIE,
                "1",
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        if (
            request.method in _SAFE
            and READ_YOUR_WRITES_COOKIE not in request.COOKIES
            and replica_configured()
            and _replica_route(request)
        ):
            request._replica_token = _use_replica.set(True)  # type: ignore[attr-defined]
