"""The review and decision side: tasks (claim, release, complete), the approver's decision,
delivery of the result, and the 告知承诺 核查. Each public function is one durable
transaction that locks the case row first, then the task row (one lock order everywhere,
so two services never deadlock): of two staff acting on the same task at once, one wins and
the other gets Conflict.
"""

from typing import Literal

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases.models import Case, Stage, Task
from yiwang.cases.policy import require_case_action, require_task_action
from yiwang.cases.services import _base as base
from yiwang.cases.services import _engine as engine
from yiwang.cases.workflow import (
    CaseAction,
    StageAction,
    StageStatus,
    TaskAction,
    TaskKind,
    TaskStatus,
    case_next_status,
    task_next_status,
)
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.ledger.events import CaseVerb

TaskOutcome = Literal["approve", "reject", "pass", "fail"]


def _lock_pair(task: Task) -> tuple[Case, Task]:
    case = base.lock_case(task.case_id)
    return case, base.lock_task(task, case=case)


def _case_action_for(task: Task) -> CaseAction:
    return CaseAction.CHECK_COMMITMENT if task.kind == TaskKind.INSPECTION else CaseAction.WORK_TASK


def _ensure_mine(actor: User, task: Task, *, save: bool = True) -> None:
    """Claim an open task for `actor` (implicitly), or Conflict if someone else holds it.
    `save=False` when the caller saves the task itself (`base.stop_task`)."""
    if task.status == TaskStatus.CLAIMED and task.assignee_id == actor.pk:
        return
    if task.status == TaskStatus.CLAIMED:
        raise Conflict(f"任务“{task.name}”已由{task.assignee}领取办理，请刷新后查看。", rule="claimed")
    if task.status != TaskStatus.OPEN:
        raise Conflict(
            f"任务“{task.name}”已{TaskStatus(task.status).label}，不能再办理，请刷新后查看。", rule="task_state"
        )
    task.status = task_next_status(task.kind, task.status, TaskAction.CLAIM)
    task.assignee = actor
    task.claimed_at = clock.now()
    if save:
        task.save(update_fields=["status", "assignee", "claimed_at"])


def task_claim(*, actor: User, task: Task) -> Task:
    """领取: the task becomes the actor's. Claiming one's own task again changes nothing.

    Side effects: CaseEvent (staff-only), ledger.
    """
    with transaction.atomic(durable=True):
        case, task = _lock_pair(task)
        require_task_action(actor, TaskAction.CLAIM, task, case)
        case_next_status(case.status, _case_action_for(task))
        if task.status == TaskStatus.CLAIMED and task.assignee_id == actor.pk:
            return task
        _ensure_mine(actor, task)
        base.record(
            case,
            verb=CaseVerb.TASK_CLAIMED,
            actor=actor,
            summary=f"领取任务“{task.name}”",
            payload={"task": task.pk, "department": task.department.credit_code},
            actor_role=task.role,
        )
    return task


def task_release(*, actor: User, task: Task) -> Task:
    """退回待领取: the assignee gives the task back to the department's pool."""
    with transaction.atomic(durable=True):
        case, task = _lock_pair(task)
        require_task_action(actor, TaskAction.RELEASE, task, case)
        if task.assignee_id != actor.pk:
            raise Conflict(f"任务“{task.name}”不在您名下，不能退回。")
        task.status = task_next_status(task.kind, task.status, TaskAction.RELEASE)
        task.assignee = None
        task.claimed_at = None
        task.save(update_fields=["status", "assignee", "claimed_at"])
        base.record(
            case,
            verb=CaseVerb.TASK_RELEASED,
            actor=actor,
            summary=f"退回任务“{task.name}”待重新领取",
            payload={"task": task.pk},
            actor_role=task.role,
        )
    return task


