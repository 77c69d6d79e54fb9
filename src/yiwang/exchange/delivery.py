"""Pushing webhook deliveries: signed, leased, retried with back-off (docs/exchange.md).

The same outbox discipline as `notifications.services.messages_deliver_pending`: due
pending rows are *claimed* in a short transaction (SELECT … FOR UPDATE SKIP LOCKED, then
leased: their next attempt moves CLAIM_LEASE ahead, so no other worker takes them), at most
CLAIM rows at a time, and pushed after it commits; a push starts only while SEND_MARGIN of
the lease is left, and its outcome is written only if the row still carries this claim.

Each push is `POST <target>` with the JSON body fixed when the event happened and

    Content-Type: application/json
    X-Yiwang-Event: case.decided
    X-Yiwang-Delivery: <uuid>          the idempotency id: the same on every retry
    X-Yiwang-Timestamp: <unix seconds> when this attempt was signed
    X-Yiwang-Signature: sha256=<hex HMAC-SHA256(webhook secret, timestamp + "." + body)>

A 2xx answer delivers it; anything else (another status, a redirect — never followed —, a
refused connection, a timeout of settings.EXCHANGE_WEBHOOK_TIMEOUT seconds) is retried after
30 s, 1, 2, 4, 8, 16, 32 min, then hourly, until MAX_ATTEMPTS, then the row fails. Each
attempt is kept on the row (`attempt_log`) for the client's delivery log.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from yiwang.core import clock
from yiwang.exchange.client_models import WebhookDelivery
from yiwang.exchange.client_workflow import DeliveryAction, DeliveryStatus, delivery_next_status
from yiwang.exchange.webhooks import destination_errors, target_url_errors
from yiwang.notifications.services import mask_error

logger = logging.getLogger("yiwang.exchange")

MAX_ATTEMPTS = 10
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
CLAIM = 20
CLAIM_LEASE = dt.timedelta(minutes=5)
SEND_MARGIN = dt.timedelta(minutes=1)
ANSWER_BYTES = 4096
_OUTCOME_FIELDS = [
    "attempts",
    "status",
    "attempt_log",
    "last_status_code",
    "last_error",
    "next_attempt_at",
    "delivered_at",
]


def body_of(delivery: WebhookDelivery) -> bytes:
    """The bytes pushed, the same on every attempt."""
    return json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `timestamp.body` (what a receiver recomputes)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def retry_after(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address: the body and signature go nowhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def push(delivery: WebhookDelivery, secret: str) -> Outcome:
    """One signed POST of `delivery`; never raises."""
    started = time.monotonic()

    def done(status_code: int | None, error: str) -> Outcome:
        return Outcome(status_code, mask_error(error)[:500], int((time.monotonic() - started) * 1000))

    problems = target_url_errors(delivery.target_url) or destination_errors(delivery.target_url)
    if problems:
        return done(None, problems[0])
    body = body_of(delivery)
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "yiwang-webhook/1",
        "X-Yiwang-Event": delivery.event,
        "X-Yiwang-Delivery": str(delivery.event_id),
        "X-Yiwang-Timestamp": timestamp,
        "X-Yiwang-Signature": signature(secret, timestamp, body),
    }
    request = urllib.request.Request(  # noqa: S310 - https or loopback, addresses checked above
        delivery.target_url, data=body, headers=headers, method="POST"
    )
    timeout = settings.EXCHANGE_WEBHOOK_TIMEOUT
    try:
        with _NO_REDIRECTS.open(request, timeout=timeout) as response:
            response.read(ANSWER_BYTES)
            return done(response.status, "")
    except urllib.error.HTTPError as exc:
        detail = exc.read(200).decode("utf-8", "replace")
        return done(exc.code, f"接收方应答 HTTP {exc.code}：{detail}")
    except TimeoutError:
        return done(None, f"接收方未在 {timeout:g} 秒内应答")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            return done(None, f"接收方未在 {timeout:g} 秒内应答")
        return done(None, f"无法连接接收方：{reason}")


def _record(delivery: WebhookDelivery, outcome: Outcome, now: dt.datetime) -> None:
    delivery.attempts += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    entry = {"at": now.isoformat(), "status_code": outcome.status_code, "error": outcome.error, "ms": outcome.ms}
    delivery.attempt_log = [*delivery.attempt_log, entry][-MAX_ATTEMPTS:]
    if outcome.ok:
        delivery.status = delivery_next_status(delivery.status, DeliveryAction.DELIVER)
        delivery.delivered_at = now
        delivery.last_error = ""
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = delivery_next_status(delivery.status, DeliveryAction.GIVE_UP)
        logger.error("webhook %s failed for good: %s", delivery.event_id, outcome.error)
    else:
        delivery.status = delivery_next_status(delivery.status, DeliveryAction.DEFER)
        delivery.next_attempt_at = now + retry_after(delivery.attempts)


def webhooks_deliver_pending(*, limit: int = CLAIM) -> int:
    """Push due pending deliveries; returns how many were delivered. Idempotent; safe to run
    concurrently (the claim), and a worker that dies mid-push leaves its claim to expire:
    pushed again (at least once — receivers deduplicate by X-Yiwang-Delivery)."""
    with transaction.atomic():
        now = clock.now()
        batch = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .select_related("client")
            .order_by("next_attempt_at", "id")[: min(limit, CLAIM)]
        )
        lease_until = now + CLAIM_LEASE
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in batch]).update(next_attempt_at=lease_until)
    delivered = 0
    for delivery in batch:
        if clock.now() > lease_until - SEND_MARGIN:
            break  # the rest of the claim lapses untouched; the next run takes those rows
        outcome = push(delivery, delivery.client.webhook_secret)
        _record(delivery, outcome, clock.now())
        with transaction.atomic():
            kept = WebhookDelivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=lease_until
            ).update(**{field: getattr(delivery, field) for field in _OUTCOME_FIELDS})
        if not kept:
            logger.error("webhook %s: its claim was lost before the outcome was recorded", delivery.event_id)
        elif delivery.status == DeliveryStatus.DELIVERED:
            delivered += 1
    return delivered
