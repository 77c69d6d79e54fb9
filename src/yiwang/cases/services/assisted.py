"""帮办代办 (ADR 0029): a window clerk or a 帮办员 fills in an application for a person at the
window or on the phone; it is submitted in the person's name only once they confirm with a
one-time code sent by SMS to the phone on file.

The application is an ordinary draft case whose applicant is the person, kept with the same
checks as the portal's (submission: the form's bounds, the open-drafts quota, the upload
checks) and submitted through the same `submit_locked` with the person as the submitter; the
`AssistedApplication` row says who helps and holds the confirmation. Every function is one
durable transaction; status moves through `assisted_workflow.assisted_next_status`. Events are
case events on the draft (the helper as actor, under their post), each with its ledger entry.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet

from yiwang.accounts.models import Role, User
from yiwang.cases.assisted_workflow import OPEN_STATES, AssistedAction, AssistedStatus, assisted_next_status
from yiwang.cases.models import AssistedApplication, Case, CaseMaterial, DeliveryMethod
from yiwang.cases.policy import require_assist
from yiwang.cases.services import _base as base
from yiwang.cases.services.materials import material_check, material_store_locked
from yiwang.cases.services.submission import (
    _draft_bounded,
    _fetch_shared,
    _known_fields,
    _require_draft_quota,
    _require_open_for_application,
    _submission_fingerprint,
    submit_locked,
)
from yiwang.cases.workflow import APPLICANT, CaseAction, CaseStatus, case_next_status
from yiwang.catalog.formschema import form_clean
from yiwang.catalog.models import ImplementationVersion
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.identifiers import mask_phone
from yiwang.core.text import canonical
from yiwang.ledger.events import CaseVerb
from yiwang.notifications.models import Channel
from yiwang.notifications.services import message_enqueue, messages_redact


def code_minutes() -> int:
    return int(settings.ASSISTED_CODE_MINUTES)


def code_attempts_max() -> int:
    return int(settings.ASSISTED_CODE_ATTEMPTS)


def code_sends_max() -> int:
    return int(settings.ASSISTED_CODE_SENDS)


def resend_seconds() -> int:
    return int(settings.ASSISTED_RESEND_SECONDS)


def draft_days() -> int:
    return int(settings.ASSISTED_DRAFT_DAYS)


HELPER_LABELS = {Role.WINDOW_CLERK: "窗口工作人员", Role.ASSISTANT: "帮办员"}


def helper_label(assisted: AssistedApplication) -> str:
    """ "由窗口工作人员 X 帮办": what the applicant and staff are shown of who helped."""
    who = (
        HELPER_LABELS.get(Role(assisted.helper_role), "工作人员") if assisted.helper_role in Role.values else "工作人员"
    )
    return f"由{who} {assisted.helper} 帮办"


def _lock(assisted: AssistedApplication | int) -> tuple[Case, AssistedApplication]:
    """Lock the draft case, then its assisted application (only its own row: the people read
    with it stay unlocked). Every path takes the two in this order — the person's own
    submission of the draft locks the case first too — so no two of them wait on each other."""
    pk = assisted if isinstance(assisted, int) else assisted.pk
    case = base.lock_case(AssistedApplication.objects.values_list("case_id", flat=True).get(pk=pk))
    locked = _assisted_locked().get(pk=pk)
    return case, locked


def _assisted_locked() -> QuerySet[AssistedApplication]:
    """AssistedApplication rows under FOR UPDATE OF their own row."""
    return AssistedApplication.objects.select_for_update(of=("self",)).select_related(
        "person", "helper", "helper_department"
    )


def _require_person(person: User) -> None:
    if not person.is_applicant or not hasattr(person, "person"):
        raise ValidationFailed({"person": ["申请人：只能为已实名注册的自然人帮办"]})


def _code_hash(assisted: AssistedApplication, code: str) -> str:
    """HMAC of the code keyed by the site's secret and salted by the application's ref."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"assisted:{assisted.ref}:{code}".encode(), hashlib.sha256).hexdigest()


