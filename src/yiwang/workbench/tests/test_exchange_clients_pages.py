"""接口客户端 pages for data stewards, on the demo's clients (demo.clients): a steward sees and
acts on their own departments' clients only; registering shows the secrets once; suspending
and resuming need a reason and a confirmation; subscriptions and deliveries are listed."""

import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Department, Role, User
from yiwang.accounts.services import staff_role_grant
from yiwang.core import clock
from yiwang.core.localproc import free_port, start, stop
from yiwang.demo.clients import CLIENT_NAME, CREDENTIALS_FILE, E_LICENSES, load_clients
from yiwang.demo.exchange import FOOD_LICENSE, load_exchange
from yiwang.demo.world import ENTERPRISE
from yiwang.exchange.client_models import ApiClient, EventKind, WebhookDelivery
from yiwang.exchange.delivery import webhooks_deliver_pending
from yiwang.exchange.tests.client_helpers import TOKEN_URL, basic, bearer
from yiwang.exchange.webhooks import webhooks_publish
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]
LIST = "/workbench/exchange/clients/"
NEW = "/workbench/exchange/clients/new/"


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False  # pushes go out when a test calls for them


@pytest.fixture
def receiver_port(monkeypatch: pytest.MonkeyPatch) -> int:
    """Where the demo subscription pushes to (a receiver is started there when a test needs one)."""
    port = free_port()
    monkeypatch.setenv("YIWANG_DEMO_RECEIVER_PORT", str(port))
    return port


@pytest.fixture
def demo(world: None, tmp_path: Path, receiver_port: int) -> dict[str, Any]:
    """The demo's grants and 市场监管's 食品安全监管系统 with its subscription; its credentials."""
    load_exchange()
    load_clients(tmp_path)
    return dict(json.loads((tmp_path / CREDENTIALS_FILE).read_text(encoding="utf-8")))


def text(response: Any) -> str:
    return str(response.content.decode())


