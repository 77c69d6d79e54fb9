"""Small pieces every catalog service shares: permission checks, change reasons, events."""

from typing import Any

from django.db.models import Max

from yiwang.accounts.models import Region, Role, StaffRole, User
from yiwang.accounts.selectors import user_has_role
from yiwang.catalog.models import BundleVersion, CatalogEvent, ImplementationVersion, ItemVersion
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.events import CatalogVerb, Domain, event_type
from yiwang.ledger.services import ledger_append

AnyVersion = ItemVersion | ImplementationVersion | BundleVersion


def record(*, verb: CatalogVerb, actor: User | None, subject: str, payload: dict[str, Any]) -> CatalogEvent:
    """The catalog event and its ledger entry (catalog data is public: no personal data here)."""
    body = {**payload, "actor": actor.pk if actor else None}
    kind = event_type(Domain.CATALOG, verb).kind  # an uncatalogued verb fails before anything is written
    entry = ledger_append(kind=kind, subject=subject, payload=body)
    return CatalogEvent.objects.create(
        verb=verb, actor=actor, subject=subject, payload=body, at=clock.now(), ledger_entry_id=entry.pk
    )


def require_admin(actor: User) -> None:
    if not user_has_role(actor, Role.CATALOG_ADMIN):
        raise PermissionDenied("只有事项管理员可以维护事项库。", rule="catalog_admin")


def require_scope(actor: User, region: Region) -> None:
    """An administrator maintains implementations of their own region and the regions below it."""
    require_admin(actor)
    codes = {region.code, *(r.code for r in region.ancestors())}
    if not StaffRole.objects.filter(user=actor, role=Role.CATALOG_ADMIN, department__region__code__in=codes).exists():
        raise PermissionDenied(f"您不是{region.name}或其上级区划的事项管理员，不能维护该区划的实施清单。", rule="scope")


def require_drafter(actor: User, version: AnyVersion) -> None:
    if version.drafted_by_id != actor.pk:
        raise PermissionDenied("只有起草人可以修改、提交或撤回此草稿。", rule="drafter")


def require_no_problems(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationFailed(problems)


def require_change_reason(change_kind: str, change_reason: str, kinds: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if change_kind not in kinds:
        errors["change_kind"] = ["调整类型：请从给定类型中选择"]
    if not change_reason.strip():
        errors["change_reason"] = ["调整理由：必填"]
    require_no_problems(errors)


def next_number(versions: Any) -> int:
    return int(versions.aggregate(n=Max("number"))["n"] or 0) + 1


def refuse_second_draft(open_versions: Any) -> None:
    existing = open_versions.select_related("drafted_by").first()
    if existing is not None:
        raise Conflict(
            f"已有未发布的草稿 v{existing.number}（{existing.get_status_display()}，起草人 {existing.drafted_by}），"
            "请先完成或撤回它。",
            rule="one_open_draft",
        )
