"""Implementation versions (实施要素 + materials + form + process): the same four-eyes workflow.

An implementation is one region + department's implementation of an item. Its versions
inherit the basic elements of the item version in force; publishing one refuses an
incoherent version with every problem at once (rules.py) and supersedes the previous one.
"""

import datetime as dt
from typing import Any, TypedDict

from django.db import transaction

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog import rules
from yiwang.catalog.diff import IMPLEMENTATION_ELEMENTS, MATERIAL_ELEMENTS, implementation_version_diff
from yiwang.catalog.models import (
    OPEN_STATUSES,
    ChangeKind,
    ExerciseLevel,
    Implementation,
    ImplementationVersion,
    ItemVersion,
    Material,
    ServiceItem,
    VersionStatus,
)
from yiwang.catalog.search import search_document_refresh
from yiwang.catalog.services.common import (
    next_number,
    open_window,
    record,
    refuse_second_draft,
    require_change_reason,
    require_drafter,
    require_no_problems,
    require_open,
    require_reviewable,
    require_scope,
)
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.ledger.events import CatalogVerb


class ImplementationElements(TypedDict, total=False):
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
    faq: list[dict[str, str]]
    form_schema: dict[str, Any]
    process: dict[str, Any]
    remarks: str


class MaterialSpec(TypedDict, total=False):
    key: str
    name: str
    necessity: str
    condition: str
    condition_field: str
    form: str
    paper_copies: int
    source: str
    source_reference: str
    blank_form: str
    sample: str
    acceptance_standard: str
    legal_basis: str


_EDITABLE = [*IMPLEMENTATION_ELEMENTS, "form_schema", "process", "remarks"]
_LEVEL_OF_REGION = {
    "province": ExerciseLevel.PROVINCIAL,
    "prefecture": ExerciseLevel.MUNICIPAL,
    "county": ExerciseLevel.COUNTY,
    "township": ExerciseLevel.TOWNSHIP,
    "village": ExerciseLevel.VILLAGE,
}


def _apply(version: ImplementationVersion, elements: ImplementationElements) -> list[str]:
    unknown = set(elements) - set(_EDITABLE)
    if unknown:
        raise ValidationFailed({sorted(unknown)[0]: [f"不能修改的要素：{'、'.join(sorted(unknown))}"]})
    changed = []
    for name, value in elements.items():
        if getattr(version, name) != value:
            setattr(version, name, value)
            changed.append(name)
    return changed


def material_rows(version: ImplementationVersion, specs: list[MaterialSpec]) -> list[Material]:
    rows = []
    for index, spec in enumerate(specs):
        unknown = set(spec) - {"key", *MATERIAL_ELEMENTS}
        if unknown:
            raise ValidationFailed({"materials": [f"申请材料：不认识的项 {'、'.join(sorted(unknown))}"]})
        data: dict[str, Any] = {"necessity": "required", "form": "electronic", "source": "applicant", **spec}
        data.setdefault("key", f"m{index + 1}")
        rows.append(Material(version=version, sort_order=index, **data))
    return rows


def _replace_materials(version: ImplementationVersion, specs: list[MaterialSpec]) -> None:
    rows = material_rows(version, specs)
    version.materials.all().delete()
    Material.objects.bulk_create(rows)


def _material_specs(version: ImplementationVersion) -> list[MaterialSpec]:
    return [
        MaterialSpec(key=m.key, **{f: getattr(m, f) for f in MATERIAL_ELEMENTS})  # type: ignore[typeddict-item]
        for m in version.materials.all()
    ]


def _item_version_in_force(item: ServiceItem) -> ItemVersion:
    current = ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).first()
    if current is None or current.change_kind == ChangeKind.CANCEL:
        raise Conflict(f"事项 {item.basic_code} 没有生效的基本要素版本（未发布或已取消），不能维护实施清单。")
    return current


def _new_defaults(region: Region, department: Department) -> dict[str, Any]:
    """A new implementation starts online, zero visits, 20 working days: the administrator adjusts."""
    return {
        "exercise_level": _LEVEL_OF_REGION.get(region.level, ExerciseLevel.MUNICIPAL),
        "statutory_limit_days": 20,
        "committed_limit_days": 20,
        "required_visits": 0,
        "online_depth": 4,
        "handling_forms": ["window", "pc", "mobile"],
        "address": department.address,
        "consultation_phone": department.phone,
        "process": {"case_kind": "committed", "stages": []},
    }


