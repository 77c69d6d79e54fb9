"""Bundle applications (一件事): one draft, one set of uploads, one submission, linked part cases.

`bundle_submit` creates a part `Case` per included member and submits those without a
prerequisite through the single-case submission (`submission.submit_locked`), all in one
durable transaction with one receipt number; a part that must wait (`after`) stays a linked
draft and is submitted by `bundle_part_release` once its prerequisites are approved. The
bundle's status follows its parts (`bundle_part_observed`, registered as a case event
observer: cases.hooks); when every part is decided or ended, the applicant gets one notice
with every result (delivery together).
"""

import json
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction

from yiwang.accounts.models import Enterprise, User
from yiwang.cases.bundle_workflow import BundleAction, BundleStatus, bundle_next_status
from yiwang.cases.models import BundleCase, BundleCaseEvent, BundleUpload, Case, CaseEvent, CaseMaterial
from yiwang.cases.numbering import case_number_next
from yiwang.cases.policy import is_current_agent
from yiwang.cases.services import submission
from yiwang.cases.uploads import upload_check, upload_store
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.bundledoc import BundleMember, ParsedBundle, included_members, member_form_data, parse
from yiwang.catalog.formschema import FormSchema, form_clean, form_data_check
from yiwang.catalog.models import BundleVersion, ImplementationVersion, Material, VersionStatus
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.events import CaseVerb, Domain, event_type
from yiwang.ledger.services import ledger_append
from yiwang.notifications.models import Channel
from yiwang.notifications.services import message_enqueue

logger = logging.getLogger("yiwang.cases")

ENDED = frozenset(
    {CaseStatus.DECIDED_APPROVED, CaseStatus.DECIDED_DENIED, CaseStatus.CONCLUDED, CaseStatus.REFUSED}
    | {CaseStatus.WITHDRAWN, CaseStatus.REVOKED}
)
TROUBLE = frozenset(
    {CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.SUPPLEMENT_PENDING, CaseStatus.REFUSED}
    | {CaseStatus.DECIDED_DENIED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED}
)
_WATCHED = frozenset(
    {CaseVerb.SUBMIT, CaseVerb.ACCEPT, CaseVerb.DEEM_ACCEPT, CaseVerb.REFUSE, CaseVerb.REQUEST_SUPPLEMENT}
    | {CaseVerb.ANSWER_SUPPLEMENT, CaseVerb.APPROVE, CaseVerb.DENY, CaseVerb.CONCLUDE, CaseVerb.WITHDRAW}
    | {CaseVerb.REVOKE}
)


def approved(case: Case) -> bool:
    return case.status == CaseStatus.DECIDED_APPROVED or (
        case.status == CaseStatus.CONCLUDED and case.decision == "approved"
    )


def document_of(version: BundleVersion) -> ParsedBundle:
    parsed, _ = parse(version.members, version.form, version.materials)
    if parsed is None:  # publication checked it: a programming error
        raise Conflict("该一件事的定义无效，请联系事项管理员。")
    return parsed


def _record(bundle: BundleCase, verb: CaseVerb, *, actor: User | None, summary: str, **payload: Any) -> None:
    kind = event_type(Domain.CASES, verb).kind
    body = {"status": bundle.status, "bundle": bundle.bundle_version.bundle.code, **payload}
    entry = ledger_append(kind=kind, subject=bundle.subject, payload=body)
    BundleCaseEvent.objects.create(
        bundle_case=bundle,
        verb=verb,
        actor=actor,
        summary=summary[:500],
        payload=body,
        at=entry.created_at,
        ledger_entry_id=entry.pk,
    )


def _require_draft_quota(actor: User) -> None:
    """At most CASE_DRAFT_MAX_OPEN bundle drafts per applicant (as for single drafts); the
    applicant's row is locked so two concurrent starts cannot both pass."""
    limit = int(getattr(settings, "CASE_DRAFT_MAX_OPEN", 20))
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if BundleCase.objects.filter(applicant=actor, status=BundleStatus.DRAFT).count() >= limit:
        raise Conflict(f"草稿数量：每人最多保留 {limit} 份未提交的一件事草稿，请先提交不再修改的草稿")


def _require_applicant(actor: User, bundle: BundleCase) -> None:
    if bundle.applicant_id != actor.pk and not (
        bundle.enterprise_id is not None and is_current_agent(actor, bundle.enterprise_id)
    ):
        raise PermissionDenied("这份一件事申请不是您的。")


def _lock(bundle: BundleCase) -> BundleCase:
    return BundleCase.objects.select_for_update().select_related("bundle_version__bundle").get(pk=bundle.pk)


