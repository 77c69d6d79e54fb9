"""API clients, their webhook subscriptions and deliveries as transition tables (the
issue-11 convention; docs/exchange.md "API clients and webhooks").

API clients (接口客户端):

| status    | 中文   | how it gets there                                                  |
|-----------|--------|--------------------------------------------------------------------|
| active    | 有效   | a data steward of the consuming department registers it; resuming  |
| suspended | 已暂停 | the steward suspends it (its access tokens are deleted with it)    |

Subscriptions (事件订阅):

| status    | 中文   | how it gets there                              |
|-----------|--------|------------------------------------------------|
| active    | 有效   | the client subscribes                          |
| cancelled | 已取消 | the client deletes the subscription            |

Webhook deliveries (推送记录), the outbox:

| status    | 中文   | how it gets there                                                 |
|-----------|--------|-------------------------------------------------------------------|
| pending   | 待推送 | written with the event; a failed attempt waits for its back-off   |
| delivered | 已送达 | the receiver answered 2xx                                         |
| failed    | 推送失败 | the last allowed attempt failed                                 |

`None` is the state before the row exists.
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class ClientStatus(TextChoices):
    ACTIVE = "active", "有效"
    SUSPENDED = "suspended", "已暂停"


class ClientAction(TextChoices):
    REGISTER = "register", "登记"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"


class SubscriptionStatus(TextChoices):
    ACTIVE = "active", "有效"
    CANCELLED = "cancelled", "已取消"


class SubscriptionAction(TextChoices):
    CREATE = "create", "订阅"
    CANCEL = "cancel", "取消"


class DeliveryStatus(TextChoices):
    PENDING = "pending", "待推送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "推送失败"


class DeliveryAction(TextChoices):
    ENQUEUE = "enqueue", "写入"
    DELIVER = "deliver", "送达"
    DEFER = "defer", "稍后重试"
    GIVE_UP = "give_up", "放弃"


CLIENT_TRANSITIONS: dict[tuple[ClientStatus | None, ClientAction], ClientStatus] = {
    (None, ClientAction.REGISTER): ClientStatus.ACTIVE,
    (ClientStatus.ACTIVE, ClientAction.SUSPEND): ClientStatus.SUSPENDED,
    (ClientStatus.SUSPENDED, ClientAction.RESUME): ClientStatus.ACTIVE,
}
SUBSCRIPTION_TRANSITIONS: dict[tuple[SubscriptionStatus | None, SubscriptionAction], SubscriptionStatus] = {
    (None, SubscriptionAction.CREATE): SubscriptionStatus.ACTIVE,
    (SubscriptionStatus.ACTIVE, SubscriptionAction.CANCEL): SubscriptionStatus.CANCELLED,
}
DELIVERY_TRANSITIONS: dict[tuple[DeliveryStatus | None, DeliveryAction], DeliveryStatus] = {
    (None, DeliveryAction.ENQUEUE): DeliveryStatus.PENDING,
    (DeliveryStatus.PENDING, DeliveryAction.DELIVER): DeliveryStatus.DELIVERED,
    (DeliveryStatus.PENDING, DeliveryAction.DEFER): DeliveryStatus.PENDING,
    (DeliveryStatus.PENDING, DeliveryAction.GIVE_UP): DeliveryStatus.FAILED,
}


def client_next_status(status: str | None, action: ClientAction) -> ClientStatus:
    return next_status(CLIENT_TRANSITIONS, ClientStatus, status, action, "接口客户端")


def subscription_next_status(status: str | None, action: SubscriptionAction) -> SubscriptionStatus:
    return next_status(SUBSCRIPTION_TRANSITIONS, SubscriptionStatus, status, action, "事件订阅")


def delivery_next_status(status: str | None, action: DeliveryAction) -> DeliveryStatus:
    return next_status(DELIVERY_TRANSITIONS, DeliveryStatus, status, action, "推送记录")
