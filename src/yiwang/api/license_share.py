"""用证授权 endpoints: the holder's authorisations of a license, and a third party's use of one.

The holder's endpoints (session) list, grant and withdraw; the grant's answer is the only time
the code and the link are ever shown. `POST /licenses/authorised` is public: a bank's or a
landlord's system posts the code (or the link's token) with its organisation and purpose and
gets the disclosed license; each call is a recorded use (channel `api`), wrong secrets are
throttled (429). Mounted under /licenses beside `api.licenses`.
"""

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Path, Router, Schema, Status

from yiwang.accounts.client_address import client_address
from yiwang.accounts.models import User
from yiwang.api.openapi import PROBLEM
from yiwang.api.params import Id, session_auth
from yiwang.licenses import sharing, sharing_selectors
from yiwang.licenses.models import LicenseAuthorisation, LicenseUse

router = Router(tags=["用证授权"])

IdentifierPath = Path(..., max_length=120, description="电子证照标识")
_PROBLEM_REF = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}


class UseOut(Schema):
    number: str
    at: dt.datetime
    organisation: str
    purpose: str
    channel: str
    channel_label: str
    client_ip: str

    @staticmethod
    def resolve_channel_label(obj: LicenseUse) -> str:
        return obj.get_channel_display()


class AuthorisationOut(Schema):
    id: int
    ref: str
    recipient: str
    purpose: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    max_uses: int
    use_count: int
    disclose_holder_id: bool
    status: str
    status_label: str
    status_since: dt.datetime
    granted_at: dt.datetime
    uses: list[UseOut]

    @staticmethod
    def resolve_status_label(obj: LicenseAuthorisation) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_uses(obj: LicenseAuthorisation) -> list[LicenseUse]:
        return list(obj.uses.all())


class GrantIn(Schema):
    recipient: str = Field(..., max_length=sharing.RECIPIENT_MAX, description="被授权方（单位或个人名称）")
    purpose: str = Field(..., max_length=sharing.PURPOSE_MAX, description="用途")
    valid_from: dt.datetime | None = Field(None, description="生效时间，缺省为现在")
    valid_until: dt.datetime | None = Field(None, description="截止时间，缺省为生效后 7 天；最长 30 天")
    max_uses: int = Field(1, ge=1, le=sharing.MAX_USES_LIMIT, description="可使用次数（1 为一次性）")
    disclose_holder_id: bool = Field(
        False, description="是否向被授权方披露持证人证件号码（用于核对二维码中的持证人承诺值）"
    )


class GrantedOut(Schema):
    authorisation: AuthorisationOut
    code: str = Field(..., description="一次性授权码（仅此一次显示）")
    token: str = Field(..., description="授权链接令牌（仅此一次显示）")
    link: str = Field(..., description="授权链接")


class UseIn(Schema):
    code: str = Field("", max_length=sharing.SECRET_INPUT_MAX, description="授权码（与 token 二选一）")
    token: str = Field("", max_length=sharing.SECRET_INPUT_MAX, description="授权链接令牌（与 code 二选一）")
    organisation: str = Field(..., max_length=sharing.ORGANISATION_MAX, description="用证单位")
    purpose: str = Field(..., max_length=sharing.PURPOSE_MAX, description="用证事由")


class FactOut(Schema):
    label: str
    value: str


class DisclosureOut(Schema):
    use_number: str
    used_at: dt.datetime
    organisation: str
    purpose: str
    recipient: str
    authorised_until: dt.datetime
    uses_left: int
    identifier: str
    number: str
    type_name: str
    trust_level: str
    holder_name: str
    issuer_name: str
    status: str
    status_label: str
    valid_from: dt.date
    valid_until: dt.date | None
    facts: list[FactOut]
    note: str = Field(..., description="二维码文本（签名载荷），可用公布的签发公钥验签")
    holder_id: str | None = Field(None, description="持证人证件号码（仅当持证人同意披露）")
    holder_salt: str | None = Field(None, description="持证人承诺盐值（十六进制，仅当持证人同意披露）")

    @staticmethod
    def resolve_facts(obj: sharing.Disclosure) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in obj.facts]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@router.get(
    "/mine/{identifier}/authorisations",
    response=list[AuthorisationOut],
    summary="我的证照的用证授权及用证记录",
    auth=session_auth,
)
def authorisations(request: HttpRequest, identifier: str = IdentifierPath) -> Any:
    license = sharing_selectors.license_held(_user(request), identifier)
    return list(sharing_selectors.authorisations_of(license)[:200])


@router.post(
    "/mine/{identifier}/authorisations",
    response={201: GrantedOut},
    summary="授权他人使用电子证照（授权码和链接仅返回一次）",
    auth=session_auth,
)
def grant(request: HttpRequest, body: GrantIn, identifier: str = IdentifierPath) -> Any:
    license = sharing_selectors.license_held(_user(request), identifier)
    granted = sharing.authorisation_grant(
        actor=_user(request),
        license_id=license.pk,
        recipient=body.recipient,
        purpose=body.purpose,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        max_uses=body.max_uses,
        disclose_holder_id=body.disclose_holder_id,
    )
    link = request.build_absolute_uri(reverse("portal:license_use_link", args=[granted.token]))
    return Status(
        201, {"authorisation": granted.authorisation, "code": granted.code, "token": granted.token, "link": link}
    )


@router.post(
    "/mine/{identifier}/authorisations/{authorisation_id}/withdraw",
    response=AuthorisationOut,
    summary="撤回用证授权",
    auth=session_auth,
)
def withdraw(request: HttpRequest, authorisation_id: Id, identifier: str = IdentifierPath) -> Any:
    license = sharing_selectors.license_held(_user(request), identifier)
    return sharing.authorisation_withdraw(
        actor=_user(request), authorisation_id=authorisation_id, license_id=license.pk
    )


@router.post(
    "/authorised",
    response=DisclosureOut,
    summary="凭授权码或授权链接使用电子证照（每次调用记为一次用证）",
    auth=None,
    openapi_extra={
        "responses": {
            409: {"description": "授权已撤回、已过期、已用完、尚未生效，或证照不在有效状态", "content": _PROBLEM_REF},
            429: {"description": "授权码或链接错误次数过多，暂时限制", "content": _PROBLEM_REF},
        }
    },
)
def authorised(request: HttpRequest, response: HttpResponse, body: UseIn) -> Any:
    # The answer may carry the holder's ID number and salt: never kept by a cache on the way.
    response["Cache-Control"] = "no-store"
    return sharing.authorisation_use(
        code=body.code,
        token=body.token,
        organisation=body.organisation,
        purpose=body.purpose,
        channel="api",
        client_ip=client_address(request),
    )
