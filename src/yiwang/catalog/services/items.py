"""Item versions (基本要素): draft → submit → publish or reject, by two administrators.

Publishing a new item version also rebases every implementation in force onto it: the
implementation's published version is superseded by a copy that points at the new basic
elements (published versions are never edited; cases keep the version they pinned).
"""

import re
from typing import Any, TypedDict

from django.db import IntegrityError, transaction

from yiwang.accounts.models import User
from yiwang.catalog import rules
from yiwang.catalog.diff import ITEM_ELEMENTS, item_version_diff
from yiwang.catalog.models import (
    OPEN_STATUSES,
    ChangeKind,
    Implementation,
    ImplementationVersion,
    ItemVersion,
    ServiceItem,
    Variant,
    VersionStatus,
)
from yiwang.catalog.search import search_document_refresh
from yiwang.catalog.services.common import (
    next_number,
    open_window,
    record,
    refuse_second_draft,
    require_admin,
    require_change_reason,
    require_drafter,
    require_no_problems,
    require_open,
    require_reviewable,
)
from yiwang.catalog.services.implementations import implementation_version_copy
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.ledger.events import CatalogVerb

_BASIC_CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")


class ItemElements(TypedDict, total=False):
    name: str
    item_type: str
    competent_department: str
    implementing_organ_kind: str
    legal_basis: str
    service_objects: list[str]
    themes: list[str]
    keywords: str
    suspended: bool
    remarks: str


_EDITABLE = [*ITEM_ELEMENTS, "remarks"]


def _apply(version: ItemVersion, elements: ItemElements) -> list[str]:
    unknown = set(elements) - set(_EDITABLE)
    if unknown:
        raise ValidationFailed({sorted(unknown)[0]: [f"不能修改的要素：{'、'.join(sorted(unknown))}"]})
    changed = []
    for name, value in elements.items():
        if getattr(version, name) != value:
            setattr(version, name, value)
            changed.append(name)
    return changed


def item_version_draft(
    *,
    actor: User,
    basic_code: str,
    change_kind: ChangeKind | str,
    change_reason: str,
    elements: ItemElements | None = None,
    parent_code: str = "",
    variant: Variant | str = "",
) -> ItemVersion:
    """Open a draft: a new item (新增) or a change of an existing one, copied from the version in force.

    Writes the item (when new) and the draft version, a CatalogEvent and a ledger entry.
    """
    require_admin(actor)
    require_change_reason(str(change_kind), change_reason, ChangeKind.values)
    basic_code = basic_code.strip()
    if not _BASIC_CODE.match(basic_code):
        raise ValidationFailed({"basic_code": ["基本编码：应为 1 到 20 位数字或字母"]})
    with transaction.atomic(durable=True):
        if change_kind == ChangeKind.ADD:
            item = _item_create(basic_code=basic_code, parent_code=parent_code, variant=str(variant))
            base: dict[str, Any] = {"name": "", "item_type": "", "competent_department": "", "legal_basis": ""}
        else:
            found = ServiceItem.objects.select_for_update().filter(basic_code=basic_code).first()
            if found is None:
                raise ValidationFailed({"basic_code": [f"基本编码：事项 {basic_code} 不存在，新事项请选择“新增”"]})
            item = found
            current = ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).first()
            if current is None:
                raise Conflict(f"事项 {basic_code} 还没有已发布的版本，不能发起{ChangeKind(change_kind).label}。")
            base = {name: getattr(current, name) for name in _EDITABLE}
            if change_kind == ChangeKind.SUSPEND:
                base["suspended"] = True
        refuse_second_draft(ItemVersion.objects.filter(item=item, status__in=OPEN_STATUSES))
        version = ItemVersion(
            item=item,
            number=next_number(ItemVersion.objects.filter(item=item)),
            status=VersionStatus.DRAFT,
            change_kind=change_kind,
            change_reason=change_reason.strip(),
            drafted_by=actor,
            created_at=clock.now(),
            **base,
        )
        _apply(version, elements or {})
        version.save()
        record(
            verb=CatalogVerb.ITEM_VERSION_DRAFTED,
            actor=actor,
            subject=f"item:{item.basic_code}",
            payload={"number": version.number, "change_kind": str(change_kind), "reason": version.change_reason},
        )
    return version


def _item_create(*, basic_code: str, parent_code: str, variant: str) -> ServiceItem:
    parent = None
    if parent_code:
        parent = ServiceItem.objects.filter(basic_code=parent_code).first()
        if parent is None:
            raise ValidationFailed({"parent_code": [f"上级事项：基本编码 {parent_code} 不存在"]})
    if ServiceItem.objects.filter(basic_code=basic_code).exists():
        raise ValidationFailed({"basic_code": [f"基本编码：事项 {basic_code} 已存在，调整已有事项请选择“变更”等类型"]})
    try:
        with transaction.atomic():
            return ServiceItem.objects.create(basic_code=basic_code, parent=parent, variant=variant)
    except IntegrityError as exc:
        raise Conflict(f"事项 {basic_code} 刚被他人创建，请刷新后重试。") from exc


def _locked(version: ItemVersion) -> ItemVersion:
    return ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)


