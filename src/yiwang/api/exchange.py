"""The API for other systems (API clients, docs/exchange.md "API clients and webhooks").

`POST /oauth/token` issues an access token by OAuth 2.0 client credentials (django-oauth-
toolkit; HTTP Basic or client_id/client_secret in the form). Every other operation takes
`Authorization: Bearer <token>` and answers for the client's department:

- `GET /exchange/grants`: its grants in force (scope `exchange.read`);
- `GET /exchange/records/{resource}/{subject}`: one read under a grant, only the granted
  fields (no grant or other fields: 403 naming the rule; the providing system failing: 502,
  504 on a timeout, 503 with Retry-After while its circuit is open or it is busy, 404 when it
  has no record; each with the reason code);
- subscriptions (list, create, cancel) and the delivery log (scope `exchange.subscribe`).
"""

import base64
import binascii
import datetime as dt
import json
import re
from typing import Any, Literal, cast
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from ninja import Field, Form, Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from yiwang.api.openapi import PROBLEM
from yiwang.api.params import BoundedLimitOffset, Id
from yiwang.core.problems import problem_response
from yiwang.exchange import clients, reads, webhooks
from yiwang.exchange.client_models import ApiClient, Scope, Subscription, WebhookDelivery
from yiwang.exchange.delivery import MAX_ATTEMPTS
from yiwang.exchange.models import Grant
from yiwang.exchange.providers import ProviderFailed

router = Router(tags=["接口客户端"])
_PROBLEM_REF = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ClientBearer(HttpBearer):
    """An API client's OAuth 2.0 access token carrying `scope`."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        return clients.client_for_request(request, scope=self.scope)


read_auth = ClientBearer(Scope.READ)
subscribe_auth = ClientBearer(Scope.SUBSCRIBE)


def _client(request: HttpRequest) -> ApiClient:
    return cast(ApiClient, request.auth)  # type: ignore[attr-defined]


# --- token --------------------------------------------------------------------------------


class TokenIn(Schema):
    grant_type: Literal["client_credentials"] = Field(..., description="只支持 client_credentials")
    scope: str = Field("", max_length=200, description="空格分隔的权限范围；缺省为客户端的全部范围")
    client_id: str = Field("", max_length=255, description="客户端标识（也可用 HTTP Basic 认证）")
    client_secret: str = Field("", max_length=255, description="客户端密钥（也可用 HTTP Basic 认证）")


class TokenOut(Schema):
    access_token: str
    token_type: str = Field(..., description="Bearer")
    expires_in: int = Field(..., description="有效秒数")
    scope: str


_OAUTH_DETAIL = {
    "invalid_client": "客户端认证失败：客户端标识或密钥不正确。",
    "unauthorized_client": "该客户端不能以此方式申请令牌（仅支持 client_credentials），或客户端已暂停。",
    "invalid_scope": "申请的权限范围超出了该客户端的范围。",
    "unsupported_grant_type": "不支持的授权方式：仅支持 client_credentials。",
    "invalid_request": "令牌申请的参数不完整或不正确。",
}


@router.post(
    "/oauth/token",
    response=TokenOut,
    summary="以客户端凭证（OAuth 2.0 client credentials）申请访问令牌",
    auth=None,
    openapi_extra={
        "responses": {
            401: {"description": "客户端认证失败（error: invalid_client）", "content": _PROBLEM_REF},
            400: {"description": "授权方式或权限范围不被允许（error 同 RFC 6749）", "content": _PROBLEM_REF},
        }
    },
)
def token(request: HttpRequest, form: Form[TokenIn]) -> HttpResponse:
    if not _basic_credentials_are_text(request):
        # A client id with a NUL would otherwise reach the database lookup (PostgreSQL refuses it).
        return problem_response(
            status=401,
            title="令牌申请被拒绝",
            detail="HTTP Basic 认证中的客户端标识或密钥含有控制字符或不是 UTF-8 文本。",
            code="oauth-invalid_client",
            error="invalid_client",
            errors=[{"field": "Authorization", "message": "客户端凭证含有不允许的字符。"}],
        )
    _uri, headers, body, status = get_oauthlib_core().create_token_response(request)
    if status == 200:
        response = HttpResponse(body, status=200, content_type="application/json")
    else:
        answer = json.loads(body or "{}")
        error = str(answer.get("error", "invalid_request"))
        response = problem_response(
            status=status,
            title="令牌申请被拒绝",
            detail=_OAUTH_DETAIL.get(error, "令牌申请被拒绝。"),
            code=f"oauth-{error}",
            error=error,  # RFC 6749 §5.2, for OAuth client libraries
        )
    for name in ("WWW-Authenticate", "Cache-Control", "Pragma"):
        if name in headers:
            response[name] = headers[name]
    response["Cache-Control"] = "no-store"
    return response


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _basic_credentials_are_text(request: HttpRequest) -> bool:
    """False when HTTP Basic credentials decode to something other than control-free text."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() != "basic ":
        return True
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return True  # not Basic credentials at all: the OAuth library answers invalid_client
    return not _CONTROL.search(unquote(decoded))


