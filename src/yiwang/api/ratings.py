"""好差评 endpoints: rating a concluded case, and the public figures (docs/ratings.md).

- `GET /ratings/link/{token}`: what a one-time link (the conclusion notice's, or the hall
  tablet's) is for — the item, the case number, the way and the grades and tags to choose
  from; nothing about the applicant. Unknown: 404; used or expired: 409.
- `POST /ratings/link/{token}`: rate by that link. No login and no CSRF token: the token is
  the credential, and it works once (`ratings.services.rating_give_by_link`).
- `POST /cases/{number}/rating`: the signed-in applicant rates their case (一事一评, session
  with CSRF like the other applicant endpoints; a case the caller cannot see is 404).
- `GET /ratings/figures`: the public figures of an item, a department, a region and a period,
  each rate with its formula (`ratings.selectors.figures`).

Thin: reads through ratings.selectors and cases.selectors, writes through ratings.services;
refusals are problem+json (root.py).
"""

import datetime as dt
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictInt, StringConstraints

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import User
from yiwang.api.openapi import PROBLEM
from yiwang.api.params import Id, session_auth
from yiwang.cases import selectors as cases
from yiwang.catalog import selectors as catalog
from yiwang.core.errors import ValidationFailed
from yiwang.ratings import rules, selectors, services
from yiwang.ratings.models import Channel, Grade, Rating

router = Router(tags=["好差评"])
case_router = Router(tags=["好差评"], auth=session_auth)  # mounted under /cases

_PROBLEM_REF = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_LINK_REFUSED = {"responses": {409: {"description": "评价链接已经使用过或已过期", "content": _PROBLEM_REF}}}
TOKEN = Path(..., min_length=1, max_length=64, description="评价链接令牌（办结通知或大厅评价器上的链接末段）")
# The figures' period: a date outside it is a typing error, not a request for the year 9999.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


# --- schemas ---------------------------------------------------------------------------------


class GradeChoiceOut(Schema):
    value: int = Field(..., description="评价等级：5 非常满意 … 1 非常不满意")
    label: str


class TagChoiceOut(Schema):
    code: str
    label: str


class LinkOut(Schema):
    """What the link is for; no personal data (not the applicant, not the case's content)."""

    case_number: str
    item_name: str
    department_name: str
    channel: str = Field(..., description="评价渠道：notice_link 办结通知链接 / hall_tablet 大厅评价器")
    channel_label: str
    expires_at: dt.datetime = Field(..., description="链接失效时间")
    grades: list[GradeChoiceOut]
    tags: list[TagChoiceOut]
    text_max: int = Field(..., description="评价内容最多字符数")


TagCode = Annotated[str, StringConstraints(max_length=20)]


class RateIn(Schema):
    grade: StrictInt = Field(
        ..., ge=1, le=5, description="评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"
    )
    tags: list[TagCode] = Field(
        default_factory=list,
        max_length=len(rules.TAGS),
        description="评价标签（代码，见 GET /ratings/link/{token} 的 tags）：" + "、".join(rules.TAGS),
    )
    text: str = Field("", max_length=rules.TEXT_MAX, description=f"评价内容（可选，最多 {rules.TEXT_MAX} 字）")


class ApplicantRateIn(RateIn):
    channel: Literal["pc", "mobile"] = Field("pc", description="评价渠道：pc 网上办事大厅 / mobile 移动端")


class RatingOut(Schema):
    """A rating's public fields: no rater, no text."""

    id: int
    case_number: str
    item_name: str
    department_name: str
    channel: str
    channel_label: str
    grade: int
    grade_label: str
    tags: list[str]
    rated_at: dt.datetime
    handling: str = Field(..., description="处理状态：none 无需处理 / pending 待核实处理 …")
    handling_label: str
    response_due: dt.date | None = Field(None, description="差评的核实处理期限（工作日计算）")

    @staticmethod
    def resolve_case_number(obj: Rating) -> str:
        return obj.case.number or ""

    @staticmethod
    def resolve_item_name(obj: Rating) -> str:
        return obj.case.implementation_version.item_version.name

    @staticmethod
    def resolve_department_name(obj: Rating) -> str:
        return obj.department.name

    @staticmethod
    def resolve_channel_label(obj: Rating) -> str:
        return obj.get_channel_display()

    @staticmethod
    def resolve_grade_label(obj: Rating) -> str:
        return obj.get_grade_display()

    @staticmethod
    def resolve_handling_label(obj: Rating) -> str:
        return obj.get_handling_display()


class FiguresQuery(Schema):
    item: str = Field("", max_length=20, pattern=r"^[0-9A-Za-z]*$", description="事项基本编码，如 000136001000")
    department: Id | None = Field(None, description="部门 id")
    region: str = Field("", max_length=12, pattern=r"^([0-9]{12})?$", description="12 位区划代码：该区划及其下级")
    since: dt.date | None = Field(None, description="评价日期起（含），如 2026-09-01")
    until: dt.date | None = Field(None, description="评价日期止（含）")


class GradeCountOut(Schema):
    grade: int
    label: str
    count: int


