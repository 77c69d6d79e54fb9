"""The process engine inside the services: acceptance, stages and tasks, the decision,
delivery, 告知承诺 核查 and revocation. Internal helpers that run inside the calling
service's transaction; each writes its own CaseEvent(s) and ledger entries.
"""

from collections import defaultdict
from typing import Literal

from django.db.models import QuerySet

from yiwang.accounts.models import Department, User
from yiwang.cases.deadlines import clock_started, due_text
from yiwang.cases.hooks import conclusion_notes
from yiwang.cases.models import Case, ClockEvent, DeliveryMethod, Stage, Task
from yiwang.cases.services import _base as base
from yiwang.cases.workflow import (
    STAGE_OPEN_STATES,
    CaseAction,
    StageAction,
    StageStatus,
    TaskAction,
    TaskKind,
    TaskStatus,
    stage_next_status,
    stage_outcome,
)
from yiwang.catalog.process import StageSpec
from yiwang.core import clock
from yiwang.core.errors import DomainError
from yiwang.exchange.client_models import EventKind
from yiwang.exchange.webhooks import webhooks_publish
from yiwang.ledger.events import CaseVerb
from yiwang.licenses.models import License
from yiwang.licenses.services import license_issue, license_reference, licenses_revoke_for_case

__all__ = [
    "accept",
    "conclude",
    "decide",
    "inspection_create",
    "revoke",
    "stage_task_done",
    "stage_transition",
    "stages_transition",
]


def accept(
    case: Case,
    *,
    actor: User | None,
    how: Literal["clerk", "deemed", "auto", "commitment"],
    summary: str,
    opinion: str = "",
) -> None:
    """Accept: start the legal clock and the first stage (即办件: decide at once).

    `deemed` dates the acceptance (and the clock) on the day of receipt.
    """
    deemed = how == "deemed"
    accepted_on = case.received_on if deemed and case.received_on else clock.today()
    case.accepted_on = accepted_on
    case.deemed_accepted = deemed
    base.transition(
        case,
        # The law's own acceptance is the system's; a clerk accepting late still accepts,
        # but the date is the day of receipt either way.
        CaseAction.DEEM_ACCEPT if deemed and actor is None else CaseAction.ACCEPT,
        actor=actor,
        summary=summary,
        reason=opinion,
        payload={"accepted_on": accepted_on.isoformat(), "how": how},
        actor_role="window_clerk" if actor is not None else "system",
    )
    version = case.implementation_version
    base.clock_event(
        case,
        "start",
        on=accepted_on,
        days=version.statutory_limit_days,
        cause="deemed_acceptance" if deemed else "acceptance",
    )
    base.refresh_case_due(case)
    if how in ("auto", "commitment"):
        return  # the caller decides at once
    process = base.process_of(case)
    if process.case_kind == "instant":
        base.notify_applicant(
            case, "已受理", f"您的申请已于 {accepted_on} 受理（即办件，当场办理）。", kind=base.Notice.PROGRESS
        )
        decide(
            case,
            actor=actor,
            approved=True,
            opinion=opinion or "即办件，材料齐全、符合法定形式，当场作出准予许可决定。",
        )
        return
    stages = _create_stages(case, process.stages)
    due = due_text(case.due_date)
    base.notify_applicant(
        case, "已受理", f"您的申请已于 {accepted_on} 受理，依法应于 {due} 前办结。", sms=True, kind=base.Notice.PROGRESS
    )
    if stages:
        _activate(case, stages[0], process.stages, moved=True)


def _create_stages(case: Case, specs: list[StageSpec]) -> list[Stage]:
    """The case's stages, in one INSERT: the first already moved by the stage table's
    activation (`_activate(..., moved=True)` opens it: its tasks and notices), the others pending."""
    stages = [
        Stage(
            case=case,
            key=spec.key,
            name=spec.name,
            position=index,
            join=spec.join,
            quorum=spec.quorum,
            decides=spec.decides,
            is_parallel=spec.is_parallel,
            limit_days=spec.limit_days,
        )
        for index, spec in enumerate(specs)
    ]
    if stages:
        _move(stages[0], StageAction.ACTIVATE)
    return Stage.objects.bulk_create(stages)