def implementation_version_draft(
    *,
    actor: User,
    basic_code: str,
    region: Region,
    department: Department,
    change_kind: ChangeKind | str,
    change_reason: str,
    elements: ImplementationElements | None = None,
    materials: list[MaterialSpec] | None = None,
    code: str = "",
) -> ImplementationVersion:
    """Open a draft of the implementation of `basic_code` by `department` in `region`.

    新增 creates the implementation (code: the organ's credit code + "1" + basic code, the
    Shandong convention, unless given); any other kind copies the version in force, with its
    materials. Writes the draft, a CatalogEvent and a ledger entry.
    """
    require_scope(actor, region)
    require_change_reason(str(change_kind), change_reason, ChangeKind.values)
    if department.region_id != region.pk:
        raise ValidationFailed({"department": [f"实施主体：{department.name}不属于{region.name}"]})
    with transaction.atomic(durable=True):
        item = ServiceItem.objects.filter(basic_code=basic_code).first()
        if item is None:
            raise ValidationFailed({"basic_code": [f"基本编码：事项 {basic_code} 不存在"]})
        item_version = _item_version_in_force(item)
        implementation = (
            Implementation.objects.select_for_update().filter(item=item, region=region, department=department).first()
        )
        base: dict[str, Any]
        specs: list[MaterialSpec] = []
        if implementation is None:
            if change_kind != ChangeKind.ADD:
                raise ValidationFailed({"change_kind": ["调整类型：该部门尚无此事项的实施清单，请选择“新增”"]})
            code = code.strip() or f"{department.credit_code}1{item.basic_code}"
            if Implementation.objects.filter(code=code).exists():
                raise ValidationFailed({"code": [f"实施编码：{code} 已被其他实施清单使用"]})
            implementation = Implementation.objects.create(item=item, region=region, department=department, code=code)
            base = _new_defaults(region, department)
        else:
            if change_kind == ChangeKind.ADD:
                raise ValidationFailed({"change_kind": ["调整类型：实施清单已存在，请选择“变更”等类型"]})
            refuse_second_draft(
                ImplementationVersion.objects.filter(implementation=implementation, status__in=OPEN_STATUSES)
            )
            # The version in force, else the latest one (a first draft that was withdrawn or rejected).
            versions = ImplementationVersion.objects.filter(implementation=implementation)
            current = versions.filter(status=VersionStatus.PUBLISHED).first() or versions.order_by("-number").first()
            base = (
                {name: getattr(current, name) for name in _EDITABLE} if current else _new_defaults(region, department)
            )
            specs = _material_specs(current) if current else []
        version = ImplementationVersion(
            implementation=implementation,
            item_version=item_version,
            number=next_number(ImplementationVersion.objects.filter(implementation=implementation)),
            status=VersionStatus.DRAFT,
            change_kind=change_kind,
            change_reason=change_reason.strip(),
            drafted_by=actor,
            created_at=clock.now(),
            **base,
        )
        _apply(version, elements or {})
        version.save()
        _replace_materials(version, materials if materials is not None else specs)
        record(
            verb=CatalogVerb.IMPLEMENTATION_VERSION_DRAFTED,
            actor=actor,
            subject=f"implementation:{implementation.code}",
            payload={"number": version.number, "change_kind": str(change_kind), "reason": version.change_reason},
        )
    return version


def _locked(version: ImplementationVersion) -> ImplementationVersion:
    return (
        ImplementationVersion.objects.select_for_update()
        .select_related("implementation__region", "implementation__item")
        .get(pk=version.pk)
    )


def implementation_version_update(
    *,
    actor: User,
    version: ImplementationVersion,
    elements: ImplementationElements,
    materials: list[MaterialSpec] | None = None,
    change_reason: str | None = None,
) -> ImplementationVersion:
    """Edit a draft (its drafter only); `materials`, when given, replace the list."""
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_scope(actor, version.implementation.region)
        require_drafter(actor, version)
        require_open(version)
        changed = _apply(version, elements)
        if change_reason is not None:
            require_change_reason(version.change_kind, change_reason, ChangeKind.values)
            version.change_reason = change_reason.strip()
        version.status = VersionStatus.DRAFT
        version.save()
        if materials is not None:
            _replace_materials(version, materials)
            changed.append("materials")
        record(
            verb=CatalogVerb.IMPLEMENTATION_VERSION_UPDATED,
            actor=actor,
            subject=f"implementation:{version.implementation.code}",
            payload={"number": version.number, "changed": changed},
        )
    return version


