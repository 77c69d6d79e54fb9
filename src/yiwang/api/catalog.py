"""事项库 API: public reads of the guide and the versions; the administrators' workflow.

Reads need no login. Writes use the session (django_auth, with CSRF) and call the same
catalog services as the workbench pages, so the permission checks, the four-eyes rule and
the publication rules are the same; refusals come back as problem+json (root.py).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Department, User
from yiwang.api.params import Id, Limit, PageNumber, session_auth
from yiwang.catalog import selectors as catalog
from yiwang.catalog import services
from yiwang.catalog.models import ImplementationVersion, ItemVersion, Material, SearchDocument, VersionStatus
from yiwang.catalog.search import GuideFilters
from yiwang.core.errors import NotFound, ValidationFailed

router = Router(tags=["事项库"])
PUBLIC = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


class ItemFilters(Schema):
    q: str = Field("", max_length=100, description="检索词，支持日常用语，如“开饭店”")
    theme: str = Field("", max_length=64, description="主题（slug），如 catering")
    department: Id | None = Field(None, description="部门 id")
    region: str = Field("", max_length=12, description="12 位区划代码：该区划及其上级、下级的实施清单")
    level: str = Field("", max_length=32, description="行使层级：provincial / municipal / county …")
    object: str = Field("", max_length=32, description="服务对象：person 个人 / enterprise 法人")
    page: PageNumber = Field(1, description="页码")
    page_size: Limit = Field(20, description="每页条数（1–100）")


class ItemSummaryOut(Schema):
    basic_code: str
    name: str
    item_type: str
    region_code: str
    region_name: str
    department_name: str
    implementation_id: int
    implementation_version_id: int
    committed_limit_days: int
    required_visits: int
    online_depth: int
    suspended: bool


class ItemPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[ItemSummaryOut]


class ItemVersionOut(Schema):
    id: int
    basic_code: str
    number: int
    status: str
    change_kind: str
    change_reason: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    name: str
    item_type: str
    competent_department: str
    implementing_organ_kind: str
    legal_basis: str
    service_objects: list[str]
    themes: list[str]
    keywords: str
    suspended: bool
    review_note: str

    @staticmethod
    def resolve_basic_code(obj: ItemVersion) -> str:
        return obj.item.basic_code


class ImplementationOut(Schema):
    implementation_id: int
    code: str
    region_code: str
    department_name: str
    implementation_version_id: int


class ItemOut(Schema):
    basic_code: str
    current: ItemVersionOut
    implementations: list[ImplementationOut]


class MaterialOut(Schema):
    key: str
    name: str
    necessity: str
    condition: str
    condition_field: str
    form: str
    paper_copies: int
    source: str
    source_reference: str
    submit_required: bool = Field(description="false：部门通过数据共享或电子证照获取，申请人免提交")
    acceptance_standard: str
    legal_basis: str


class ImplementationVersionOut(Schema):
    id: int
    implementation_code: str
    region_code: str
    department_name: str
    number: int
    status: str
    change_kind: str
    change_reason: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    item_version: ItemVersionOut
    exercise_level: str
    acceptance_conditions: str
    statutory_limit_days: int
    statutory_limit_note: str
    committed_limit_days: int
    required_visits: int
    visits_reason: str
    handling_forms: list[str]
    online_depth: int
    fee_required: bool
    fee_items: list[dict[str, Any]]
    fee_basis: str
    cross_region_scope: str
    result_name: str
    result_sample: str
    consultation_phone: str
    complaint_phone: str
    address: str
    office_hours: str
    faq: list[dict[str, Any]]
    form_schema: dict[str, Any]
    process: dict[str, Any]
    materials: list[MaterialOut]


def _summary(doc: SearchDocument) -> ItemSummaryOut:
    return ItemSummaryOut(
        basic_code=doc.basic_code,
        name=doc.name,
        item_type=doc.item_type,
        region_code=doc.region_code,
        region_name=doc.region_name,
        department_name=doc.department_name,
        implementation_id=doc.implementation_id,
        implementation_version_id=doc.implementation_version_id,
        committed_limit_days=doc.committed_limit_days,
        required_visits=doc.required_visits,
        online_depth=doc.online_depth,
        suspended=doc.suspended,
    )


def _material(m: Material) -> MaterialOut:
    fields = {name: getattr(m, name) for name in MaterialOut.model_fields if name != "submit_required"}
    return MaterialOut(**fields, submit_required=m.asked_of_applicant)


def _implementation_version(v: ImplementationVersion) -> ImplementationVersionOut:
    scalar = {
        name: getattr(v, name)
        for name in ImplementationVersionOut.model_fields
        if hasattr(v, name) and name not in ("item_version", "materials")
    }
    return ImplementationVersionOut(
        **scalar,
        implementation_code=v.implementation.code,
        region_code=v.implementation.region.code,
        department_name=v.implementation.department.name,
        item_version=v.item_version,  # type: ignore[arg-type]
        materials=[_material(m) for m in catalog.materials_of(v)],
    )


@router.get("/items", response=ItemPageOut, summary="检索办事事项（办事指南）", auth=None)
def items(request: HttpRequest, filters: Query[ItemFilters]) -> ItemPageOut:
    region = accounts.region_by_code(filters.region) if filters.region else None
    if filters.region and region is None:
        raise ValidationFailed({"region": [f"区划：代码 {filters.region} 不存在"]})
    page = catalog.guide_page(
        GuideFilters(
            q=filters.q,
            theme=filters.theme,
            department_id=filters.department,
            region=region,
            level=filters.level,
            service_object=filters.object,
        ),
        page=filters.page,
        per_page=filters.page_size,
    )
    return ItemPageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        items=[_summary(d) for d in page.object_list],
    )


def _item_or_404(basic_code: str) -> Any:
    item = catalog.item_by_code(basic_code)
    if item is None:
        raise NotFound(f"事项 {basic_code} 不存在。", field="basic_code")
    return item


@router.get("/items/{basic_code}", response=ItemOut, summary="事项的现行基本要素与实施清单", auth=None)
def item(request: HttpRequest, basic_code: str) -> ItemOut:
    found = _item_or_404(basic_code)
    current = catalog.item_version_in_force(found)
    if current is None:
        raise NotFound(f"事项 {basic_code} 当前没有生效的版本。", field="basic_code")
    documents = catalog.guide_implementations(basic_code).select_related("implementation")
    return ItemOut(
        basic_code=basic_code,
        current=current,  # type: ignore[arg-type]
        implementations=[
            ImplementationOut(
                implementation_id=d.implementation_id,
                code=d.implementation.code,
                region_code=d.region_code,
                department_name=d.department_name,
                implementation_version_id=d.implementation_version_id,
            )
            for d in documents
        ],
    )


@router.get("/items/{basic_code}/versions", response=list[ItemVersionOut], summary="事项的历次发布版本", auth=None)
def item_versions(request: HttpRequest, basic_code: str) -> list[ItemVersion]:
    return list(catalog.item_versions(_item_or_404(basic_code)).filter(status__in=PUBLIC))


def _is_admin(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and catalog.is_catalog_admin(request.user)


@router.get(
    "/implementation-versions/{version_id}",
    response=ImplementationVersionOut,
    summary="实施清单版本（办件锁定的版本）",
    auth=None,
)
def implementation_version(request: HttpRequest, version_id: Id) -> ImplementationVersionOut:
    version = (
        ImplementationVersion.objects.select_related(
            "implementation__region", "implementation__department", "item_version__item"
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None or (version.status not in PUBLIC and not _is_admin(request)):
        raise NotFound(f"实施清单版本 {version_id} 不存在或未发布。")
    return _implementation_version(version)


# ── The administrators' workflow (session + CSRF) ────────────────────────────


class ItemDraftIn(Schema):
    basic_code: str
    change_kind: str
    change_reason: str
    elements: dict[str, Any] = {}


class ImplementationDraftIn(Schema):
    basic_code: str
    department_credit_code: str = Field(description="实施主体的统一社会信用代码（其所属区划即实施区划）")
    change_kind: str
    change_reason: str
    elements: dict[str, Any] = {}
    materials: list[dict[str, Any]] | None = None
    code: str = ""


class UpdateIn(Schema):
    elements: dict[str, Any] = {}
    materials: list[dict[str, Any]] | None = None
    change_reason: str | None = None


class NoteIn(Schema):
    note: str = ""


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _item_version(version_id: int) -> ItemVersion:
    version = ItemVersion.objects.select_related("item").filter(pk=version_id).first()
    if version is None:
        raise NotFound(f"事项版本 {version_id} 不存在。")
    return version


def _impl_version(version_id: int) -> ImplementationVersion:
    version = (
        ImplementationVersion.objects.select_related(
            "implementation__region", "implementation__department", "item_version__item"
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound(f"实施清单版本 {version_id} 不存在。")
    return version


@router.post("/item-versions", response={201: ItemVersionOut}, summary="起草事项版本", auth=session_auth)
def item_version_draft(request: HttpRequest, body: ItemDraftIn) -> Status[ItemVersion]:
    version = services.item_version_draft(
        actor=_actor(request),
        basic_code=body.basic_code,
        change_kind=body.change_kind,
        change_reason=body.change_reason,
        elements=body.elements,  # type: ignore[arg-type]
    )
    return Status(201, version)


@router.patch("/item-versions/{version_id}", response=ItemVersionOut, summary="修改事项版本草稿", auth=session_auth)
def item_version_update(request: HttpRequest, version_id: Id, body: UpdateIn) -> ItemVersion:
    return services.item_version_update(
        actor=_actor(request),
        version=_item_version(version_id),
        elements=body.elements,  # type: ignore[arg-type]
        change_reason=body.change_reason,
    )


@router.post("/item-versions/{version_id}/submit", response=ItemVersionOut, summary="提交审核", auth=session_auth)
def item_version_submit(request: HttpRequest, version_id: Id) -> ItemVersion:
    return services.item_version_submit(actor=_actor(request), version=_item_version(version_id))


@router.post("/item-versions/{version_id}/publish", response=ItemVersionOut, summary="复核发布", auth=session_auth)
def item_version_publish(request: HttpRequest, version_id: Id, body: NoteIn) -> ItemVersion:
    return services.item_version_publish(actor=_actor(request), version=_item_version(version_id), note=body.note)


@router.post("/item-versions/{version_id}/reject", response=ItemVersionOut, summary="退回", auth=session_auth)
def item_version_reject(request: HttpRequest, version_id: Id, body: NoteIn) -> ItemVersion:
    return services.item_version_reject(actor=_actor(request), version=_item_version(version_id), note=body.note)


@router.post(
    "/implementation-versions",
    response={201: ImplementationVersionOut},
    summary="起草实施清单版本",
    auth=session_auth,
)
def implementation_version_draft(request: HttpRequest, body: ImplementationDraftIn) -> Status[ImplementationVersionOut]:
    department = Department.objects.select_related("region").filter(credit_code=body.department_credit_code).first()
    if department is None:
        raise ValidationFailed({"department_credit_code": [f"实施主体：信用代码 {body.department_credit_code} 不存在"]})
    version = services.implementation_version_draft(
        actor=_actor(request),
        basic_code=body.basic_code,
        region=department.region,
        department=department,
        change_kind=body.change_kind,
        change_reason=body.change_reason,
        elements=body.elements,  # type: ignore[arg-type]
        materials=body.materials,  # type: ignore[arg-type]
        code=body.code,
    )
    return Status(201, _implementation_version(_impl_version(version.pk)))


@router.patch(
    "/implementation-versions/{version_id}",
    response=ImplementationVersionOut,
    summary="修改实施清单版本草稿",
    auth=session_auth,
)
def implementation_version_update(request: HttpRequest, version_id: Id, body: UpdateIn) -> ImplementationVersionOut:
    version = services.implementation_version_update(
        actor=_actor(request),
        version=_impl_version(version_id),
        elements=body.elements,  # type: ignore[arg-type]
        materials=body.materials,  # type: ignore[arg-type]
        change_reason=body.change_reason,
    )
    return _implementation_version(_impl_version(version.pk))


def _impl_action(request: HttpRequest, version_id: int, action: Any, **kwargs: Any) -> ImplementationVersionOut:
    version = action(actor=_actor(request), version=_impl_version(version_id), **kwargs)
    return _implementation_version(_impl_version(version.pk))


@router.post(
    "/implementation-versions/{version_id}/submit",
    response=ImplementationVersionOut,
    summary="提交审核",
    auth=session_auth,
)
def implementation_version_submit(request: HttpRequest, version_id: Id) -> ImplementationVersionOut:
    return _impl_action(request, version_id, services.implementation_version_submit)


@router.post(
    "/implementation-versions/{version_id}/publish",
    response=ImplementationVersionOut,
    summary="复核发布",
    auth=session_auth,
)
def implementation_version_publish(request: HttpRequest, version_id: Id, body: NoteIn) -> ImplementationVersionOut:
    return _impl_action(request, version_id, services.implementation_version_publish, note=body.note)


@router.post(
    "/implementation-versions/{version_id}/reject",
    response=ImplementationVersionOut,
    summary="退回",
    auth=session_auth,
)
def implementation_version_reject(request: HttpRequest, version_id: Id, body: NoteIn) -> ImplementationVersionOut:
    return _impl_action(request, version_id, services.implementation_version_reject, note=body.note)