def _content_digest(case: Case) -> str:
    """What the person confirms: the form as typed, delivery, and each current file's hash."""
    files = sorted(
        CaseMaterial.objects.filter(case=case, superseded_at__isnull=True).values_list("material_key", "sha256")
    )
    carried = {
        "form_data": case.form_data,
        "delivery": [case.delivery_method, case.delivery_address],
        "files": [list(f) for f in files],
    }
    return hashlib.sha256(canonical(carried).encode()).hexdigest()


def _record(
    assisted: AssistedApplication,
    case: Case,
    verb: CaseVerb,
    *,
    summary: str,
    payload: dict[str, Any] | None = None,
    personal: dict[str, str] | None = None,
    reason: str = "",
) -> None:
    """A case event of the assisted application, by the helper of record under their post —
    or by nobody (the system: expiry), or by the person (their own submission)."""
    by: User | None = assisted.helper
    role = assisted.helper_role
    if verb == CaseVerb.ASSISTED_EXPIRED:
        by, role = None, ""
    elif verb == CaseVerb.ASSISTED_SUBMITTED_BY_PERSON:
        by, role = assisted.person, APPLICANT
    base.record(
        case,
        verb=verb,
        actor=by,
        summary=summary,
        from_status=case.status,
        reason=reason,
        payload={
            "assisted": str(assisted.ref),
            "status": assisted.status,
            "helper_department": assisted.helper_department.credit_code,
            **(payload or {}),
        },
        personal=personal,
        actor_role=role,
    )


def _redact_codes(assisted: AssistedApplication) -> None:
    """A code sent is used or void: blank it in the stored SMS bodies (the rest stays)."""
    messages_redact(reference=f"assisted:{assisted.ref}")


def _touch(assisted: AssistedApplication, action: AssistedAction, actor: User) -> None:
    """Move `assisted` by `action`; a change after the code was sent voids the code."""
    assisted.status = assisted_next_status(assisted.status, action)
    if assisted.status == AssistedStatus.DRAFTING:
        assisted.code_hash, assisted.code_expires_at, assisted.content_digest = "", None, ""
        _redact_codes(assisted)
    assisted.helper = actor  # whoever worked on it last is the helper of record
    assisted.updated_at = clock.now()
    assisted.save()


def assisted_start(
    *,
    actor: User,
    person: User,
    implementation_version: ImplementationVersion,
    form_data: dict[str, Any] | None = None,
    delivery_method: str | None = None,
    delivery_address: str | None = None,
) -> AssistedApplication:
    """Start an application for `person` (a real-name applicant): a draft case in their name,
    the helper recorded. The same bounds and quota as the person's own drafts."""
    form_data = form_data or {}
    _require_person(person)
    role, department_id = require_assist(actor, version=implementation_version)
    _draft_bounded(implementation_version, form_data, delivery_address, delivery_method)
    with transaction.atomic(durable=True):
        now = clock.now()
        version = ImplementationVersion.objects.select_related("implementation", "item_version").get(
            pk=implementation_version.pk
        )
        _require_open_for_application(version)
        _require_draft_quota(person)
        case = Case.objects.create(
            implementation_version=version,
            department_id=version.implementation.department_id,
            region_id=version.implementation.region_id,
            applicant=person,
            form_data=_known_fields(version, form_data),
            delivery_method=delivery_method or DeliveryMethod.ELECTRONIC,
            delivery_address=(delivery_address or "").strip(),
            created_at=now,
            updated_at=now,
        )
        assisted = AssistedApplication.objects.create(
            case=case,
            person=person,
            helper=actor,
            helper_role=role,
            helper_department_id=department_id,
            status=assisted_next_status(None, AssistedAction.START),
            created_at=now,
            updated_at=now,
        )
        case = base.lock_case(case)
        _record(assisted, case, CaseVerb.ASSISTED_STARTED, summary=f"{helper_label(assisted)}：开始填写申请（草稿）")
    return assisted


def _open_for(actor: User, assisted: AssistedApplication) -> tuple[AssistedApplication, Case, str]:
    """Lock the assisted application and its draft; the helper's role. Inside a transaction."""
    case, locked = _lock(assisted)
    role, _ = require_assist(actor, department_id=locked.helper_department_id)
    if locked.status in OPEN_STATES and case.status != CaseStatus.DRAFT:
        raise Conflict(f"这份申请已不是草稿（{case.get_status_display()}），不能再帮办修改。")
    locked.helper_role = role
    return locked, case, role


