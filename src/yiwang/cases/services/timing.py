"""Time: special procedures (suspend / resume), the head's extension, and the 预警 checks the
periodic sweep runs. Each public function is one durable transaction."""

from django.db import transaction

from yiwang.accounts.models import Role, User
from yiwang.cases import hooks
from yiwang.cases.deadlines import case_clock_state, due_text, task_clock_state
from yiwang.cases.models import Case, ClockEvent, Stage, Task
from yiwang.cases.policy import require_case_action
from yiwang.cases.services import _base as base
from yiwang.cases.workflow import CaseAction, CaseStatus, TaskStatus, case_next_status
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.ledger.events import CaseVerb

# 行政许可法第四十五条: time for these is not counted in the limit (the applicant is told how long).
SPECIAL_PROCEDURES = {
    "hearing": "听证",
    "auction": "拍卖",
    "bidding": "招标",
    "testing": "检验",
    "detection": "检测",
    "quarantine": "检疫",
    "appraisal": "鉴定",
    "expert_review": "专家评审",
}
EXTENSION_DAYS = 10  # 行政许可法第四十二条: 20 + 10 with the head's approval
JOINT_EXTENSION_DAYS = 15  # 第四十五条 (统一办理、联合办理、集中办理): 45 + 15


def case_suspend(*, actor: User, case: Case, procedure: str, reason: str, expected_days: int) -> Case:
    """特别程序: suspend the clock (case and open tasks) and tell the applicant why and for
    how long (`expected_days` working days). Side effects: CaseEvent, ledger, clock
    events, notice (in-app + SMS)."""
    check_suspension(procedure=procedure, reason=reason, expected_days=expected_days)
    with transaction.atomic(durable=True):
        return suspend_within(actor=actor, case=case, procedure=procedure, reason=reason, expected_days=expected_days)


def check_suspension(*, procedure: str, reason: str, expected_days: int) -> None:
    """The bounded input of a suspension, every problem at once (ValidationFailed)."""
    errors: dict[str, list[str]] = {}
    if procedure not in SPECIAL_PROCEDURES:
        errors["procedure"] = ["特别程序：请选择听证、拍卖、招标、检验、检测、检疫、鉴定或专家评审"]
    if not reason.strip():
        errors["reason"] = ["理由：必填，将告知申请人"]
    if not isinstance(expected_days, int) or expected_days < 1 or expected_days > 365:
        errors["expected_days"] = ["预计所需时间：请填写 1 到 365 个工作日，依法须告知申请人"]
    if errors:
        raise ValidationFailed(errors)


def suspend_within(*, actor: User, case: Case, procedure: str, reason: str, expected_days: int) -> Case:
    """`case_suspend` inside the caller's transaction (a domain above the cases that starts a
    special procedure as part of its own change, e.g. reviews.panel_request). The caller
    has run `check_suspension`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("suspend_within must run inside the caller's transaction")
    label = SPECIAL_PROCEDURES[procedure]
    case = base.lock_case(case)
    role = require_case_action(actor, CaseAction.SUSPEND, case)
    case_next_status(case.status, CaseAction.SUSPEND)
    base.transition(
        case,
        CaseAction.SUSPEND,
        actor=actor,
        summary=f"启动{label}程序，中止计时，预计需要 {expected_days} 个工作日",
        reason=reason.strip(),
        payload={"procedure": procedure, "expected_days": expected_days},
        actor_role=role,
    )
    base.pause_clocks(case, cause="special_procedure", note=label, expected_days=expected_days)
    base.notify_applicant(
        case,
        f"进入{label}程序",
        f"因{reason.strip()}，您的申请需进行{label}，预计需要 {expected_days} 个工作日，该期间不计入办理时限。",
        sms=True,
    )
    return case


def case_resume(*, actor: User, case: Case, note: str = "") -> Case:
    """End the special procedure: the clocks run again and the due dates move by the
    suspended working days. Side effects: CaseEvent, ledger, clock events, notice."""
    with transaction.atomic(durable=True):
        locked = base.lock_case(case)
        require_case_action(actor, CaseAction.RESUME, locked)  # who may act first: a 403, not the panel's 409
        objections = hooks.resume_objections(locked)
        if objections:
            raise Conflict("；".join(objections))
        return resume_within(actor=actor, case=locked, note=note)


def resume_within(*, actor: User, case: Case, note: str = "") -> Case:
    """`case_resume` inside the caller's transaction (e.g. reviews.panel_conclude)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("resume_within must run inside the caller's transaction")
    case = base.lock_case(case)
    role = require_case_action(actor, CaseAction.RESUME, case)
    case_next_status(case.status, CaseAction.RESUME)
    base.transition(
        case, CaseAction.RESUME, actor=actor, summary="特别程序结束，恢复计时", reason=note.strip(), actor_role=role
    )
    base.resume_clocks(case, cause="special_procedure")
    base.notify_applicant(case, "恢复办理", f"特别程序已结束，恢复计时，应于 {due_text(case.due_date)} 前办结。")
    return case


