"""API clients (接口客户端): registration by a data steward, OAuth 2.0 client credentials
through django-oauth-toolkit, and who a bearer token is (docs/exchange.md, ADR 0016).

- `client_register` makes the DOT `Application` (confidential, client-credentials grant
  only, secret hashed at rest by DOT) and the `ApiClient` tying it to the consuming
  department, with its scopes and a webhook secret; both secrets are returned once.
- `client_suspend` / `client_resume` move it through `client_workflow`; suspending deletes
  its access tokens in the same transaction, so a suspended client is refused at once.
- `ClientScopes` (DOT's scopes backend) offers a client only its own scopes, and none while
  suspended; `ClientCredentialsValidator` lets only an active client's client-credentials
  requests through the token endpoint.
- `client_for_request` answers who a request's bearer token belongs to (the API's auth).
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from oauth2_provider.models import AbstractApplication, AccessToken, Application
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes

from yiwang.accounts.models import Department, User
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.exchange import rules
from yiwang.exchange.client_models import ApiClient, ClientEvent, Scope
from yiwang.exchange.client_workflow import ClientAction, ClientStatus, client_next_status
from yiwang.exchange.models import Grant
from yiwang.exchange.policy import require_client_action
from yiwang.exchange.workflow import GrantStatus
from yiwang.ledger.events import Domain, ExchangeVerb, event_type
from yiwang.ledger.services import ledger_append

NAME_MAX = 100
REASON_MAX = 1000
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
_VERBS = {
    ClientAction.REGISTER: ExchangeVerb.CLIENT_REGISTERED,
    ClientAction.SUSPEND: ExchangeVerb.CLIENT_SUSPENDED,
    ClientAction.RESUME: ExchangeVerb.CLIENT_RESUMED,
}


@dataclass(frozen=True)
class Registered:
    """A new client and its two secrets: shown once, never again (the OAuth secret is
    hashed at rest; the webhook secret is only ever used to sign)."""

    client: ApiClient
    client_id: str
    client_secret: str
    webhook_secret: str


def client_event(
    client: ApiClient,
    verb: ExchangeVerb,
    *,
    actor: User | None,
    subject: str,
    payload: dict[str, Any],
    reason: str = "",
) -> ClientEvent:
    """The event row and ledger entry of a change to a client or its subscriptions."""
    entry = ledger_append(
        kind=event_type(Domain.EXCHANGE, verb).kind,
        subject=subject,
        payload=payload,
        personal={"reason": reason} if reason else {},
    )
    return ClientEvent.objects.create(
        verb=verb,
        actor=actor,
        subject=subject,
        client=client,
        payload=payload,
        reason=reason,
        at=clock.now(),
        ledger_entry_id=entry.pk,
    )


def _payload(client: ApiClient) -> dict[str, Any]:
    return {
        "client": client.pk,
        "client_id": client.application.client_id,
        "department": client.department.credit_code,
        "scopes": list(client.scopes),
        "status": client.status,
    }


def _scopes_errors(scopes: Sequence[str]) -> list[str]:
    if not isinstance(scopes, list | tuple) or not scopes:
        return [f"权限范围：至少一项，可选 {'、'.join(Scope.values)}"]
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        return [f"权限范围：没有 {str(unknown[0])[:40]}，可选 {'、'.join(Scope.values)}"]
    if len(set(scopes)) != len(scopes):
        return ["权限范围：重复"]
    return []


def client_register(
    *, actor: User, department: Department, name: str, scopes: Sequence[str] = tuple(Scope.values)
) -> Registered:
    """Register another system as an API client reading for `department` (the actor is its
    data steward). The client id and both secrets are in the answer, and only there."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    problems = rules.text_errors("name", "客户端名称", name, required=True, max_length=NAME_MAX)
    if problems:
        errors["name"] = problems
    if _scopes_errors(scopes):
        errors["scopes"] = _scopes_errors(scopes)
    if errors:
        raise ValidationFailed(errors)
    client_secret = secrets.token_urlsafe(48)
    webhook_secret = WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        require_client_action(actor, department, ClientAction.REGISTER)
        if ApiClient.objects.filter(department=department, name=name).exists():
            raise ValidationFailed({"name": [f"客户端名称：本部门已有名为“{name}”的接口客户端"]})
        application = Application.objects.create(
            name=f"{department.name} · {name}"[:255],
            client_type=AbstractApplication.CLIENT_CONFIDENTIAL,
            authorization_grant_type=AbstractApplication.GRANT_CLIENT_CREDENTIALS,
            client_secret=client_secret,  # DOT hashes it on save (hash_client_secret)
            hash_client_secret=True,
        )
        now = clock.now()
        client = ApiClient(
            application=application,
            name=name,
            department=department,
            scopes=list(scopes),
            webhook_secret=webhook_secret,
            status_since=now,
            registered_by=actor,
            registered_at=now,
        )
        client.status = client_next_status(None, ClientAction.REGISTER)
        client.save()
        client_event(
            client, ExchangeVerb.CLIENT_REGISTERED, actor=actor, subject=f"client:{client.pk}", payload=_payload(client)
        )
    return Registered(client, application.client_id, client_secret, webhook_secret)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    problems = rules.text_errors("reason", "理由", reason, required=True, max_length=REASON_MAX)
    if problems:
        raise ValidationFailed({"reason": problems})
    return reason