def assisted_save(
    *,
    actor: User,
    assisted: AssistedApplication,
    form_data: dict[str, Any],
    delivery_method: str | None = None,
    delivery_address: str | None = None,
) -> AssistedApplication:
    """Keep what was typed (as typed; checked at submission). Voids a code already sent."""
    case = Case.objects.select_related("implementation_version").get(pk=assisted.case_id)
    _draft_bounded(case.implementation_version, form_data, delivery_address, delivery_method)
    with transaction.atomic(durable=True):
        locked, case, role = _open_for(actor, assisted)
        assisted_next_status(locked.status, AssistedAction.SAVE)
        case.form_data = _known_fields(case.implementation_version, form_data)
        if delivery_method is not None:
            case.delivery_method = delivery_method
        if delivery_address is not None:
            case.delivery_address = delivery_address.strip()
        _touch(locked, AssistedAction.SAVE, actor)
        base.transition(
            case,
            CaseAction.SAVE_DRAFT,
            actor=actor,
            summary=f"{helper_label(locked)}：保存草稿",
            payload={"fields": sorted(case.form_data), "assisted": str(locked.ref)},
            actor_role=role,
        )
    return locked


def assisted_upload(*, actor: User, assisted: AssistedApplication, material_key: str, upload: File) -> CaseMaterial:
    """Scan/upload one of the person's papers, with the portal's checks (type by content,
    size, only what may be uploaded). Voids a code already sent."""
    require_assist(actor, department_id=assisted.helper_department_id)
    assisted_next_status(assisted.status, AssistedAction.UPLOAD)  # fail early, before reading the file
    case = Case.objects.get(pk=assisted.case_id)
    case_next_status(case.status, CaseAction.UPLOAD_MATERIAL)
    material, checked, storage_name = material_check(case, material_key, upload)
    with transaction.atomic(durable=True):
        locked, case, role = _open_for(actor, assisted)
        assisted_next_status(locked.status, AssistedAction.UPLOAD)
        _touch(locked, AssistedAction.UPLOAD, actor)
        return material_store_locked(
            case,
            material,
            checked,
            storage_name,
            actor=actor,
            actor_role=role,
            payload={"assisted": str(locked.ref)},
        )


def assisted_code_send(*, actor: User, assisted: AssistedApplication) -> AssistedApplication:
    """Send the person a one-time code by SMS to the phone on file (stored only as an HMAC,
    valid ASSISTED_CODE_MINUTES, resent at most ASSISTED_CODE_SENDS times in all and not
    sooner than ASSISTED_RESEND_SECONDS after the last). The form must pass its checks first."""
    with transaction.atomic(durable=True):
        locked, case, _role = _open_for(actor, assisted)
        assisted_next_status(locked.status, AssistedAction.SEND_CODE)
        person = locked.person
        if not person.phone:
            raise Conflict("申请人未登记手机号，无法发送确认验证码：请申请人先在个人中心登记手机号。")
        now = clock.now()
        if locked.codes_sent >= code_sends_max():
            raise Conflict(f"验证码：已发送 {locked.codes_sent} 次，达到上限，请取消本次帮办后重新开始。")
        if locked.code_sent_at is not None and now < locked.code_sent_at + timedelta(seconds=resend_seconds()):
            raise Conflict(f"验证码：刚刚已发送，请 {resend_seconds()} 秒后再重新发送。")
        _, errors = form_clean(base.form_of(case), case.form_data)
        if errors:
            raise ValidationFailed(errors)
        _redact_codes(locked)  # a code sent before is void now
        code = f"{secrets.randbelow(1_000_000):06d}"
        locked.code_hash = _code_hash(locked, code)
        locked.code_sent_at, locked.code_expires_at = now, now + timedelta(minutes=code_minutes())
        locked.code_attempts, locked.codes_sent = 0, locked.codes_sent + 1
        locked.content_digest = _content_digest(case)
        locked.status = assisted_next_status(locked.status, AssistedAction.SEND_CODE)
        locked.helper, locked.updated_at = actor, now
        locked.save()
        item = case.implementation_version.item_version.name
        before = f"{locked.helper_department.name}工作人员正在为您代办“{item}”。确认提交请将验证码 "
        message_enqueue(
            recipient=person,
            subject="帮办确认验证码",
            body=f"{before}{code} 告知工作人员，{code_minutes()} 分钟内有效。如非本人办理，请勿告知他人。",
            channels=[Channel.SMS],
            reference=f"assisted:{locked.ref}",
            asked_for=True,
            secret=code,
            secret_at=len(before),  # the same six digits may stand in the item's name too
            secret_until=locked.code_expires_at,
        )
        _record(
            locked,
            case,
            CaseVerb.ASSISTED_CODE_SENT,
            summary=f"向申请人手机 {mask_phone(person.phone)} 发送确认验证码",
            payload={"sends": locked.codes_sent},
            # an unsalted hash of the form: it would confirm a guessed form in the public leaf
            personal={"digest": locked.content_digest},
        )
    return locked


