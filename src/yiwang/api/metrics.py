"""`/metrics`: Prometheus exposition (docs/operations.md §Observability, ADR 0021).

The request metrics come from `core.observability` (every web process's, in multiprocess
mode); the platform's state is read at scrape time through the domains' selectors: the
ledger integrator's backlog and lag, the notification outbox's backlog, failures and lag,
the task queue's depth, and the read replica's lag when there is one. Access: with `METRICS_TOKEN` set, a scraper sends
`Authorization: Bearer <token>`; without it only the loopback address may read (a scraper
on the same host, or through the reverse proxy's own rule).
"""

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from yiwang.core import clock
from yiwang.core.observability import scrape_registry, task_queue_depth
from yiwang.core.replica import replica_configured, replica_lag
from yiwang.ledger.selectors import integration_backlog
from yiwang.notifications.selectors import outbox_backlog

LOOPBACK = frozenset({"127.0.0.1", "::1"})


class PlatformState(Collector):
    """Gauges read from the database when scraped (not kept per process)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = clock.now()
        pending, oldest = integration_backlog()
        yield GaugeMetricFamily("yiwang_ledger_pending_entries", "Ledger entries not yet integrated", value=pending)
        yield GaugeMetricFamily(
            "yiwang_ledger_integration_lag_seconds",
            "Age of the oldest entry waiting for the integrator (0 when none waits)",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        outbox = outbox_backlog(now=now)
        yield GaugeMetricFamily("yiwang_outbox_pending_messages", "Notices waiting to be sent", value=outbox.pending)
        yield GaugeMetricFamily("yiwang_outbox_failed_messages", "Notices given up on", value=outbox.failed)
        yield GaugeMetricFamily(
            "yiwang_outbox_lag_seconds",
            "How long the longest-waiting due notice has been due (0 when none is due)",
            value=(now - outbox.oldest_due).total_seconds() if outbox.oldest_due else 0.0,
        )
        depth = GaugeMetricFamily("yiwang_task_queue_depth", "Tasks ready to run, per queue", labels=["queue"])
        for queue, waiting in task_queue_depth().items():
            depth.add_metric([queue], waiting)
        yield depth
        if replica_configured():
            lag = replica_lag()
            yield GaugeMetricFamily(
                "yiwang_replica_lag_seconds",
                "Seconds the read replica is behind (-1 when it does not answer)",
                value=-1.0 if lag is None else lag,
            )


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "")
        return hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())
    return request.META.get("REMOTE_ADDR") in LOOPBACK


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        return HttpResponse("403 禁止访问：需要监控令牌（METRICS_TOKEN）\n", status=403, content_type="text/plain")
    state = CollectorRegistry(auto_describe=False)
    state.register(PlatformState())
    body = generate_latest(scrape_registry()) + generate_latest(state)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
