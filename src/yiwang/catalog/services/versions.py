"""One versioned-document service: draft, update, submit, withdraw, reject, publish, written once.

A `VersionKind` says what differs between document kinds (item versions, implementation
versions, bundle versions; later license types): its element specification, who may act on it,
its publication rules and what a publication does around it. Everything else is here, once:
the drafter-only edits, the four-eyes review, change reasons, the one open draft per owner,
non-overlapping validity windows, the transition table (catalog.workflow), the events and
ledger entries (CatalogVerb `<kind>_version_<action>`).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

from yiwang.accounts.models import User
from yiwang.catalog.diff import Change
from yiwang.catalog.elements import DocumentSpec
from yiwang.catalog.models import (
    OPEN_STATUSES,
    BundleVersion,
    ChangeKind,
    ImplementationVersion,
    ItemVersion,
    VersionStatus,
)
from yiwang.catalog.services.common import (
    next_number,
    record,
    refuse_second_draft,
    require_admin,
    require_change_reason,
    require_drafter,
    require_no_problems,
)
from yiwang.catalog.workflow import VersionAction, version_next_status
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.ledger.events import CatalogVerb

V = TypeVar("V", ItemVersion, ImplementationVersion, BundleVersion)


class VersionKind(Generic[V]):
    """What one document kind adds to the shared workflow (subclasses in items.py, implementations.py)."""

    spec: DocumentSpec
    model: type[V]
    owner_field: str  # the stable identity the versions belong to: "item" or "implementation"
    related: tuple[str, ...] = ()

    def subject(self, version: V) -> str:
        raise NotImplementedError

    def permit(self, actor: User, version: V) -> None:
        """May `actor` act on `version` at all (role and region); drafter and four eyes come after."""
        require_admin(actor)

    def problems(self, version: V) -> dict[str, list[str]]:
        """Every publication problem of `version` (rules.py)."""
        raise NotImplementedError

    def replace_parts(self, version: V, parts: Any) -> None:
        """Replace the version's sub-records (an implementation's materials) with `parts`."""
        raise ValidationFailed({"materials": [f"{self.spec.label}没有申请材料"]})

    def prepare_publication(self, version: V) -> None:
        """Last adjustments under the locks, before the rules are checked (e.g. rebase)."""

    def changes(self, previous: V | None, version: V) -> list[Change]:
        raise NotImplementedError

    def after_publication(self, version: V, previous: V | None, *, reviewer: User, at: dt.datetime) -> dict[str, Any]:
        """What a publication does around the version; returns extra event payload."""
        return {}

    # ── shared mechanics ──────────────────────────────────────────────────────

    def versions_of(self, owner: Model) -> QuerySet[V]:
        return self.model.objects.filter(**{self.owner_field: owner})  # type: ignore[misc]

    def locked(self, version: V) -> V:
        return self.model.objects.select_for_update().select_related(*self.related).get(pk=version.pk)  # type: ignore[misc]

    def apply(self, version: V, elements: Mapping[str, Any]) -> list[str]:
        """Set the given elements after checking each against its specification; the changed names."""
        given = {n: v for n, v in elements.items() if n not in self.spec.by_name or getattr(version, n) != v}
        require_no_problems(self.spec.problems(given, change_kind=version.change_kind))
        for name, value in given.items():
            setattr(version, name, value)
        return list(given)

    def values_of(self, version: V) -> dict[str, Any]:
        return {name: getattr(version, name) for name in self.spec.names}


def version_create(
    kind: VersionKind[V],
    owner: Model,
    *,
    actor: User,
    change_kind: ChangeKind | str,
    change_reason: str,
    base: Mapping[str, Any],
    elements: Mapping[str, Any] | None,
    **fixed: Any,
) -> V:
    """The common tail of a draft, inside the caller's transaction and owner lock: one open
    draft per owner, the next number, `base` then `elements` applied, the event written."""
    refuse_second_draft(kind.versions_of(owner).filter(status__in=OPEN_STATUSES))
    version = kind.model(
        **{kind.owner_field: owner},
        number=next_number(kind.versions_of(owner)),
        status=version_next_status(None, VersionAction.DRAFT),
        change_kind=str(change_kind),
        change_reason=change_reason.strip(),
        drafted_by=actor,
        created_at=clock.now(),
        **fixed,
        **base,
    )
    kind.apply(version, elements or {})
    version.save()
    record(
        verb=CatalogVerb(f"{kind.spec.key}_version_drafted"),
        actor=actor,
        subject=kind.subject(version),
        payload={"number": version.number, "change_kind": str(change_kind), "reason": version.change_reason},
    )
    return version


def version_update(
    kind: VersionKind[V],
    *,
    actor: User,
    version: V,
    elements: Mapping[str, Any],
    parts: Any = None,
    change_kind: str | None = None,
    change_reason: str | None = None,
) -> V:
    """Edit a draft (its drafter only); a version in review or sent back becomes a draft again."""
    with transaction.atomic(durable=True):
        version = kind.locked(version)
        kind.permit(actor, version)
        require_drafter(actor, version)
        version.status = version_next_status(version.status, VersionAction.UPDATE, number=version.number)
        if change_kind is not None or change_reason is not None:
            require_change_reason(
                change_kind or version.change_kind, change_reason or version.change_reason, ChangeKind.values
            )
            version.change_kind = change_kind or version.change_kind
            version.change_reason = (change_reason or version.change_reason).strip()
        changed = kind.apply(version, elements)
        version.save()
        if parts is not None:
            kind.replace_parts(version, parts)
            changed.append("materials")
        record(
            verb=CatalogVerb(f"{kind.spec.key}_version_updated"),
            actor=actor,
            subject=kind.subject(version),
            payload={"number": version.number, "changed": changed},
        )
    return version


def version_submit(kind: VersionKind[V], *, actor: User, version: V) -> V:
    """Send a complete draft for review; refuses with every publication problem at once."""
    with transaction.atomic(durable=True):
        version = kind.locked(version)
        kind.permit(actor, version)
        require_drafter(actor, version)
        version.status = version_next_status(version.status, VersionAction.SUBMIT, number=version.number)
        require_no_problems(kind.problems(version))  # a refusal rolls the transition back with the rest
        version.save(update_fields=["status"])
        record(
            verb=CatalogVerb(f"{kind.spec.key}_version_submitted"),
            actor=actor,
            subject=kind.subject(version),
            payload={"number": version.number},
        )
    return version


def version_withdraw(kind: VersionKind[V], *, actor: User, version: V) -> V:
    """The drafter abandons a draft; it stays on record as withdrawn."""
    with transaction.atomic(durable=True):
        version = kind.locked(version)
        kind.permit(actor, version)
        require_drafter(actor, version)
        version.status = version_next_status(version.status, VersionAction.WITHDRAW, number=version.number)
        version.save(update_fields=["status"])
        record(
            verb=CatalogVerb(f"{kind.spec.key}_version_withdrawn"),
            actor=actor,
            subject=kind.subject(version),
            payload={"number": version.number},
        )
    return version


def _require_second_pair_of_eyes(actor: User, version: V) -> None:
    """Four eyes: a second administrator, not the drafter, decides on a version in review."""
    if version.drafted_by_id == actor.pk:
        raise PermissionDenied("审核须由起草人以外的另一名事项管理员进行（双人复核）。", rule="four_eyes")


def version_reject(kind: VersionKind[V], *, actor: User, version: V, note: str) -> V:
    """Send a version back to its drafter with the reviewer's note (required)."""
    if not note.strip():
        raise ValidationFailed({"note": ["审核意见：退回时必须写明理由"]})
    with transaction.atomic(durable=True):
        version = kind.locked(version)
        kind.permit(actor, version)
        _require_second_pair_of_eyes(actor, version)
        version.status = version_next_status(version.status, VersionAction.REJECT, number=version.number)
        version.reviewed_by = actor
        version.review_note = note.strip()
        version.save(update_fields=["status", "reviewed_by", "review_note"])
        record(
            verb=CatalogVerb(f"{kind.spec.key}_version_rejected"),
            actor=actor,
            subject=kind.subject(version),
            payload={"number": version.number, "note": version.review_note},
        )
    return version


