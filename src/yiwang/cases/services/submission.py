"""The applicant's side up to submission: drafts and the submission itself (with 秒批 and
告知承诺); uploads are services.materials. Each public function is one durable transaction."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.cases import evidence
from yiwang.cases.deadlines import clock_cache_set
from yiwang.cases.models import Case, CaseMaterial, DeliveryMethod
from yiwang.cases.numbering import case_number_next
from yiwang.cases.policy import is_current_agent
from yiwang.cases.selectors import material_needed
from yiwang.cases.services import _base as base
from yiwang.cases.services import _engine as engine
from yiwang.cases.services import handover
from yiwang.cases.services._evidence import evidence_record
from yiwang.cases.workflow import CaseAction, CaseStatus
from yiwang.catalog.formschema import FormSchema, form_clean, form_data_check, text_check
from yiwang.catalog.models import ImplementationVersion, MaterialSource, VersionStatus
from yiwang.catalog.process import rule_holds
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.core.text import canonical
from yiwang.ledger.events import CaseVerb


def _require_person(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_applicant:
        raise PermissionDenied("只有实名注册的申请人可以提交申请。")


def _require_agent(actor: User, enterprise: Enterprise | None) -> None:
    if enterprise is not None and not is_current_agent(actor, enterprise.pk):
        raise PermissionDenied(f"您不是“{enterprise.name}”当前有效的授权经办人，不能以该企业名义申请。")


def _require_open_for_application(version: ImplementationVersion) -> None:
    """Read afresh: the case's copy of its version may be the catalog's pinned one, whose
    status is not kept current."""
    now = clock.now()
    status, valid_from, valid_until, suspended = (
        ImplementationVersion.objects.filter(pk=version.pk)
        .values_list("status", "valid_from", "valid_until", "item_version__suspended")
        .get()
    )
    if status == VersionStatus.SUPERSEDED or (valid_until is not None and valid_until <= now):
        raise Conflict("该事项的办理要求已更新，请按最新版本重新填写申请（原草稿可作参考）。")
    if status != VersionStatus.PUBLISHED or valid_from is None or valid_from > now:
        raise Conflict("该事项当前不可申请（尚未发布或已停止办理）。")
    if suspended:
        raise Conflict("该事项已暂停办理。")


def _known_fields(version: ImplementationVersion, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.get("name") for f in (version.form_schema or {}).get("fields", [])}
    return {k: v for k, v in data.items() if k in names}


def _draft_bounded(
    version: ImplementationVersion | None, form_data: dict[str, Any], address: str | None, method: str | None = None
) -> None:
    """Drafts keep values as typed, within bounds: each field's length, type and control
    characters (the form schema's `form_data_check`), the mailing address, and the size of
    the whole form (CASE_DRAFT_MAX_BYTES). Checked before any row is locked or written."""
    if version is None:
        return  # the caller reports the missing version
    errors = form_data_check(FormSchema.model_validate(version.form_schema), form_data)
    try:
        text_check("邮寄地址", address or "", max_length=300)
    except ValueError as exc:
        errors["delivery_address"] = [str(exc)]
    if method is not None and method not in DeliveryMethod.values:
        errors["delivery_method"] = ["送达方式：请选择电子送达、窗口领取或邮寄送达"]
    limit = int(getattr(settings, "CASE_DRAFT_MAX_BYTES", 64 * 1024))
    if not errors and len(json.dumps(_known_fields(version, form_data), ensure_ascii=False).encode()) > limit:
        errors["form_data"] = [f"申请表：内容合计超过 {limit // 1024} KB 的上限，请精简较长的填写内容"]
    if errors:
        raise ValidationFailed(errors)


def _require_draft_quota(actor: User) -> None:
    """At most CASE_DRAFT_MAX_OPEN open drafts per applicant (each save writes a ledger
    entry). The applicant's row is locked so two concurrent starts cannot both pass."""
    limit = int(getattr(settings, "CASE_DRAFT_MAX_OPEN", 20))
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if Case.objects.filter(applicant=actor, status=CaseStatus.DRAFT).count() >= limit:
        raise Conflict(f"草稿数量：每人最多保留 {limit} 份未提交的草稿，请先提交或在“我的草稿”中放弃不再需要的草稿")


def _delivery(method: str | None, address: str | None, errors: dict[str, list[str]]) -> tuple[str, str]:
    method = method or DeliveryMethod.ELECTRONIC
    if method not in DeliveryMethod.values:
        errors["delivery_method"] = ["送达方式：请选择电子送达、窗口领取或邮寄送达"]
    address = (address or "").strip()
    try:
        text_check("邮寄地址", address, max_length=300)
    except ValueError as exc:
        errors["delivery_address"] = [str(exc)]
    if method == DeliveryMethod.MAIL and not address:
        errors["delivery_address"] = ["邮寄地址：选择邮寄送达时必填"]
    return method, address


def case_draft_save(
    *,
    actor: User,
    form_data: dict[str, Any],
    implementation_version: ImplementationVersion | None = None,
    draft: Case | None = None,
    enterprise: Enterprise | None = None,
    delivery_method: str | None = None,
    delivery_address: str | None = None,
) -> Case:
    """Create a draft (give `implementation_version`) or update one (give `draft`).

    Form values are kept as typed (checked only at submission); unknown fields are dropped.
    Side effects: a CaseEvent and a ledger entry (subject draft:<ref>). Drafts are private to
    the person who started them.
    """
    _require_person(actor)
    if draft is None and implementation_version is None:
        raise ValidationFailed({"implementation_version": ["办理事项：请选择要申请的事项"]})
    version = draft.implementation_version if draft else implementation_version
    _draft_bounded(version, form_data, delivery_address, delivery_method)
    with transaction.atomic(durable=True):
        now = clock.now()
        if draft is None:
            assert implementation_version is not None
            version = ImplementationVersion.objects.select_related("implementation", "item_version").get(
                pk=implementation_version.pk
            )
            _require_open_for_application(version)
            _require_agent(actor, enterprise)
            _require_draft_quota(actor)
            case = Case.objects.create(
                implementation_version=version,
                department_id=version.implementation.department_id,
                region_id=version.implementation.region_id,
                applicant=actor,
                enterprise=enterprise,
                form_data=_known_fields(version, form_data),
                delivery_method=delivery_method or DeliveryMethod.ELECTRONIC,
                delivery_address=(delivery_address or "").strip(),
                created_at=now,
                updated_at=now,
            )
            base.record(
                case,
                verb=CaseVerb.DRAFT_CREATED,
                actor=actor,
                summary="开始填写申请（草稿）",
                actor_role="applicant",
            )
            return case
        case = base.lock_case(draft)
        if case.applicant_id != actor.pk:
            raise PermissionDenied("这份草稿不是您创建的。")
        if enterprise is not None and enterprise.pk != case.enterprise_id:
            _require_agent(actor, enterprise)
            case.enterprise = enterprise
        case.form_data = _known_fields(case.implementation_version, form_data)
        if delivery_method is not None:
            case.delivery_method = delivery_method
        if delivery_address is not None:
            case.delivery_address = delivery_address.strip()
        base.transition(
            case,
            CaseAction.SAVE_DRAFT,
            actor=actor,
            summary="保存草稿",
            payload={"fields": sorted(case.form_data)},
            actor_role="applicant",
        )
    return case


def _fetch_shared(
    actor: User,
    draft: Case | None,
    version: ImplementationVersion | None,
    form_data: dict[str, Any] | None,
    enterprise: Enterprise | None,
) -> dict[str, evidence.Supply]:
    """Read the 免提交 shared data of the application before the submission's transaction
    (it talks to another system; cases.evidence.fetch_shared). Skipped for a draft already
    submitted or not the actor's (the transaction refuses those) and for materials uploaded."""
    uploaded: set[str] = set()
    if draft is not None:
        if draft.status != CaseStatus.DRAFT or draft.applicant_id != actor.pk:
            return {}
        version, enterprise = draft.implementation_version, enterprise or draft.enterprise
        form_data = draft.form_data if form_data is None else form_data
        uploaded = set(
            CaseMaterial.objects.filter(case=draft, superseded_at__isnull=True).values_list("material_key", flat=True)
        )
    if version is None:
        return {}
    wanted = [m for m in version.materials.all() if m.key not in uploaded and evidence.fetch_wanted(m, form_data or {})]
    if not any(m.source == MaterialSource.SHARING for m in wanted):
        return {}
    return evidence.fetch_shared(
        wanted,
        consumer=version.implementation.department,
        applicant=actor,
        enterprise=enterprise,
        draft=draft,
        purpose=f"办理“{version.item_version.name}”",
    )


def case_submit(
    *,
    actor: User,
    idempotency_key: str,
    draft: Case | None = None,
    implementation_version: ImplementationVersion | None = None,
    form_data: dict[str, Any] | None = None,
    enterprise: Enterprise | None = None,
    commitment_signed: bool = False,
    delivery_method: str | None = None,
    delivery_address: str | None = None,
    intake_department: Department | None = None,
) -> Case:
    """Submit a draft (or a new application in one go) and allocate the case number.

    Idempotent per applicant and `idempotency_key`: a repeated call (double click, retried
    API request, two concurrent requests) carrying the same application returns the case the
    first one created; the key with another application (other draft, form, enterprise,
    delivery…) raises Conflict naming `idempotency_key`. The key is stored with a SHA-256
    fingerprint of what the request carried (`_submission_fingerprint`).
    Checks the form against the pinned schema and that every needed material is uploaded
    (with a signed 告知承诺 the promise stands in for missing proofs, which the 核查 task
    then checks); a 免提交 material the platform supplies (cases.evidence: the holder's
    valid e-license) is looked up here and needed only when that fails, the error naming
    why. Each lookup is recorded on the case (CaseEvidence, a `fetch_evidence` event and
    ledger entry). Then, in the same transaction: 秒批 when a rule holds (accepted and
    approved without a person, the rule recorded), or 告知承诺 (approved at once plus a 核查
    task). With `intake_department` (收件地: another region's window, 异地代收代办) the case
    goes to that window to be checked and handed over (services.handover), not to 秒批.
    Nothing changes on ValidationFailed — save the draft first to keep what was typed.
    Side effects: CaseEvents, ledger entries, receipt to the applicant, notice to the window.
    """
    _require_person(actor)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed({"idempotency_key": ["幂等键：必填，最长 100 个字符"]})
    fingerprint = _submission_fingerprint(
        draft=draft,
        implementation_version=implementation_version,
        form_data=form_data,
        enterprise=enterprise,
        commitment_signed=commitment_signed,
        delivery_method=delivery_method,
        delivery_address=delivery_address,
        intake_department=intake_department,
    )
    existing = Case.objects.filter(applicant=actor, idempotency_key=key).first()
    if existing is not None:
        return _replayed(existing, fingerprint=fingerprint, draft=draft)
    try:
        return _submit(
            actor=actor,
            key=key,
            fingerprint=fingerprint,
            draft=draft,
            implementation_version=implementation_version,
            form_data=form_data,
            enterprise=enterprise,
            commitment_signed=commitment_signed,
            delivery_method=delivery_method,
            delivery_address=delivery_address,
            intake_department=intake_department,
        )
    except IntegrityError:
        # The key is taken: by a concurrent request for the same application that committed
        # first (that one is the submission), or by another application (a client's error).
        existing = Case.objects.filter(applicant=actor, idempotency_key=key).first()
        if existing is None:
            raise
        return _replayed(existing, fingerprint=fingerprint, draft=draft)


def _submission_fingerprint(
    *,
    draft: Case | None,
    implementation_version: ImplementationVersion | None,
    form_data: dict[str, Any] | None,
    enterprise: Enterprise | None,
    commitment_signed: bool,
    delivery_method: str | None,
    delivery_address: str | None,
    intake_department: Department | None,
) -> str:
    """SHA-256 of the canonical JSON of what one submission request carries, as sent.

    A draft is named by its ref: its form and materials are frozen once it is submitted, so
    a retry that names the same draft carries the same application.
    """
    carried = {
        "draft": str(draft.ref) if draft is not None else None,
        "implementation_version": implementation_version.pk if implementation_version is not None else None,
        "form_data": form_data,
        "enterprise": enterprise.pk if enterprise is not None else None,
        "commitment_signed": commitment_signed,
        "delivery_method": delivery_method,
        "delivery_address": delivery_address,
        **({"intake_department": intake_department.pk} if intake_department is not None else {}),
    }
    return hashlib.sha256(canonical(carried).encode()).hexdigest()


def _replayed(case: Case, *, fingerprint: str, draft: Case | None) -> Case:
    """The case an earlier request submitted with this key, if this request carries the same
    application; a conflict naming the key if it carries another."""
    if case.idempotency_fingerprint:
        same = case.idempotency_fingerprint == fingerprint
    else:  # submitted before fingerprints were recorded: all we know is which draft it was
        same = draft is None or draft.pk == case.pk
    if not same:
        raise Conflict(
            f"幂等键（idempotency_key）已用于另一份内容不同的申请（办件编号 {case.number}）："
            "同一幂等键只能重复提交同一份申请，提交新的申请请使用新的幂等键。",
            field="idempotency_key",
            rule="idempotency_key_reused",
        )
    return case


def _submit(
    *,
    actor: User,
    key: str,
    fingerprint: str,
    draft: Case | None,
    implementation_version: ImplementationVersion | None,
    form_data: dict[str, Any] | None,
    enterprise: Enterprise | None,
    commitment_signed: bool,
    delivery_method: str | None,
    delivery_address: str | None,
    intake_department: Department | None,
) -> Case:
    if form_data is not None:  # bounded before it is written (an inf or NUL would fail the INSERT)
        _draft_bounded(draft.implementation_version if draft else implementation_version, form_data, delivery_address)
    fetched = _fetch_shared(actor, draft, implementation_version, form_data, enterprise)
    with transaction.atomic(durable=True):
        now = clock.now()
        if draft is not None:
            case = base.lock_case(draft)
            if case.applicant_id != actor.pk:
                raise PermissionDenied("这份申请不是您创建的。")
            if case.bundle_id is not None and case.status == CaseStatus.DRAFT:
                raise Conflict("这份申请是“一件事”的一部分，由一件事统一提交（或在前置事项准予后自动提交）。")
            if case.status != CaseStatus.DRAFT:
                if case.idempotency_key == key:
                    return _replayed(case, fingerprint=fingerprint, draft=draft)
                raise Conflict(f"该申请已经提交，办件编号 {case.number}。")
            if form_data is not None:
                case.form_data = _known_fields(case.implementation_version, form_data)
            if enterprise is not None and enterprise.pk != case.enterprise_id:
                case.enterprise = enterprise
        else:
            if implementation_version is None:
                raise ValidationFailed({"implementation_version": ["办理事项：请选择要申请的事项"]})
            version = implementation_version
            case = Case.objects.create(
                implementation_version=version,
                department=version.implementation.department,
                region=version.implementation.region,
                applicant=actor,
                enterprise=enterprise,
                form_data=_known_fields(version, form_data or {}),
                created_at=now,
                updated_at=now,
            )
        submitted = submit_locked(
            case,
            actor=actor,
            key=key,
            fingerprint=fingerprint,
            fetched=fetched,
            from_draft=draft is not None,
            commitment_signed=commitment_signed,
            delivery_method=delivery_method,
            delivery_address=delivery_address,
            intake_department=intake_department,
        )
        if draft is not None:
            # A 帮办 draft the person submits themselves ends the help (imported here: the
            # assisted module builds on this one).
            from yiwang.cases.services.assisted import assisted_submitted_by_person_locked

            assisted_submitted_by_person_locked(submitted)
        return submitted


def submit_locked(
    case: Case,
    *,
    actor: User,
    key: str,
    fingerprint: str,
    fetched: dict[str, evidence.Supply],
    from_draft: bool,
    commitment_signed: bool = False,
    delivery_method: str | None = None,
    delivery_address: str | None = None,
    intake_department: Department | None = None,
) -> Case:
    """Submit a locked draft `case` inside the caller's transaction: the checks, the number,
    the events, 秒批 or 告知承诺 (case_submit's docstring). A bundle application (services.bundles)
    submits each of its parts through here, in its own transaction."""
    now, today = clock.now(), clock.today()
    version = case.implementation_version
    _require_open_for_application(version)
    _require_agent(actor, case.enterprise)
    process = base.process_of(case)
    cleaned, errors = form_clean(base.form_of(case), case.form_data)
    method, address = _delivery(
        delivery_method if delivery_method is not None else case.delivery_method,
        delivery_address if delivery_address is not None else case.delivery_address,
        errors,
    )
    if commitment_signed and not process.commitment_allowed:
        errors["commitment_signed"] = ["告知承诺：本事项不适用告知承诺制"]
    routed = intake_department is not None
    if intake_department is not None:
        problem = handover.intake_problem(case, intake_department)
        if problem is None and commitment_signed:
            problem = "收件地：签署告知承诺书的申请当场办理，无需异地收件"
        if problem is not None:
            errors["intake_department"] = [problem]
    uploaded = set(
        CaseMaterial.objects.filter(case=case, superseded_at__isnull=True).values_list("material_key", flat=True)
    )
    materials = list(version.materials.all())
    fetching = [m for m in materials if evidence.fetch_wanted(m, cleaned)]
    supplies = {
        key: evidence.not_fetched(supply) if supply.pending else supply
        for key, supply in evidence.supplies_for(
            fetching,
            applicant=actor,
            enterprise=case.enterprise,
            draft=case if from_draft else None,
            fetched=fetched,
            agent_checked=True,  # _require_agent above
        ).items()
    }
    missing = [m for m in materials if material_needed(m, cleaned, supplies) and m.key not in uploaded]
    if not commitment_signed:
        for material in missing:
            supply = supplies.get(material.key)
            why = supply.message if supply is not None else "必须上传"
            errors[f"materials.{material.key}"] = [f"材料“{material.name}”：{why}"]
    if errors:
        raise ValidationFailed(errors)
    case.form_data = cleaned
    clock_cache_set(case, [])  # a draft has no clock: it starts at acceptance
    case.delivery_method, case.delivery_address = method, address
    case.number = case_number_next(region_code=case.region.code, on=today)
    case.idempotency_key, case.idempotency_fingerprint = key, fingerprint
    case.submitted_at, case.received_on = now, None if routed else today
    if commitment_signed:
        case.commitment_signed_at, case.commitment_text = now, process.commitment_text
    if intake_department is not None:
        handover.intake_open(case, intake_department)
    base.transition(
        case,
        CaseAction.SUBMIT_ELSEWHERE if routed else CaseAction.SUBMIT,
        actor=actor,
        summary=f"提交申请，办件编号 {case.number}"
        + (f"，在{intake_department.name}递交材料" if intake_department is not None else ""),
        payload={
            "number": case.number,
            "received_on": None if routed else today.isoformat(),
            "enterprise": case.enterprise.credit_code if case.enterprise else None,
            "commitment": commitment_signed,
            "materials": sorted(uploaded),
        },
        personal={"form_data": canonical(cleaned), "applicant": str(actor.pk)},
        actor_role="applicant",
    )
    evidence_record(case, materials=fetching, supplies=supplies)
    base.notify_applicant(
        case,
        "申请已提交",
        f"您的申请已于 {timezone.localtime(now):%Y-%m-%d %H:%M} 提交，请凭办件编号查询办理进度。",
        sms=True,
        kind=base.Notice.RECEIPT,
    )
    if routed:
        base.notify_staff(
            handover.intake_clerks(case),
            case,
            "异地收件待核对",
            f"请核对材料，{handover.handover_days()} 个工作日内移交实施机关或一次性告知补正。",
        )
        return case
    base.notify_staff(base.window_clerks_for(case), case, "新的申请待受理", "请在 5 个工作日内受理或一次性告知补正。")
    facts = {**cleaned, **evidence.shared_facts_of(supplies)}
    rule = next((r for r in process.auto_approval if rule_holds(r, facts)), None)
    if rule is not None:
        engine.accept(case, actor=None, how="auto", summary=f"符合秒批规则“{rule.name}”，系统自动受理")
        engine.decide(
            case,
            actor=None,
            approved=True,
            opinion=f"经系统核验，符合秒批规则“{rule.name}”，准予许可。",
            rule=rule.name,
        )
    elif commitment_signed:
        engine.accept(case, actor=None, how="commitment", summary="申请人签署告知承诺书，当场受理")
        engine.decide(
            case,
            actor=None,
            approved=True,
            opinion="申请人已书面承诺符合许可条件，依告知承诺制当场作出准予许可决定。",
        )
        engine.inspection_create(case, missing=[m.name for m in missing])
    return case
