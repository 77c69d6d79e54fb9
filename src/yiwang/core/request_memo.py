"""What one request reads once: values memoised for the length of a request, and only then.

A workbench page asked the database for the user's staff posts once per policy question (the
side navigation alone asked seven times: bench/results/cases-20261205.txt). `memoized(key,
compute)` answers the second question from the first answer while `RequestMemoMiddleware`
runs a request; outside a request (services called by commands, tasks, tests) it computes
every time, so nothing can go stale there. A service that changes what is memoised within a
request calls `forget(key)`.

The memo is a context variable: each thread (and each asyncio task) has its own.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")
_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("yiwang_request_memo", default=None)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per request for `key` (every time outside a request)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]


def forget(key: Hashable) -> None:
    """Drop `key` from the memo of the running request (after a write that changes it)."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