def version_publish(kind: VersionKind[V], *, actor: User, version: V, note: str = "") -> V:
    """Publish a reviewed version (a second administrator): it comes into force now.

    The previous version is superseded at the same instant (windows never overlap), then the
    kind does what a publication does around it; the event carries the diff and the reason.
    """
    with transaction.atomic(durable=True):
        owner_model = kind.model._meta.get_field(kind.owner_field).related_model
        owner_model._default_manager.select_for_update().get(pk=getattr(version, f"{kind.owner_field}_id"))  # type: ignore[union-attr]
        version = kind.locked(version)
        kind.permit(actor, version)
        _require_second_pair_of_eyes(actor, version)
        version.status = version_next_status(version.status, VersionAction.PUBLISH, number=version.number)
        kind.prepare_publication(version)
        require_no_problems(kind.problems(version))
        owner = getattr(version, kind.owner_field)
        previous = kind.versions_of(owner).select_for_update().filter(status=VersionStatus.PUBLISHED).first()
        changes = kind.changes(previous, version)
        now = clock.now()
        if previous is not None:
            version_supersede(previous, at=now)
        version.valid_from, version.valid_until, version.published_at = now, None, now
        version.reviewed_by = actor
        version.review_note = note.strip()
        version.save()
        extra = kind.after_publication(version, previous, reviewer=actor, at=now)
        record(
            verb=CatalogVerb(f"{kind.spec.key}_version_published"),
            actor=actor,
            subject=kind.subject(version),
            payload={
                "number": version.number,
                "change_kind": version.change_kind,
                "reason": version.change_reason,
                "note": version.review_note,
                "valid_from": now.isoformat(),
                "diff": [c.as_dict() for c in changes],
                **extra,
            },
        )
    return version


def version_supersede(version: ItemVersion | ImplementationVersion | BundleVersion, *, at: dt.datetime) -> None:
    """Take a published version out of force at `at` (a newer one came, or the item was cancelled)."""
    version.status = version_next_status(version.status, VersionAction.SUPERSEDE, number=version.number)
    version.valid_until = at
    version.save(update_fields=["status", "valid_until"])
