"""Webhooks: subscriptions over the API, a decision owes its pushes in its own transaction,
pushes reach a real receiver signed, survive the receiver being down, and show in the log."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.catalog.models import ImplementationVersion
from yiwang.core import clock
from yiwang.core.errors import Conflict
from yiwang.exchange import webhooks
from yiwang.exchange.client_models import EventKind, Subscription, WebhookDelivery
from yiwang.exchange.client_workflow import (
    DELIVERY_TRANSITIONS,
    SUBSCRIPTION_TRANSITIONS,
    DeliveryAction,
    DeliveryStatus,
    SubscriptionAction,
    SubscriptionStatus,
    delivery_next_status,
)
from yiwang.exchange.clients import Registered
from yiwang.exchange.delivery import MAX_ATTEMPTS, retry_after, webhooks_deliver_pending
from yiwang.exchange.tests.client_helpers import bearer, regulator, token

SUBSCRIPTIONS = "/api/v1/exchange/subscriptions"
DELIVERIES = "/api/v1/exchange/deliveries"


def _instant() -> ImplementationVersion:
    return ImplementationVersionFactory(instant=True)  # decided at acceptance


def _code(version: ImplementationVersion) -> str:
    return version.item_version.item.basic_code


def _subscribe(registered: Registered, url: str, item_code: str = "") -> Subscription:
    return webhooks.subscription_create(
        client=registered.client, event=EventKind.CASE_DECIDED, target_url=url, item_code=item_code
    )


@pytest.mark.django_db
def test_subscriptions_are_created_listed_and_cancelled_over_the_api(world: None) -> None:
    version = _instant()
    access = token(regulator())
    api = Client()
    created = api.post(
        SUBSCRIPTIONS,
        {"event": "case.decided", "item_code": _code(version), "target_url": "https://jg.example.gov.cn/hooks"},
        content_type="application/json",
        **bearer(access),
    )
    assert created.status_code == 201 and created.json()["status"] == "active"
    listed = api.get(SUBSCRIPTIONS, **bearer(access)).json()
    assert [(s["item_code"], s["target_url"]) for s in listed] == [(_code(version), "https://jg.example.gov.cn/hooks")]
    cancelled = api.delete(f"{SUBSCRIPTIONS}/{created.json()['id']}", **bearer(access))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.delete(f"{SUBSCRIPTIONS}/{created.json()['id']}", **bearer(access)).status_code == 409
    other = token(regulator(name="另一系统"))
    assert api.delete(f"{SUBSCRIPTIONS}/{created.json()['id']}", **bearer(other)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_url": "http://jg.example.gov.cn/hooks"}, "target_url"),
        ({"target_url": "https://user:pw@jg.example.gov.cn/hooks"}, "target_url"),
        ({"target_url": "ftp://127.0.0.1/hooks"}, "target_url"),
        ({"target_url": "https://jg.example.gov.cn/hooks", "item_code": "000136999000"}, "item_code"),
    ],
)
def test_a_subscription_needs_https_and_a_known_item(world: None, body: dict[str, str], field: str) -> None:
    answer = Client().post(
        SUBSCRIPTIONS, {"event": "case.decided", **body}, content_type="application/json", **bearer(token(regulator()))
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field


@pytest.mark.django_db
def test_subscribing_needs_the_subscribe_scope(world: None) -> None:
    access = token(regulator(scopes=("exchange.read",)))
    answer = Client().get(SUBSCRIPTIONS, **bearer(access))
    assert answer.status_code == 403 and answer.json()["rule"] == "scope"


@pytest.mark.django_db
def test_a_decision_owes_a_push_to_each_matching_subscriber_in_its_transaction(world: None) -> None:
    version, other = _instant(), _instant()
    registered = regulator()
    _subscribe(registered, "https://jg.example.gov.cn/food", item_code=_code(version))
    _subscribe(registered, "https://jg.example.gov.cn/other", item_code=_code(other))
    with clock.frozen(_real_now()):
        case = flows.reload(flows.accepted(version))
    delivery = WebhookDelivery.objects.get()
    assert delivery.target_url == "https://jg.example.gov.cn/food" and delivery.status == DeliveryStatus.PENDING
    assert delivery.created_at == case.decided_at  # written by the decision, in its transaction
    data = delivery.payload["data"]
    assert delivery.payload["event"] == "case.decided" and delivery.payload["id"] == str(delivery.event_id)
    assert data["case_number"] == case.number and data["item_code"] == _code(version)
    assert data["outcome"] == "approved" and data["decided_at"] == case.decided_at.isoformat()
    text = str(delivery.payload)
    person = case.applicant.person
    assert person.real_name not in text and person.id_number not in text and case.applicant.username not in text


@pytest.mark.django_db
def test_a_suspended_client_or_a_cancelled_subscription_is_owed_nothing(world: None) -> None:
    from yiwang.exchange.clients import client_suspend
    from yiwang.exchange.tests.helpers import market_steward

    version = _instant()
    cancelled, suspended = regulator(), regulator(name="暂停的系统")
    subscription = _subscribe(cancelled, "https://a.example.gov.cn/")
    webhooks.subscription_cancel(client=cancelled.client, subscription_id=subscription.pk)
    _subscribe(suspended, "https://b.example.gov.cn/")
    client_suspend(actor=market_steward(), client_id=suspended.client.pk, reason="停用")
    flows.accepted(version)
    assert not WebhookDelivery.objects.exists()


def _real_now() -> dt.datetime:
    return timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_push_reaches_the_receiver_signed_and_is_logged(world: None, start_receiver: Callable) -> None:
    version = _instant()
    registered = regulator()
    receiver = start_receiver(registered.webhook_secret)
    _subscribe(registered, f"{receiver.url}/hooks/yiwang", item_code=_code(version))
    case = flows.reload(flows.accepted(version))  # the after-commit kick pushes at once
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1 and delivery.last_status_code == 200
    [got] = receiver.deliveries()  # the receiver records only what its signature check passed
    assert got["delivery"] == str(delivery.event_id) and got["event"] == "case.decided"
    assert got["body"]["data"]["case_number"] == case.number
    log = Client().get(DELIVERIES, **bearer(token(registered))).json()
    [entry] = log["items"]
    assert entry["status"] == "delivered" and entry["attempts"] == 1 and entry["next_attempt_at"] is None
    assert [a["status_code"] for a in entry["attempt_log"]] == [200]
    with pytest.raises(RuntimeError):  # never outside the transaction of the event it reports
        webhooks.webhooks_publish(event=EventKind.CASE_DECIDED, item_code="", data={}, occurred_at=clock.now())


@pytest.mark.django_db(transaction=True)
def test_a_receiver_with_another_secret_refuses_and_the_push_waits(world: None, start_receiver: Callable) -> None:
    version = _instant()
    registered = regulator()
    impostor = start_receiver("whsec_not-the-clients-secret")
    _subscribe(registered, impostor.url, item_code=_code(version))
    flows.accepted(version)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 401
    assert impostor.deliveries() == []


@pytest.mark.django_db(transaction=True)
def test_a_push_survives_the_receiver_being_down_for_minutes(world: None, start_receiver: Callable) -> None:
    version = _instant()
    registered = regulator()
    receiver = start_receiver(registered.webhook_secret)
    _subscribe(registered, f"{receiver.url}/hooks", item_code=_code(version))
    receiver.stop()  # the regulator's system is down
    start = _real_now()
    with clock.frozen(start):
        flows.accepted(version)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1 and delivery.last_status_code is None
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=30)
    with clock.frozen(start + dt.timedelta(seconds=20)):
        assert webhooks_deliver_pending() == 0  # not due yet: nothing is tried
    assert WebhookDelivery.objects.get().attempts == 1
    with clock.frozen(start + dt.timedelta(seconds=31)):
        assert webhooks_deliver_pending() == 0  # still down: the wait doubles
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 2 and delivery.next_attempt_at == start + dt.timedelta(seconds=91)
    receiver.start()  # back, on the same address, after more than a minute
    with clock.frozen(start + dt.timedelta(seconds=92)):
        assert webhooks_deliver_pending() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert [got["delivery"] for got in receiver.deliveries()] == [str(delivery.event_id)]
    [entry] = Client().get(DELIVERIES, {"status": "delivered"}, **bearer(token(registered))).json()["items"]
    assert [a["status_code"] for a in entry["attempt_log"]] == [None, None, 200]
    assert "无法连接接收方" in entry["attempt_log"][0]["error"]


@pytest.mark.django_db(transaction=True)
def test_a_receiver_answering_503_is_retried_with_back_off_until_the_last_attempt(
    world: None, start_receiver: Callable
) -> None:
    version = _instant()
    registered = regulator()
    receiver = start_receiver(registered.webhook_secret)
    _subscribe(registered, receiver.url, item_code=_code(version))
    receiver.control(down=True)
    start = _real_now()
    with clock.frozen(start):
        flows.accepted(version)
    moment = start
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment += retry_after(attempt - 1)
        with clock.frozen(moment):
            assert webhooks_deliver_pending() == 0
        assert WebhookDelivery.objects.get().attempts == attempt
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code == 503
    assert [retry_after(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    receiver.control(down=False)
    with clock.frozen(moment + dt.timedelta(hours=2)):
        assert webhooks_deliver_pending() == 0  # a failed push is not retried by the worker
    pending = Client().get(DELIVERIES, {"status": "failed"}, **bearer(token(registered))).json()
    assert pending["count"] == 1 and pending["items"][0]["attempts"] == MAX_ATTEMPTS


SUBSCRIPTION_PAIRS = [(s, a) for s in SubscriptionStatus for a in SubscriptionAction if a != SubscriptionAction.CREATE]


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action"), SUBSCRIPTION_PAIRS)
def test_every_subscription_pair(world: None, status: SubscriptionStatus, action: SubscriptionAction) -> None:
    registered = regulator()
    subscription = _subscribe(registered, "https://jg.example.gov.cn/")
    if status == SubscriptionStatus.CANCELLED:
        webhooks.subscription_cancel(client=registered.client, subscription_id=subscription.pk)
    target = SUBSCRIPTION_TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(Conflict):
            webhooks.subscription_cancel(client=registered.client, subscription_id=subscription.pk)
    else:
        webhooks.subscription_cancel(client=registered.client, subscription_id=subscription.pk)
    subscription.refresh_from_db()
    assert subscription.status == (target or status)


@pytest.mark.parametrize(("status", "action"), [(s, a) for s in DeliveryStatus for a in DeliveryAction])
def test_every_delivery_pair(status: DeliveryStatus, action: DeliveryAction) -> None:
    """The worker's paths (deliver, defer, give up) run against real receivers above; here
    every other pair is refused."""
    target = DELIVERY_TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(Conflict):
            delivery_next_status(status, action)
    else:
        assert delivery_next_status(status, action) == target
    assert delivery_next_status(None, DeliveryAction.ENQUEUE) == DeliveryStatus.PENDING