def case_extend(*, actor: User, case: Case, reason: str) -> Case:
    """延长审批: a `head` of the implementing organ extends the limit once — by 10 working days,
    or 15 when the case has a parallel stage (joint handling). Side effects: CaseEvent,
    ledger, clock event, notice (in-app + SMS)."""
    if not reason.strip():
        raise ValidationFailed({"reason": ["延期理由：必填，将告知申请人"]})
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        require_case_action(actor, CaseAction.EXTEND, case)
        case_next_status(case.status, CaseAction.EXTEND)
        if ClockEvent.objects.filter(case=case, task__isnull=True, kind="extend").exists():
            raise Conflict("本件已延长过一次办理时限，依法不能再次延长。", rule="extend_once")
        joint = Stage.objects.filter(case=case, is_parallel=True).exists()
        days = JOINT_EXTENSION_DAYS if joint else EXTENSION_DAYS
        base.clock_event(case, "extend", days=days, cause="extension", note=reason.strip())
        base.refresh_case_due(case)
        base.transition(
            case,
            CaseAction.EXTEND,
            actor=actor,
            summary=f"经机关负责人批准，办理时限延长 {days} 个工作日，应于 {due_text(case.due_date)} 前办结",
            reason=reason.strip(),
            payload={"days": days, "joint": joint, "due_date": case.due_date.isoformat() if case.due_date else None},
            actor_role="head",
        )
        base.notify_applicant(
            case,
            "办理时限延长",
            f"因{reason.strip()}，经机关负责人批准，办理时限延长 {days} 个工作日，"
            f"应于 {due_text(case.due_date)} 前办结。",
            sms=True,
        )
    return case


def case_deadline_check(*, case: Case) -> str | None:
    """预警 (system): tell the organ's approvers and heads once when the case has used the
    warning share of its committed limit, and once when it is overdue (again if the due date
    moves). Returns "warning" / "overdue" when a notice was sent, else None."""
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        if case.status != CaseStatus.IN_REVIEW:
            return None
        state = case_clock_state(case, committed=True)
        level, due = state.level, state.due_date
        if due is None or level not in ("warning", "overdue"):
            return None
        if level == "overdue" and case.overdue_sent_for == due:
            return None
        if level == "warning" and case.warning_sent_for == due:
            return None
        case.warning_sent_for = due
        if level == "overdue":
            case.overdue_sent_for = due
        case.save(update_fields=["warning_sent_for", "overdue_sent_for"])
        text = (
            f"已超过承诺办结期限 {due}"
            if level == "overdue"
            else f"已用 {state.used_days}/{state.limit_days} 个工作日，应于 {due} 前办结"
        )
        base.record(
            case,
            verb=CaseVerb(f"deadline_{level}"),
            actor=None,
            summary=("超期提醒：" if level == "overdue" else "临期预警：") + text,
            payload={"due_date": due.isoformat(), "used_days": state.used_days, "limit_days": state.limit_days},
        )
        staff = base.role_holders(case.department_id, [Role.APPROVER, Role.HEAD])
        base.notify_staff(staff, case, "办件超期" if level == "overdue" else "办件临期预警", text)
    return level


def task_deadline_check(*, task: Task) -> str | None:
    """预警 for one task: its assignee (or, unclaimed, the role holders of its department)."""
    with transaction.atomic(durable=True):
        case = base.lock_case(task.case_id)
        task = base.lock_task(task)
        if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
            return None
        state = task_clock_state(task)
        level, due = state.level, state.due_date
        if due is None or level not in ("warning", "overdue"):
            return None
        if (level == "overdue" and task.overdue_sent_for == due) or (
            level == "warning" and task.warning_sent_for == due
        ):
            return None
        task.warning_sent_for = due
        if level == "overdue":
            task.overdue_sent_for = due
        task.save(update_fields=["warning_sent_for", "overdue_sent_for"])
        text = f"任务“{task.name}”" + (f"已超过期限 {due}" if level == "overdue" else f"应于 {due} 前完成，已临近期限")
        base.record(
            case,
            verb=CaseVerb(f"task_deadline_{level}"),
            actor=None,
            summary=text,
            payload={"task": task.pk, "due_date": due.isoformat()},
        )
        recipients = [task.assignee] if task.assignee else list(base.role_holders(task.department_id, [task.role]))
        base.notify_staff(recipients, case, "任务超期" if level == "overdue" else "任务临期预警", text)
    return level