# --- grants and reads -----------------------------------------------------------------------


class GrantFieldOut(Schema):
    key: str
    label: str
    sensitivity: str


class GrantOut(Schema):
    id: int
    resource: str
    resource_name: str
    provider: str
    fields: list[GrantFieldOut]
    purpose: str
    valid_from: dt.date
    valid_until: dt.date | None

    @staticmethod
    def resolve_resource(obj: Grant) -> str:
        return obj.resource.code

    @staticmethod
    def resolve_resource_name(obj: Grant) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_provider(obj: Grant) -> str:
        return obj.resource.provider.name

    @staticmethod
    def resolve_fields(obj: Grant) -> list[dict[str, str]]:
        declared = {spec["key"]: spec for spec in obj.resource.fields}
        out = []
        for key in obj.fields:
            spec = declared.get(key, {})
            out.append({"key": key, "label": spec.get("label", key), "sensitivity": spec.get("sensitivity", "")})
        return out


@router.get("/exchange/grants", response=list[GrantOut], summary="本客户端所属部门现行有效的共享授权", auth=read_auth)
def grants(request: HttpRequest) -> Any:
    return list(clients.grants_in_force_for(_client(request))[:200])


class RecordOut(Schema):
    resource: str
    subject_id: str
    fields: list[str]
    record: dict[str, Any]
    source: str = Field(..., description="提供部门·资源名称")
    digest: str = Field(..., description="记录的 SHA-256（规范 JSON）")
    read_id: int = Field(..., description="数据使用记录编号")
    read_at: dt.datetime


class RecordQuery(Schema):
    purpose: str = Field(..., min_length=1, max_length=500, description="用途（记入数据使用记录）")
    reference: str = Field("", max_length=40, description="关联办件编号等")
    fields: str = Field("", max_length=2000, description="逗号分隔的信息项；缺省为授权的全部信息项")


_FAILURE_STATUS = {"timeout": 504, "not_found": 404, "busy": 503, "circuit_open": 503}


@router.get(
    "/exchange/records/{resource_code}/{subject_id}",
    response=RecordOut,
    summary="读取共享数据（仅返回授权的信息项，每次读取均记录）",
    auth=read_auth,
    openapi_extra={
        "responses": {
            502: {
                "description": "提供系统故障（reason: unavailable / invalid / refused …）",
                "content": _PROBLEM_REF,
            },
            503: {
                "description": "提供系统暂停调用或繁忙（reason: circuit_open / busy；见 Retry-After）",
                "content": _PROBLEM_REF,
            },
            504: {"description": "提供系统超时（reason: timeout）", "content": _PROBLEM_REF},
        }
    },
)
def record(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[RecordQuery],
    resource_code: str = Path(..., pattern=r"^[a-z][a-z0-9_.-]{2,59}$", description="数据资源代码"),
    subject_id: str = Path(
        ...,
        min_length=1,
        max_length=120,
        pattern=r"^[0-9A-Za-z_.-]+$",
        description="主体标识（统一社会信用代码、居民身份证号、电子证照标识、年度等，视资源而定）",
    ),
) -> Any:
    client = _client(request)
    fields = [key.strip() for key in query.fields.split(",") if key.strip()] or None
    if fields and (len(fields) > 100 or not all(FIELD_KEY.match(key) for key in fields)):
        return problem_response(
            status=422,
            title="请求格式不正确",
            detail="fields：信息项标识格式不正确（小写字母开头，最多 100 项）",
            code="validation",
            errors=[{"field": "fields", "message": "fields：信息项标识格式不正确（小写字母开头，最多 100 项）"}],
        )
    response["Cache-Control"] = "no-store"
    try:
        shared = reads.shared_read(
            consumer=client.department,
            resource_code=resource_code,
            subject_id=subject_id,
            purpose=query.purpose,
            reference=query.reference,
            fields=fields,
            client=client,
        )
    except ProviderFailed as failure:
        status = _FAILURE_STATUS.get(failure.code, 502)
        refused = problem_response(
            status=status,
            title="提供系统未能提供数据",
            detail=failure.message,
            code=f"provider-{failure.code}",
            reason=failure.code,
        )
        if status == 503:
            refused["Retry-After"] = "5"
        return refused
    return {
        "resource": resource_code,
        "subject_id": subject_id,
        "fields": list(shared.record),
        "record": shared.record,
        "source": shared.source,
        "digest": shared.digest,
        "read_id": shared.read.pk,
        "read_at": shared.read.at,
    }


