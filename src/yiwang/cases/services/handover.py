"""异地代收代办 (收受分离): an application handed in at a window of another region.

The applicant chose, when submitting, to hand in at another region's window (`case_submit`
with `intake_department`): the case waits there (`intake_pending`). That window checks it
for completeness — it may ask for a 补正 at once (`case_supplement_request`) — and hands it
over (`handover_send`); the implementing authority confirms receipt (`handover_receive`)
and from then on it is an ordinary submitted case: its 5-working-day acceptance window runs
from the receipt, the statutory limit from its acceptance. When the result is collected at
the intake window, that window records the hand-out (`case_conclude`; policy "delivery").
Each public function is one durable transaction.
"""

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction

from yiwang.accounts.models import Department, DepartmentKind, Role, StaffRole, User
from yiwang.cases.clock import handover_due
from yiwang.cases.models import Case, CaseMaterial, Handover
from yiwang.cases.policy import require_case_action
from yiwang.cases.services import _base as base
from yiwang.cases.workflow import CaseAction, case_next_status
from yiwang.catalog.crossregion import may_receive_in
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.text import canonical

MAIL_REFERENCE_MAX = 60


def handover_days() -> int:
    return int(getattr(settings, "CROSS_REGION_HANDOVER_DAYS", 1))


def intake_problem(case: Case, department: Department) -> str | None:
    """Why `department` may not receive for `case` (收件地), in Chinese; None when it may."""
    version = case.implementation_version
    if department.kind != DepartmentKind.APPROVAL_SERVICE or department.region_id == case.region_id:
        return "收件地：请选择其他地区的政务服务窗口（行政审批服务局）"
    if not may_receive_in(version, department.region):
        return f"收件地：本事项不支持在{department.name}异地代收"
    return None


def intake_open(case: Case, department: Department) -> None:
    """Inside `case_submit`'s transaction, once `intake_problem` found nothing: route the
    application to the intake window the applicant chose (the hand-over record, its term)."""
    today = clock.today()
    case.intake_department = department
    Handover.objects.create(
        case=case,
        intake_department=department,
        intake_on=today,
        due_on=handover_due(today, handover_days(), working_calendar()),
    )


def intake_clerks(case: Case) -> list[User]:
    if case.intake_department_id is None:
        return []
    posts = StaffRole.objects.filter(department_id=case.intake_department_id, role=Role.WINDOW_CLERK)
    return [post.user for post in posts.select_related("user").order_by("user_id")]


def handover_reopen(case: Case) -> None:
    """The applicant answered the intake window's 补正: the window's term starts again today."""
    today = clock.today()
    Handover.objects.filter(case=case).update(
        intake_on=today, due_on=handover_due(today, handover_days(), working_calendar())
    )


def handed_materials(case: Case) -> tuple[list[dict[str, Any]], str]:
    """The current materials ({key, name, sha256}, by key) and the SHA-256 of that list."""
    names = {m.key: m.name for m in case.implementation_version.materials.all()}
    rows = CaseMaterial.objects.filter(case=case, superseded_at__isnull=True).order_by("material_key", "id")
    listed = [
        {"key": m.material_key, "name": names.get(m.material_key, m.material_key), "sha256": m.sha256} for m in rows
    ]
    return listed, hashlib.sha256(canonical(listed).encode()).hexdigest()


def handover_send(*, actor: User, case: Case, mail_reference: str = "") -> Handover:
    """移交: the intake window hands the checked application over to the implementing
    authority. `mail_reference`: the tracking number of the paper originals, if any (their
    transit is not counted against anyone's term). Side effects: CaseEvent, ledger entry
    carrying the materials digest, notices to the authority's window and the applicant."""
    reference = mail_reference.strip()
    if len(reference) > MAIL_REFERENCE_MAX:
        raise ValidationFailed({"mail_reference": [f"原件寄递单号：最多 {MAIL_REFERENCE_MAX} 个字符"]})
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        case_next_status(case.status, CaseAction.HAND_OVER)  # a case not handed in elsewhere: the state says so
        require_case_action(actor, CaseAction.HAND_OVER, case)
        handover = Handover.objects.select_for_update().get(case=case)
        materials, digest = handed_materials(case)
        event = base.transition(
            case,
            CaseAction.HAND_OVER,
            actor=actor,
            summary=f"{handover.intake_department.name}核对材料后移交{case.department.name}"
            + (f"，原件寄递单号 {reference}" if reference else ""),
            payload={
                "intake_department": handover.intake_department.credit_code,
                "materials": len(materials),
                "digest": digest,
                "intake_on": handover.intake_on.isoformat(),
            },
            actor_role=Role.WINDOW_CLERK,
        )
        handover.sent_by, handover.sent_at, handover.sent_entry_id = actor, event.at, event.ledger_entry_id
        handover.materials, handover.digest, handover.mail_reference = materials, digest, reference
        handover.save()
        base.notify_staff(
            base.window_clerks_for(case),
            case,
            "异地收件待接收",
            f"{handover.intake_department.name}已移交申请材料，请确认接收；"
            "接收之日起 5 个工作日内受理或一次性告知补正。",
        )
        base.notify_applicant(case, "申请已移交", f"收件窗口已将您的申请移交{case.department.name}办理。")
    return handover


def handover_receive(*, actor: User, case: Case) -> Handover:
    """接收: the implementing authority confirms it received what was handed over (the list's
    digest must still match); the case becomes submitted, received today — its acceptance
    window starts now. Side effects: CaseEvent, ledger entry, notices to the intake window
    and the applicant."""
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        case_next_status(case.status, CaseAction.RECEIVE_HANDOVER)
        require_case_action(actor, CaseAction.RECEIVE_HANDOVER, case)
        handover = Handover.objects.select_for_update().get(case=case)
        _, digest = handed_materials(case)
        if digest != handover.digest:
            raise Conflict("移交后申请材料发生了变化，与移交清单不一致，请联系收件窗口核实。")
        case.received_on = clock.today()
        event = base.transition(
            case,
            CaseAction.RECEIVE_HANDOVER,
            actor=actor,
            summary=f"{case.department.name}确认接收{handover.intake_department.name}移交的申请材料",
            payload={
                "intake_department": handover.intake_department.credit_code,
                "digest": digest,
                "received_on": case.received_on.isoformat(),
            },
            actor_role=Role.WINDOW_CLERK,
        )
        handover.received_by, handover.received_at = actor, event.at
        handover.received_entry_id = event.ledger_entry_id
        handover.save(update_fields=["received_by", "received_at", "received_entry_id"])
        base.notify_staff(intake_clerks(case), case, "移交已接收", f"{case.department.name}已确认接收移交的申请。")
        base.notify_applicant(case, "申请已接收", f"{case.department.name}已接收您的申请，将在 5 个工作日内受理。")
    return handover