def _stamps(action: StageAction) -> dict[str, object]:
    """When a stage began or ended, stamped with its transition."""
    return {"activated_at" if action == StageAction.ACTIVATE else "completed_at": clock.now()}


def _move(stage: Stage, action: StageAction) -> list[str]:
    """Apply `action` to the stage in memory by the stage table (Conflict on a forbidden
    pair), with its stamp; the fields it set."""
    stage.status = stage_next_status(stage.status, action)
    stamps = _stamps(action)
    for name, value in stamps.items():
        setattr(stage, name, value)
    return ["status", *stamps]


def stage_transition(stage: Stage, action: StageAction) -> None:
    """Move one stage by `action` through the stage table (Conflict on a forbidden pair)."""
    stage.save(update_fields=_move(stage, action))


def stages_transition(stages: QuerySet[Stage], action: StageAction) -> None:
    """`stage_transition` for several rows: each row's pair is looked up in the table (one
    forbidden pair and nothing is written), then one UPDATE per target state."""
    by_target: dict[StageStatus, list[int]] = defaultdict(list)
    for pk, status in stages.values_list("pk", "status"):
        by_target[stage_next_status(status, action)].append(pk)
    for target, pks in by_target.items():
        Stage.objects.filter(pk__in=pks).update(status=target, **_stamps(action))


def _spec(specs: list[StageSpec], key: str) -> StageSpec:
    return next(s for s in specs if s.key == key)


def _activate(case: Case, stage: Stage, specs: list[StageSpec] | None = None, *, moved: bool = False) -> None:
    """Open a stage: one task per task spec, each with its own clock; tell who must act.
    `moved`: the stage was inserted already activated (`_create_stages`).

    The stage's tasks, their clock starts and their notices are written in one statement
    each (a parallel stage has a task per department)."""
    spec = _spec(specs if specs is not None else base.process_of(case).stages, stage.key)
    now, today = clock.now(), clock.today()
    if not moved:
        stage_transition(stage, StageAction.ACTIVATE)
    departments = {
        d.credit_code: d for d in Department.objects.filter(credit_code__in=[t.department for t in spec.tasks])
    }
    tasks = []
    for task_spec in spec.tasks:
        department = departments.get(task_spec.department)
        if department is None:
            raise DomainError(
                f"办理流程配置有误：环节“{spec.name}”的任务“{task_spec.name}”所属部门 {task_spec.department} 不存在，"
                "请联系事项管理员。",
                rule="process",
            )
        tasks.append(
            Task(
                case=case,
                stage=stage,
                key=task_spec.key,
                name=task_spec.name,
                kind=TaskKind.DECISION if stage.decides else TaskKind.REVIEW,
                role=task_spec.role,
                department=department,
                limit_days=task_spec.limit_days,
                created_at=now,
            )
        )
    starts = [
        ClockEvent(case=case, task=task, kind="start", on=today, days=task.limit_days, cause="activation", at=now)
        for task in tasks
    ]
    for task, start in zip(tasks, starts, strict=True):
        clock_started(task, start)
        base.task_due_refresh(task)
    Task.objects.bulk_create(tasks)
    ClockEvent.objects.bulk_create(starts)  # task ids are taken from the tasks just inserted
    holders = base.holders_by_post((task.department_id, task.role) for task in tasks)
    base.notify_staff_batch(
        case,
        [
            (
                holders[(task.department_id, task.role)],
                f"新任务：{task.name}",
                f"请于 {due_text(task.due_date) if task.due_date else '期限内'} 前完成“{task.name}”。",
            )
            for task in tasks
        ],
    )
    base.record(
        case,
        verb=CaseVerb.STAGE_STARTED,
        actor=None,
        summary=f"进入“{stage.name}”环节" + ("（并联审批）" if stage.is_parallel else ""),
        payload={"stage": stage.key, "tasks": len(spec.tasks), "join": stage.join},
    )


