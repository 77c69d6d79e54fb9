"""事项库 API: public reads of the guide and the versions; the administrators' workflow.

Reads need no login. Writes use the session (django_auth, with CSRF) and call the same
catalog services as the workbench pages, so the permission checks, the four-eyes rule and
the publication rules are the same; refusals come back as problem+json (root.py).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, create_model

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import User
from yiwang.api.params import Id, Limit, PageNumber, session_auth
from yiwang.catalog import selectors as catalog
from yiwang.catalog import services
from yiwang.catalog.elements import ANY_CHANGE, IMPLEMENTATION_VERSION, ITEM_VERSION, MATERIAL, DocumentSpec, Element
from yiwang.catalog.models import (
    ChangeKind,
    ImplementationVersion,
    ItemVersion,
    Material,
    SearchDocument,
    VersionStatus,
)
from yiwang.catalog.search import GuideFilters
from yiwang.core.errors import NotFound, ValidationFailed

router = Router(tags=["事项库"])


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


def _element_type(element: Element, *, output: bool) -> Any:
    """The Python type of an element in the API: inputs name their allowed values."""
    allowed: Any = Literal[tuple(element.values)] if element.choices and not output else None  # type: ignore[valid-type]
    return {
        "line": str,
        "text": str,
        "choice": allowed or str,
        "int": allowed or int,
        "bool": bool,
        "choices": list[allowed or str],  # type: ignore[misc]
        "entries": list[dict[str, Any]],
        "document": dict[str, Any],
    }[element.kind]


def _element_field(element: Element, *, output: bool) -> Any:
    """Description and bounds from the specification (inputs only carry bounds; outputs are required)."""
    words = [element.label, element.help]
    if element.choices:
        words.append("可选：" + _choices(element.choices))
    if element.changed_by != ANY_CHANGE:
        words.append("仅限调整类型 " + " / ".join(sorted(element.changed_by)))
    description = "；".join(w for w in words if w)
    if output:
        return Field(..., description=description)
    if element.choices:  # the allowed values are the bound
        return Field(None, description=description)
    return Field(None, description=description, max_length=element.max_length, ge=element.minimum, le=element.maximum)


class _Partial(Schema):
    """Elements to set: only those given are changed; an unknown element is refused."""

    model_config = ConfigDict(extra="forbid")


def elements_schema(spec: DocumentSpec, name: str, *, output: bool, base: type[Schema] = Schema) -> Any:
    """A schema of the elements of `spec`: all of them (out) or any of them (in), from the specification."""
    fields: dict[str, Any] = {}
    for e in spec:
        if output and e.public:
            fields[e.name] = (_element_type(e, output=True), _element_field(e, output=True))
        elif not output:
            fields[e.name] = (_element_type(e, output=False) | None, _element_field(e, output=False))
    parent: type[Schema] = base if output else _Partial
    return create_model(name, __base__=parent, __module__=__name__, **fields)


def _choices(choices: list[tuple[Any, str]] | tuple[tuple[Any, str], ...]) -> str:
    return " / ".join(f"{value} {label}" for value, label in choices)


_CHANGE_KIND = Field(description="调整类型：" + _choices(ChangeKind.choices))


class VersionOut(Schema):
    id: int
    number: int
    status: str = Field(description="状态：" + _choices(VersionStatus.choices))
    change_kind: str = _CHANGE_KIND
    change_reason: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    review_note: str


class ItemVersionOut(elements_schema(ITEM_VERSION, "ItemVersionElements", output=True, base=VersionOut)):  # type: ignore[misc]
    basic_code: str

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


class MaterialOut(elements_schema(MATERIAL, "MaterialElements", output=True)):  # type: ignore[misc]
    submit_required: bool = Field(description="false：部门通过数据共享或电子证照获取，申请人免提交")

    @staticmethod
    def resolve_submit_required(obj: Material) -> bool:
        return obj.asked_of_applicant


_ImplementationVersionElements: Any = elements_schema(
    IMPLEMENTATION_VERSION, "ImplementationVersionElements", output=True, base=VersionOut
)


class ImplementationVersionOut(_ImplementationVersionElements):
    implementation_code: str
    region_code: str
    department_name: str
    item_version: ItemVersionOut
    materials: list[MaterialOut]

    @staticmethod
    def resolve_implementation_code(obj: ImplementationVersion) -> str:
        return obj.implementation.code

    @staticmethod
    def resolve_region_code(obj: ImplementationVersion) -> str:
        return obj.implementation.region.code

    @staticmethod
    def resolve_department_name(obj: ImplementationVersion) -> str:
        return obj.implementation.department.name

    @staticmethod
    def resolve_materials(obj: ImplementationVersion) -> list[Material]:
        return catalog.materials_of(obj)


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
    documents = catalog.guide_implementations(basic_code)
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
    return list(catalog.item_versions_public(_item_or_404(basic_code)))


def _impl_version(version_id: int) -> ImplementationVersion:
    version = catalog.implementation_version_by_id(version_id)
    if version is None:
        raise NotFound(f"实施清单版本 {version_id} 不存在。")
    return version


def _item_version(version_id: int) -> ItemVersion:
    version = catalog.item_version_by_id(version_id)
    if version is None:
        raise NotFound(f"事项版本 {version_id} 不存在。")
    return version


@router.get(
    "/implementation-versions/{version_id}",
    response=ImplementationVersionOut,
    summary="实施清单版本（办件锁定的版本）",
    auth=None,
)
def implementation_version(request: HttpRequest, version_id: Id) -> ImplementationVersion:
    version = catalog.implementation_version_by_id(version_id)
    if version is None or not catalog.version_visible_to(version, request.user):
        raise NotFound(f"实施清单版本 {version_id} 不存在或未发布。")
    return version


# ── The administrators' workflow (session + CSRF) ────────────────────────────


class ItemElementsIn(elements_schema(ITEM_VERSION, "ItemElementsFields", output=False)):  # type: ignore[misc]
    """基本要素：只修改给出的要素。"""


class ImplementationElementsIn(elements_schema(IMPLEMENTATION_VERSION, "ImplementationElementsFields", output=False)):  # type: ignore[misc]
    """实施要素：只修改给出的要素。"""


class MaterialIn(elements_schema(MATERIAL, "MaterialFields", output=False)):  # type: ignore[misc]
    """一项申请材料；未给出的必要性、形式、来源取默认值（必要、电子件、申请人自备）。"""


class ItemDraftIn(Schema):
    basic_code: str = Field(max_length=20, description="基本编码")
    change_kind: str = _CHANGE_KIND
    change_reason: str = Field(max_length=2000, description="调整理由")
    elements: ItemElementsIn = Field(default_factory=ItemElementsIn)


class ImplementationDraftIn(Schema):
    basic_code: str = Field(max_length=20, description="基本编码")
    department_credit_code: str = Field(max_length=18, description="实施主体的统一社会信用代码（其所属区划即实施区划）")
    change_kind: str = _CHANGE_KIND
    change_reason: str = Field(max_length=2000, description="调整理由")
    elements: ImplementationElementsIn = Field(default_factory=ImplementationElementsIn)
    materials: list[MaterialIn] | None = Field(None, max_length=60, description="申请材料（给出则整体替换）")
    code: str = Field("", max_length=60, description="实施编码（留空则按“主体信用代码 + 1 + 基本编码”生成）")


class ItemUpdateIn(Schema):
    elements: ItemElementsIn = Field(default_factory=ItemElementsIn)
    change_reason: str | None = Field(None, max_length=2000, description="调整理由")


class ImplementationUpdateIn(ItemUpdateIn):
    elements: ImplementationElementsIn = Field(default_factory=ImplementationElementsIn)  # type: ignore[assignment]
    materials: list[MaterialIn] | None = Field(None, max_length=60, description="申请材料（给出则整体替换）")


class NoteIn(Schema):
    note: str = Field("", max_length=2000, description="审核意见（退回时必填）")


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _given(schema: Schema) -> dict[str, Any]:
    return schema.model_dump(exclude_unset=True)


def _materials(materials: list[MaterialIn] | None) -> list[dict[str, Any]] | None:
    return None if materials is None else [_given(m) for m in materials]


@router.post("/item-versions", response={201: ItemVersionOut}, summary="起草事项版本", auth=session_auth)
def item_version_draft(request: HttpRequest, body: ItemDraftIn) -> Status[ItemVersion]:
    version = services.item_version_draft(
        actor=_actor(request),
        basic_code=body.basic_code,
        change_kind=body.change_kind,
        change_reason=body.change_reason,
        elements=_given(body.elements),
    )
    return Status(201, version)


@router.patch("/item-versions/{version_id}", response=ItemVersionOut, summary="修改事项版本草稿", auth=session_auth)
def item_version_update(request: HttpRequest, version_id: Id, body: ItemUpdateIn) -> ItemVersion:
    return services.item_version_update(
        actor=_actor(request),
        version=_item_version(version_id),
        elements=_given(body.elements),
        change_reason=body.change_reason,
    )


@router.post(
    "/implementation-versions",
    response={201: ImplementationVersionOut},
    summary="起草实施清单版本",
    auth=session_auth,
)
def implementation_version_draft(request: HttpRequest, body: ImplementationDraftIn) -> Status[ImplementationVersion]:
    services.require_admin(_actor(request))  # before any lookup: nobody else learns which codes exist
    department = accounts.department_by_credit_code(body.department_credit_code)
    if department is None:
        raise ValidationFailed({"department_credit_code": [f"实施主体：信用代码 {body.department_credit_code} 不存在"]})
    version = services.implementation_version_draft(
        actor=_actor(request),
        basic_code=body.basic_code,
        region=department.region,
        department=department,
        change_kind=body.change_kind,
        change_reason=body.change_reason,
        elements=_given(body.elements),
        materials=_materials(body.materials),
        code=body.code,
    )
    return Status(201, _impl_version(version.pk))


@router.patch(
    "/implementation-versions/{version_id}",
    response=ImplementationVersionOut,
    summary="修改实施清单版本草稿",
    auth=session_auth,
)
def implementation_version_update(
    request: HttpRequest, version_id: Id, body: ImplementationUpdateIn
) -> ImplementationVersion:
    version = services.implementation_version_update(
        actor=_actor(request),
        version=_impl_version(version_id),
        elements=_given(body.elements),
        materials=_materials(body.materials),
        change_reason=body.change_reason,
    )
    return _impl_version(version.pk)


def _review_routes(path: str, out: Any, read: Callable[[int], Any], kind: str) -> None:
    """Submit, publish and reject of one document kind: the same three calls of its services."""
    submit, publish, reject = (getattr(services, f"{kind}_version_{a}") for a in ("submit", "publish", "reject"))

    @router.post(
        f"/{path}/{{version_id}}/submit",
        response=out,
        summary="提交审核",
        auth=session_auth,
        operation_id=f"yiwang_api_catalog_{kind}_version_submit",
    )
    def _submit(request: HttpRequest, version_id: Id) -> Any:
        return read(submit(actor=_actor(request), version=read(version_id)).pk)

    @router.post(
        f"/{path}/{{version_id}}/publish",
        response=out,
        summary="复核发布",
        auth=session_auth,
        operation_id=f"yiwang_api_catalog_{kind}_version_publish",
    )
    def _publish(request: HttpRequest, version_id: Id, body: NoteIn) -> Any:
        return read(publish(actor=_actor(request), version=read(version_id), note=body.note).pk)

    @router.post(
        f"/{path}/{{version_id}}/reject",
        response=out,
        summary="退回",
        auth=session_auth,
        operation_id=f"yiwang_api_catalog_{kind}_version_reject",
    )
    def _reject(request: HttpRequest, version_id: Id, body: NoteIn) -> Any:
        return read(reject(actor=_actor(request), version=read(version_id), note=body.note).pk)


_review_routes("item-versions", ItemVersionOut, _item_version, "item")
_review_routes("implementation-versions", ImplementationVersionOut, _impl_version, "implementation")
