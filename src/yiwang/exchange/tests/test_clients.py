"""API clients: registration by a steward, tokens from the real token endpoint (OAuth 2.0
client credentials), who a token is, suspension, and every client status pair."""

from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.exchange import clients
from yiwang.exchange.client_models import ApiClient, ClientEvent
from yiwang.exchange.client_workflow import CLIENT_TRANSITIONS, ClientAction, ClientStatus
from yiwang.exchange.tests.client_helpers import TOKEN_URL, basic, bearer, regulator, token
from yiwang.exchange.tests.helpers import approval_steward, department, market_steward
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db
GRANTS = "/api/v1/exchange/grants"


def test_a_steward_registers_a_client_and_the_secret_is_shown_once_and_hashed(world: None) -> None:
    registered = regulator()
    client = registered.client
    assert client.status == ClientStatus.ACTIVE and client.department == department("market")
    stored = Application.objects.get(client_id=registered.client_id)
    assert stored.client_secret != registered.client_secret  # hashed at rest (Django's hashers)
    assert check_password(registered.client_secret, stored.client_secret)
    assert stored.authorization_grant_type == "client-credentials" and stored.client_type == "confidential"
    assert registered.webhook_secret.startswith("whsec_") and len(registered.webhook_secret) > 40
    event = ClientEvent.objects.get(client=client)
    entry = Entry.objects.get(pk=event.ledger_entry_id)
    assert entry.kind == "exchange.client_registered" and registered.client_secret not in entry.leaf
    assert registered.webhook_secret not in entry.leaf
    with pytest.raises(ValidationFailed) as twice:
        regulator()
    assert "已有名为" in twice.value.errors["name"][0]


def test_only_a_steward_of_the_department_registers_or_suspends(world: None) -> None:
    with pytest.raises(PermissionDenied):
        clients.client_register(actor=approval_steward(), department=department("market"), name="监管系统")
    registered = regulator()
    with pytest.raises(PermissionDenied):
        clients.client_suspend(actor=approval_steward(), client_id=registered.client.pk, reason="越权")
    with pytest.raises(ValidationFailed) as bad:
        clients.client_register(
            actor=market_steward(), department=department("market"), name="x\x00", scopes=["exchange.write"]
        )
    assert set(bad.value.errors) == {"name", "scopes"}


def test_the_token_endpoint_issues_a_bearer_token_by_client_credentials(world: None) -> None:
    registered = regulator()
    answer = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(registered.client_id, registered.client_secret),
    )
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"exchange.read", "exchange.subscribe"}
    assert AccessToken.objects.get(token=body["access_token"]).application.client_id == registered.client_id
    in_form = Client().post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "scope": "exchange.read",
            "client_id": registered.client_id,
            "client_secret": registered.client_secret,
        },
    )
    assert in_form.status_code == 200 and in_form.json()["scope"] == "exchange.read"


@pytest.mark.parametrize(
    ("form", "secret_ok", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, False, 401, "invalid_client"),
        ({"grant_type": "client_credentials", "scope": "read write"}, True, 400, "invalid_scope"),
    ],
)
def test_a_refused_token_request_is_a_problem_carrying_the_oauth_error(
    world: None, form: dict[str, str], secret_ok: bool, status: int, error: str
) -> None:
    registered = regulator()
    secret = registered.client_secret if secret_ok else "wrong-secret"
    answer = Client().post(TOKEN_URL, form, HTTP_AUTHORIZATION=basic(registered.client_id, secret))
    assert answer.status_code == status and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["error"] == error and answer.json()["detail"]


def test_another_grant_type_is_refused(world: None) -> None:
    registered = regulator()
    answer = Client().post(
        TOKEN_URL,
        {"grant_type": "password", "username": "jn_market_data", "password": "x"},
        HTTP_AUTHORIZATION=basic(registered.client_id, registered.client_secret),
    )
    assert answer.status_code == 422  # only client_credentials is documented and accepted


def test_without_a_valid_token_the_api_answers_401(world: None) -> None:
    regulator()
    for headers in ({}, bearer("not-a-token"), {"HTTP_AUTHORIZATION": "Basic abc"}):
        answer = Client().get(GRANTS, **headers)
        assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"


