"""Webhook subscriptions and the events they report (docs/exchange.md "Webhooks").

An API client with scope `exchange.subscribe` subscribes to an event kind (`case.decided`),
optionally for one item (基本编码), with the address to push to: https, or http only on the
loopback interface (a local receiver); no user name or password in it, no fragment. Its host
must be public or inside settings.EXCHANGE_WEBHOOK_PRIVATE_NETWORKS (`destination_errors`):
an address literal is checked when subscribing, and the resolved addresses before every push,
so a client cannot make the platform post to its own database port or a metadata service.
Creating and cancelling a subscription are services with a `ClientEvent` and a ledger entry.

`webhooks_publish` is called by the domain whose event it is, *inside that event's
transaction* (the case decision: `cases` sits above `exchange`): one `WebhookDelivery` per
matching active subscription of an active client, so a push is owed exactly when the event
committed. `exchange.delivery` pushes them afterwards.

The body carries no personal data: for `case.decided` the case number, the item (code and
name), the deciding department, the outcome, when, and the e-license identifier if one was
issued — never the applicant.
"""

import datetime as dt
import ipaddress
import socket
import urllib.parse
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from yiwang.catalog.selectors import unknown_basic_codes
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.core.text import control_char_error
from yiwang.exchange import rules
from yiwang.exchange.client_models import ApiClient, EventKind, Subscription, WebhookDelivery
from yiwang.exchange.client_workflow import (
    ClientStatus,
    DeliveryAction,
    DeliveryStatus,
    SubscriptionAction,
    SubscriptionStatus,
    delivery_next_status,
    subscription_next_status,
)
from yiwang.exchange.clients import client_event
from yiwang.ledger.events import ExchangeVerb

URL_MAX = 500
MAX_SUBSCRIPTIONS = 20
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def target_url_errors(url: Any) -> list[str]:
    """Why `url` cannot receive pushes (https, or http on the loopback only), or []."""
    if not isinstance(url, str) or not url.strip():
        return ["推送地址：必填"]
    if len(url) > URL_MAX:
        return [f"推送地址：最多 {URL_MAX} 个字符"]
    if control_char_error("推送地址", url) or any(ch.isspace() for ch in url):
        return ["推送地址：不能含有空白或控制字符"]
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return ["推送地址：不是有效的网址"]
    if not parts.hostname:
        return ["推送地址：缺少主机名"]
    if parts.username or parts.password:
        return ["推送地址：不能包含用户名或密码"]
    if parts.fragment:
        return ["推送地址：不能包含 # 片段"]
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)):
        return ["推送地址：必须使用 https（仅本机 127.0.0.1 可用 http）"]
    literal = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        return []  # a host name: its addresses are checked before each push
    return _address_errors([address])


def destination_errors(url: str) -> list[str]:
    """Why the addresses `url`'s host resolves to now may not receive a push, or []."""
    parts = urllib.parse.urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return [f"推送地址：无法解析主机名 {parts.hostname}"]
    return _address_errors([ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found])


