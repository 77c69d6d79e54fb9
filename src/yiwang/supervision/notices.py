"""督办 (supervision notices): a supervisor asks a department to act, with a working-day
deadline; the department answers; the supervisor closes or reopens; the daily sweep
escalates one left unanswered past its deadline to the supervisors of the region above.
Each step is one service, one transaction, a `SupervisionEvent` with its ledger entry and a
notice to the receiving side (docs/supervision.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from yiwang.accounts.models import Department, Region, Role, StaffRole, User
from yiwang.cases.models import Case
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.ledger.events import SupervisionVerb
from yiwang.notifications.services import messages_enqueue_batch
from yiwang.supervision import policy
from yiwang.supervision.rule_models import RuleHit, SupervisionNotice
from yiwang.supervision.rule_workflow import NoticeAction, NoticeStatus, notice_next_status
from yiwang.supervision.rules import clean_days, clean_text, collect_errors, record_event

DEFAULT_RESPONSE_DAYS = 3
TEXT_MAX = 1000
SUBJECT_MAX = 60


def _subject(notice: SupervisionNotice) -> str:
    return f"notice:{notice.pk}"


def _payload(notice: SupervisionNotice, **extra: Any) -> dict[str, Any]:
    return {
        "notice": notice.pk,
        "status": notice.status,
        "department": notice.department.credit_code,
        "deadline": notice.deadline.isoformat(),
        "hit": notice.hit_id,
        **extra,
    }


def _tell(users: list[User], subject: str, body: str, notice: SupervisionNotice) -> None:
    unique = {u.pk: u for u in users}
    messages_enqueue_batch(batch=[(u, subject, body[:500]) for u in unique.values()], reference=f"notice:{notice.pk}")


def _answerers(notice: SupervisionNotice) -> list[User]:
    rows = StaffRole.objects.filter(department_id=notice.department_id, role__in=policy.ANSWER_ROLES)
    return [r.user for r in rows.select_related("user")]


def _supervisors_of(region: Region) -> list[User]:
    rows = StaffRole.objects.filter(role=Role.SUPERVISOR, department__region=region).select_related("user")
    return [r.user for r in rows]


def _deadline(days: int) -> dt.date:
    return working_calendar().add_working_days(clock.today(), days)


def _locked(notice_id: int) -> SupervisionNotice:
    found = (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("department", "region", "case", "sent_by")
        .filter(pk=notice_id)
        .first()
    )
    if found is None:
        raise NotFound("督办不存在。")
    return found


def _target(
    actor: User, hit_id: int | None, case_number: Any, department_id: Any
) -> tuple[RuleHit | None, Case | None, Department, Region, int]:
    """What a 督办 is about: (hit, case, department, region, default response days). A free-standing
    one names a case (its department) or a department; a case outside the supervisor's
    regions reads as one that does not exist, a department outside them is refused."""
    if hit_id is not None:
        hit = (
            RuleHit.objects.select_related("rule", "rule_version", "department", "region", "case")
            .filter(pk=hit_id)
            .first()
        )
        if hit is None:
            raise NotFound("规则命中不存在。")
        return hit, hit.case, hit.department, hit.region, hit.rule_version.response_days
    department: Department | None = None
    if department_id not in (None, ""):
        known = isinstance(department_id, int) and not isinstance(department_id, bool)
        department = Department.objects.select_related("region").filter(pk=department_id).first() if known else None
        if department is None:
            raise ValidationFailed({"department": ["督办部门：没有这个部门，请从列表中选择"]})
    case: Case | None = None
    if case_number not in (None, ""):
        plain = isinstance(case_number, str) and len(case_number) <= 40 and case_number.isascii()
        plain = plain and case_number.replace("-", "").isalnum()
        case = Case.objects.select_related("department", "region").filter(number=case_number).first() if plain else None
        if case is None or not policy.supervises(actor, case.region):
            raise ValidationFailed({"case": ["办件编号：没有这个办件或不在您的监察范围内"]})
        if department is not None and department.pk != case.department_id:
            raise ValidationFailed({"department": [f"督办部门：办件 {case.number} 由{case.department.name}办理"]})
        department = case.department
    if department is None:
        raise ValidationFailed({"department": ["督办部门：请选择部门"]})
    region = case.region if case is not None else department.region
    return None, case, department, region, DEFAULT_RESPONSE_DAYS


def notice_send(
    *,
    actor: User,
    text: Any,
    subject: Any = "",
    hit_id: int | None = None,
    case_number: Any = None,
    department_id: Any = None,
    response_days: Any = None,
) -> SupervisionNotice:
    """督办 from a hit (its department and case, the rule as the subject; the deadline from
    the rule version's response days), or free-standing on a case or a department of the
    supervisor's regions, with a subject (default 3 working days). Side effects: event,
    ledger entry, notice to the department's head and approvers."""
    errors: dict[str, list[str]] = {}
    required = hit_id is None
    subject = collect_errors(
        errors,
        lambda: clean_text(subject, field="subject", label="督办主题", required=required, max_length=SUBJECT_MAX),
    )
    text = collect_errors(errors, lambda: clean_text(text, field="text", label="督办事项", max_length=TEXT_MAX))
    days = None
    if response_days not in (None, ""):
        days = collect_errors(errors, lambda: clean_days(response_days))
    with transaction.atomic(durable=True):
        target = collect_errors(errors, lambda: _target(actor, hit_id, case_number, department_id))
        if target is None:  # every field's message at once
            raise ValidationFailed(errors)
        hit, case, department, region, default_days = target
        policy.require_supervisor_of(actor, region)
        if errors:
            raise ValidationFailed(errors)
        days = days or default_days
        notice = SupervisionNotice.objects.create(
            hit=hit,
            case=case,
            department=department,
            region=region,
            subject=subject or (f"{hit.rule.code} {hit.rule.name}"[:SUBJECT_MAX] if hit else ""),
            text=text,
            status=notice_next_status(None, NoticeAction.SEND),
            response_days=days,
            deadline=_deadline(days),
            sent_by=actor,
            sent_at=clock.now(),
        )
        record_event(
            SupervisionVerb.NOTICE_SENT,
            _subject(notice),
            actor=actor,
            payload=_payload(notice, case=case.number if case else None, days=days),
            reason=text,
            personal={"subject": notice.subject},
            notice=notice,
            hit=hit,
        )
        about = f"（办件 {case.number}）" if case else ""
        _tell(
            _answerers(notice),
            f"【督办】{notice.code} {notice.subject}{about}"[:120],
            f"{text}\n请于 {notice.deadline:%Y年%m月%d日} 前答复整改情况。",
            notice,
        )
        return notice


def notice_answer(*, actor: User, notice_id: int, answer: Any) -> SupervisionNotice:
    """The department says what was done (also after escalation)."""
    with transaction.atomic(durable=True):
        notice = _locked(notice_id)
        policy.require_answerer(actor, notice)
        text = clean_text(answer, field="answer", label="答复（整改情况）", max_length=TEXT_MAX)
        notice.status = notice_next_status(notice.status, NoticeAction.ANSWER)
        notice.answer, notice.answered_by, notice.answered_at = text, actor, clock.now()
        notice.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        late = clock.today() > notice.deadline
        record_event(
            SupervisionVerb.NOTICE_ANSWERED,
            _subject(notice),
            actor=actor,
            payload=_payload(notice, late=late),
            reason=text,
            notice=notice,
        )
        to = [notice.sent_by, *(_supervisors_of(notice.escalated_to) if notice.escalated_to else [])]
        _tell(to, f"【督办已答复】{notice.code}", f"{notice.department.name}答复：{text}", notice)
        return notice


def notice_close(*, actor: User, notice_id: int, note: Any = "") -> SupervisionNotice:
    """The supervisor accepts the answer."""
    with transaction.atomic(durable=True):
        notice = _locked(notice_id)
        policy.require_supervisor_of(actor, notice.region)
        text = clean_text(note, field="note", label="办结意见", required=False, max_length=TEXT_MAX)
        notice.status = notice_next_status(notice.status, NoticeAction.CLOSE)
        notice.closed_by, notice.closed_at = actor, clock.now()
        notice.save(update_fields=["status", "closed_by", "closed_at"])
        record_event(
            SupervisionVerb.NOTICE_CLOSED,
            _subject(notice),
            actor=actor,
            payload=_payload(notice),
            reason=text,
            notice=notice,
        )
        _tell(_answerers(notice), f"【督办办结】{notice.code}", text or "督办已办结。", notice)
        return notice


def notice_reopen(*, actor: User, notice_id: int, reason: Any, response_days: Any = None) -> SupervisionNotice:
    """Back to the department (sent) with a new deadline, saying why."""
    with transaction.atomic(durable=True):
        notice = _locked(notice_id)
        policy.require_supervisor_of(actor, notice.region)
        text = clean_text(reason, field="reason", label="重新办理理由", max_length=TEXT_MAX)
        days = notice.response_days if response_days in (None, "") else clean_days(response_days)
        notice.status = notice_next_status(notice.status, NoticeAction.REOPEN)
        notice.response_days, notice.deadline = days, _deadline(days)
        notice.save(update_fields=["status", "response_days", "deadline"])
        record_event(
            SupervisionVerb.NOTICE_REOPENED,
            _subject(notice),
            actor=actor,
            payload=_payload(notice, days=days),
            reason=text,
            notice=notice,
        )
        _tell(
            _answerers(notice),
            f"【督办重新办理】{notice.code}",
            f"{text}\n请于 {notice.deadline:%Y年%m月%d日} 前重新答复。",
            notice,
        )
        return notice


def escalation_target(region: Region) -> Region:
    """Where an overdue 督办 goes: the nearest region above with a supervisor post; the top
    region (the province) when none has one; the region itself at the top."""
    nearest_first = list(reversed(region.ancestors()))
    for candidate in nearest_first:
        if StaffRole.objects.filter(role=Role.SUPERVISOR, department__region=candidate).exists():
            return candidate
    return nearest_first[-1] if nearest_first else region


def notices_escalate_overdue(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Sent 督办 past their deadline: escalated once each to the region above (the daily job)."""
    today = today or clock.today()
    escalated = 0
    with transaction.atomic(durable=True):
        late = (
            SupervisionNotice.objects.select_for_update(of=("self",))
            .filter(Q(status=NoticeStatus.SENT), deadline__lt=today)
            .select_related("department", "region__parent")[:limit]
        )
        for notice in late:
            target = escalation_target(notice.region)
            notice.status = notice_next_status(notice.status, NoticeAction.ESCALATE)
            notice.escalated_to, notice.escalated_at = target, clock.now()
            notice.save(update_fields=["status", "escalated_to", "escalated_at"])
            record_event(
                SupervisionVerb.NOTICE_ESCALATED,
                _subject(notice),
                actor=None,
                payload=_payload(notice, escalated_to=target.code),
                notice=notice,
            )
            body = f"{notice.department.name}未在 {notice.deadline:%Y年%m月%d日} 前答复督办：{notice.text}"
            _tell([*_supervisors_of(target), *_answerers(notice)], f"【督办逾期升级】{notice.code}", body, notice)
            escalated += 1
    return escalated
