"""Guessing 用证授权 codes and links is throttled: per client address and per code prefix.

Every attempt is counted before the lookup, twice: for the client's address (an IPv6 client
by its /64), and for the first `PREFIX_LENGTH` characters of what was typed (across all addresses: a guesser who spreads
attempts over many addresses still hits the prefix limit). While either count over the last
window (the current fixed window plus the one before) is over its limit, attempts are refused
before the code is even looked up, so a refusal says nothing about any code; an attempt whose
code or link exists is taken back afterwards (it was no guess). The cost of the
prefix limit is that a genuine code sharing an attacked prefix waits out the window too (a
code has 32^10 values; 32^3 prefixes).

Counts live in Django's cache (Redis in production, the database cache otherwise), shared by
every web process. They are written outside any service transaction so a refused attempt's
count is never rolled back with it.
"""

import datetime as dt
import ipaddress

from django.conf import settings
from django.core.cache import cache

from yiwang.core import clock
from yiwang.core.errors import TooManyAttempts

PREFIX_LENGTH = 3
__all__ = ["TooManyAttempts", "attempt", "forgive"]


def _window() -> int:
    return int(getattr(settings, "LICENSE_USE_FAILURE_WINDOW_SECONDS", 900))


def _limits() -> dict[str, int]:
    return {
        "ip": int(getattr(settings, "LICENSE_USE_MAX_FAILURES_PER_ADDRESS", 10)),
        "prefix": int(getattr(settings, "LICENSE_USE_MAX_FAILURES_PER_PREFIX", 30)),
    }


def _keys(scope: str, value: str, at: dt.datetime) -> tuple[str, str]:
    bucket = int(at.timestamp()) // _window()
    return (f"yiwang:license-use:{scope}:{value}:{bucket}", f"yiwang:license-use:{scope}:{value}:{bucket - 1}")


def _scopes(client_ip: str, secret: str) -> dict[str, str]:
    return {"ip": _address(client_ip), "prefix": secret[:PREFIX_LENGTH].upper() or "-"}


def _address(client_ip: str) -> str:
    """The address a limit counts: an IPv6 client by its /64 (one subscriber holds a whole
    /64, so counting single addresses would be no limit at all), IPv4 as it is."""
    try:
        ip = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip[:64] or "-"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _add(key: str, delta: int) -> int:
    keep = 2 * _window()
    cache.add(key, 0, timeout=keep)
    try:
        value = int(cache.incr(key, delta))
    except ValueError:  # expired between add and incr
        value = max(delta, 0)
        cache.set(key, value, timeout=keep)
    cache.touch(key, timeout=keep)  # a non-atomic incr (database cache) resets the expiry
    return value


def attempt(*, client_ip: str, secret: str) -> None:
    """Count this attempt against the address and the prefix *before* the lookup (so parallel
    guesses cannot all pass a check made before any of them is counted); TooManyAttempts
    (Chinese, naming the wait) when either is over its limit. `forgive` takes the count back
    for a code that turned out to exist."""
    limits = _limits()
    now = clock.now()
    for scope, value in _scopes(client_ip, secret).items():
        current, previous = _keys(scope, value, now)
        total = _add(current, 1) + int(cache.get(previous) or 0)
        if total > limits[scope]:
            minutes = max(_window() // 60, 1)
            raise TooManyAttempts(
                f"授权码或授权链接错误次数过多，已暂时限制使用，请约 {minutes} 分钟后再试。", rule=f"throttle_{scope}"
            )


def forgive(*, client_ip: str, secret: str) -> None:
    """A code or link that exists was not a guess: take its attempt back."""
    now = clock.now()
    for scope, value in _scopes(client_ip, secret).items():
        _add(_keys(scope, value, now)[0], -1)