def stage_task_done(case: Case, task: Task, *, actor: User) -> None:
    """After a review task completed: join the stage; on its outcome move the process on."""
    stage = task.stage
    if stage is None or stage.status != StageStatus.ACTIVE:
        return
    statuses = list(Task.objects.filter(stage=stage).values_list("status", flat=True))
    outcome = stage_outcome(stage.join, stage.quorum, statuses)
    if outcome is None:
        return
    for sibling in Task.objects.filter(stage=stage, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]):
        base.stop_task(sibling, TaskAction.CANCEL, cause="cancelled")
        if sibling.assignee is not None:
            base.notify_staff(
                [sibling.assignee], case, f"任务已取消：{sibling.name}", "本环节已有结论，您的任务已取消。"
            )
    stage_transition(stage, outcome)
    rejected = outcome == StageAction.REJECT
    base.record(
        case,
        verb=CaseVerb.STAGE_COMPLETED,
        actor=actor,
        summary=f"“{stage.name}”环节{'审查不通过，转审批决定' if rejected else '审查通过'}",
        payload={"stage": stage.key, "outcome": str(stage.status)},
    )
    later = list(Stage.objects.filter(case=case, position__gt=stage.position, status=StageStatus.PENDING))
    for next_stage in later:
        if rejected and not next_stage.decides:
            stage_transition(next_stage, StageAction.SKIP)
            continue
        _activate(case, next_stage)
        return


def decide(
    case: Case,
    *,
    actor: User | None,
    approved: bool,
    opinion: str,
    basis: str = "",
    rule: str = "",
) -> None:
    """The decision: stop the clock, close remaining stages, tell the applicant, and conclude
    at once when the result is delivered electronically."""
    now = clock.now()
    case.decision = "approved" if approved else "denied"
    case.decision_opinion = opinion
    case.decision_basis = basis
    case.decision_remedies = [] if approved else list(base.REMEDIES)
    case.decided_by = actor
    case.decided_at = now
    case.decided_by_rule = rule
    how = f"依秒批规则“{rule}”自动" if rule else ""
    base.transition(
        case,
        CaseAction.APPROVE if approved else CaseAction.DENY,
        actor=actor,
        summary=f"{how}作出{'准予许可' if approved else '不予许可'}决定",
        reason=opinion,
        personal={"basis": basis},
        payload={
            "rule": rule or None,
            "decision": case.decision,
            **base.disclosure_fields(case, decision_label="准予许可" if approved else "不予许可"),
        },
        actor_role="system" if actor is None else ("approver" if _has_stages(case) else "window_clerk"),
    )
    for task in base.open_tasks(case, kinds=["review", "decision"]):
        base.stop_task(task, TaskAction.CANCEL, cause="cancelled")
    stages_transition(Stage.objects.filter(case=case, status__in=STAGE_OPEN_STATES), StageAction.CANCEL)
    base.clock_event(case, "stop", cause="decision")
    base.refresh_case_due(case, save=False)  # written with the conclusion's row, or at the end
    result = case.implementation_version.result_name
    reference = case.subject
    license: License | None = None
    if approved and case.implementation_version.license_type_code:
        license = _issue_license(case)
        result = (
            f"{result}（电子证照已签发：{license.license_type.name}，证照编号 {license.number}，"
            "可在“我的证照”中查看、下载）"
        )
        # The notice links the license itself (the message centre opens /me/licenses/<id>/).
        reference = license_reference(license)
    if approved:
        body = f"您的申请已获准予许可，审批结果：{result}。"
    else:
        body = f"您的申请未获许可。理由：{opinion} {'；'.join(base.REMEDIES)}。"
    kind = base.Notice.RESULT if approved else base.Notice.ACTION
    base.notify_applicant(case, "已作出审批决定", body, sms=True, reference=reference, kind=kind)
    _publish_decision(case, license)
    if case.delivery_method == DeliveryMethod.ELECTRONIC:
        conclude(case, actor=None, reference="电子送达")
    else:
        case.save(update_fields=base.DUE_FIELDS)