def _address_errors(addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> list[str]:
    allowed = [ipaddress.ip_network(network) for network in settings.EXCHANGE_WEBHOOK_PRIVATE_NETWORKS]
    for address in addresses:
        if any(address in network for network in allowed if network.version == address.version):
            continue
        if not address.is_global or address.is_multicast:
            return [f"推送地址：{address} 是内网、本机或保留地址，不在允许的推送网段内"]
    return []


def _payload(subscription: Subscription) -> dict[str, Any]:
    return {
        "subscription": subscription.pk,
        "client": subscription.client.application.client_id,
        "event": subscription.event,
        "item_code": subscription.item_code,
        "status": subscription.status,
    }


def _require_active(client: ApiClient) -> None:
    if client.status != ClientStatus.ACTIVE:
        raise PermissionDenied("接口客户端已暂停，不能管理事件订阅。", rule="client_status")


def subscription_create(*, client: ApiClient, event: str, target_url: str, item_code: str = "") -> Subscription:
    """Subscribe `client` to `event` (for one item, or all when `item_code` is empty)."""
    errors: dict[str, list[str]] = {}
    if event not in EventKind.values:
        errors["event"] = [f"事件：应为 {'、'.join(EventKind.values)} 之一"]
    if item_code and not rules.BASIC_CODE.match(item_code):
        errors["item_code"] = ["事项基本编码：格式不正确"]
    elif item_code and unknown_basic_codes([item_code]):
        errors["item_code"] = [f"事项基本编码：{item_code} 不在事项库中"]
    if target_url_errors(target_url):
        errors["target_url"] = target_url_errors(target_url)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        client = ApiClient.objects.select_for_update().select_related("application").get(pk=client.pk)
        _require_active(client)
        live = Subscription.objects.filter(client=client, status=SubscriptionStatus.ACTIVE)
        if live.count() >= MAX_SUBSCRIPTIONS:
            raise Conflict(f"每个客户端最多 {MAX_SUBSCRIPTIONS} 项有效订阅。", rule="limit")
        if live.filter(event=event, item_code=item_code, target_url=target_url).exists():
            raise Conflict("已有相同的事件订阅。", rule="duplicate")
        subscription = Subscription(
            client=client, event=event, item_code=item_code, target_url=target_url, created_at=clock.now()
        )
        subscription.status = subscription_next_status(None, SubscriptionAction.CREATE)
        subscription.save()
        client_event(
            client,
            ExchangeVerb.SUBSCRIPTION_CREATED,
            actor=None,
            subject=f"subscription:{subscription.pk}",
            payload=_payload(subscription),
        )
    return subscription


def subscription_cancel(*, client: ApiClient, subscription_id: int) -> Subscription:
    """Cancel one of the client's own subscriptions; pushes already owed still go out."""
    with transaction.atomic(durable=True):
        subscription = (
            Subscription.objects.select_for_update()
            .select_related("client__application")
            .filter(pk=subscription_id, client_id=client.pk)
            .first()
        )
        if subscription is None:
            raise NotFound("事件订阅不存在。")
        _require_active(subscription.client)
        subscription.status = subscription_next_status(subscription.status, SubscriptionAction.CANCEL)
        subscription.cancelled_at = clock.now()
        subscription.save(update_fields=["status", "cancelled_at"])
        client_event(
            subscription.client,
            ExchangeVerb.SUBSCRIPTION_CANCELLED,
            actor=None,
            subject=f"subscription:{subscription.pk}",
            payload=_payload(subscription),
        )
    return subscription


def webhooks_publish(*, event: EventKind, item_code: str, data: dict[str, Any], occurred_at: dt.datetime) -> int:
    """Owe a push of `event` to every active subscriber; inside the event's transaction.
    Returns how many deliveries were written."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("webhooks_publish must run inside the transaction of the event it reports")
    subscriptions = list(
        Subscription.objects.filter(
            event=event, status=SubscriptionStatus.ACTIVE, client__status=ClientStatus.ACTIVE
        ).filter(Q(item_code="") | Q(item_code=item_code))
    )
    if not subscriptions:
        return 0
    now = clock.now()
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(
            client_id=subscription.client_id,
            subscription=subscription,
            event=event,
            target_url=subscription.target_url,
            created_at=now,
            next_attempt_at=now,
        )
        delivery.payload = {
            "id": str(delivery.event_id),
            "event": str(event),
            "occurred_at": occurred_at.isoformat(),
            "data": data,
        }
        delivery.status = delivery_next_status(None, DeliveryAction.ENQUEUE)
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    if settings.NOTIFICATIONS_KICK_AFTER_COMMIT and not any(
        callback is _kick for _, callback, _ in connection.run_on_commit
    ):
        transaction.on_commit(_kick, robust=True)
    return len(deliveries)


def _kick() -> None:
    """After commit: hand the pushes to the task backend (task backends that push)."""
    from yiwang.exchange.tasks import deliver_webhooks

    deliver_webhooks.enqueue()


# --- reads for the API ----------------------------------------------------------------------


def subscriptions_of(client: ApiClient) -> QuerySet[Subscription]:
    return Subscription.objects.filter(client=client).order_by("-created_at", "-id")


def deliveries_of(client: ApiClient, *, status: str = "") -> QuerySet[WebhookDelivery]:
    """The client's delivery log, newest first, optionally of one status."""
    deliveries = WebhookDelivery.objects.filter(client=client)
    if status:
        if status not in DeliveryStatus.values:
            raise ValidationFailed({"status": [f"状态：应为 {'、'.join(DeliveryStatus.values)} 之一"]})
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")
