"""Bundle versions (一件事): the shared version workflow bound to a third document kind.

A bundle belongs to a region; its administrators (and those above) maintain it. Its members
are named by implementation code; submission and publication check every member against the
implementation version in force (catalog.bundledoc.bundle_problems), so the guide never
offers a bundle whose member cannot be applied for.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Region, User
from yiwang.catalog.bundledoc import BUNDLE_VERSION, bundle_problems, parse
from yiwang.catalog.diff import Change, bundle_version_diff
from yiwang.catalog.models import (
    Bundle,
    BundleVersion,
    ChangeKind,
    VersionStatus,
)
from yiwang.catalog.selectors import member_facts
from yiwang.catalog.services import versions
from yiwang.catalog.services.common import require_change_reason, require_scope
from yiwang.catalog.services.versions import VersionKind
from yiwang.core.errors import ValidationFailed

_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class BundleVersionKind(VersionKind[BundleVersion]):
    spec = BUNDLE_VERSION
    model = BundleVersion
    owner_field = "bundle"
    related = ("bundle__region",)

    def subject(self, version: BundleVersion) -> str:
        return f"bundle:{version.bundle.code}"

    def permit(self, actor: User, version: BundleVersion) -> None:
        require_scope(actor, version.bundle.region)

    def problems(self, version: BundleVersion) -> dict[str, list[str]]:
        problems: dict[str, list[str]] = {}
        if not version.change_reason.strip():
            problems["change_reason"] = ["调整理由：必填，审核人和公众据此了解为什么调整"]
        for element in BUNDLE_VERSION:
            if element.required and not getattr(version, element.name):
                problems.setdefault(element.name, []).append(f"{element.label}：必填")
        parsed, shape = parse(version.members, version.form, version.materials)
        problems.update(shape)
        if parsed is not None:
            facts = member_facts([m.implementation for m in parsed.members.members])
            for path, messages in bundle_problems(parsed, facts).items():
                problems.setdefault(path, []).extend(messages)
        return problems

    def changes(self, previous: BundleVersion | None, version: BundleVersion) -> list[Change]:
        return bundle_version_diff(previous, version)


BUNDLES = BundleVersionKind()


def bundle_version_draft(
    *,
    actor: User,
    code: str,
    region: Region,
    change_kind: ChangeKind | str,
    change_reason: str,
    elements: Mapping[str, Any] | None = None,
) -> BundleVersion:
    """Open a draft of bundle `code` of `region`: 新增 creates the bundle, any other kind copies
    the version in force (else the latest). Writes the draft, a CatalogEvent, a ledger entry."""
    require_scope(actor, region)
    require_change_reason(str(change_kind), change_reason, ChangeKind.values)
    code = code.strip()
    if not code or len(code) > 60 or not set(code) <= _CODE_CHARS:
        raise ValidationFailed({"code": ["一件事编码：必填，最长 60 个字符，只用小写字母、数字和连字符"]})
    with transaction.atomic(durable=True):
        bundle = Bundle.objects.select_for_update().filter(code=code).first()
        if bundle is None:
            if change_kind != ChangeKind.ADD:
                raise ValidationFailed({"change_kind": ["调整类型：该一件事尚不存在，请选择“新增”"]})
            name = str((elements or {}).get("name") or "").strip()
            if not name:
                raise ValidationFailed({"name": ["一件事名称：必填"]})
            bundle = Bundle.objects.create(code=code, name=name[:200], region=region)
            base: dict[str, Any] = {"delivery": "together", "members": {"members": []}, "form": {"fields": []}}
        else:
            if bundle.region_id != region.pk:
                raise ValidationFailed({"code": [f"一件事编码：{code} 已被{bundle.region.name}使用"]})
            if change_kind == ChangeKind.ADD:
                raise ValidationFailed({"change_kind": ["调整类型：一件事已存在，请选择“变更”等类型"]})
            existing = BUNDLES.versions_of(bundle)
            current = existing.filter(status=VersionStatus.PUBLISHED).first() or existing.order_by("-number").first()
            base = BUNDLES.values_of(current) if current else {}
        return versions.version_create(
            BUNDLES,
            bundle,
            actor=actor,
            change_kind=change_kind,
            change_reason=change_reason,
            base=base,
            elements=elements,
        )


def bundle_version_update(
    *, actor: User, version: BundleVersion, elements: Mapping[str, Any], change_reason: str | None = None
) -> BundleVersion:
    """Edit a draft (its drafter only)."""
    return versions.version_update(
        BUNDLES, actor=actor, version=version, elements=elements, change_reason=change_reason
    )