def _publish_decision(case: Case, license: License | None) -> None:
    """Owe the decision's webhook pushes in its transaction (exchange.webhooks): no
    personal data — the case, the item, the department, the outcome and the license id."""
    item_version = case.implementation_version.item_version
    assert case.decided_at is not None
    webhooks_publish(
        event=EventKind.CASE_DECIDED,
        item_code=item_version.item.basic_code,
        occurred_at=case.decided_at,
        data={
            "case_number": case.number,
            "item_code": item_version.item.basic_code,
            "item_name": item_version.name,
            "department": case.department.name,
            "outcome": case.decision,
            "decided_at": case.decided_at.isoformat(),
            "license_identifier": license.identifier if license is not None else None,
        },
    )


def _issue_license(case: Case) -> License:
    """The license the implementation version names, in the decision's transaction."""
    decided_on = clock.today()
    return license_issue(
        type_code=case.implementation_version.license_type_code,
        holder=case.applicant,
        enterprise=case.enterprise,
        issuer=case.department,
        case_id=case.pk,
        sources={
            "form": case.form_data,
            "case:number": case.number or "",
            "case:decided_on": decided_on.isoformat(),
            "department:name": case.department.name,
        },
        valid_from=decided_on,
    )


def _has_stages(case: Case) -> bool:
    """Whether acceptance created stages (即办件 are decided at the window without any)."""
    process = base.process_of(case)
    return process.case_kind != "instant" and bool(process.stages)


def conclude(case: Case, *, actor: User | None, reference: str) -> None:
    case.concluded_at = clock.now()
    case.delivery_reference = reference[:120]
    method = DeliveryMethod(case.delivery_method).label
    base.transition(
        case,
        CaseAction.CONCLUDE,
        actor=actor,
        summary=f"审批结果已{method}，办结",
        payload={"delivery_method": case.delivery_method},
        personal={"reference": reference},
        actor_role="system" if actor is None else "window_clerk",
    )
    notes = conclusion_notes(case) or ["欢迎对本次服务作出评价。"]
    base.notify_applicant(case, "已办结", f"审批结果已{method}，本件办结。{''.join(notes)}", kind=base.Notice.RESULT)


def inspection_create(case: Case, *, missing: list[str]) -> Task:
    """告知承诺: the follow-up check (核查) of the promise, with its own deadline."""
    process = base.process_of(case)
    task = Task.objects.create(
        case=case,
        key="commitment_check",
        name="告知承诺核查",
        kind=TaskKind.INSPECTION,
        role="reviewer",
        department_id=case.department_id,
        limit_days=process.inspection_limit_days,
        created_at=clock.now(),
    )
    base.clock_event(case, "start", task=task, days=process.inspection_limit_days, cause="activation")
    base.task_due_refresh(task)
    task.save(update_fields=["due_date", "warning_date"])
    base.record(
        case,
        verb=CaseVerb.INSPECTION_CREATED,
        actor=None,
        summary=f"生成告知承诺核查任务，应于 {due_text(task.due_date) if task.due_date else '期限内'} 前完成核查",
        payload={"task": task.pk, "limit_days": process.inspection_limit_days, "unproven_materials": len(missing)},
        personal={"unproven": "、".join(missing)},
    )
    todo = f"需核查的材料：{'、'.join(missing)}。" if missing else ""
    base.notify_staff(
        base.role_holders(case.department_id, ["reviewer"]),
        case,
        "新任务：告知承诺核查",
        f"申请人以告知承诺方式获批，请于 {due_text(task.due_date) if task.due_date else '期限内'} 前完成核查。{todo}",
    )
    return task


def revoke(case: Case, *, actor: User, reason: str) -> None:
    """A failed 核查 revokes the decision made on the promise."""
    case.revoked_at = clock.now()
    case.decision_remedies = list(base.REMEDIES)
    base.transition(
        case,
        CaseAction.REVOKE,
        actor=actor,
        summary="经核查，申请人承诺内容与实际不符，依法撤销许可决定",
        reason=reason,
        payload=base.disclosure_fields(case, decision_label="撤销许可"),
        actor_role="reviewer",
    )
    licenses_revoke_for_case(case_id=case.pk, actor=actor, reason=reason)
    base.notify_applicant(
        case,
        "许可决定已撤销",
        f"经核查，您的承诺与实际情况不符，原准予许可决定已撤销。理由：{reason} {'；'.join(base.REMEDIES)}。",
        sms=True,
    )