# --- subscriptions and deliveries -----------------------------------------------------------


class SubscriptionIn(Schema):
    event: Literal["case.decided"] = Field(..., description="事件类型")
    target_url: str = Field(..., max_length=webhooks.URL_MAX, description="推送地址（https；本机可用 http）")
    item_code: str = Field("", max_length=20, description="事项基本编码；缺省为全部事项")


class SubscriptionOut(Schema):
    id: int
    event: str
    item_code: str
    target_url: str
    status: str
    status_label: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj: Subscription) -> str:
        return obj.get_status_display()


@router.get(
    "/exchange/subscriptions", response=list[SubscriptionOut], summary="本客户端的事件订阅", auth=subscribe_auth
)
def subscriptions(request: HttpRequest) -> Any:
    return list(webhooks.subscriptions_of(_client(request))[:200])


@router.post(
    "/exchange/subscriptions",
    response={201: SubscriptionOut},
    summary="订阅事件推送（推送以本客户端的推送签名密钥签名）",
    auth=subscribe_auth,
)
def subscribe(request: HttpRequest, body: SubscriptionIn) -> Any:
    subscription = webhooks.subscription_create(
        client=_client(request), event=body.event, target_url=body.target_url, item_code=body.item_code
    )
    return Status(201, subscription)


@router.delete(
    "/exchange/subscriptions/{subscription_id}",
    response=SubscriptionOut,
    summary="取消事件订阅（已产生的推送仍会送出）",
    auth=subscribe_auth,
)
def unsubscribe(request: HttpRequest, subscription_id: Id) -> Any:
    return webhooks.subscription_cancel(client=_client(request), subscription_id=subscription_id)


class AttemptOut(Schema):
    at: dt.datetime
    status_code: int | None
    error: str
    ms: int


class DeliveryOut(Schema):
    id: str = Field(..., description="推送编号（请求头 X-Yiwang-Delivery，幂等键）")
    event: str
    subscription: int
    target_url: str
    status: str
    status_label: str
    attempts: int
    max_attempts: int
    attempt_log: list[AttemptOut]
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None = Field(None, description="待推送时的下次尝试时间")
    delivered_at: dt.datetime | None
    payload: dict[str, Any] = Field(..., description="推送内容")

    @staticmethod
    def resolve_id(obj: WebhookDelivery) -> str:
        return str(obj.event_id)

    @staticmethod
    def resolve_subscription(obj: WebhookDelivery) -> int:
        return obj.subscription_id

    @staticmethod
    def resolve_status_label(obj: WebhookDelivery) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_max_attempts(obj: WebhookDelivery) -> int:
        return MAX_ATTEMPTS

    @staticmethod
    def resolve_next_attempt_at(obj: WebhookDelivery) -> dt.datetime | None:
        return obj.next_attempt_at if obj.status == "pending" else None


class DeliveryFilter(Schema):
    status: Literal["", "pending", "delivered", "failed"] = Field("", description="按状态筛选")


@router.get(
    "/exchange/deliveries",
    response=list[DeliveryOut],
    summary="本客户端的推送记录（含每次尝试）",
    auth=subscribe_auth,
)
@paginate(BoundedLimitOffset)
def deliveries(request: HttpRequest, filters: Query[DeliveryFilter]) -> Any:
    return webhooks.deliveries_of(_client(request), status=filters.status)
