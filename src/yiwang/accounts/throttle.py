"""Login throttling: count failures per account and per client address in the cache.

After settings.LOGIN_MAX_FAILURES failures within LOGIN_FAILURE_WINDOW_SECONDS, further
attempts are refused without checking the password, so guessing costs the attacker the
whole window. A success clears the account's counter (not the address's).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"yiwang:login-failures:{kind}:{digest}"


def is_locked(*, username: str, address: str) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    return any(cache.get(_key(kind, value), 0) >= limit for kind, value in (("user", username), ("addr", address)))


def record_failure(*, username: str, address: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for kind, value in (("user", username), ("addr", address)):
        key = _key(kind, value)
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def clear(*, username: str) -> None:
    cache.delete(_key("user", username))