def page_text(response: Any) -> str:
    """What a reader sees: the markup's text with the tags taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text(response)))


def client_url(client: ApiClient, action: str = "") -> str:
    return f"{LIST}{client.pk}/" + (f"{action}/" if action else "")


def token_for(client_id: str, secret: str) -> Any:
    return Client().post(TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))


def test_a_steward_sees_and_opens_only_the_clients_of_their_departments(demo: dict[str, Any], login_as: Login) -> None:
    client = ApiClient.objects.get(name=CLIENT_NAME)
    market = login_as("jn_market_data")
    listed = market.get(LIST)
    assert listed.status_code == 200
    html = text(listed)
    assert_sound_html(html)
    assert CLIENT_NAME in html and demo["client_id"] in html and "济南市市场监督管理局" in html
    assert "exchange.read" in html and "exchange.subscribe" in html and "有效" in html
    assert "接口客户端" in text(market.get("/workbench/exchange/grants/"))  # the tab next to the others
    detail = market.get(client_url(client))
    assert detail.status_code == 200
    assert_sound_html(text(detail))
    # another department's steward: not in the list, and no page nor action (404, no hint)
    approval = login_as("jn_approval_data")
    assert CLIENT_NAME not in text(approval.get(LIST)) and "本部门尚未登记接口客户端" in text(approval.get(LIST))
    assert approval.get(client_url(client)).status_code == 404
    refused = approval.post(client_url(client, "suspend"), {"reason": "试图暂停", "confirm": "1"})
    assert refused.status_code == 404
    client.refresh_from_db()
    assert client.status == "active"


def test_the_list_shows_when_a_client_last_got_a_token_and_read_data(
    demo: dict[str, Any], login_as: Login, settings: Any, tmp_path: Path
) -> None:
    market = login_as("jn_market_data")
    row = _row(market, CLIENT_NAME)
    assert 'data-label="最近取得令牌" class="num">—<' in row and 'data-label="最近读取数据" class="num">—<' in row
    # 查询互认: the regulator checks 泉城餐饮's 营业执照 (the platform's own e-licenses, no process)
    access = token_for(demo["client_id"], demo["client_secret"]).json()["access_token"]
    read = Client().get(
        f"/api/v1/exchange/records/{E_LICENSES}/{ENTERPRISE['credit_code']}",
        {"purpose": "日常监管核对许可"},
        **bearer(access),
    )
    assert read.status_code == 200, read.content
    row = _row(market, CLIENT_NAME)
    assert 'data-label="最近取得令牌" class="num">—<' not in row
    assert 'data-label="最近读取数据" class="num">—<' not in row
    assert re.search(r'data-label="最近读取数据" class="num">\d{4}-\d{2}-\d{2} \d{2}:\d{2}<', row)


def _row(client: Client, name: str) -> str:
    rows = re.findall(r"<tr>(.*?)</tr>", text(client.get(LIST)), flags=re.S)
    return next(r for r in rows if f">{name}</a>" in r)


@pytest.mark.parametrize("username", ["jn_window", "zhangsan"])
def test_who_is_not_a_data_steward_gets_no_client_page(demo: dict[str, Any], login_as: Login, username: str) -> None:
    client = ApiClient.objects.get(name=CLIENT_NAME)
    user = login_as(username)
    for url in (LIST, NEW, client_url(client)):
        assert user.get(url).status_code == 403
    assert user.post(NEW, {"name": "冒名系统", "scopes": ["exchange.read"]}).status_code == 403
    assert user.post(client_url(client, "suspend"), {"reason": "x", "confirm": "1"}).status_code == 403
    assert not ApiClient.objects.filter(name="冒名系统").exists()
    assert ApiClient.objects.get(pk=client.pk).status == "active"


def test_registering_shows_the_secrets_once_and_they_work(demo: dict[str, Any], login_as: Login) -> None:
    approval = login_as("jn_approval_data")
    form = approval.get(NEW)
    assert form.status_code == 200
    assert_sound_html(text(form))
    assert "济南市行政审批服务局" in text(form)
    # nothing typed: each message next to its field, linked from the summary, nothing registered
    refused = approval.post(NEW, {"name": "  ", "scopes": []})
    assert refused.status_code == 422
    html = text(refused)
    assert_sound_html(html)
    assert '<a href="#f-name">客户端名称：必填</a>' in html and 'id="f-name-error"' in html
    assert 'href="#f-scopes-1">权限范围：至少一项' in html and 'id="f-scopes-error"' in html
    assert not ApiClient.objects.filter(department__name="济南市行政审批服务局").exists()
    # a control character is refused naming the field, what was typed kept
    refused = approval.post(NEW, {"name": "审批\x07系统", "scopes": ["exchange.read"]})
    assert refused.status_code == 422 and "客户端名称：含有不可见的控制字符（U+0007）" in text(refused)
    assert 'value="exchange.read" checked' in text(refused)

    created = approval.post(NEW, {"name": "审批业务系统", "scopes": ["exchange.read"]})
    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    html = text(created)
    assert_sound_html(html)
    registered = ApiClient.objects.select_related("application").get(name="审批业务系统")
    assert registered.department.name == "济南市行政审批服务局" and registered.scopes == ["exchange.read"]
    client_id = registered.application.client_id
    secret = re.search(r'id="client-secret">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    webhook_secret = re.search(r'id="webhook-secret">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert client_id in html and webhook_secret == registered.webhook_secret
    assert "密钥只显示这一次" in html
    # the secret shown is the one the token endpoint accepts, for the scope registered
    answer = token_for(client_id, secret)
    assert answer.status_code == 200 and answer.json()["scope"] == "exchange.read"
    # shown once: neither the client's page nor the list shows a secret again
    for url in (client_url(registered), LIST):
        again = text(approval.get(url))
        assert client_id in again and secret not in again and webhook_secret not in again
    # the same name again in the department is refused, naming the field
    twice = approval.post(NEW, {"name": "审批业务系统", "scopes": ["exchange.read"]})
    assert twice.status_code == 422 and "本部门已有名为“审批业务系统”的接口客户端" in text(twice)
    assert ApiClient.objects.filter(name="审批业务系统").count() == 1


def test_a_steward_of_two_departments_chooses_the_department(demo: dict[str, Any], login_as: Login) -> None:
    steward = User.objects.get(username="jn_approval_data")
    health = Department.objects.get(name="济南市卫生健康委员会")
    staff_role_grant(actor=None, user=steward, role=Role.DATA_STEWARD, department=health)
    approval = login_as("jn_approval_data")
    form = text(approval.get(NEW))
    assert_sound_html(form)
    assert '<select class="input" id="f-department" name="department"' in form and "济南市卫生健康委员会" in form
    unchosen = approval.post(NEW, {"department": "", "name": "生育服务系统", "scopes": ["exchange.read"]})
    assert unchosen.status_code == 422
    assert '<a href="#f-department">使用部门：请选择您担任数据管理员的部门</a>' in text(unchosen)
    assert 'value="生育服务系统"' in text(unchosen)
    # a department the steward does not steward is refused the same way
    market = Department.objects.get(name="济南市市场监督管理局")
    other = approval.post(NEW, {"department": str(market.pk), "name": "生育服务系统", "scopes": ["exchange.read"]})
    assert other.status_code == 422 and not ApiClient.objects.filter(name="生育服务系统").exists()
    chosen = approval.post(NEW, {"department": str(health.pk), "name": "生育服务系统", "scopes": ["exchange.read"]})
    assert chosen.status_code == 201
    assert ApiClient.objects.get(name="生育服务系统").department == health
    assert "生育服务系统" in text(approval.get(LIST)) and CLIENT_NAME not in text(approval.get(LIST))


def test_suspending_needs_a_reason_and_a_confirmation_and_stops_the_token(
    demo: dict[str, Any], login_as: Login
) -> None:
    client = ApiClient.objects.get(name=CLIENT_NAME)
    access = token_for(demo["client_id"], demo["client_secret"]).json()["access_token"]
    api = Client()
    assert api.get("/api/v1/exchange/grants", **bearer(access)).status_code == 200
    market = login_as("jn_market_data")
    # no reason: the message is next to the reason, nothing changes
    refused = market.post(client_url(client, "suspend"), {"reason": ""})
    assert refused.status_code == 422
    html = text(refused)
    assert_sound_html(html)
    assert 'id="move-reason-error"' in html and "理由：必填" in html
    # a reason: the confirmation page, still nothing changed
    asked = market.post(client_url(client, "suspend"), {"reason": "对方系统升级，暂停调用"})
    assert asked.status_code == 200
    html = text(asked)
    assert_sound_html(html)
    assert "确认暂停" in html and "对方系统升级，暂停调用" in html and 'name="confirm" value="1"' in html
    assert "访问令牌立即作废" in html
    assert ApiClient.objects.get(pk=client.pk).status == "active"
    assert api.get("/api/v1/exchange/grants", **bearer(access)).status_code == 200
    # confirmed: suspended, its token refused, the page says so and the history has the reason
    done = market.post(client_url(client, "suspend"), {"reason": "对方系统升级，暂停调用", "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == client_url(client)
    assert ApiClient.objects.get(pk=client.pk).status == "suspended"
    assert api.get("/api/v1/exchange/grants", **bearer(access)).status_code == 401
    shown = page_text(market.get(client_url(client)))
    assert "已暂停该接口客户端" in shown and "已暂停，自" in shown
    assert "暂停 · 杨数：对方系统升级，暂停调用" in shown and "恢复理由" in shown
    assert "已暂停" in page_text(market.get(LIST))
    # resuming a suspended client: again a reason and a confirmation
    resumed = market.post(client_url(client, "resume"), {"reason": "升级完成", "confirm": "1"})
    assert resumed.status_code == 302 and ApiClient.objects.get(pk=client.pk).status == "active"
    assert token_for(demo["client_id"], demo["client_secret"]).status_code == 200
    # resuming an active client is refused with the reason, not done twice
    again = market.post(client_url(client, "resume"), {"reason": "再次恢复"})
    assert again.status_code == 409 and "接口客户端当前为“有效”，不能恢复。" in text(again)
    assert market.post(client_url(client, "delete"), {"reason": "x"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_subscriptions_and_the_recent_deliveries_are_listed(
    demo: dict[str, Any], login_as: Login, receiver_port: int, tmp_path: Path
) -> None:
    receiver, _ = start(
        "yiwang.exchange.devreceiver",
        "--secret",
        demo["webhook_secret"],
        "--record",
        str(tmp_path / "hooks.jsonl"),
        port=receiver_port,
    )
    try:
        decided = _decide("370100-20261204-000001")
        assert webhooks_deliver_pending() == 1
        _control(receiver_port, fail_next=1, status=503)
        failing = _decide("370100-20261204-000002")
        assert webhooks_deliver_pending() == 0
    finally:
        stop(receiver)
    failing.refresh_from_db()
    assert failing.status == "pending" and failing.attempts == 1 and failing.last_status_code == 503
    client = ApiClient.objects.get(name=CLIENT_NAME)
    response = login_as("jn_market_data").get(client_url(client))
    html = text(response)
    assert_sound_html(html)
    shown = page_text(response)
    # the subscription: event, item, target, status
    assert "办件作出审批决定" in shown and FOOD_LICENSE in shown
    assert f"http://127.0.0.1:{receiver_port}/webhooks/yiwang" in shown
    # the deliveries, newest first: the failed attempt waits for its retry, the first was delivered
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    pending = next(r for r in rows if "370100-20261204-000002" in r)
    delivered = next(r for r in rows if "370100-20261204-000001" in r)
    assert rows.index(pending) < rows.index(delivered)
    assert "待推送" in pending and ">503<" in pending and 'data-label="尝试次数" class="num">1<' in pending
    next_attempt = timezone.localtime(failing.next_attempt_at).strftime("%Y-%m-%d %H:%M:%S")
    assert next_attempt in pending and "接收方应答 HTTP 503" in pending
    assert "已送达" in delivered and ">200<" in delivered
    assert 'data-label="下次尝试" class="num">—<' in delivered
    assert decided.pk != failing.pk


def _decide(case_number: str) -> WebhookDelivery:
    """What a 食品经营许可 decision writes in its transaction (cases.services._engine.decide)."""
    with transaction.atomic():
        webhooks_publish(
            event=EventKind.CASE_DECIDED,
            item_code=FOOD_LICENSE,
            data={
                "case_number": case_number,
                "item_code": FOOD_LICENSE,
                "item_name": "食品经营许可",
                "department": "济南市行政审批服务局",
                "outcome": "approved",
                "decided_at": clock.now().isoformat(),
                "license_identifier": None,
            },
            occurred_at=clock.now(),
        )
    return WebhookDelivery.objects.get(payload__data__case_number=case_number)


def _control(port: int, **order: object) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/_control", data=json.dumps(order).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
        answer.read()