def bundle_draft_save(
    *,
    actor: User,
    form_data: dict[str, Any],
    bundle_version: BundleVersion | None = None,
    draft: BundleCase | None = None,
    enterprise: Enterprise | None = None,
) -> BundleCase:
    """Start (give `bundle_version`) or update (give `draft`) a bundle draft; values kept as typed."""
    if not actor.is_authenticated or not actor.is_applicant:
        raise PermissionDenied("只有实名注册的申请人可以提交申请。")
    version = draft.bundle_version if draft is not None else bundle_version
    if version is None:
        raise ValidationFailed({"bundle_version": ["一件事：请选择要办理的一件事"]})
    form = FormSchema.model_validate(version.form)
    errors = form_data_check(form, form_data)
    kept = {k: v for k, v in form_data.items() if k in form.names}
    limit = int(getattr(settings, "CASE_DRAFT_MAX_BYTES", 64 * 1024))
    if not errors and len(json.dumps(kept, ensure_ascii=False).encode()) > limit:
        errors["form_data"] = [f"申请表：内容合计超过 {limit // 1024} KB 的上限，请精简较长的填写内容"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        now = clock.now()
        if draft is None:
            if version.status != VersionStatus.PUBLISHED:
                raise Conflict("该一件事当前不可申请（尚未发布或已更新）。")
            if enterprise is not None and not is_current_agent(actor, enterprise.pk):
                raise PermissionDenied(f"您不是“{enterprise.name}”当前有效的授权经办人，不能以该企业名义申请。")
            _require_draft_quota(actor)
            bundle = BundleCase.objects.create(
                bundle_version=version,
                applicant=actor,
                enterprise=enterprise,
                form_data=kept,
                status=bundle_next_status(None, BundleAction.SAVE),
                created_at=now,
                updated_at=now,
            )
        else:
            bundle = _lock(draft)
            _require_applicant(actor, bundle)
            bundle.status = bundle_next_status(bundle.status, BundleAction.SAVE)
            bundle.form_data, bundle.updated_at = kept, now
            bundle.save()
        _record(bundle, CaseVerb.BUNDLE_DRAFT_SAVED, actor=actor, summary="保存一件事草稿", fields=sorted(kept))
    return bundle


def bundle_material_upload(*, actor: User, bundle: BundleCase, material_key: str, upload: File) -> BundleUpload:
    """Check and store one merged material once (content-addressed); it serves every part needing it."""
    bundle = BundleCase.objects.select_related("bundle_version").get(pk=bundle.pk)
    _require_applicant(actor, bundle)
    material = document_of(bundle.bundle_version).materials.material(material_key)
    if material is None:
        raise ValidationFailed({"material_key": [f"材料：本一件事没有标识为 {material_key} 的材料"]})
    checked = upload_check(upload=upload, material_name=material.name)
    storage_name = upload_store(checked)
    with transaction.atomic(durable=True):
        locked = _lock(bundle)
        if locked.status != BundleStatus.DRAFT:
            raise Conflict("一件事申请已提交，不能再上传材料；补正材料请在相应事项中提交。")
        now = clock.now()
        BundleUpload.objects.filter(bundle_case=locked, material_key=material_key, superseded_at__isnull=True).update(
            superseded_at=now
        )
        stored = BundleUpload.objects.create(
            bundle_case=locked,
            material_key=material_key,
            material_name=material.name,
            **checked.stored_fields(storage_name),
            uploaded_by=actor,
            uploaded_at=now,
        )
        _record(
            locked,
            CaseVerb.BUNDLE_MATERIAL_UPLOADED,
            actor=actor,
            summary=f"上传材料“{material.name}”",
            material_key=material_key,
            size=checked.size,
        )
    return stored


def _version_in_force(code: str) -> ImplementationVersion:
    found = (
        ImplementationVersion.objects.filter(implementation__code=code, status=VersionStatus.PUBLISHED)
        .select_related("implementation__department", "implementation__region", "item_version")
        .first()
    )
    if found is None:
        raise Conflict(f"一件事包含的事项（实施清单 {code}）当前不可申请。")
    return found


def _part_create(
    bundle: BundleCase, member: BundleMember, version: ImplementationVersion, parsed: ParsedBundle
) -> Case:
    """The part's draft case: the member's form from the merged form, the uploads that serve it."""
    now = clock.now()
    case = Case.objects.create(
        implementation_version=version,
        department=version.implementation.department,
        region=version.implementation.region,
        applicant=bundle.applicant,
        enterprise=bundle.enterprise,
        form_data=member_form_data(member, bundle.form_data),
        created_at=now,
        updated_at=now,
        bundle=bundle,
        bundle_member=member.key,
    )
    materials = {m.key: m for m in Material.objects.filter(version=version)}
    uploads = {u.material_key: u for u in BundleUpload.objects.filter(bundle_case=bundle, superseded_at__isnull=True)}
    for merged in parsed.materials.materials:
        target = materials.get(merged.serves.get(member.key, ""))
        upload = uploads.get(merged.key)
        if target is not None and upload is not None:  # the same stored file: no bytes copied
            CaseMaterial.objects.create(
                case=case,
                material=target,
                material_key=target.key,
                material_name=target.name,
                original_name=upload.original_name,
                storage_name=upload.storage_name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                uploaded_by=upload.uploaded_by,
                uploaded_at=upload.uploaded_at,
            )
    return case


def _translated(errors: dict[str, list[str]], member: BundleMember, parsed: ParsedBundle) -> dict[str, list[str]]:
    """A part's submission errors, named by the merged form's fields and materials."""
    back_fields = {target: source for source, target in member.fields.items()}
    back_materials = {m.serves[member.key]: m.key for m in parsed.materials.materials if member.key in m.serves}
    found: dict[str, list[str]] = {}
    for path, messages in errors.items():
        if path.startswith("materials."):
            key = back_materials.get(path.removeprefix("materials."))
            where = f"materials.{key}" if key else f"parts.{member.key}.{path}"
        else:
            where = back_fields.get(path) or f"parts.{member.key}.{path}"
        found.setdefault(where, []).extend(f"{member.label}：{m}" for m in messages)
    return found


def bundle_submit(*, actor: User, draft: BundleCase, idempotency_key: str) -> BundleCase:
    """Submit a bundle draft: one receipt number, the parts created (and those without a
    prerequisite submitted) in one durable transaction. Nothing changes on ValidationFailed,
    whose errors name the merged form's fields and materials."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 90:
        raise ValidationFailed({"idempotency_key": ["幂等键：必填，最长 90 个字符"]})
    bundle = BundleCase.objects.select_related("bundle_version__bundle__region").get(pk=draft.pk)
    _require_applicant(actor, bundle)
    if bundle.status != BundleStatus.DRAFT:
        if bundle.idempotency_key == key:
            return bundle
        raise Conflict(f"该一件事申请已经提交，受理编号 {bundle.number}。")
    parsed = document_of(bundle.bundle_version)
    cleaned, errors = form_clean(parsed.form, bundle.form_data)
    if errors:
        raise ValidationFailed(errors)
    members = included_members(parsed.members, cleaned)
    versions = {m.key: _version_in_force(m.implementation) for m in members}
    fetched = {
        m.key: submission._fetch_shared(actor, None, versions[m.key], member_form_data(m, cleaned), bundle.enterprise)
        for m in members
        if not m.after
    }
    with transaction.atomic(durable=True):
        bundle = _lock(bundle)
        if bundle.status != BundleStatus.DRAFT:
            raise Conflict(f"该一件事申请已经提交，受理编号 {bundle.number}。")
        bundle.form_data = cleaned
        problems: dict[str, list[str]] = {}
        for member in members:
            part = _part_create(bundle, member, versions[member.key], parsed)
            if member.after:
                continue
            try:
                with transaction.atomic():
                    submission.submit_locked(
                        part,
                        actor=actor,
                        key=f"{key}#{member.key}",
                        fingerprint="",
                        fetched=fetched[member.key],
                        from_draft=True,
                    )
            except ValidationFailed as exc:
                problems.update(_translated(exc.errors, member, parsed))
        if problems:
            raise ValidationFailed(problems)
        now = clock.now()
        bundle.number = "YJS-" + case_number_next(
            region_code=bundle.bundle_version.bundle.region.code, on=clock.today()
        )
        bundle.idempotency_key, bundle.submitted_at, bundle.updated_at = key, now, now
        bundle.status = bundle_next_status(bundle.status, BundleAction.SUBMIT)
        bundle.save()
        labels = "、".join(m.label for m in members)
        _record(
            bundle,
            CaseVerb.BUNDLE_SUBMITTED,
            actor=actor,
            summary=f"提交一件事申请，包含：{labels}",
            number=bundle.number,
            members=[m.key for m in members],
        )
        _notify(bundle, "一件事申请已提交", f"您的申请已一次提交，包含：{labels}。请凭受理编号查询各部分的办理进度。")
        _derive(bundle)
        _release_ready(bundle)  # a prerequisite approved at once (秒批, 告知承诺)
    return bundle


def _notify(bundle: BundleCase, subject: str, body: str) -> None:
    message_enqueue(
        recipient=bundle.applicant,
        subject=f"【{bundle.bundle_version.name}】{subject}",
        body=f"受理编号 {bundle.number}：{body}",
        channels=[Channel.IN_APP, Channel.EMAIL, Channel.SMS],
        reference=bundle.subject,
    )


def part_blocked(part: Case, parts: dict[str, Case], parsed: ParsedBundle) -> str:
    """Why a waiting part cannot proceed (a prerequisite refused, denied, withdrawn…); "" if it can."""
    member = parsed.members.member(part.bundle_member)
    if part.status != CaseStatus.DRAFT or member is None:
        return ""
    for other in member.after:
        prior = parts.get(other)
        if prior is not None and prior.status in ENDED and not approved(prior):
            label = (parsed.members.member(other) or member).label
            return f"前置事项“{label}”{prior.get_status_display()}，本事项无法继续办理"
    return ""


def _derive(bundle: BundleCase) -> None:
    """Set the (locked) bundle's status from its parts; deliver together when all are done."""
    parsed = document_of(bundle.bundle_version)
    parts = {p.bundle_member: p for p in Case.objects.filter(bundle=bundle)}
    blocked = {k for k, p in parts.items() if part_blocked(p, parts, parsed)}
    done = all(p.status in ENDED or k in blocked for k, p in parts.items())
    trouble = bool(blocked) or any(p.status in TROUBLE for p in parts.values())
    before = bundle.status
    if done:
        action = BundleAction.CONCLUDE
    elif trouble and before == BundleStatus.IN_PROGRESS:
        action = BundleAction.FLAG
    elif not trouble and before == BundleStatus.ATTENTION:
        action = BundleAction.CLEAR
    else:
        return
    bundle.status = bundle_next_status(before, action)
    bundle.updated_at = clock.now()
    if action == BundleAction.CONCLUDE:
        bundle.delivered_at = bundle.updated_at
    bundle.save(update_fields=["status", "updated_at", "delivered_at"])
    _record(
        bundle,
        CaseVerb.BUNDLE_STATUS_CHANGED,
        actor=None,
        summary=f"一件事：{bundle.get_status_display()}",
        before=before,
    )
    if action == BundleAction.CONCLUDE:
        lines = [
            f"{(parsed.members.member(k) or BundleMember(key=k, implementation='-', label=k)).label}："
            f"{p.get_status_display()}（办件编号 {p.number or '未提交'}）"
            for k, p in parts.items()
        ]
        _record(
            bundle,
            CaseVerb.BUNDLE_DELIVERED,
            actor=None,
            summary="各事项均已办结，结果统一送达",
            parts={k: p.status for k, p in parts.items()},
        )
        _notify(bundle, "办理结果统一送达", "各事项均已办结。" + "；".join(lines) + "。电子证照已存入您的证照夹。")


def bundle_part_observed(case: Case, event: CaseEvent) -> None:
    """Case event observer (cases.hooks): a part's step re-derives its bundle, and an approval
    releases the parts waiting on it (submitted after this transaction commits)."""
    if case.bundle_id is None or event.verb not in _WATCHED:
        return
    bundle = BundleCase.objects.select_for_update().select_related("bundle_version__bundle").get(pk=case.bundle_id)
    if bundle.status in (BundleStatus.DRAFT, BundleStatus.CONCLUDED):
        return  # being submitted (bundle_submit derives once at its end), or already delivered
    _derive(bundle)
    if event.verb == CaseVerb.APPROVE:
        _release_ready(bundle)


def _release_ready(bundle: BundleCase) -> None:
    """Schedule the submission of each waiting part whose prerequisites are all approved."""
    parsed = document_of(bundle.bundle_version)
    parts = {p.bundle_member: p for p in Case.objects.filter(bundle=bundle)}
    for key, part in parts.items():
        member = parsed.members.member(key)
        if part.status == CaseStatus.DRAFT and member and all(o in parts and approved(parts[o]) for o in member.after):
            transaction.on_commit(partial(_release_safely, part.pk))


def _release_safely(part_pk: int) -> None:
    try:
        bundle_part_release(part=Case(pk=part_pk))
    except (ValidationFailed, Conflict) as exc:  # told on the bundle page: the part stays a draft
        logger.warning("bundle part %s not released: %s", part_pk, exc)


def bundle_part_release(*, part: Case) -> Case:
    """Submit a waiting part once every prerequisite is approved (the system, for the applicant)."""
    part = Case.objects.select_related("bundle", "implementation_version__implementation").get(pk=part.pk)
    bundle = part.bundle
    if bundle is None or part.status != CaseStatus.DRAFT:
        return part
    fetched = submission._fetch_shared(bundle.applicant, part, None, None, None)
    with transaction.atomic(durable=True):
        locked = _lock(bundle)
        case = Case.objects.select_for_update().get(pk=part.pk)
        if case.status != CaseStatus.DRAFT:
            return case
        submission.submit_locked(
            case,
            actor=locked.applicant,
            key=f"{locked.idempotency_key}#{case.bundle_member}",
            fingerprint="",
            fetched=fetched,
            from_draft=True,
        )
        _record(
            locked,
            CaseVerb.BUNDLE_PART_RELEASED,
            actor=None,
            summary=f"前置事项已准予，自动提交后续事项（办件编号 {case.number}）",
            member=case.bundle_member,
        )
        _derive(locked)
    return case
