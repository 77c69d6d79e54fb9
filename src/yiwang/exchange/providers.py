"""Where shared data comes from: one small interface, the platform's own data, an HTTP
adapter for another department's system, and a circuit breaker so a failing system costs at
most its timeout.

A provider answers `fetch(resource, subject_id, fields)` with the record (only those fields)
or raises `ProviderFailed` with a reason a person can read (`code`: `not_found`,
`timeout`, `unavailable`, `invalid`, `refused`, `circuit_open`, `busy`, `not_configured`).

`HttpProvider` speaks the protocol of `devprovider.py` (GET
/records/<resource>/<subject>?fields=…, Bearer key) to the system the resource names
(`DataResource.system` = `http:<system>`; settings.EXCHANGE_SYSTEMS maps the system to its
base URL and key). Its budget is settings.EXCHANGE_TIMEOUT seconds in all: a retry of a 5xx
or a refused connection happens only inside what is left of it. Answers are checked against
the resource's declared fields (types, only what was asked, sizes, no control characters)
before anyone sees them. After EXCHANGE_BREAKER_FAILURES consecutive failures the system's
circuit opens for EXCHANGE_BREAKER_SECONDS: reads fail at once (`circuit_open`) instead of
each waiting for the timeout; then one trial read decides. At most EXCHANGE_MAX_CONCURRENT
reads per system are in flight in one process (a bulkhead): a system that hangs holds that
many threads for its timeout, and further reads of it fail at once (`busy`) while every other
system is read as usual.

The platform's own data (`DataResource.system` = `platform:<source>`) is served by the app
that owns it: its `AppConfig.ready` registers a source with `register_platform_source`
(cases: `decisions` and `licenses`, composing licenses as ADR 0015 says; exchange itself:
`calendar`). A source answers from the database through that app's selectors and raises
`ProviderFailed("not_found", …)` when the subject has no record; its answer is checked by the
same `validated` as an HTTP answer (docs/exchange.md "Platform sources").
"""

import datetime as dt
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache

from yiwang.core.text import control_char_error
from yiwang.exchange.models import DataResource, FieldType

MAX_ANSWER_BYTES = 64 * 1024
ATTEMPTS = 2  # a 5xx or a refused connection is tried once more, inside the same budget
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_VALUE_CHARS = 2000


class ProviderFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.read: Any = None  # the DataRead that recorded this failure (exchange.reads)


class Provider(Protocol):
    def fetch(self, resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]: ...


def _check_value(resource: DataResource, key: str, value: Any) -> str | None:
    """Why `value` is not what the resource declares for `key`, or None."""
    declared = next((f for f in resource.fields if f["key"] == key), None)
    if declared is None:
        return f"未声明的信息项 {key[:40]}"
    kind = declared["type"]
    if value is None:
        return None
    if kind == FieldType.BOOLEAN:
        return None if isinstance(value, bool) else f"{key} 应为是/否"
    if kind == FieldType.INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53
        return None if ok else f"{key} 应为整数"
    if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
        return f"{key} 应为不超过 {MAX_VALUE_CHARS} 个字符的文本"
    if control_char_error(key, value) is not None:
        return f"{key} 含有控制字符"
    if kind == FieldType.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{key} 应为日期（YYYY-MM-DD）"
    return None


def validated(resource: DataResource, fields: Sequence[str], record: Any) -> dict[str, Any]:
    """The record if it is an object of exactly the asked fields with declared types."""
    if not isinstance(record, dict):
        raise ProviderFailed("invalid", "提供系统的应答格式不正确")
    extra = set(record) - set(fields)
    if extra:
        raise ProviderFailed("invalid", f"提供系统返回了未申请的信息项（{'、'.join(sorted(extra))[:80]}）")
    for key, value in record.items():
        problem = _check_value(resource, key, value)
        if problem:
            raise ProviderFailed("invalid", f"提供系统的应答不符合资源目录：{problem}")
    return {key: record.get(key) for key in fields}


class _Breaker:
    """Consecutive failures per system, kept in the shared cache (every process sees them).

    The count is one cache counter: with Redis (several processes) `incr` is atomic, so reads
    failing at the same instant all count; the embedded database cache increments by read and
    write, where two such failures may count once (the circuit then opens one failure later).
    The open circuit is a second key that expires by itself.
    """

    def __init__(self, system: str) -> None:
        self.failures_key = f"exchange:breaker:{system}:failures"
        self.open_key = f"exchange:breaker:{system}:open_until"

    def state(self) -> dict[str, Any]:
        found = cache.get_many([self.failures_key, self.open_key])
        return {"failures": int(found.get(self.failures_key) or 0), "open_until": float(found.get(self.open_key) or 0)}

    def failed(self) -> None:
        cache.add(self.failures_key, 0, timeout=3600)
        try:
            failures = cache.incr(self.failures_key)
        except ValueError:  # expired between add and incr
            cache.set(self.failures_key, 1, timeout=3600)
            failures = 1
        if failures >= settings.EXCHANGE_BREAKER_FAILURES:
            seconds = settings.EXCHANGE_BREAKER_SECONDS
            cache.set(self.open_key, time.time() + seconds, timeout=seconds)
            cache.delete(self.failures_key)

    def succeeded(self, state: dict[str, Any]) -> None:
        """Forget the failures `state` (read before the call) held; nothing to write if none."""
        if state.get("failures") or state.get("open_until"):
            self.reset()

    def reset(self) -> None:
        cache.delete_many([self.failures_key, self.open_key])


