"""What an outsider can send to the client API: hostile numbers, control characters, oversize
bodies, another client's ids, the same request twice — each a clear 4xx problem+json, with
nothing changed and the platform still answering."""

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from yiwang.exchange.client_models import Subscription
from yiwang.exchange.tests.client_helpers import TOKEN_URL, approval_system, bearer, regulator, token

pytestmark = pytest.mark.django_db
SUBSCRIPTIONS = "/api/v1/exchange/subscriptions"


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"].startswith("application/problem+json")
    return dict(answer.json())


def _post(access: str, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return Client().post(SUBSCRIPTIONS, raw, content_type="application/json", **bearer(access))


@pytest.mark.parametrize(
    "query",
    [{"limit": "1e999999"}, {"limit": "NaN"}, {"offset": "-1"}, {"limit": "9" * 40}],
)
def test_hostile_paging_numbers_are_refused(world: None, query: dict[str, str]) -> None:
    access = token(regulator())
    problem = _problem(Client().get("/api/v1/exchange/deliveries", query, **bearer(access)), 422)
    assert problem["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exchange/records/scjg.enterprise_register/9137%000102?purpose=x",
        "/api/v1/exchange/records/scjg.enterprise_register/" + "9" * 400 + "?purpose=x",
    ],
)
def test_a_hostile_subject_is_refused_before_any_read(world: None, path: str) -> None:
    access = token(approval_system())
    answer = Client().get(path, **bearer(access))
    assert 400 <= answer.status_code < 500 and answer["Content-Type"].startswith("application/problem+json")


def test_a_nul_in_a_subscription_or_a_10_mb_body_is_refused_and_nothing_is_kept(world: None) -> None:
    access = token(regulator())
    problem = _problem(_post(access, {"event": "case.decided", "target_url": "https://a.example/\u0000"}), 400)
    assert "target_url" in json.dumps(problem, ensure_ascii=False)
    _problem(_post(access, b'{"event": "case.decided", "target_url": "' + b"a" * (10 * 1024 * 1024) + b'"}'), 413)
    assert not Subscription.objects.exists()
    assert Client().get("/api/v1/health").status_code == 200


def test_another_clients_subscription_is_a_404_and_the_same_one_twice_is_one(world: None) -> None:
    mine, other = token(regulator()), token(approval_system())
    body = {"event": "case.decided", "target_url": "https://receiver.example/hook"}
    first = _post(mine, body)
    assert first.status_code == 201, first.content
    second = _post(mine, body)
    assert _problem(second, 409)["rule"] == "duplicate"  # 已有相同的事件订阅
    assert Subscription.objects.filter(status="active").count() == 1
    sid = first.json()["id"]
    _problem(Client().delete(f"{SUBSCRIPTIONS}/{sid}", **bearer(other)), 404)
    assert Subscription.objects.get(pk=sid).status == "active"


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart", "basic"])
def test_a_token_request_with_a_control_character_is_a_clear_refusal(world: None, encoding: str) -> None:
    client_id = regulator().client_id + "\u0000"
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "x"}
    if encoding == "urlencoded":
        answer = Client().post(TOKEN_URL, urlencode(form), content_type="application/x-www-form-urlencoded")
    elif encoding == "multipart":
        answer = Client().post(TOKEN_URL, form)
    else:
        basic = base64.b64encode(f"{client_id}:x".encode()).decode()
        answer = Client().post(TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    problem = _problem(answer, 401 if encoding == "basic" else 400)
    assert problem["errors"][0]["field"] == ("Authorization" if encoding == "basic" else "client_id")
    assert Client().get("/api/v1/health").status_code == 200
