"""A client cannot make the platform post to internal addresses: a target must be public or in
EXCHANGE_WEBHOOK_PRIVATE_NETWORKS, checked when subscribing (address literals) and, for every
push, on the addresses the host resolves to then."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.exchange import webhooks
from yiwang.exchange.client_models import EventKind, WebhookDelivery
from yiwang.exchange.client_workflow import DeliveryStatus
from yiwang.exchange.tests.client_helpers import bearer, regulator, token

SUBSCRIPTIONS = "/api/v1/exchange/subscriptions"


def _subscribe(url: str, access: str = "") -> Any:
    body = {"event": "case.decided", "target_url": url}
    access = access or token(regulator())
    return Client().post(SUBSCRIPTIONS, body, content_type="application/json", **bearer(access))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5432/",  # the database port
        "http://localhost:6379/",
        "https://[::1]/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.1/hooks",
        "https://169.254.169.254/latest/meta-data/",  # a cloud metadata service
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
    ],
)
def test_an_internal_address_is_refused_when_subscribing(world: None, settings: Any, url: str) -> None:
    settings.EXCHANGE_WEBHOOK_PRIVATE_NETWORKS = ()
    answer = _subscribe(url)
    assert answer.status_code == 422, answer.content
    [error] = answer.json()["errors"]
    assert error["field"] == "target_url" and "不在允许的推送网段内" in error["message"]


@pytest.mark.django_db
def test_a_receiver_on_an_allowed_network_may_subscribe(world: None, settings: Any) -> None:
    settings.EXCHANGE_WEBHOOK_PRIVATE_NETWORKS = ("10.0.0.0/8",)
    access = token(regulator())
    assert _subscribe("https://10.1.2.3/hooks", access).status_code == 201
    assert _subscribe("https://192.168.1.1/hooks", access).status_code == 422


@pytest.mark.django_db(transaction=True)
def test_a_host_resolving_to_an_internal_address_gets_no_push(
    world: None, settings: Any, start_receiver: Callable[[str], Any]
) -> None:
    version = ImplementationVersionFactory(instant=True)
    registered = regulator()
    receiver = start_receiver(registered.webhook_secret)
    webhooks.subscription_create(
        client=registered.client,
        event=EventKind.CASE_DECIDED,
        target_url=f"http://localhost:{receiver.port}/hooks",
        item_code=version.item_version.item.basic_code,
    )
    settings.EXCHANGE_WEBHOOK_PRIVATE_NETWORKS = ()  # the loopback is no longer allowed
    flows.accepted(version)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert "不在允许的推送网段内" in delivery.last_error
    assert receiver.deliveries() == []
