"""Sessions read from the shared cache (Redis), kept in PostgreSQL (ADR 0035).

`settings.SESSION_ENGINE` names this module when `REDIS_URL` is set: every logged-in request
reads its session from Redis instead of a `django_session` query; every write still goes to
the table first, so Redis holds nothing PostgreSQL has not got (docs/production-shape.md).
Without Redis the cache is the database cache and Django's database engine is used (a cache
read there is a query too).

Django's `cached_db` engine with three changes, so that an ended session stays ended:

- **Ending a session leaves a tombstone** in the cache (logout, the old key at login), written
  *before* the row is deleted. If the cache cannot take it, the logout fails visibly and
  nothing has changed; the stock engine deleted the row first and could leave the cached copy
  behind (Redis keeps it across a restart, AOF on), bringing the session back.
- **A read that fills the cache uses `add`**, never `set`: a request that read the row just
  before a logout cannot put the session back over the tombstone.
- **A read survives a cache that does not answer** by reading the row (the stock engine
  failed the request when it could not store what it had read), and so does a login drawing
  a new session key (the stock engine asked the cache whether the key was taken, and failed).

A person's row (`accounts_user`) is still read on every request (ADR 0007): a password change
or a deactivated account ends every session at once, whatever the session engine.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.models import Session
from django.core.cache.backends.base import BaseCache

log = logging.getLogger(__name__)
ENDED = "yiwang:session-ended"  # the tombstone's value (never a session's: those are dicts)


class SessionStore(CachedDbStore):
    # Django's (cached_db's cache, the database engine's row read); not in django-stubs.
    _cache: BaseCache
    _get_session_from_db: Callable[[], Session | None]

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception as exc:  # any failure of the cache: the row decides
            log.warning("session cache not answering, reading the database: %s", exc)
            return self._load_row(fill=False)
        if data == ENDED:
            self._session_key = None  # as for a deleted row: a later save makes a new key
            return {}
        if data is None:
            return self._load_row(fill=True)
        return data  # type: ignore[no-any-return]

    def _load_row(self, *, fill: bool) -> dict[str, Any]:
        row = self._get_session_from_db()
        if row is None:
            return {}
        data: dict[str, Any] = self.decode(row.session_data)
        if fill:
            try:
                self._cache.add(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
            except Exception as exc:  # the next read tries again
                log.warning("session cache not answering, not filling it: %s", exc)
        return data

    def exists(self, session_key: str) -> bool:
        """Asked while drawing a new session key (every login): the cache (a tombstone counts
        too), then the table; a cache that does not answer leaves the table to decide, so a
        person can sign in while Redis is down. A database error is not caught here."""
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception as exc:
            log.warning("session cache not answering, checking the database: %s", exc)
        return super(CachedDbStore, self).exists(session_key)

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # The tombstone first, for as long as any session lives: raises when the cache is down.
        self._cache.set(self.cache_key_prefix + session_key, ENDED, settings.SESSION_COOKIE_AGE)
        super(CachedDbStore, self).delete(session_key)  # the row (the database engine's delete)

    # The platform is served by WSGI; Django's async defaults would skip the tombstone above.
    async def aload(self) -> dict[str, Any]:
        raise NotImplementedError("yiwang.accounts.sessions is synchronous (ADR 0035)")

    async def adelete(self, session_key: str | None = None) -> None:
        raise NotImplementedError("yiwang.accounts.sessions is synchronous (ADR 0035)")

    async def aflush(self) -> None:
        raise NotImplementedError("yiwang.accounts.sessions is synchronous (ADR 0035)")

    async def acycle_key(self) -> None:
        raise NotImplementedError("yiwang.accounts.sessions is synchronous (ADR 0035)")

    async def aexists(self, session_key: str) -> bool:
        raise NotImplementedError("yiwang.accounts.sessions is synchronous (ADR 0035)")