def client_move_check(action: ClientAction, *, actor: User, client_id: int, reason: str) -> str:
    """What suspending or resuming checks (the reason, who, the transition), writing nothing:
    the workbench's confirmation step. Returns the reason as it will be recorded."""
    reason = _reason(reason)
    client = ApiClient.objects.select_related("department").filter(pk=client_id).first()
    if client is None:
        raise NotFound("接口客户端不存在。")
    require_client_action(actor, client.department, action)
    client_next_status(client.status, action)
    return reason


def _move(action: ClientAction, *, actor: User, client_id: int, reason: str) -> ApiClient:
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        client = (
            ApiClient.objects.select_for_update()
            .select_related("department", "application")
            .filter(pk=client_id)
            .first()
        )
        if client is None:
            raise NotFound("接口客户端不存在。")
        require_client_action(actor, client.department, action)
        client.status = client_next_status(client.status, action)
        client.status_since = clock.now()
        client.save(update_fields=["status", "status_since"])
        if action == ClientAction.SUSPEND:
            AccessToken.objects.filter(application=client.application).delete()
        client_event(
            client, _VERBS[action], actor=actor, subject=f"client:{client.pk}", payload=_payload(client), reason=reason
        )
    return client


def client_suspend(*, actor: User, client_id: int, reason: str) -> ApiClient:
    return _move(ClientAction.SUSPEND, actor=actor, client_id=client_id, reason=reason)


def client_resume(*, actor: User, client_id: int, reason: str) -> ApiClient:
    return _move(ClientAction.RESUME, actor=actor, client_id=client_id, reason=reason)


# --- django-oauth-toolkit glue -------------------------------------------------------------


def _active_client(application: Any) -> ApiClient | None:
    if application is None:
        return None
    return (
        ApiClient.objects.select_related("department", "application")
        .filter(application=application, status=ClientStatus.ACTIVE)
        .first()
    )


class ClientScopes(SettingsScopes):
    """A client may ask for its own scopes only, and for none while suspended."""

    def get_available_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> Any:
        client = _active_client(application)
        return list(client.scopes) if client else []

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> Any:
        return self.get_available_scopes(application, request)


class ClientCredentialsValidator(OAuth2Validator):
    """The token endpoint serves API clients only: the client-credentials grant of an active
    client (another grant type, or a suspended client, is `unauthorized_client`)."""

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if grant_type != "client_credentials" or _active_client(request.client) is None:
            return False
        return bool(super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs))


def client_for_request(request: HttpRequest, *, scope: str) -> ApiClient | None:
    """The active API client whose bearer token `request` carries, or None (401). A valid
    token without `scope` is refused (403, naming the scope)."""
    valid, oauth = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid or oauth is None:
        return None
    token = oauth.access_token
    client = _active_client(token.application)
    if client is None:
        return None
    if scope not in token.scope.split():
        raise PermissionDenied(f"访问令牌不包含权限范围 {scope}，请以该范围重新申请令牌。", rule="scope")
    return client


# --- reads for the API ----------------------------------------------------------------------


def grants_in_force_for(client: ApiClient, *, on: dt.date | None = None) -> QuerySet[Grant]:
    """The grants the client's department holds that are in force today (its reads' limits)."""
    on = on or clock.today()
    return (
        Grant.objects.filter(consumer_id=client.department_id, status=GrantStatus.ACTIVE, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .select_related("resource__provider")
        .order_by("resource__code", "id")
    )


def clients_of(department_ids: Sequence[int]) -> QuerySet[ApiClient]:
    """The API clients of the departments a steward stewards."""
    return ApiClient.objects.filter(department_id__in=department_ids).select_related("department", "application")
