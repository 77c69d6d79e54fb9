"""Observability at the edge (docs/operations.md §Observability, ADR 0021).

- Every request carries a request id: the caller's `X-Request-ID` when it is a plain token
  (8–64 of `A-Z a-z 0-9 . _ -`), else a fresh UUID. It is answered in `X-Request-ID`, kept in
  a context variable for the request's duration and put on every log record (`request_id`).
- Prometheus metrics per route (the URL pattern's name, never the raw path: bounded label
  values), per method and status: a request counter and a latency histogram. Log records at
  WARNING and above are counted per level. With several web processes (granian workers) the
  metrics live in `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode), set
  before the processes start; `/metrics` then merges every process's files.
- One log line per request on the `yiwang.request` logger (method, path without the query
  string, route, status, milliseconds), at INFO: shown when LOG_REQUESTS is on (the default
  with LOG_FORMAT=json).
"""

import contextvars
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_CALLER_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # a path no URL pattern names (404s of every shape share one label)

REQUESTS = Counter("yiwang_http_requests", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "yiwang_http_request_duration_seconds",
    "Time from the first middleware to the response, per route",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LOG_RECORDS = Counter("yiwang_log_records", "Log records at WARNING and above", ["level"])

request_log = logging.getLogger("yiwang.request")


def _request_id_of(offered: str) -> str:
    """The caller's id when it is a plain token, else a new one."""
    return offered if _CALLER_ID.fullmatch(offered) else uuid.uuid4().hex


def request_started(sender: object, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Set when the handler starts, before any middleware: Django's own "Not Found" and
    exception log lines, written after the middleware chain returns, carry the id too."""
    REQUEST_ID.set(_request_id_of((environ or {}).get("HTTP_X_REQUEST_ID", "")))


def request_finished(sender: object, **kwargs: Any) -> None:
    REQUEST_ID.set("-")


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match.route or UNMATCHED


class ObservabilityMiddleware:
    """First in MIDDLEWARE: it times everything after it and sees the final status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = REQUEST_ID.get()
        if request_id == "-":  # a handler that sends no request_started signal
            request_id = _request_id_of(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            elapsed = time.perf_counter() - started
            route = route_of(request)
            method = request.method if request.method in _METHODS else "OTHER"
            REQUESTS.labels(route, method, str(response.status_code)).inc()
            LATENCY.labels(route, method).observe(elapsed)
            request_log.info(
                "%s %s %s %.1f ms",
                method,
                request.path,
                response.status_code,
                elapsed * 1000,
                extra={"route": route, "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)},
            )
            return response
        finally:
            REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-") on every record a handler formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class WarningCounter(logging.Handler):
    """Counts the records at WARNING and above (yiwang_log_records_total{level})."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        LOG_RECORDS.labels(record.levelname).inc()


def scrape_registry() -> CollectorRegistry:
    """What `/metrics` reads: every web process's metrics in multiprocess mode, else this one's
    (with the process and Python collectors prometheus_client registers by default)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def task_queue_depth() -> dict[str, int]:
    """Tasks waiting to run, per queue of the configured backend (none for the immediate one)."""
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    queues = list(settings.TASKS["default"].get("QUEUES", ["default"]))
    if backend == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return {name: DBTaskResult.objects.ready().filter(queue_name=name).count() for name in queues}
    if backend == "django_tasks_rq.RQBackend":
        import django_rq

        return {name: django_rq.get_queue(name).count for name in queues}
    return {}
