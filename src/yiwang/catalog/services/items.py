"""Item versions (基本要素): the shared version workflow (versions.py) for an item's basic elements.

Publishing a new item version reaches every implementation of the item: a pending amendment
its level confirms (动态调整, docs/catalog-levels.md), or at once for a suspension or a
retirement. Published versions are never edited; cases keep the version they pinned.
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from yiwang.accounts.models import User
from yiwang.catalog import rules
from yiwang.catalog.choices import RETIRING_KINDS
from yiwang.catalog.diff import Change, item_version_diff
from yiwang.catalog.elements import ITEM_VERSION
from yiwang.catalog.models import (
    OPEN_STATUSES,
    ChangeKind,
    Implementation,
    ImplementationVersion,
    ItemLineage,
    ItemVersion,
    ServiceItem,
    Variant,
    VersionStatus,
)
from yiwang.catalog.search import search_document_refresh
from yiwang.catalog.services import versions
from yiwang.catalog.services.amendments import amendment_arrive, amendments_settle
from yiwang.catalog.services.common import require_admin, require_change_reason
from yiwang.catalog.services.implementations import implementation_version_copy
from yiwang.catalog.services.versions import VersionKind
from yiwang.core.errors import Conflict, ValidationFailed

_BASIC_CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")


class ItemVersionKind(VersionKind[ItemVersion]):
    spec = ITEM_VERSION
    model = ItemVersion
    owner_field = "item"
    related = ("item",)

    def subject(self, version: ItemVersion) -> str:
        return f"item:{version.item.basic_code}"

    def problems(self, version: ItemVersion) -> dict[str, list[str]]:
        return rules.item_version_problems(version)

    def prepare_publication(self, version: ItemVersion) -> None:
        published = self.versions_of(version.item).filter(status=VersionStatus.PUBLISHED).exists()
        if not published and version.change_kind != ChangeKind.ADD:
            raise Conflict("该事项没有已发布的版本，首个版本的调整类型应为“新增”。")

    def changes(self, previous: ItemVersion | None, version: ItemVersion) -> list[Change]:
        return item_version_diff(previous, version)

    def after_publication(
        self, version: ItemVersion, previous: ItemVersion | None, *, reviewer: User, at: dt.datetime
    ) -> dict[str, Any]:
        """Implementations in force get a pending amendment, or are rebased at once (a suspension)
        or taken out of force (取消, 拆分, 合并; the lineage recorded) with their guide documents."""
        return _rebase_implementations(version, previous, reviewer=reviewer, at=at)


ITEMS = ItemVersionKind()


def item_version_draft(
    *,
    actor: User,
    basic_code: str,
    change_kind: ChangeKind | str,
    change_reason: str,
    elements: Mapping[str, Any] | None = None,
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
            current = ITEMS.versions_of(item).filter(status=VersionStatus.PUBLISHED).first()
            if current is None:
                raise Conflict(f"事项 {basic_code} 还没有已发布的版本，不能发起{ChangeKind(change_kind).label}。")
            base = ITEMS.values_of(current)
            if change_kind == ChangeKind.SUSPEND:
                base["suspended"] = True
        return versions.version_create(
            ITEMS, item, actor=actor, change_kind=change_kind, change_reason=change_reason, base=base, elements=elements
        )


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


def item_version_update(
    *,
    actor: User,
    version: ItemVersion,
    elements: Mapping[str, Any],
    change_kind: ChangeKind | str | None = None,
    change_reason: str | None = None,
) -> ItemVersion:
    """Edit a draft (its drafter only); a version in review or sent back becomes a draft again."""
    kind = str(change_kind) if change_kind is not None else None
    return versions.version_update(
        ITEMS, actor=actor, version=version, elements=elements, change_kind=kind, change_reason=change_reason
    )


def _rebase_implementations(
    version: ItemVersion, previous: ItemVersion | None, *, reviewer: User, at: dt.datetime
) -> dict[str, list[str]]:
    """What the new basic elements do to the item's implementations (every claim, at every level).

    A retirement (取消, 拆分, 合并) takes them out of force and a suspension reaches them at once
    (rebased copies); any other change is a pending amendment each implementing level confirms
    (动态调整): until then the implementation stays in force on the basic elements it was
    published with.
    """
    if previous is None:
        return {}
    retiring = version.change_kind in RETIRING_KINDS
    immediate = retiring or version.change_kind == ChangeKind.SUSPEND or version.suspended != previous.suspended
    rebased, pending = [], []
    for implementation in Implementation.objects.select_for_update().filter(item=version.item).order_by("code"):
        current = (
            ImplementationVersion.objects.select_for_update()
            .filter(implementation=implementation, status=VersionStatus.PUBLISHED)
            .select_related("item_version")
            .first()
        )
        ImplementationVersion.objects.filter(implementation=implementation, status__in=OPEN_STATUSES).update(
            item_version=version
        )
        if current is None:
            continue
        if not immediate:
            amendment_arrive(implementation, current, version, at=at)
            pending.append(implementation.code)
            continue
        if retiring:
            versions.version_supersede(current, at=at)
        else:
            copy = implementation_version_copy(
                current,
                item_version=version,
                reason=f"基本要素随事项 v{version.number} 发布同步更新：{version.change_reason}",
                reviewer=reviewer,
                at=at,
            )
            amendments_settle(copy, actor=reviewer, at=at)
            rebased.append(f"{implementation.code} v{copy.number}")
        search_document_refresh(implementation)
    successors = _lineage_record(version, at=at) if version.change_kind in (ChangeKind.SPLIT, ChangeKind.MERGE) else []
    return {"rebased": rebased, "pending": pending, "successors": successors}


def _lineage_record(version: ItemVersion, *, at: dt.datetime) -> list[str]:
    """拆分/合并 keep their history: one link from the retired item to each item it became."""
    codes = list(dict.fromkeys(version.successor_codes.split()))
    for successor in ServiceItem.objects.filter(basic_code__in=codes).order_by("basic_code"):
        ItemLineage.objects.get_or_create(
            predecessor=version.item,
            successor=successor,
            defaults={"kind": version.change_kind, "item_version": version, "at": at},
        )
    return codes
