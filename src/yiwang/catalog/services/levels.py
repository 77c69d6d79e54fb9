"""The catalog at every level (docs/catalog-levels.md): claims (认领) and confirming amendments (动态调整).

A province item is claimed by a city, county, town or village body: a catalog administrator
of that region (or above it) claims it for one of the region's departments, which creates the
implementation and its first draft from the nearest template; the draft is then edited and
published four-eyes like any implementation version. A published change of the item's basic
elements reaches every claim as a pending amendment (amendments.py) that its level confirms here.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog import rules
from yiwang.catalog.models import (
    AmendmentStatus,
    ChangeKind,
    ExerciseLevel,
    Implementation,
    ImplementationVersion,
    ItemVersion,
    PendingAmendment,
    ServiceItem,
    VersionStatus,
)
from yiwang.catalog.search import search_document_refresh
from yiwang.catalog.services import versions
from yiwang.catalog.services.amendments import amendments_settle
from yiwang.catalog.services.common import record, require_no_problems, require_scope
from yiwang.catalog.services.implementations import (
    IMPLEMENTATIONS,
    LEVEL_OF_REGION,
    MaterialSpec,
    implementation_version_copy,
    item_version_in_force_or_refuse,
    material_specs,
    new_defaults,
)
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.ledger.events import CatalogVerb


def claim_refusal(item_version: ItemVersion, region: Region) -> str:
    """Why `region`'s level may not claim the item ("" when it may): its exercising levels."""
    level = LEVEL_OF_REGION.get(region.level)
    if level is None or level == ExerciseLevel.PROVINCIAL:
        return f"{region.name}是省级区划：省级事项由省级部门直接实施，无需认领。"
    allowed = list(item_version.exercise_levels or [])
    if allowed and level not in allowed:
        names = "、".join(ExerciseLevel(v).label for v in allowed)
        return f"事项“{item_version.name}”的行使层级为{names}，{ExerciseLevel(level).label}的{region.name}不能认领。"
    return ""


def claim_template(item: ServiceItem, region: Region) -> ImplementationVersion | None:
    """The nearest implementation in force above `region` (the parent level's claim, else the
    province's reference implementation); without one, the item's first implementation (the pilot)."""
    published = ImplementationVersion.objects.filter(implementation__item=item, status=VersionStatus.PUBLISHED)
    for ancestor in reversed(region.ancestors()):
        found = published.filter(implementation__region=ancestor).order_by("implementation__code").first()
        if found is not None:
            return found
    return published.order_by("implementation_id").first()


def _rerouted(process: Mapping[str, Any], region: Region, department: Department) -> dict[str, Any]:
    """The template's process with each task outside the claiming region's reach given to `department`."""
    reachable = rules.region_department_codes(region)
    stages = [
        {
            **stage,
            "tasks": [
                {
                    **task,
                    "department": task["department"] if task["department"] in reachable else department.credit_code,
                }
                for task in stage.get("tasks", [])
            ],
        }
        for stage in process.get("stages", [])
    ]
    return {**process, "stages": stages}