def task_complete(*, actor: User, task: Task, outcome: TaskOutcome, opinion: str) -> Task:
    """Complete a review task (approve / reject) or a 核查 task (pass / fail), with an opinion.

    An open task is claimed implicitly; a task someone else holds raises Conflict. A review
    completes its stage by the join policy (all / any / quorum); a rejection cancels the
    sibling tasks and sends the case to the decision stage. A failed 核查 revokes the
    decision. Decision tasks are completed by `case_decide`.
    Side effects: CaseEvents, ledger, clock stop of the task, notices.
    """
    action = {
        "approve": TaskAction.APPROVE,
        "reject": TaskAction.REJECT,
        "pass": TaskAction.PASS,
        "fail": TaskAction.FAIL,
    }.get(outcome)
    if action is None:
        raise ValidationFailed({"outcome": ["办理结果：请选择通过或不通过"]})
    opinion = opinion.strip()
    if outcome in ("reject", "fail") and not opinion:
        raise ValidationFailed({"opinion": ["办理意见：不通过时必须写明理由"]})
    with transaction.atomic(durable=True):
        case, task = _lock_pair(task)
        require_task_action(actor, action, task, case)
        if task.kind == TaskKind.DECISION:
            raise Conflict("审批决定任务请通过“作出决定”办理。")
        case_next_status(case.status, _case_action_for(task))
        task_next_status(task.kind, TaskStatus.CLAIMED, action)  # wrong outcome for this kind of task
        _ensure_mine(actor, task, save=False)
        task.opinion = opinion
        base.stop_task(task, action, cause="completed")
        target = task.status
        base.record(
            case,
            verb=CaseVerb(f"task_{outcome}"),
            actor=actor,
            summary=f"{task.department}完成“{task.name}”：{TaskStatus(target).label}",
            reason=opinion,
            payload={
                "task": task.pk,
                "department": task.department.credit_code,
                "department_name": task.department.name,
                "outcome": str(target),
            },
            actor_role=task.role,
        )
        if task.kind == TaskKind.REVIEW:
            engine.stage_task_done(case, task, actor=actor)
        elif outcome == "fail":
            engine.revoke(case, actor=actor, reason=opinion)
        else:
            base.record(
                case, verb=CaseVerb.COMMITMENT_CHECKED, actor=actor, summary="告知承诺核查通过", actor_role="reviewer"
            )
    return task


def case_decide(
    *,
    actor: User,
    case: Case,
    outcome: Literal["approve", "deny"],
    opinion: str,
    legal_basis: str = "",
) -> Case:
    """审批决定 by the approver of the decision stage: approve, or deny with reasons.

    A denial carries the remedies open to the applicant (行政复议 within 60 days, 行政诉讼
    within 6 months). The clock stops; with electronic delivery the case is concluded at
    once. Side effects: CaseEvents, ledger, notices (in-app + SMS).
    """
    if outcome not in ("approve", "deny"):
        raise ValidationFailed({"outcome": ["审批决定：请选择准予许可或不予许可"]})
    opinion = opinion.strip()
    if outcome == "deny" and not opinion:
        raise ValidationFailed({"opinion": ["决定理由：不予许可时必须说明理由"]})
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        case_next_status(case.status, CaseAction.APPROVE if outcome == "approve" else CaseAction.DENY)
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("stage", "department")
            .filter(case=case, kind=TaskKind.DECISION, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
            .first()
        )
        if task is None:
            stage = Stage.objects.filter(case=case, status=StageStatus.ACTIVE).first()
            where = f"，当前处于“{stage.name}”环节" if stage else ""
            raise Conflict(f"审查尚未完成{where}，暂不能作出决定。")
        task.case = case
        require_case_action(actor, CaseAction.APPROVE if outcome == "approve" else CaseAction.DENY, case, task=task)
        _ensure_mine(actor, task, save=False)
        task.opinion = opinion
        base.stop_task(task, TaskAction.DECIDE, cause="decision")
        if task.stage is not None:
            engine.stage_transition(task.stage, StageAction.APPROVE if outcome == "approve" else StageAction.REJECT)
        engine.decide(
            case,
            actor=actor,
            approved=outcome == "approve",
            opinion=opinion or "经审查，申请符合法定条件、标准，准予许可。",
            basis=legal_basis.strip(),
        )
    return case


def case_conclude(*, actor: User, case: Case, reference: str = "") -> Case:
    """送达并办结 for results picked up at the window or mailed (electronic ones conclude
    themselves at the decision). `reference`: the tracking number or the pickup receipt.

    Side effects: CaseEvent, ledger, notice to the applicant.
    """
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        require_case_action(actor, CaseAction.CONCLUDE, case)
        case_next_status(case.status, CaseAction.CONCLUDE)
        if case.delivery_method == "mail" and not reference.strip():
            raise ValidationFailed({"reference": ["邮件单号：邮寄送达时必填"]})
        engine.conclude(case, actor=actor, reference=reference.strip() or "窗口领取")
    return case