def item_version_update(
    *,
    actor: User,
    version: ItemVersion,
    elements: ItemElements,
    change_kind: ChangeKind | str | None = None,
    change_reason: str | None = None,
) -> ItemVersion:
    """Edit a draft (its drafter only); a version in review or sent back becomes a draft again."""
    require_admin(actor)
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_drafter(actor, version)
        require_open(version)
        changed = _apply(version, elements)
        if change_kind is not None or change_reason is not None:
            require_change_reason(
                str(change_kind or version.change_kind), change_reason or version.change_reason, ChangeKind.values
            )
            version.change_kind = change_kind or version.change_kind
            version.change_reason = (change_reason or version.change_reason).strip()
        version.status = VersionStatus.DRAFT
        version.save()
        record(
            verb=CatalogVerb.ITEM_VERSION_UPDATED,
            actor=actor,
            subject=f"item:{version.item.basic_code}",
            payload={"number": version.number, "changed": changed},
        )
    return version


def item_version_submit(*, actor: User, version: ItemVersion) -> ItemVersion:
    """Send a complete draft for review; refuses with every problem of the basic elements at once."""
    require_admin(actor)
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_drafter(actor, version)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.REJECTED):
            raise Conflict(f"版本 v{version.number} 状态为“{version.get_status_display()}”，不能提交审核。")
        require_no_problems(rules.item_version_problems(version))
        version.status = VersionStatus.IN_REVIEW
        version.save(update_fields=["status"])
        record(
            verb=CatalogVerb.ITEM_VERSION_SUBMITTED,
            actor=actor,
            subject=f"item:{version.item.basic_code}",
            payload={"number": version.number},
        )
    return version


def item_version_withdraw(*, actor: User, version: ItemVersion) -> ItemVersion:
    """The drafter abandons a draft; it stays on record as withdrawn."""
    require_admin(actor)
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_drafter(actor, version)
        require_open(version)
        version.status = VersionStatus.WITHDRAWN
        version.save(update_fields=["status"])
        record(
            verb=CatalogVerb.ITEM_VERSION_WITHDRAWN,
            actor=actor,
            subject=f"item:{version.item.basic_code}",
            payload={"number": version.number},
        )
    return version


def item_version_reject(*, actor: User, version: ItemVersion, note: str) -> ItemVersion:
    """Send a version back to its drafter with the reviewer's note (required)."""
    if not note.strip():
        raise ValidationFailed({"note": ["审核意见：退回时必须写明理由"]})
    with transaction.atomic(durable=True):
        version = _locked(version)
        require_reviewable(actor, version)
        version.status = VersionStatus.REJECTED
        version.reviewed_by = actor
        version.review_note = note.strip()
        version.save(update_fields=["status", "reviewed_by", "review_note"])
        record(
            verb=CatalogVerb.ITEM_VERSION_REJECTED,
            actor=actor,
            subject=f"item:{version.item.basic_code}",
            payload={"number": version.number, "note": version.review_note},
        )
    return version


def item_version_publish(*, actor: User, version: ItemVersion, note: str = "") -> ItemVersion:
    """Publish a reviewed version (a second administrator): it comes into force now.

    Side effects: the previous version is superseded (window closed now); implementations in
    force are rebased onto the new basic elements (or taken out of force when the item is
    cancelled); the guide's documents are rebuilt; the event carries the diff and the reason.
    """
    with transaction.atomic(durable=True):
        ServiceItem.objects.select_for_update().get(pk=version.item_id)
        version = _locked(version)
        require_reviewable(actor, version)
        require_no_problems(rules.item_version_problems(version))
        previous = ItemVersion.objects.select_for_update().filter(item=version.item, status="published").first()
        if previous is None and version.change_kind != ChangeKind.ADD:
            raise Conflict("该事项没有已发布的版本，首个版本的调整类型应为“新增”。")
        changes = item_version_diff(previous, version)
        now = clock.now()
        open_window(version, previous=previous, reviewer=actor, note=note, at=now)
        rebased = _rebase_implementations(version, previous, reviewer=actor, at=now)
        record(
            verb=CatalogVerb.ITEM_VERSION_PUBLISHED,
            actor=actor,
            subject=f"item:{version.item.basic_code}",
            payload={
                "number": version.number,
                "change_kind": version.change_kind,
                "reason": version.change_reason,
                "note": version.review_note,
                "valid_from": now.isoformat(),
                "diff": [c.as_dict() for c in changes],
                "rebased": rebased,
            },
        )
    return version


def _rebase_implementations(
    version: ItemVersion, previous: ItemVersion | None, *, reviewer: User, at: Any
) -> list[str]:
    if previous is None:
        return []
    rebased = []
    for implementation in Implementation.objects.select_for_update().filter(item=version.item).order_by("code"):
        current = (
            ImplementationVersion.objects.select_for_update()
            .filter(implementation=implementation, status=VersionStatus.PUBLISHED)
            .first()
        )
        ImplementationVersion.objects.filter(implementation=implementation, status__in=OPEN_STATUSES).update(
            item_version=version
        )
        if current is None:
            continue
        if version.change_kind == ChangeKind.CANCEL:
            current.status = VersionStatus.SUPERSEDED
            current.valid_until = at
            current.save(update_fields=["status", "valid_until"])
        else:
            copy = implementation_version_copy(
                current,
                item_version=version,
                reason=f"基本要素随事项 v{version.number} 发布同步更新：{version.change_reason}",
                reviewer=reviewer,
                at=at,
            )
            rebased.append(f"{implementation.code} v{copy.number}")
        search_document_refresh(implementation)
    return rebased
