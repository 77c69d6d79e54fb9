"""What an operator's monitoring reads: request ids, /metrics, liveness and readiness, JSON logs."""

import json
import logging
import re

import pytest
from django.test import Client, override_settings

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.observability import REQUEST_ID, RequestIdFilter
from yiwang.ledger.services import ledger_append
from yiwang.notifications.services import message_enqueue

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text exposition."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        metric, _, value = line.rpartition(" ")
        if line.startswith("#") or not metric.startswith(name):
            continue
        found = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})?", metric)
        if found and ",".join(sorted((found.group(1) or "").split(","))) == ",".join(sorted(wanted.split(","))):
            return float(value)
    raise AssertionError(f"{name}{{{wanted}}} not in the exposition")


def test_every_response_carries_a_request_id_and_a_plain_caller_id_is_kept() -> None:
    client = Client()
    fresh = client.get("/api/v1/health/live")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c01")["X-Request-ID"] == "lb-7f3a9c01"
    injected = client.get("/", HTTP_X_REQUEST_ID="bad id\nINFO forged")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", injected)  # a value that could forge log lines is replaced


class Stamped(logging.Handler):
    """A handler with the console's filter: what each record's request_id was when logged."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_log_records_made_during_a_request_name_its_id() -> None:
    stamped = Stamped()
    request_log, django_log = logging.getLogger("yiwang.request"), logging.getLogger("django.request")
    request_log.addHandler(stamped)
    django_log.addHandler(stamped)
    level = request_log.level
    request_log.setLevel(logging.INFO)
    try:
        response = Client().get("/guide/", HTTP_X_REQUEST_ID="req-12345678")
        Client().get("/no-such-page/", HTTP_X_REQUEST_ID="req-87654321")
    finally:
        request_log.removeHandler(stamped)
        django_log.removeHandler(stamped)
        request_log.setLevel(level)
    line, not_found_line, not_found = stamped.records
    assert response["X-Request-ID"] == "req-12345678" and line.request_id == "req-12345678"  # type: ignore[attr-defined]
    assert line.route == "portal:guide" and line.status == 200  # type: ignore[attr-defined]
    assert line.getMessage().startswith("GET /guide/ 200 ")
    assert not_found_line.getMessage().startswith("GET /no-such-page/ 404 ")
    # Django logs "Not Found" after the middleware returned: the id is still the request's.
    assert not_found.name == "django.request" and not_found.request_id == "req-87654321"  # type: ignore[attr-defined]
    assert REQUEST_ID.get() == "-"  # nothing leaks to the next request on this thread


def test_metrics_count_requests_per_route_and_read_the_backlogs() -> None:
    client = Client()
    before = client.get("/metrics").content.decode()
    client.get("/guide/")
    client.get("/no-such-page/")
    person = User.objects.create_user(username="ops-reader", password="x-Unused-2026")
    ledger_append(kind="accounts.login", subject="user:1", payload={})  # not integrated: the test never commits
    message_enqueue(recipient=person, subject="通知", body="内容")
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    counted = "yiwang_http_requests_total"
    guide = dict(route="portal:guide", method="GET", status="200")
    unmatched = dict(route="unmatched", method="GET", status="404")
    assert sample(text, counted, **guide) == sample_or_zero(before, counted, **guide) + 1
    assert sample(text, counted, **unmatched) == sample_or_zero(before, counted, **unmatched) + 1
    assert sample(text, "yiwang_http_request_duration_seconds_count", route="portal:guide", method="GET") >= 1
    assert sample(text, "yiwang_ledger_pending_entries") >= 1
    assert sample(text, "yiwang_ledger_integration_lag_seconds") >= 0
    assert sample(text, "yiwang_outbox_pending_messages") == 1
    assert "# TYPE yiwang_task_queue_depth gauge" in text


def sample_or_zero(text: str, name: str, **labels: str) -> float:
    try:
        return sample(text, name, **labels)
    except AssertionError:
        return 0.0


def test_a_warning_logged_is_counted() -> None:
    before = sample_or_zero(Client().get("/metrics").content.decode(), "yiwang_log_records_total", level="WARNING")
    logging.getLogger("yiwang.test").warning("磁盘空间不足")
    after = sample(Client().get("/metrics").content.decode(), "yiwang_log_records_total", level="WARNING")
    assert after == before + 1


def test_metrics_need_the_token_when_one_is_set_and_loopback_otherwise() -> None:
    with override_settings(METRICS_TOKEN="s3cret-scraper-token"):
        assert Client().get("/metrics").status_code == 403
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    assert Client().post("/metrics").status_code == 405


def test_liveness_reads_nothing_and_readiness_checks_database_migrations_and_cache(
    django_assert_num_queries: object,
) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert Client().get("/api/v1/health/live").json()["status"] == "ok"
    ready = Client().get("/api/v1/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_readiness_is_503_naming_the_cache_when_the_cache_is_down() -> None:
    down = {"default": {"BACKEND": "yiwang.core.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1"}}
    with override_settings(CACHES=down):  # Django's setting_changed handler reopens the caches
        response = Client().get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"].startswith("不可用")
    assert body["errors"][0]["field"] == "cache" and "缓存" in body["detail"]


def test_json_logs_are_one_object_a_line_with_the_request_id() -> None:
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )
    record = logging.LogRecord("yiwang.cases", logging.WARNING, __file__, 1, "办件 %s 超期", ("3701-1",), None)
    token = REQUEST_ID.set("req-abcdef12")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING" and line["logger"] == "yiwang.cases"
    assert line["request_id"] == "req-abcdef12" and line["message"] == "办件 3701-1 超期"
    assert clock.now().year >= 2026


def test_the_queue_depth_counts_the_database_backends_ready_tasks() -> None:
    from yiwang.core.observability import task_queue_depth
    from yiwang.ledger.tasks import integrate

    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=tasks):
        assert task_queue_depth() == {"default": 0}
        integrate.enqueue()
        integrate.enqueue()
        assert task_queue_depth() == {"default": 2}
        assert sample(Client().get("/metrics").content.decode(), "yiwang_task_queue_depth", queue="default") == 2
