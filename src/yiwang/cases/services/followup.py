"""The applicant after submission: answering a 补正 request, withdrawing. Each public
function is one durable transaction."""

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseMaterial, Stage, SupplementRequest
from yiwang.cases.policy import require_case_action
from yiwang.cases.services import _base as base
from yiwang.cases.services import _engine as engine
from yiwang.cases.services import handover
from yiwang.cases.workflow import STAGE_OPEN_STATES, CaseAction, CaseStatus, StageAction, TaskAction, case_next_status
from yiwang.core import clock
from yiwang.core.errors import NotFound, ValidationFailed


def case_supplement_answer(*, actor: User, case: Case, note: str = "") -> Case:
    """Answer the open 补正 request once every requested material is uploaded.

    Before acceptance the case goes back to the window (its 5-working-day acceptance window
    starts again from today, the day the complete application is received); after
    acceptance the paused clocks resume. Side effects: CaseEvent, ledger, notices to staff.
    """
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        require_case_action(actor, CaseAction.ANSWER_SUPPLEMENT, case)
        before = case.status
        case_next_status(case.status, CaseAction.ANSWER_SUPPLEMENT)
        supplement = SupplementRequest.objects.filter(case=case, answered_at__isnull=True).last()
        if supplement is None:
            raise NotFound("没有待答复的补正告知。")
        answered = set(
            CaseMaterial.objects.filter(case=case, supplement=supplement, superseded_at__isnull=True).values_list(
                "material_key", flat=True
            )
        )
        errors = {
            f"materials.{item['material_key']}": [f"材料“{item['name']}”：请按补正要求上传"]
            for item in supplement.items
            if item.get("material_key") and item["material_key"] not in answered
        }
        if any(not item.get("material_key") for item in supplement.items) and not note.strip():
            errors["note"] = ["补正说明：请对清单中无需上传文件的事项作出说明"]
        if errors:
            raise ValidationFailed(errors)
        supplement.answered_at = clock.now()
        supplement.answer_note = note.strip()
        supplement.save(update_fields=["answered_at", "answer_note"])
        if before == CaseStatus.SUPPLEMENT_REQUESTED:
            case.received_on = clock.today()
        elif before == CaseStatus.INTAKE_SUPPLEMENT:
            handover.handover_reopen(case)  # the intake window's term starts again today
        base.transition(
            case,
            CaseAction.ANSWER_SUPPLEMENT,
            actor=actor,
            summary="提交补正材料",
            personal={"note": note.strip()},
            payload={"supplement": supplement.pk, "materials": sorted(answered)},
            actor_role="applicant",
        )
        if before == CaseStatus.SUPPLEMENT_PENDING:
            base.resume_clocks(case, cause="supplement")
            recipients = {supplement.requested_by, *base.role_holders(case.department_id, ["reviewer", "approver"])}
        elif before == CaseStatus.INTAKE_SUPPLEMENT:
            recipients = {supplement.requested_by, *handover.intake_clerks(case)}
        else:
            recipients = {supplement.requested_by, *base.window_clerks_for(case)}
        base.notify_staff(recipients, case, "申请人已补正", "申请人已按补正告知提交材料，请继续办理。")
    return case


def case_withdraw(*, actor: User, case: Case, reason: str = "") -> Case:
    """The applicant withdraws before a decision (or discards a draft).

    Stops the case clock, cancels open tasks. Side effects: CaseEvent, ledger, notices to
    the staff who were working on it.
    """
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        require_case_action(actor, CaseAction.WITHDRAW, case)
        before = case.status
        case_next_status(case.status, CaseAction.WITHDRAW)
        staff = {t.assignee for t in base.open_tasks(case) if t.assignee is not None}
        for task in base.open_tasks(case):
            base.stop_task(task, TaskAction.CANCEL, cause="withdrawal")
        engine.stages_transition(Stage.objects.filter(case=case, status__in=STAGE_OPEN_STATES), StageAction.CANCEL)
        case.withdrawn_at = clock.now()
        base.transition(
            case,
            CaseAction.WITHDRAW,
            actor=actor,
            summary="放弃草稿" if before == CaseStatus.DRAFT else "申请人撤回申请",
            reason=reason.strip(),
            actor_role="applicant",
        )
        if before in (CaseStatus.IN_REVIEW, CaseStatus.SUPPLEMENT_PENDING, CaseStatus.SUSPENDED):
            base.clock_event(case, "stop", cause="withdrawal")
            base.refresh_case_due(case)
        if before in (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT_REQUESTED):
            staff |= set(base.window_clerks_for(case))
        if before != CaseStatus.DRAFT:
            base.notify_staff(staff, case, "申请人已撤回申请", "该办件已撤回，无需继续办理。")
            base.notify_applicant(case, "申请已撤回", "您的申请已撤回。")
    return case
