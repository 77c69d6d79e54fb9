"""Implementation versions (实施要素 + materials + form + process): the shared version workflow.

An implementation is one region + department's implementation of an item. Its versions
inherit the basic elements of the item version in force; publishing one refuses an
incoherent version with every problem at once (rules.py) and supersedes the previous one.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog import rules
from yiwang.catalog.choices import RETIRING_KINDS
from yiwang.catalog.diff import Change, implementation_version_diff
from yiwang.catalog.elements import IMPLEMENTATION_VERSION, MATERIAL, MATERIAL_DEFAULTS
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
from yiwang.catalog.services import versions
from yiwang.catalog.services.amendments import amendments_settle
from yiwang.catalog.services.common import next_number, require_change_reason, require_no_problems, require_scope
from yiwang.catalog.services.versions import VersionKind
from yiwang.catalog.workflow import VersionAction, version_next_status
from yiwang.core.errors import Conflict, ValidationFailed

MaterialSpec = Mapping[str, Any]
LEVEL_OF_REGION = {
    "province": ExerciseLevel.PROVINCIAL,
    "prefecture": ExerciseLevel.MUNICIPAL,
    "county": ExerciseLevel.COUNTY,
    "township": ExerciseLevel.TOWNSHIP,
    "village": ExerciseLevel.VILLAGE,
}


class ImplementationVersionKind(VersionKind[ImplementationVersion]):
    spec = IMPLEMENTATION_VERSION
    model = ImplementationVersion
    owner_field = "implementation"
    related = ("implementation__region", "implementation__item")

    def subject(self, version: ImplementationVersion) -> str:
        return f"implementation:{version.implementation.code}"

    def permit(self, actor: User, version: ImplementationVersion) -> None:
        require_scope(actor, version.implementation.region)

    def problems(self, version: ImplementationVersion) -> dict[str, list[str]]:
        return rules.implementation_version_problems(version, list(version.materials.all()))

    def replace_parts(self, version: ImplementationVersion, parts: Any) -> None:
        rows = material_rows(version, parts)
        version.materials.all().delete()
        Material.objects.bulk_create(rows)

    def prepare_publication(self, version: ImplementationVersion) -> None:
        version.item_version = item_version_in_force_or_refuse(version.implementation.item)

    def changes(self, previous: ImplementationVersion | None, version: ImplementationVersion) -> list[Change]:
        old = list(previous.materials.all()) if previous else []
        return implementation_version_diff(previous, version, old, list(version.materials.all()))

    def after_publication(
        self,
        version: ImplementationVersion,
        previous: ImplementationVersion | None,
        *,
        reviewer: User,
        at: dt.datetime,
    ) -> dict[str, Any]:
        search_document_refresh(version.implementation)
        settled = amendments_settle(version, actor=reviewer, at=at)
        return {"item_version": version.item_version.number, **({"amendments_settled": settled} if settled else {})}


IMPLEMENTATIONS = ImplementationVersionKind()


def material_rows(version: ImplementationVersion, specs: Sequence[MaterialSpec]) -> list[Material]:
    """Material rows from their element values, each checked against the material specification."""
    rows = []
    problems: dict[str, list[str]] = {}
    for index, spec in enumerate(specs):
        for name, messages in MATERIAL.problems(spec).items():
            problems.setdefault(f"materials.{index}.{name}", []).extend(f"第 {index + 1} 项{m}" for m in messages)
        data: dict[str, Any] = {**MATERIAL_DEFAULTS, **spec}
        data.setdefault("key", f"m{index + 1}")
        rows.append(Material(version=version, sort_order=index, **data))
    require_no_problems(problems)
    return rows


def material_specs(version: ImplementationVersion) -> Sequence[MaterialSpec]:
    return [{name: getattr(m, name) for name in MATERIAL.names} for m in version.materials.all()]


def item_version_in_force_or_refuse(item: ServiceItem) -> ItemVersion:
    current = ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).first()
    if current is None or current.change_kind in RETIRING_KINDS:
        raise Conflict(
            f"事项 {item.basic_code} 没有生效的基本要素版本（未发布、已取消或已拆分/合并），不能维护实施清单。"
        )
    return current


def new_defaults(region: Region, department: Department) -> dict[str, Any]:
    """A new implementation starts online, zero visits, 20 working days: the administrator adjusts."""
    return {
        "exercise_level": LEVEL_OF_REGION.get(region.level, ExerciseLevel.MUNICIPAL),
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
    elements: Mapping[str, Any] | None = None,
    materials: Sequence[MaterialSpec] | None = None,
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
        item_version = item_version_in_force_or_refuse(item)
        implementation = (
            Implementation.objects.select_for_update().filter(item=item, region=region, department=department).first()
        )
        base: dict[str, Any]
        specs: Sequence[MaterialSpec] = []
        if implementation is None:
            if change_kind != ChangeKind.ADD:
                raise ValidationFailed({"change_kind": ["调整类型：该部门尚无此事项的实施清单，请选择“新增”"]})
            code = code.strip() or f"{department.credit_code}1{item.basic_code}"
            if Implementation.objects.filter(code=code).exists():
                raise ValidationFailed({"code": [f"实施编码：{code} 已被其他实施清单使用"]})
            implementation = Implementation.objects.create(item=item, region=region, department=department, code=code)
            base = new_defaults(region, department)
        else:
            if change_kind == ChangeKind.ADD:
                raise ValidationFailed({"change_kind": ["调整类型：实施清单已存在，请选择“变更”等类型"]})
            # The version in force, else the latest one (a first draft that was withdrawn or rejected).
            existing = IMPLEMENTATIONS.versions_of(implementation)
            current = existing.filter(status=VersionStatus.PUBLISHED).first() or existing.order_by("-number").first()
            base = IMPLEMENTATIONS.values_of(current) if current else new_defaults(region, department)
            specs = material_specs(current) if current else []
        version = versions.version_create(
            IMPLEMENTATIONS,
            implementation,
            actor=actor,
            change_kind=change_kind,
            change_reason=change_reason,
            base=base,
            elements=elements,
            item_version=item_version,
        )
        IMPLEMENTATIONS.replace_parts(version, materials if materials is not None else specs)
    return version


def implementation_version_update(
    *,
    actor: User,
    version: ImplementationVersion,
    elements: Mapping[str, Any],
    materials: Sequence[MaterialSpec] | None = None,
    change_reason: str | None = None,
) -> ImplementationVersion:
    """Edit a draft (its drafter only); `materials`, when given, replace the list."""
    return versions.version_update(
        IMPLEMENTATIONS, actor=actor, version=version, elements=elements, parts=materials, change_reason=change_reason
    )


def implementation_version_copy(
    current: ImplementationVersion, *, item_version: ItemVersion, reason: str, reviewer: User, at: dt.datetime
) -> ImplementationVersion:
    """Inside an item publication: supersede `current` by a published copy on `item_version`.

    An open draft keeps its place after the copy (its number moves up by one).
    """
    implementation = current.implementation
    draft = IMPLEMENTATIONS.versions_of(implementation).filter(status__in=OPEN_STATUSES).first()
    if draft is not None:
        number = draft.number
        draft.number += 1
        draft.save(update_fields=["number"])
    else:
        number = next_number(IMPLEMENTATIONS.versions_of(implementation))
    versions.version_supersede(current, at=at)
    copy = ImplementationVersion.objects.create(
        implementation=implementation,
        item_version=item_version,
        number=number,
        status=version_next_status(None, VersionAction.COPY),
        change_kind=ChangeKind.AMEND,
        change_reason=reason,
        drafted_by=item_version.drafted_by,
        reviewed_by=reviewer,
        review_note="随基本要素版本一并审核发布",
        created_at=at,
        valid_from=at,
        published_at=at,
        **IMPLEMENTATIONS.values_of(current),
    )
    Material.objects.bulk_create(material_rows(copy, material_specs(current)))
    return copy