def implementation_claim(
    *,
    actor: User,
    basic_code: str,
    department: Department,
    change_reason: str = "",
    elements: Mapping[str, Any] | None = None,
    materials: Sequence[MaterialSpec] | None = None,
) -> ImplementationVersion:
    """认领: `department`'s region takes on the item; its first implementation draft is returned.

    Refused when the item is not exercised at the region's level, or the region already
    implements it. The draft starts from the nearest template (claim_template), with the
    department's own address and phone; `elements` and `materials` override it.
    """
    region = department.region
    require_scope(actor, region)
    with transaction.atomic(durable=True):
        item = ServiceItem.objects.select_for_update().filter(basic_code=basic_code.strip()).first()
        if item is None:
            raise ValidationFailed({"basic_code": [f"基本编码：事项 {basic_code} 不存在"]})
        item_version = item_version_in_force_or_refuse(item)
        refusal = claim_refusal(item_version, region)
        if refusal:
            raise Conflict(refusal, rule="exercise_level")
        taken = Implementation.objects.filter(item=item, region=region).select_related("department").first()
        if taken is not None:
            raise Conflict(f"{region.name}已由{taken.department.name}认领该事项（{taken.code}）。", rule="claimed")
        code = f"{department.credit_code}1{item.basic_code}"
        if Implementation.objects.filter(code=code).exists():
            raise Conflict(f"实施编码 {code} 已被其他实施清单使用。", rule="claimed")
        template = claim_template(item, region)
        defaults = new_defaults(region, department)
        base = IMPLEMENTATIONS.values_of(template) if template is not None else dict(defaults)
        base.update({name: defaults[name] for name in ("exercise_level", "address", "consultation_phone")})
        if template is not None:
            base["process"] = _rerouted(template.process, region, department)
        implementation = Implementation.objects.create(item=item, region=region, department=department, code=code)
        version = versions.version_create(
            IMPLEMENTATIONS,
            implementation,
            actor=actor,
            change_kind=ChangeKind.ADD,
            change_reason=change_reason.strip() or f"{department.name}认领",
            base=base,
            elements=elements,
            item_version=item_version,
        )
        specs = material_specs(template) if template is not None else []
        IMPLEMENTATIONS.replace_parts(version, materials if materials is not None else specs)
        record(
            verb=CatalogVerb.IMPLEMENTATION_CLAIMED,
            actor=actor,
            subject=f"implementation:{code}",
            payload={
                "item": item.basic_code,
                "region": region.code,
                "department": department.credit_code,
                "level": version.exercise_level,
                "template": template.implementation.code if template is not None else None,
                "number": version.number,
            },
        )
    return version


def amendment_confirm(*, actor: User, amendment: PendingAmendment) -> ImplementationVersion:
    """确认调整: the implementation's level moves it onto the amended basic elements.

    Its implementation elements are unchanged, so, like the copies a suspension makes, the
    rebased version is published at once (the basic elements were reviewed four-eyes at their
    publication); a copy the rules refuse is not made: the level drafts a change instead,
    whose publication settles the amendment.
    """
    with transaction.atomic(durable=True):
        # The implementation first, then the amendment: the order an item publication locks them in.
        implementation = (
            Implementation.objects.select_for_update().select_related("region").get(pk=amendment.implementation_id)
        )
        require_scope(actor, implementation.region)
        amendment = PendingAmendment.objects.select_for_update().select_related("item_version").get(pk=amendment.pk)
        if amendment.status != AmendmentStatus.PENDING:
            raise Conflict(f"该调整{amendment.get_status_display()}，无需再确认。", rule="amendment_transition")
        current = (
            ImplementationVersion.objects.select_for_update()
            .filter(implementation=implementation, status=VersionStatus.PUBLISHED)
            .first()
        )
        if current is None:
            raise Conflict("该实施清单已不在有效期内，无需确认调整。", rule="not_in_force")
        target = amendment.item_version
        now = clock.now()
        copy = implementation_version_copy(
            current,
            item_version=target,
            reason=f"确认事项 v{target.number} 的基本要素调整：{target.change_reason}",
            reviewer=actor,
            at=now,
        )
        problems = IMPLEMENTATIONS.problems(copy)
        if problems:
            messages = {k: [*v, "请起草实施清单变更并提交审核（发布后视为已确认）"] for k, v in problems.items()}
            require_no_problems(messages)
        settled = amendments_settle(copy, actor=actor, at=now)
        search_document_refresh(implementation)
        record(
            verb=CatalogVerb.AMENDMENT_CONFIRMED,
            actor=actor,
            subject=f"implementation:{implementation.code}",
            payload={"item_version": target.number, "number": copy.number, "settled": settled},
        )
    return copy