def _code_problem(assisted: AssistedApplication, code: str) -> tuple[str, str]:
    """Why `code` does not confirm (a reason code for the ledger, the helper's message), or
    ("", "") when it does."""
    if not assisted.code_hash or assisted.code_expires_at is None:
        return "void", "验证码：尚未发送或已失效，请重新发送"
    if clock.now() >= assisted.code_expires_at:
        return "expired", "验证码：已过期，请重新发送"
    if assisted.code_attempts >= code_attempts_max():
        return "locked", "验证码：输入错误次数过多，已失效，请重新发送"
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6) or not hmac.compare_digest(
        assisted.code_hash, _code_hash(assisted, code)
    ):
        left = code_attempts_max() - assisted.code_attempts - 1
        return "wrong", (
            f"验证码：不正确，还可以再试 {left} 次"
            if left > 0
            else "验证码：不正确，输入错误次数过多，已失效，请重新发送"
        )
    return "", ""


def _refused(locked: AssistedApplication, case: Case, why: str) -> None:
    """A failed confirmation: a wrong code counts against the attempts; each failure is an
    `assisted_code_rejected` event (why, the count — never the code typed), and the wrong
    entry that uses up the last attempt also an `assisted_code_locked` one."""
    if why == "wrong":
        locked.code_attempts += 1
        locked.save(update_fields=["code_attempts"])
    _record(
        locked,
        case,
        CaseVerb.ASSISTED_CODE_REJECTED,
        summary=f"确认验证码未通过（{_REFUSALS[why]}）",
        payload={"why": why, "attempts": locked.code_attempts, "max": code_attempts_max()},
    )
    if why == "wrong" and locked.code_attempts >= code_attempts_max():
        _redact_codes(locked)
        _record(
            locked,
            case,
            CaseVerb.ASSISTED_CODE_LOCKED,
            summary=f"确认验证码错误 {locked.code_attempts} 次，已失效：须重新发送验证码",
            payload={"attempts": locked.code_attempts},
        )


_REFUSALS = {
    "wrong": "验证码不正确",
    "expired": "验证码已过期",
    "locked": "错误次数过多，已失效",
    "void": "未发送或已失效",
}


def assisted_confirm(*, actor: User, assisted: AssistedApplication, code: str) -> Case:
    """The person's code, entered on the helper's screen: submit the draft in their name
    through the same `submit_locked` as the portal (the person as the submitter), record the
    confirmation (who helped) and its ledger entry. Idempotent: a repeated call after it was
    submitted returns the case. A wrong code counts against the attempts; every failure (wrong,
    expired, void) is recorded as an event with its ledger entry and changes nothing else."""
    current = AssistedApplication.objects.select_related("case", "person").get(pk=assisted.pk)
    require_assist(actor, department_id=current.helper_department_id)
    if current.status == AssistedStatus.SUBMITTED:
        return current.case
    fetched = _fetch_shared(current.person, current.case, None, None, None)
    problem = ""
    with transaction.atomic(durable=True):
        case, locked = _lock(current)
        role, _ = require_assist(actor, department_id=locked.helper_department_id)
        if locked.status == AssistedStatus.SUBMITTED:
            return case
        assisted_next_status(locked.status, AssistedAction.CONFIRM)
        why, problem = _code_problem(locked, code)
        if why:
            locked.helper, locked.helper_role = actor, role  # who entered it (not saved: only the count is)
            _refused(locked, case, why)
        else:
            if _content_digest(case) != locked.content_digest:
                raise Conflict("申请内容在发送验证码后有改动，请核对后重新发送验证码，由申请人确认。")
            person = locked.person
            key = f"assisted:{locked.ref}"
            fingerprint = _submission_fingerprint(
                draft=case,
                implementation_version=None,
                form_data=None,
                enterprise=None,
                commitment_signed=False,
                delivery_method=None,
                delivery_address=None,
                intake_department=None,
            )
            submit_locked(case, actor=person, key=key, fingerprint=fingerprint, fetched=fetched, from_draft=True)
            now = clock.now()
            locked.status = assisted_next_status(locked.status, AssistedAction.CONFIRM)
            locked.code_hash, locked.code_expires_at, locked.confirmed_at = "", None, now
            locked.helper, locked.updated_at = actor, now
            locked.save()
            _redact_codes(locked)
            _record(
                locked,
                case,
                CaseVerb.ASSISTED_CONFIRMED,
                summary=f"申请人以短信验证码确认，{helper_label(locked)}提交",
                payload={"number": case.number},
                personal={"digest": locked.content_digest},
            )
            return case
    raise ValidationFailed({"code": [problem]})


