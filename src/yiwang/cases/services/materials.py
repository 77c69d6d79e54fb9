"""Materials of a case: an applicant's upload to a draft or to a 补正 answer, and the pieces
every upload to a draft shares (`material_check` before any lock, `material_store_locked`
inside the caller's transaction), also used by 帮办代办 (services.assisted). Split out of
services.submission, which re-exports them."""

from typing import Any

from django.core.files import File
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases import evidence
from yiwang.cases.models import Case, CaseMaterial, SupplementRequest
from yiwang.cases.policy import require_case_action
from yiwang.cases.services import _base as base
from yiwang.cases.uploads import CheckedFile, upload_check, upload_store
from yiwang.cases.workflow import CaseAction, CaseStatus, case_next_status
from yiwang.catalog.models import Material
from yiwang.core import clock
from yiwang.core.errors import ValidationFailed


def case_material_upload(*, actor: User, case: Case, material_key: str, upload: File) -> CaseMaterial:
    """Check (type by content, size) and store a material of a draft or of a 补正 answer.

    The file is stored under MEDIA_ROOT by its SHA-256 before the transaction (content-
    addressed, so a rolled-back upload leaves at most an unreferenced copy). A newer upload
    of the same material supersedes the older one. Side effects: CaseEvent, ledger entry
    (the hash as a commitment).
    """
    case = Case.objects.get(pk=case.pk)  # the caller's copy may be stale
    require_case_action(actor, CaseAction.UPLOAD_MATERIAL, case)
    case_next_status(case.status, CaseAction.UPLOAD_MATERIAL)  # fail early, before reading the file
    material, checked, storage_name = material_check(case, material_key, upload)
    with transaction.atomic(durable=True):
        locked = base.lock_case(case)
        require_case_action(actor, CaseAction.UPLOAD_MATERIAL, locked)
        supplement = None
        if locked.status in (
            CaseStatus.SUPPLEMENT_REQUESTED,
            CaseStatus.SUPPLEMENT_PENDING,
            CaseStatus.INTAKE_SUPPLEMENT,
        ):
            supplement = SupplementRequest.objects.filter(case=locked, answered_at__isnull=True).last()
            asked = {item.get("material_key") for item in (supplement.items if supplement else [])}
            if material_key not in asked:
                raise ValidationFailed({"material_key": [f"材料“{material.name}”不在本次补正清单中，无需上传"]})
        return material_store_locked(
            locked, material, checked, storage_name, actor=actor, actor_role="applicant", supplement=supplement
        )


def material_check(case: Case, material_key: str, upload: File) -> tuple[Material, CheckedFile, str]:
    """The material of `case` named `material_key`, and `upload` checked (type by content,
    size) and stored by its hash: the checks of every upload to a draft, before any lock."""
    material = Material.objects.filter(version_id=case.implementation_version_id, key=material_key).first()
    if material is None:
        raise ValidationFailed({"material_key": [f"材料：本事项没有标识为 {material_key} 的材料"]})
    if case.status == CaseStatus.DRAFT:  # a 补正 asks only for what may be uploaded (intake._clean_items)
        _require_asked(material, case)
    checked = upload_check(upload=upload, material_name=material.name)
    return material, checked, upload_store(checked)


def material_store_locked(
    locked: Case,
    material: Material,
    checked: CheckedFile,
    storage_name: str,
    *,
    actor: User,
    actor_role: str,
    supplement: SupplementRequest | None = None,
    payload: dict[str, Any] | None = None,
) -> CaseMaterial:
    """Record a checked, stored file as the current copy of its material on the locked case
    (an older copy is superseded), with its event and ledger entry (the hash as a commitment)."""
    now = clock.now()
    CaseMaterial.objects.filter(case=locked, material_key=material.key, superseded_at__isnull=True).update(
        superseded_at=now
    )
    stored = CaseMaterial.objects.create(
        case=locked,
        material=material,
        material_key=material.key,
        material_name=material.name,
        **checked.stored_fields(storage_name),
        uploaded_by=actor,
        uploaded_at=now,
        supplement=supplement,
    )
    base.transition(
        locked,
        CaseAction.UPLOAD_MATERIAL,
        actor=actor,
        summary=f"上传材料“{material.name}”",
        payload={
            "material_key": material.key,
            "size": checked.size,
            "content_type": checked.kind.content_type,
            **(payload or {}),
        },
        personal={"sha256": checked.sha256},
        actor_role=actor_role,
    )
    return stored


def _require_asked(material: Material, case: Case) -> None:
    """A 免提交 material is uploaded only when the platform cannot supply it: one a provider
    serves, while its lookup fails (the applicant is told why on the form); one the
    department obtains outside the platform, never."""
    if material.asked_of_applicant:
        return
    supply = evidence.supplies_for([material], applicant=case.applicant, enterprise=case.enterprise, draft=case).get(
        material.key
    )
    if supply is not None:
        if not supply.supplied:
            return
        raise ValidationFailed({"material_key": [f"材料“{material.name}”：{supply.message}，无需上传"]})
    raise ValidationFailed(
        {"material_key": [f"材料“{material.name}”由部门通过{material.get_source_display()}获取，无需上传"]}
    )