def test_a_token_without_the_scope_is_refused_naming_it(world: None) -> None:
    registered = regulator(scopes=("exchange.subscribe",))
    answer = Client().get(GRANTS, **bearer(token(registered)))
    assert answer.status_code == 403
    assert answer.json()["rule"] == "scope" and "exchange.read" in answer.json()["detail"]
    too_wide = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "scope": "exchange.read"},
        HTTP_AUTHORIZATION=basic(registered.client_id, registered.client_secret),
    )
    assert too_wide.status_code == 400 and too_wide.json()["error"] == "invalid_scope"


def test_a_suspended_client_loses_its_tokens_and_gets_no_new_one(world: None) -> None:
    registered = regulator()
    access = token(registered)
    assert Client().get(GRANTS, **bearer(access)).status_code == 200
    clients.client_suspend(actor=market_steward(), client_id=registered.client.pk, reason="系统升级期间暂停")
    assert Client().get(GRANTS, **bearer(access)).status_code == 401
    again = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(registered.client_id, registered.client_secret),
    )
    assert again.status_code in (400, 401) and again.json()["error"] in ("unauthorized_client", "invalid_scope")
    clients.client_resume(actor=market_steward(), client_id=registered.client.pk, reason="升级完成")
    assert Client().get(GRANTS, **bearer(token(registered))).status_code == 200
    events = ClientEvent.objects.filter(client=registered.client).order_by("at", "id")
    verbs = list(events.values_list("verb", flat=True))
    assert verbs == ["client_registered", "client_suspended", "client_resumed"]


def test_the_confirmation_check_refuses_as_the_move_would_and_writes_nothing(world: None) -> None:
    client = regulator().client
    before = ClientEvent.objects.count()
    check = clients.client_move_check
    assert check(ClientAction.SUSPEND, actor=market_steward(), client_id=client.pk, reason="  升级  ") == "升级"
    with pytest.raises(ValidationFailed) as missing:
        check(ClientAction.SUSPEND, actor=market_steward(), client_id=client.pk, reason=" ")
    assert missing.value.errors["reason"] == ["理由：必填"]
    with pytest.raises(PermissionDenied):
        check(ClientAction.SUSPEND, actor=approval_steward(), client_id=client.pk, reason="越权")
    with pytest.raises(Conflict):
        check(ClientAction.RESUME, actor=market_steward(), client_id=client.pk, reason="恢复")
    with pytest.raises(NotFound):
        check(ClientAction.SUSPEND, actor=market_steward(), client_id=client.pk + 1000, reason="无此客户端")
    assert ApiClient.objects.get(pk=client.pk).status == ClientStatus.ACTIVE
    assert ClientEvent.objects.count() == before


CLIENT_PAIRS = [(s, a) for s in ClientStatus for a in ClientAction if a != ClientAction.REGISTER]


@pytest.mark.parametrize(("status", "action"), CLIENT_PAIRS)
def test_every_client_pair(world: None, status: ClientStatus, action: ClientAction) -> None:
    client = regulator().client
    steward = market_steward()
    run: dict[ClientAction, Callable[[], object]] = {
        ClientAction.SUSPEND: lambda: clients.client_suspend(actor=steward, client_id=client.pk, reason="暂停"),
        ClientAction.RESUME: lambda: clients.client_resume(actor=steward, client_id=client.pk, reason="恢复"),
    }
    if status == ClientStatus.SUSPENDED:
        run[ClientAction.SUSPEND]()
    assert ApiClient.objects.get(pk=client.pk).status == status
    target = CLIENT_TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(Conflict):
            run[action]()
    else:
        run[action]()
    assert ApiClient.objects.get(pk=client.pk).status == (target or status)


def test_the_admin_offers_no_page_to_edit_oauth_clients_or_tokens() -> None:
    from django.contrib import admin
    from oauth2_provider.models import get_access_token_model, get_application_model

    assert not admin.site.is_registered(get_application_model())
    assert not admin.site.is_registered(get_access_token_model())