def assisted_submitted_by_person_locked(case: Case) -> None:
    """Inside the transaction of the person's own submission of `case` (portal: `case_submit`
    of a draft): if a helper's assisted application is still open on it, it ends there —
    `submitted_by_person`, the code voided, an event by the person with its ledger entry.
    The case is locked already (the order `_lock` keeps)."""
    locked = _assisted_locked().filter(case_id=case.pk, status__in=list(OPEN_STATES)).first()
    if locked is None:
        return
    locked.status = assisted_next_status(locked.status, AssistedAction.SUBMITTED_BY_PERSON)
    locked.code_hash, locked.code_expires_at, locked.updated_at = "", None, clock.now()
    locked.save()
    _redact_codes(locked)
    _record(
        locked,
        case,
        CaseVerb.ASSISTED_SUBMITTED_BY_PERSON,
        summary=f"申请人自行提交了{helper_label(locked)}的草稿，帮办结束",
        payload={"number": case.number},
    )


def assisted_cancel(*, actor: User, assisted: AssistedApplication, reason: str = "") -> AssistedApplication:
    """Give up an assisted application: its draft is withdrawn (its files stay stored)."""
    reason = (reason or "").strip()[:200]
    with transaction.atomic(durable=True):
        locked, case, role = _open_for(actor, assisted)
        _touch(locked, AssistedAction.CANCEL, actor)
        locked.code_hash = ""
        locked.save(update_fields=["code_hash"])
        _redact_codes(locked)
        if case.status == CaseStatus.DRAFT:
            case.withdrawn_at = clock.now()
            base.transition(
                case, CaseAction.WITHDRAW, actor=actor, summary="取消帮办，放弃草稿", reason=reason, actor_role=role
            )
        _record(locked, case, CaseVerb.ASSISTED_CANCELLED, summary=f"{helper_label(locked)}：取消帮办", reason=reason)
    return locked


def assisted_expire_stale() -> int:
    """The system: assisted drafts untouched for ASSISTED_DRAFT_DAYS expire (their drafts are
    withdrawn). Returns how many expired. One transaction per application."""
    cutoff = clock.now() - timedelta(days=draft_days())
    stale = list(
        AssistedApplication.objects.filter(status__in=list(OPEN_STATES), updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    expired = 0
    for pk in stale:
        with transaction.atomic(durable=True):
            case, locked = _lock(pk)
            if locked.status not in OPEN_STATES or locked.updated_at >= cutoff:
                continue
            locked.status = assisted_next_status(locked.status, AssistedAction.EXPIRE)
            locked.code_hash, locked.updated_at = "", clock.now()
            locked.save()
            _redact_codes(locked)
            if case.status == CaseStatus.DRAFT:
                case.withdrawn_at = clock.now()
                base.transition(case, CaseAction.WITHDRAW, actor=None, summary="帮办草稿过期，自动放弃")
            _record(locked, case, CaseVerb.ASSISTED_EXPIRED, summary="帮办草稿长期未完成，已过期")
            expired += 1
    return expired