class RateOut(Schema):
    key: str = Field(..., description="good_rate / rectification_rate / revisit_rate / active_rate")
    name: str
    value: float | None = Field(..., description="百分比，保留一位小数；分母为 0 时为 null")
    numerator: int
    denominator: int
    formula: str


class FiguresOut(Schema):
    item: str
    department: int | None
    region: str
    since: dt.date | None
    until: dt.date | None
    rated: int = Field(..., description="评价数（申诉成立的评价不计入）")
    good: int
    bad: int
    by_grade: list[GradeCountOut]
    rates: list[RateOut]
    note: str


# --- the one-time link -------------------------------------------------------------------------


@router.get(
    "/link/{token}",
    response=LinkOut,
    summary="评价链接的评价对象与可选等级、标签（无需登录）",
    auth=None,
    openapi_extra=_LINK_REFUSED,
)
def link(request: HttpRequest, response: HttpResponse, token: str = TOKEN) -> LinkOut:
    response["Cache-Control"] = "no-store"
    found = services.case_of_link(token)
    case = found.case
    return LinkOut(
        case_number=case.number or "",
        item_name=case.implementation_version.item_version.name,
        department_name=case.department.name,
        channel=found.channel,
        channel_label=Channel(found.channel).label,
        expires_at=found.expires_at,
        grades=[GradeChoiceOut(value=grade.value, label=grade.label) for grade in Grade],
        tags=[TagChoiceOut(code=code, label=label) for code, label in rules.TAGS.items()],
        text_max=rules.TEXT_MAX,
    )


@router.post(
    "/link/{token}",
    response={201: RatingOut},
    summary="凭评价链接评价（办结通知链接、大厅评价器；无需登录，仅可使用一次）",
    auth=None,
    openapi_extra=_LINK_REFUSED,
)
def rate_by_link(request: HttpRequest, response: HttpResponse, payload: RateIn, token: str = TOKEN) -> Any:
    response["Cache-Control"] = "no-store"
    rating = services.rating_give_by_link(token=token, grade=payload.grade, tags=payload.tags, text=payload.text)
    return Status(201, rating)


# --- the signed-in applicant ---------------------------------------------------------------------


@case_router.post("/{number}/rating", response={201: RatingOut}, summary="评价我的办件（一事一评）")
def rate_case(
    request: HttpRequest,
    payload: ApplicantRateIn,
    number: str = Path(..., max_length=40, description="办件编号"),
) -> Any:
    user = cast(User, request.user)
    case = cases.case_by_number_for(user, number)  # 404 for a case the caller cannot see
    rating = services.rating_give(
        actor=user,
        case_number=case.number or number,
        grade=payload.grade,
        tags=payload.tags,
        text=payload.text,
        channel=Channel(payload.channel),
    )
    return Status(201, rating)


# --- public figures ------------------------------------------------------------------------------


def _scope(query: FiguresQuery) -> selectors.Scope:
    errors: dict[str, list[str]] = {}
    for field, day in (("since", query.since), ("until", query.until)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            errors[field] = [f"{field}：日期应在 {FIRST_DAY} 至 {LAST_DAY} 之间"]
    if not errors and query.since and query.until and query.since > query.until:
        errors["until"] = ["until：截止日期不能早于开始日期（since）"]
    if query.item and catalog.item_by_code(query.item) is None:
        errors["item"] = [f"item：事项 {query.item} 不存在"]
    region = accounts.region_by_code(query.region) if query.region else None
    if query.region and region is None:
        errors["region"] = [f"region：区划代码 {query.region} 不存在"]
    if errors:
        raise ValidationFailed(errors)
    return selectors.Scope(
        item_code=query.item,
        department_id=query.department,
        region_prefix=region.code_prefix if region else "",
        since=query.since,
        until=query.until,
    )


@router.get("/figures", response=FiguresOut, summary="好差评公示数据：各等级评价数与各项比率（含计算公式）", auth=None)
def figures(request: HttpRequest, query: Query[FiguresQuery]) -> FiguresOut:
    found = selectors.figures(_scope(query))
    parts = {
        "good_rate": (found.good_rate, found.good, found.rated),
        "rectification_rate": (found.rectification_rate, found.put_right, found.bad),
        "revisit_rate": (found.revisit_rate, found.revisited, found.bad),
        "active_rate": (found.active_rate, found.cases_self_rated, found.cases_with_result),
    }
    return FiguresOut(
        item=query.item,
        department=query.department,
        region=query.region,
        since=query.since,
        until=query.until,
        rated=found.rated,
        good=found.good,
        bad=found.bad,
        by_grade=[
            GradeCountOut(grade=grade, label=Grade(grade).label, count=count) for grade, count in found.by_grade.items()
        ],
        rates=[
            RateOut(key=key, name=name, value=value, numerator=numerator, denominator=denominator, formula=formula)
            for key, (name, formula) in selectors.RATE_FORMULAS.items()
            for value, numerator, denominator in [parts[key]]
        ],
        note=selectors.FIGURES_NOTE,
    )