def implementation_version_submit(*, actor: User, version: ImplementationVersion) -> ImplementationVersion:
    """Send a draft for review; refuses with every publication problem at once."""
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_scope(actor, version.implementation.region)
        require_drafter(actor, version)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.REJECTED):
            raise Conflict(f"版本 v{version.number} 状态为“{version.get_status_display()}”，不能提交审核。")
        require_no_problems(rules.implementation_version_problems(version, list(version.materials.all())))
        version.status = VersionStatus.IN_REVIEW
        version.save(update_fields=["status"])
        record(
            verb=CatalogVerb.IMPLEMENTATION_VERSION_SUBMITTED,
            actor=actor,
            subject=f"implementation:{version.implementation.code}",
            payload={"number": version.number},
        )
    return version


def implementation_version_withdraw(*, actor: User, version: ImplementationVersion) -> ImplementationVersion:
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_drafter(actor, version)
        require_open(version)
        version.status = VersionStatus.WITHDRAWN
        version.save(update_fields=["status"])
        record(
            verb=CatalogVerb.IMPLEMENTATION_VERSION_WITHDRAWN,
            actor=actor,
            subject=f"implementation:{version.implementation.code}",
            payload={"number": version.number},
        )
    return version


def implementation_version_reject(*, actor: User, version: ImplementationVersion, note: str) -> ImplementationVersion:
    if not note.strip():
        raise ValidationFailed({"note": ["审核意见：退回时必须写明理由"]})
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_scope(actor, version.implementation.region)
        require_reviewable(actor, version)
        version.status = VersionStatus.REJECTED
        version.reviewed_by = actor
        version.review_note = note.strip()
        version.save(update_fields=["status", "reviewed_by", "review_note"])
        record(
            verb=CatalogVerb.IMPLEMENTATION_VERSION_REJECTED,
            actor=actor,
            subject=f"implementation:{version.implementation.code}",
            payload={"number": version.number, "note": version.review_note},
        )
    return version


def implementation_version_publish(
    *, actor: User, version: ImplementationVersion, note: str = ""
) -> ImplementationVersion:
    """Publish a reviewed version (a second administrator): it comes into force now.

    Side effects: the version is rebased onto the item version in force, checked against every
    rule, the previous version superseded (window closed now), the guide's document rebuilt;
    the event carries the diff and the reason.
    """
    with transaction.atomic(durable=True):
        Implementation.objects.select_for_update().get(pk=version.implementation_id)
        version = _locked(version)
        require_scope(actor, version.implementation.region)
        require_reviewable(actor, version)
        version.item_version = _item_version_in_force(version.implementation.item)
        materials = list(version.materials.all())
        require_no_problems(rules.implementation_version_problems(version, materials))
        previous = (
            ImplementationVersion.objects.select_for_update()
            .filter(implementation=version.implementation, status=VersionStatus.PUBLISHED)
            .first()
        )
        changes = implementation_version_diff(
            previous, version, list(previous.materials.all()) if previous else [], materials
        )
        now = clock.now()
        open_window(version, previous=previous, reviewer=actor, note=note, at=now)
        search_document_refresh(version.implementation)
        record(
            verb=CatalogVerb.IMPLEMENTATION_VERSION_PUBLISHED,
            actor=actor,
            subject=f"implementation:{version.implementation.code}",
            payload={
                "number": version.number,
                "item_version": version.item_version.number,
                "change_kind": version.change_kind,
                "reason": version.change_reason,
                "note": version.review_note,
                "valid_from": now.isoformat(),
                "diff": [c.as_dict() for c in changes],
            },
        )
    return version


def implementation_version_copy(
    current: ImplementationVersion, *, item_version: ItemVersion, reason: str, reviewer: User, at: dt.datetime
) -> ImplementationVersion:
    """Inside an item publication: supersede `current` by a published copy on `item_version`.

    An open draft keeps its place after the copy (its number moves up by one).
    """
    implementation = current.implementation
    draft = ImplementationVersion.objects.filter(implementation=implementation, status__in=OPEN_STATUSES).first()
    if draft is not None:
        number = draft.number
        draft.number += 1
        draft.save(update_fields=["number"])
    else:
        number = next_number(ImplementationVersion.objects.filter(implementation=implementation))
    current.status = VersionStatus.SUPERSEDED
    current.valid_until = at
    current.save(update_fields=["status", "valid_until"])
    copy = ImplementationVersion.objects.create(
        implementation=implementation,
        item_version=item_version,
        number=number,
        status=VersionStatus.PUBLISHED,
        change_kind=ChangeKind.AMEND,
        change_reason=reason,
        drafted_by=item_version.drafted_by,
        reviewed_by=reviewer,
        review_note="随基本要素版本一并审核发布",
        created_at=at,
        valid_from=at,
        published_at=at,
        **{name: getattr(current, name) for name in _EDITABLE},
    )
    Material.objects.bulk_create(material_rows(copy, _material_specs(current)))
    return copy
