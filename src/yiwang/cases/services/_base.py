"""What every case service shares: locking, transitions with their event + ledger entry,
clock events, notifications and remedies. Internal: interfaces call the public services.

All of these run inside the calling service's durable transaction.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from yiwang.accounts.models import Role, StaffRole, User
from yiwang.cases.deadlines import case_due_refresh, clock_cache_clear, clock_written, task_due_refresh
from yiwang.cases.hooks import event_written
from yiwang.cases.models import Case, CaseEvent, ClockEvent, Task
from yiwang.cases.policy import Post
from yiwang.cases.services.bundle_notices import Notice, part_notice_note
from yiwang.cases.workflow import CaseAction, TaskAction, TaskStatus, case_next_status, task_next_status
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.process import ProcessDefinition
from yiwang.catalog.selectors import pinned_version
from yiwang.core import clock
from yiwang.ledger.events import CaseVerb, Domain, event_type
from yiwang.ledger.services import ledger_append
from yiwang.notifications.models import Channel
from yiwang.notifications.services import message_enqueue, messages_enqueue_batch

# Remedies open to an applicant against an adverse decision (行政复议法 第二十条 60 日;
# 行政诉讼法 第四十六条 6 个月), shown with every refusal, denial and revocation.
REMEDIES = [
    "如不服本决定，可以自知道该决定之日起 60 日内依法申请行政复议",
    "也可以自知道或者应当知道该决定之日起 6 个月内依法向人民法院提起行政诉讼",
]


# What a service reads of a case besides the row itself (only the case row is locked); the
# pinned implementation version comes from the catalog's per-process copy.
CASE_RELATED = ("department", "region", "enterprise", "applicant", "intake_department")


def lock_case(case: Case | int) -> Case:
    """Re-read the case under a row lock (SELECT … FOR UPDATE OF the case row on PostgreSQL),
    with what the services read of it. The caller's copy forgets its clock ledger: the
    service is about to change it through the locked copy."""
    if isinstance(case, Case):
        clock_cache_clear(case)
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update(of=("self",)).select_related(*CASE_RELATED).get(pk=pk)
    locked.implementation_version = pinned_version(locked.implementation_version_id)
    return locked


def lock_task(task: Task | int, *, case: Case | None = None) -> Task:
    pk = task.pk if isinstance(task, Task) else task
    locked = Task.objects.select_for_update(of=("self",)).select_related("department", "stage").get(pk=pk)
    if case is not None and locked.case_id == case.pk:
        locked.case = case
    return locked


def process_of(case: Case) -> ProcessDefinition:
    """The pinned process, parsed once per version object (a service asks several times)."""
    version = case.implementation_version
    parsed = version.__dict__.get("_parsed_process")
    if parsed is None:
        parsed = version.__dict__["_parsed_process"] = ProcessDefinition.model_validate(version.process)
    return parsed  # type: ignore[no-any-return]


def form_of(case: Case) -> FormSchema:
    version = case.implementation_version
    parsed = version.__dict__.get("_parsed_form")
    if parsed is None:
        parsed = version.__dict__["_parsed_form"] = FormSchema.model_validate(version.form_schema)
    return parsed  # type: ignore[no-any-return]


def item_name(case: Case) -> str:
    return case.implementation_version.item_version.name


def record(
    case: Case,
    *,
    verb: CaseVerb,
    actor: User | None,
    summary: str,
    from_status: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    personal: dict[str, str] | None = None,
    actor_role: str = "",
) -> CaseEvent:
    """Write the CaseEvent and its ledger entry, by a verb of the event catalogue.

    The ledger payload carries only what is not personal (states, ids, codes, dates,
    counts); free text (reasons, opinions: they may name people) and form values go into
    `personal`, which the ledger stores as salted commitments.
    """
    payload = payload or {}
    secrets = {k: v for k, v in (personal or {}).items() if v}
    if reason:
        secrets["reason"] = reason
    ledger_payload = {
        "verb": str(verb),
        "from": from_status,
        "to": case.status,
        "department": case.department.credit_code,
        "implementation_version": case.implementation_version_id,
        "actor_role": actor_role or ("system" if actor is None else ""),
        **payload,
    }
    kind = event_type(Domain.CASES, verb).kind  # an uncatalogued verb fails before anything is written
    entry = ledger_append(kind=kind, subject=case.subject, payload=ledger_payload, personal=secrets)
    event = CaseEvent.objects.create(
        case=case,
        verb=verb,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_role=actor_role,
        summary=summary[:500],
        reason=reason,
        payload=payload,
        at=entry.created_at,  # the leaf's own time: one clock reading (the audit ties them)
        ledger_entry_id=entry.pk,
    )
    event_written(case, event)
    return event


def disclosure_fields(case: Case, *, decision_label: str) -> dict[str, Any]:
    """What 阳光审批 publishes of a decision, in the ledger leaf itself (so readers verify what
    they read): item, department, decision, date; the holder only for enterprises (register
    data is public); a natural person is never named."""
    return {
        "case_number": case.number,
        "item_name": item_name(case),
        "department_name": case.department.name,
        "decision_label": decision_label,
        "decided_on": clock.today().isoformat(),
        "holder": case.enterprise.name if case.enterprise is not None else None,
    }


def transition(
    case: Case,
    action: CaseAction,
    *,
    actor: User | None,
    summary: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    personal: dict[str, str] | None = None,
    actor_role: str = "",
) -> CaseEvent:
    """Apply `action` by the transition table (Conflict if forbidden), save, record."""
    before = case.status
    case.status = case_next_status(before, action)
    case.updated_at = clock.now()
    case.save()
    return record(
        case,
        verb=CaseVerb(action.value),
        actor=actor,
        summary=summary,
        from_status=before,
        reason=reason,
        payload=payload,
        personal=personal,
        actor_role=actor_role,
    )


def clock_event(
    case: Case,
    kind: str,
    *,
    task: Task | None = None,
    on: dt.date | None = None,
    days: int | None = None,
    cause: str = "",
    note: str = "",
    expected_days: int | None = None,
) -> ClockEvent:
    row = ClockEvent.objects.create(
        case=case,
        task=task,
        kind=kind,
        on=on or clock.today(),
        days=days,
        cause=cause,
        note=note[:200],
        expected_days=expected_days,
        at=clock.now(),
    )
    clock_written(case, row)
    return row


def open_tasks(case: Case, *, kinds: Iterable[str] | None = None) -> QuerySet[Task]:
    tasks = Task.objects.filter(case=case, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
    if kinds is not None:
        tasks = tasks.filter(kind__in=list(kinds))
    return tasks


def pause_clocks(case: Case, *, cause: str, note: str = "", expected_days: int | None = None) -> None:
    """Pause the case clock and the clocks of its open review/decision tasks."""
    clock_event(case, "pause", cause=cause, note=note, expected_days=expected_days)
    for task in open_tasks(case, kinds=["review", "decision"]):
        clock_event(case, "pause", task=task, cause=cause, note=note, expected_days=expected_days)
        task_due_refresh(task)
        task.save(update_fields=["due_date", "warning_date"])
    refresh_case_due(case)


def resume_clocks(case: Case, *, cause: str) -> None:
    clock_event(case, "resume", cause=cause)
    for task in open_tasks(case, kinds=["review", "decision"]):
        clock_event(case, "resume", task=task, cause=cause)
        task_due_refresh(task)
        task.save(update_fields=["due_date", "warning_date"])
    refresh_case_due(case)


DUE_FIELDS = ["due_date", "committed_due_date", "warning_date"]


def refresh_case_due(case: Case, *, save: bool = True) -> None:
    """Recompute the case's due dates from its clock ledger; `save=False` when the caller
    writes the row itself before the transaction ends (`DUE_FIELDS`, or a whole-row save)."""
    case_due_refresh(case)
    if save:
        case.save(update_fields=DUE_FIELDS)


def stop_task(task: Task, action: TaskAction, *, cause: str) -> None:
    """End a task by a completing action or cancel: its next status by the task table
    (Conflict on a forbidden pair), then stop its clock."""
    task.status = task_next_status(task.kind, task.status, action)
    task.completed_at = clock.now()
    clock_event(task.case, "stop", task=task, cause=cause)
    task_due_refresh(task)
    task.save(update_fields=["status", "assignee", "claimed_at", "completed_at", "opinion", "due_date", "warning_date"])


# --- who is told -------------------------------------------------------------------------


def window_clerks_for(case: Case) -> list[User]:
    """The clerks of the case's department and of its region's 行政审批服务局 windows (each
    once; read through their posts: a DISTINCT over users joined to posts plans slowly)."""
    posts = StaffRole.objects.filter(Post.covering(case), role=Role.WINDOW_CLERK).select_related("user")
    return list({post.user_id: post.user for post in posts.order_by("user_id")}.values())


def role_holders(department_id: int, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(staff_roles__department_id=department_id, staff_roles__role__in=list(roles)).distinct()


def holders_by_post(posts: Iterable[tuple[int, str]]) -> dict[tuple[int, str], list[User]]:
    """Who holds each (department id, role), in one query."""
    wanted = set(posts)
    found: dict[tuple[int, str], list[User]] = {post: [] for post in wanted}
    if not wanted:
        return found
    held = StaffRole.objects.filter(department_id__in={d for d, _ in wanted}, role__in={r for _, r in wanted})
    for staff_role in held.select_related("user").order_by("user_id"):
        post = (staff_role.department_id, staff_role.role)
        if post in found:
            found[post].append(staff_role.user)
    return found


def notify_applicant(
    case: Case,
    subject: str,
    body: str,
    *,
    sms: bool = False,
    reference: str = "",
    kind: Notice = Notice.ACTION,
) -> None:
    """Tell the applicant (in-app and e-mail; also by SMS for what they must know or do).
    E-mail and SMS go only to applicants who keep them on and have an address for them.
    The message links the case unless `reference` names something else (e.g. `license:…`).
    A part of a bundle (一件事) is told only what the bundle does not tell (`bundle_notices`)."""
    note = part_notice_note(case, kind)
    if note is None:
        return
    body = f"{body}{note}"
    channels = [Channel.IN_APP, Channel.EMAIL, Channel.SMS] if sms else [Channel.IN_APP, Channel.EMAIL]
    message_enqueue(
        recipient=case.applicant,
        subject=f"【{item_name(case)}】{subject}",
        body=f"办件编号 {case.label}：{body}",
        channels=channels,
        reference=reference or case.subject,
    )


def notify_staff(users: Iterable[User], case: Case, subject: str, body: str) -> None:
    notify_staff_batch(case, [(users, subject, body)])


def notify_staff_batch(case: Case, notices: Iterable[tuple[Iterable[User], str, str]]) -> None:
    """Several staff notices about `case` (users, subject, body) in one outbox INSERT."""
    messages_enqueue_batch(
        batch=[
            (user, f"【{case.label}】{subject}", f"{item_name(case)}（办件编号 {case.label}）：{body}")
            for users, subject, body in notices
            for user in users
        ],
        reference=case.subject,
    )