class _Bulkhead:
    """At most settings.EXCHANGE_MAX_CONCURRENT reads in flight per system in this process: a
    hanging system ties up that many request threads, not all of them; the next read is told
    at once that the system is busy (`busy`, not counted as the system's failure)."""

    _lock = threading.Lock()
    _slots: dict[str, threading.BoundedSemaphore] = {}

    @classmethod
    def of(cls, system: str) -> threading.BoundedSemaphore:
        with cls._lock:
            slot = cls._slots.get(system)
            if slot is None:
                slot = cls._slots[system] = threading.BoundedSemaphore(settings.EXCHANGE_MAX_CONCURRENT)
            return slot


class HttpProvider:
    def __init__(self, system: str) -> None:
        self.system = system
        self.breaker = _Breaker(system)

    def _config(self) -> tuple[str, str]:
        found = settings.EXCHANGE_SYSTEMS.get(self.system)
        if not found:
            raise ProviderFailed("not_configured", f"未配置提供系统 {self.system} 的地址")
        url = found["url"].rstrip("/")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ProviderFailed("not_configured", f"提供系统 {self.system} 的地址必须使用 https（仅本机可用 http）")
        return url, found.get("key", "")

    def fetch(self, resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]:
        state = self.breaker.state()
        if state["open_until"] > time.time():
            raise ProviderFailed("circuit_open", "提供系统暂时不可用（连续失败，已暂停调用），请稍后再试")
        slot = _Bulkhead.of(self.system)
        if not slot.acquire(blocking=False):
            raise ProviderFailed("busy", "提供系统繁忙（同时进行的调用已达上限），请稍后再试")
        try:
            record = self._fetch(resource, subject_id, fields)
        except ProviderFailed as failure:
            if failure.code in ("timeout", "unavailable", "invalid"):
                self.breaker.failed()
            raise
        finally:
            slot.release()
        self.breaker.succeeded(state)
        return record

    def _fetch(self, resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]:
        base, key = self._config()
        query = urllib.parse.urlencode({"fields": ",".join(fields)})
        url = f"{base}/records/{urllib.parse.quote(resource.code)}/{urllib.parse.quote(subject_id)}?{query}"
        headers = {"Accept": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
        deadline = time.monotonic() + settings.EXCHANGE_TIMEOUT
        last: ProviderFailed | None = None
        for attempt in range(ATTEMPTS):
            left = deadline - time.monotonic()
            if left <= 0.05:
                break
            try:
                request = urllib.request.Request(url, headers=headers)  # noqa: S310 - https or loopback, checked
                return self._once(request, left, resource, fields)
            except ProviderFailed as failure:
                if failure.code != "unavailable":
                    raise
                last = failure
                if attempt + 1 < ATTEMPTS:  # a pause before the retry, none after the last try
                    time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        raise last or ProviderFailed("timeout", f"提供系统未在 {settings.EXCHANGE_TIMEOUT:g} 秒内应答")

    def _once(
        self, request: urllib.request.Request, timeout: float, resource: DataResource, fields: Sequence[str]
    ) -> dict[str, Any]:
        try:
            with _NO_REDIRECTS.open(request, timeout=timeout) as response:
                body = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise ProviderFailed("not_found", "提供系统中没有该主体的记录") from exc
            if exc.code in (401, 403):
                raise ProviderFailed("refused", f"提供系统拒绝了平台的调用（HTTP {exc.code}）") from exc
            raise ProviderFailed("unavailable", f"提供系统故障（HTTP {exc.code}）") from exc
        except TimeoutError as exc:
            raise ProviderFailed("timeout", f"提供系统未在 {settings.EXCHANGE_TIMEOUT:g} 秒内应答") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise ProviderFailed("timeout", f"提供系统未在 {settings.EXCHANGE_TIMEOUT:g} 秒内应答") from exc
            raise ProviderFailed("unavailable", "提供系统无法连接") from exc
        if len(body) > MAX_ANSWER_BYTES:
            raise ProviderFailed("invalid", "提供系统的应答过大")
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise ProviderFailed("invalid", "提供系统的应答不是 JSON") from exc
        return validated(resource, fields, answer.get("record") if isinstance(answer, dict) else None)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


PlatformSource = Callable[[DataResource, str, Sequence[str]], dict[str, Any]]
_PLATFORM_SOURCES: dict[str, PlatformSource] = {}


def register_platform_source(name: str, fetch: PlatformSource) -> None:
    """Serve `platform:<name>` resources with `fetch(resource, subject_id, fields)` (called
    from the owning app's `AppConfig.ready`; registering a name again replaces it)."""
    _PLATFORM_SOURCES[name] = fetch


class PlatformProvider:
    """One of the platform's own sources, its answers held to the resource's declared fields."""

    def __init__(self, name: str, source: PlatformSource) -> None:
        self.name = name
        self.source = source

    def fetch(self, resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]:
        record = self.source(resource, subject_id, fields)
        missing = [key for key in fields if key not in record]
        if missing:
            raise ProviderFailed("invalid", f"平台数据源 {self.name} 不提供信息项（{'、'.join(missing)[:80]}）")
        return validated(resource, fields, {key: record[key] for key in fields})


def provider_for(resource: DataResource) -> Provider:
    """The provider a resource's `system` names (`http:<system>` or `platform:<source>`)."""
    kind, _, system = resource.system.partition(":")
    if kind == "http" and system:
        return HttpProvider(system)
    if kind == "platform" and system:
        source = _PLATFORM_SOURCES.get(system)
        if source is None:
            raise ProviderFailed("not_configured", f"平台数据源 {system} 未注册（数据资源 {resource.code}）")
        return PlatformProvider(system, source)
    raise ProviderFailed("not_configured", f"数据资源 {resource.code} 的提供系统 {resource.system} 不受支持")
