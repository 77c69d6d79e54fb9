"""一件事 in the API: the bundles in force (public) and the applicant's bundle applications."""

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema

from yiwang.accounts.models import User
from yiwang.api.params import session_auth
from yiwang.cases import bundle_selectors
from yiwang.cases.models import BundleCase
from yiwang.catalog import selectors as catalog
from yiwang.catalog.models import BundleVersion
from yiwang.core.errors import NotFound

router = Router(tags=["一件事"])


class BundleMemberOut(Schema):
    key: str
    label: str
    implementation: str
    optional: bool
    condition_field: str
    after: list[str]


class BundleOut(Schema):
    code: str
    name: str
    description: str
    region_code: str
    version: int
    delivery: str
    members: list[BundleMemberOut]
    form: dict[str, Any]
    materials: list[dict[str, Any]]


_MEMBER_DEFAULTS: dict[str, Any] = {"optional": False, "condition_field": "", "after": []}


def _bundle(version: BundleVersion) -> BundleOut:
    return BundleOut(
        code=version.bundle.code,
        name=version.name,
        description=version.description,
        region_code=version.bundle.region.code,
        version=version.number,
        delivery=version.delivery,
        members=[BundleMemberOut(**{**_MEMBER_DEFAULTS, **m}) for m in version.members.get("members", [])],
        form=version.form,
        materials=version.materials.get("materials", []),
    )


@router.get("/bundles", response=list[BundleOut], summary="现行的一件事", auth=None)
def bundles(request: HttpRequest) -> list[BundleOut]:
    return [_bundle(v) for v in catalog.bundles_in_force()]


@router.get("/bundles/{code}", response=BundleOut, summary="一件事的现行定义", auth=None)
def bundle(request: HttpRequest, code: str) -> BundleOut:
    version = catalog.bundle_in_force(code)
    if version is None:
        raise NotFound("该一件事不存在或暂停办理。", field="code")
    return _bundle(version)


class PartOut(Schema):
    member: str
    label: str
    case_number: str | None
    department: str
    status: str
    status_label: str
    note: str


class BundleCaseOut(Schema):
    number: str | None
    bundle: str
    name: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    delivered_at: dt.datetime | None
    parts: list[PartOut]


def _case(bundle_case: BundleCase) -> BundleCaseOut:
    return BundleCaseOut(
        number=bundle_case.number,
        bundle=bundle_case.bundle_version.bundle.code,
        name=bundle_case.bundle_version.name,
        status=bundle_case.status,
        status_label=bundle_case.get_status_display(),
        submitted_at=bundle_case.submitted_at,
        delivered_at=bundle_case.delivered_at,
        parts=[
            PartOut(
                member=p.key,
                label=p.label,
                case_number=p.case.number if p.case else None,
                department=p.department,
                status=p.case.status if p.case else "not_applicable",
                status_label=p.status_label,
                note=p.note,
            )
            for p in bundle_selectors.bundle_parts(bundle_case)
        ],
    )


@router.get("/bundle-cases", response=list[BundleCaseOut], summary="我的一件事申请", auth=session_auth)
def bundle_cases(request: HttpRequest) -> list[BundleCaseOut]:
    user = cast(User, request.user)
    return [_case(b) for b in bundle_selectors.bundle_cases_of(user)[:50] if b.number]


@router.get("/bundle-cases/{number}", response=BundleCaseOut, summary="一件事申请及各事项进度", auth=session_auth)
def bundle_case(request: HttpRequest, number: str) -> BundleCaseOut:
    found = bundle_selectors.bundle_case_for(cast(User, request.user), number)
    if not found.number:
        raise NotFound("没有找到这份一件事申请。")
    return _case(found)
