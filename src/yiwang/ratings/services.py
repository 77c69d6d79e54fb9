"""Every write of 好差评: one service per verb, one transaction, a `RatingEvent` and a ledger
entry (docs/ratings.md). Interfaces (portal, workbench, API) only call these.

The rating's own ledger entry (`ratings.rated`, subject `rating:<case number>/<way>`) holds
in public the case, item, department, region, channel, grade and tags; the rater and the text
only as salted commitments (`checks.rating_matches_ledger` recomputes them), so a rating
changed behind the platform's back no longer matches its entry.
"""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from yiwang.accounts.models import StaffRole, User
from yiwang.cases.models import Case
from yiwang.cases.policy import Post
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.ledger.events import Domain, RatingVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.notifications.services import messages_enqueue_batch
from yiwang.ratings import policy, rules
from yiwang.ratings.hooks import rating_event_written
from yiwang.ratings.models import (
    BAD_GRADES,
    Addition,
    Appeal,
    Channel,
    Grade,
    NoticeToken,
    Rating,
    RatingEvent,
    Rectification,
    Revisit,
    channel_family,
)
from yiwang.ratings.workflow import AppealAction, HandlingAction, appeal_next_status, handling_next_status


def _event(verb: RatingVerb, rating: Rating, *, actor: User | None, payload: dict[str, Any], reason: str = "") -> int:
    subject = f"rating:{rating.pk}"
    entry = ledger_append(
        kind=event_type(Domain.RATINGS, verb).kind,
        subject=subject,
        payload=payload,
        personal={"text": reason} if reason else {},
    )
    event = RatingEvent.objects.create(
        verb=verb,
        actor=actor,
        subject=subject,
        rating=rating,
        payload=payload,
        reason=reason,
        at=entry.created_at,  # the leaf's own time: one clock reading (the audit ties them)
        ledger_entry_id=entry.pk,
    )
    rating_event_written(rating, event)
    return int(entry.pk)


def _check(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _text(value: Any, *, field: str, label: str, required: bool = True, max_length: int = rules.ANSWER_MAX) -> str:
    _check(rules.text_errors(value, field=field, label=label, required=required, max_length=max_length))
    return str(value).strip()


def _case(number: str | None) -> Case:
    case = (
        Case.objects.select_related("region", "department", "implementation_version__item_version__item")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound(f"办件 {number} 不存在。")
    return case


def _notify_responders(case: Case, subject: str, body: str, reference: str) -> None:
    staff = StaffRole.objects.filter(Post.covering(case), role__in=policy.RESPONDER_ROLES).select_related("user")
    users = {role.user_id: role.user for role in staff}
    messages_enqueue_batch(batch=[(user, subject, body) for user in users.values()], reference=reference)


def rating_payload(rating: Rating) -> dict[str, Any]:
    """The public part of a rating's ledger entry (no person, no text)."""
    return {
        "case": rating.case.number,
        "item": rating.implementation_version.item_version.item.basic_code,
        "department": rating.department.credit_code,
        "region": rating.region.code,
        "channel": rating.channel,
        "grade": rating.grade,
        "tags": list(rating.tags),
        "recorded": rating.recorded_by_id is not None,
    }


def rating_personal(rating: Rating) -> dict[str, str]:
    return {"rater": f"user:{rating.rater_id}", "text": rating.text}


def _rate(
    case: Case, *, rater: User, channel: Channel, grade: Any, tags: Any, text: Any, recorded_by: User | None = None
) -> Rating:
    """Inside the caller's transaction: the rating, its entry and, for a bad one, the deadline."""
    _check({**rules.grade_errors(grade), **rules.tags_errors(tags if tags is not None else [])})
    text = _text(text, field="text", label="评价内容", required=False, max_length=rules.TEXT_MAX)
    bad = grade in BAD_GRADES
    today = clock.today()
    rating = Rating(
        case=case,
        implementation_version_id=case.implementation_version_id,
        department_id=case.department_id,
        region_id=case.region_id,
        rater=rater,
        recorded_by=recorded_by,
        channel=channel,
        family=channel_family(channel),
        grade=grade,
        tags=list(tags or []),
        text=text,
        rated_at=clock.now(),
        handling=handling_next_status(None, HandlingAction.RATE_BAD if bad else HandlingAction.RATE_GOOD),
        response_due=working_calendar().add_working_days(today, settings.RATINGS_RESPONSE_DAYS) if bad else None,
    )
    if Rating.objects.filter(case=case, family=rating.family).exists():
        way = "一事一评" if rating.family == "online" else "每种方式一次"
        raise Conflict(f"办件 {case.number} 已经评价过（{way}），可以追加评价。")
    entry = ledger_append(
        kind=event_type(Domain.RATINGS, RatingVerb.RATED).kind,
        subject=f"rating:{case.number}/{rating.family}",
        payload=rating_payload(rating),
        personal=rating_personal(rating),
    )
    rating.ledger_entry_id = entry.pk
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:  # the same case rated twice at once
        raise Conflict(f"办件 {case.number} 已经评价过。") from exc
    event = RatingEvent.objects.create(
        verb=RatingVerb.RATED,
        actor=recorded_by or rater,
        subject=f"rating:{rating.pk}",
        rating=rating,
        payload={"grade": rating.grade},
        at=rating.rated_at,
        ledger_entry_id=entry.pk,
    )
    rating_event_written(rating, event)
    if bad:
        due = rating.response_due
        _notify_responders(
            case,
            f"【差评】办件 {case.number} 收到“{Grade(grade).label}”评价",
            f"请于 {due:%Y年%m月%d日} 前核实处理：立行立改、启动整改或解释说明。",
            reference=f"rating:{rating.pk}",
        )
    return rating


def rating_give(
    *, actor: User, case_number: str, grade: Any, tags: Any, text: Any, channel: Channel = Channel.PC
) -> Rating:
    """一事一评 by the applicant, logged in (PC or mobile)."""
    if channel not in (Channel.PC, Channel.MOBILE):
        raise ValidationFailed({"channel": ["评价渠道：登录评价只能是网上办事大厅或移动端"]})
    with transaction.atomic(durable=True):
        case = _case(case_number)
        policy.require_rater(actor, case)
        return _rate(case, rater=actor, channel=channel, grade=grade, tags=tags, text=text)


def rating_record_hotline(*, actor: User, case_number: str, grade: Any, tags: Any, text: Any) -> Rating:
    """A rating the 12345 hotline took from the applicant, recorded by a supervisor."""
    with transaction.atomic(durable=True):
        case = _case(case_number)
        policy.require_hotline_recorder(actor, case)
        return _rate(
            case, rater=case.applicant, channel=Channel.HOTLINE, grade=grade, tags=tags, text=text, recorded_by=actor
        )


# --- links without login: the conclusion notice and the hall tablet -------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rating_link_issue(case: Case, *, channel: Channel, hours: int) -> str:
    """A one-time token standing for the applicant on `channel` (inside the caller's transaction)."""
    token = secrets.token_urlsafe(24)
    now = clock.now()
    NoticeToken.objects.update_or_create(
        case=case,
        channel=channel,
        defaults={
            "digest": _digest(token),
            "created_at": now,
            "expires_at": now + dt.timedelta(hours=hours),
            "used_at": None,
        },
    )
    return token


def hall_link_issue(*, actor: User, case_number: str) -> str:
    """The hall tablet's link, issued by the window clerk right after serving (valid 2 hours)."""
    with transaction.atomic(durable=True):
        case = _case(case_number)
        policy.require_rateable(case)
        policy.require_window_clerk(actor, case)
        return rating_link_issue(case, channel=Channel.HALL_TABLET, hours=2)


def case_of_link(token: str) -> NoticeToken:
    """The link's row if it is known, unused, in time and its case not yet rated that way;
    else a plain refusal."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise NotFound("评价链接无效。")
    found = NoticeToken.objects.select_related("case").filter(digest=_digest(token)).first()
    if found is None:
        raise NotFound("评价链接无效。")
    if found.used_at is not None:
        raise Conflict("该评价链接已经使用过。如需补充，请登录后在办件页追加评价。")
    if found.expires_at < clock.now():
        raise Conflict("该评价链接已过期。请登录后在办件页评价。")
    if Rating.objects.filter(case_id=found.case_id, family=channel_family(found.channel)).exists():
        raise Conflict("该办件已经评价过。如需补充，请登录后在办件页追加评价。")
    return found


def rating_give_by_link(*, token: str, grade: Any, tags: Any, text: Any) -> Rating:
    with transaction.atomic(durable=True):
        link = case_of_link(token)
        link = NoticeToken.objects.select_for_update().select_related("case").get(pk=link.pk)
        if link.used_at is not None:
            raise Conflict("该评价链接已经使用过。")
        case = _case(link.case.number)
        policy.require_rateable(case)
        rating = _rate(case, rater=case.applicant, channel=Channel(link.channel), grade=grade, tags=tags, text=text)
        link.used_at = clock.now()
        link.save(update_fields=["used_at"])
        return rating


# --- the rater afterwards ---------------------------------------------------------------------------


def _locked(rating_id: int) -> Rating:
    found = (
        Rating.objects.select_for_update(of=("self",))
        .select_related("case__region", "department", "implementation_version__item_version__item")
        .filter(pk=rating_id)
        .first()
    )
    if found is None:
        raise NotFound("评价不存在。")
    return found


def rating_add(*, actor: User, rating_id: int, text: Any) -> Addition:
    """追评 within RATINGS_ADDITION_DAYS of the rating."""
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_own_rating(actor, rating)
        if clock.now() > rating.rated_at + dt.timedelta(days=settings.RATINGS_ADDITION_DAYS):
            raise Conflict(f"评价后 {settings.RATINGS_ADDITION_DAYS} 天内可以追加评价，已超过期限。")
        text = _text(text, field="text", label="追评内容", max_length=rules.TEXT_MAX)
        entry = _event(
            RatingVerb.ADDED, rating, actor=actor, payload={"addition": rating.additions.count() + 1}, reason=text
        )
        return Addition.objects.create(rating=rating, text=text, at=clock.now(), ledger_entry_id=entry)


def rectification_rate(*, actor: User, rating_id: int, grade: Any, text: Any) -> Rating:
    """The rater's second rating, of what the department did about the bad review."""
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_own_rating(actor, rating)
        if rating.handling not in ("fixed", "rectified"):
            raise Conflict("差评整改完成（或立行立改）后才能评价整改结果。")
        if rating.second_grade is not None:
            raise Conflict("整改结果已经评价过。")
        _check(rules.grade_errors(grade))
        rating.second_text = _text(text, field="text", label="评价内容", required=False, max_length=rules.TEXT_MAX)
        rating.second_grade = grade
        rating.second_rated_at = clock.now()
        rating.save(update_fields=["second_grade", "second_text", "second_rated_at"])
        _event(RatingVerb.RECTIFICATION_RATED, rating, actor=actor, payload={"grade": grade}, reason=rating.second_text)
        return rating


# --- the department's answer ---------------------------------------------------------------------


def _move(
    rating: Rating, action: HandlingAction, verb: RatingVerb, *, actor: User, text: str, payload: dict[str, Any]
) -> None:
    rating.handling = handling_next_status(rating.handling, action)
    rating.save(update_fields=["handling"])
    _event(verb, rating, actor=actor, payload={"handling": rating.handling, **payload}, reason=text)


def rating_fix(*, actor: User, rating_id: int, how: Any) -> Rating:
    """立行立改: fixed at once, saying how."""
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_responder(actor, rating)
        text = _text(how, field="how", label="整改情况")
        _move(rating, HandlingAction.FIX, RatingVerb.FIXED, actor=actor, text=text, payload={})
        _tell_rater(rating, "您的差评已立行立改", text)
    return rating


def rating_explain(*, actor: User, rating_id: int, explanation: Any) -> Rating:
    """The request has no legal basis: say why (the rating still counts)."""
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_responder(actor, rating)
        text = _text(explanation, field="explanation", label="解释说明")
        _move(rating, HandlingAction.EXPLAIN, RatingVerb.EXPLAINED, actor=actor, text=text, payload={})
        _tell_rater(rating, "关于您的差评的解释说明", text)
    return rating


def rating_rectify(*, actor: User, rating_id: int, plan: Any, days: Any) -> Rectification:
    """Open a rectification due in 5, 7 or 15 working days."""
    if days not in rules.RECTIFICATION_DAYS:
        raise ValidationFailed({"days": ["整改期限：请选择 5、7 或 15 个工作日"]})
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_responder(actor, rating)
        text = _text(plan, field="plan", label="整改措施")
        today = clock.today()
        due = working_calendar().add_working_days(today, days)
        _move(
            rating,
            HandlingAction.RECTIFY,
            RatingVerb.RECTIFICATION_OPENED,
            actor=actor,
            text=text,
            payload={"days": days, "due_on": due.isoformat()},
        )
        rectification = Rectification.objects.create(
            rating=rating, plan=text, days=days, due_on=due, opened_by=actor, opened_at=clock.now()
        )
        _tell_rater(rating, "您的差评已启动整改", f"{text}（整改期限 {due:%Y年%m月%d日}）")
    return rectification


def rectification_close(*, actor: User, rating_id: int, result: Any) -> Rectification:
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_responder(actor, rating)
        text = _text(result, field="result", label="整改结果")
        rectification = Rectification.objects.select_for_update().get(rating=rating)
        _move(
            rating,
            HandlingAction.CLOSE,
            RatingVerb.RECTIFIED,
            actor=actor,
            text=text,
            payload={"late": clock.today() > rectification.due_on},
        )
        rectification.result = text
        rectification.closed_by = actor
        rectification.closed_at = clock.now()
        rectification.save(update_fields=["result", "closed_by", "closed_at"])
        _tell_rater(rating, "您的差评整改已完成，欢迎评价整改结果", text)
    return rectification


def rating_revisit(*, actor: User, rating_id: int, way: Any, outcome: Any) -> Revisit:
    """回访 of the author of a bad review (every real-name bad review gets one)."""
    if way not in ("phone", "visit", "online"):
        raise ValidationFailed({"way": ["回访方式：请选择 电话、上门 或 在线"]})
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_responder(actor, rating)
        if not rating.is_bad:
            raise Conflict("只对差评进行回访。")
        text = _text(outcome, field="outcome", label="回访情况")
        _event(RatingVerb.REVISITED, rating, actor=actor, payload={"way": way}, reason=text)
        return Revisit.objects.create(rating=rating, by=actor, way=way, outcome=text, at=clock.now())


def _tell_rater(rating: Rating, subject: str, body: str) -> None:
    messages_enqueue_batch(
        batch=[(rating.rater, f"【办件 {rating.case.number}】{subject}", body[:500])],
        reference=f"case:{rating.case.number}",
    )


# --- appeals -----------------------------------------------------------------------------------------


def appeal_file(*, actor: User, rating_id: int, reason: Any) -> Appeal:
    with transaction.atomic(durable=True):
        rating = _locked(rating_id)
        policy.require_appellant(actor, rating)
        if rating.excluded:
            raise Conflict("该评价已经申诉成立，不计入统计。")
        text = _text(reason, field="reason", label="申诉理由")
        if rating.appeals.filter(status="filed").exists():
            raise Conflict("该评价已有待复核的申诉。")
        appeal = Appeal.objects.create(
            rating=rating,
            status=appeal_next_status(None, AppealAction.FILE),
            reason=text,
            filed_by=actor,
            filed_at=clock.now(),
        )
        _event(RatingVerb.APPEAL_FILED, rating, actor=actor, payload={"appeal": appeal.pk}, reason=text)
        return appeal


def appeal_decide(*, actor: User, appeal_id: int, uphold: bool, decision: Any) -> Appeal:
    """A supervisor upholds (the rating is excluded from the figures, never deleted) or dismisses."""
    with transaction.atomic(durable=True):
        appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound("申诉不存在。")
        rating = _locked(appeal.rating_id)
        policy.require_appeal_judge(actor, rating)
        if appeal.filed_by_id == actor.pk:
            raise PermissionDenied("申诉人不能复核自己的申诉（职责分离）。")
        text = _text(decision, field="decision", label="复核意见")
        action = AppealAction.UPHOLD if uphold else AppealAction.DISMISS
        appeal.status = appeal_next_status(appeal.status, action)
        appeal.decided_by, appeal.decided_at, appeal.decision = actor, clock.now(), text
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision"])
        if uphold:
            rating.excluded = True
            rating.save(update_fields=["excluded"])
        verb = RatingVerb.APPEAL_UPHELD if uphold else RatingVerb.APPEAL_DISMISSED
        _event(verb, rating, actor=actor, payload={"appeal": appeal.pk, "excluded": rating.excluded}, reason=text)
        return appeal


# --- deadlines ---------------------------------------------------------------------------------------


def ratings_warn_overdue(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Bad reviews unanswered past their day and rectifications open past theirs: one event and
    a notice to the department each, once (idempotent; the daily job)."""
    today = today or clock.today()
    warned = 0
    with transaction.atomic(durable=True):
        late = (
            Rating.objects.select_for_update(of=("self",))
            .filter(handling="pending", response_due__lt=today, response_overdue_noticed=False, excluded=False)
            .select_related("case__region", "department")[:limit]
        )
        for rating in late:
            rating.response_overdue_noticed = True
            rating.save(update_fields=["response_overdue_noticed"])
            due = rating.response_due or today
            _event(RatingVerb.RESPONSE_OVERDUE, rating, actor=None, payload={"due": due.isoformat()})
            _notify_responders(
                rating.case,
                f"【差评超期】办件 {rating.case.number} 的差评未按期处理",
                f"核实处理期限为 {due:%Y年%m月%d日}，请尽快处理。",
                f"rating:{rating.pk}",
            )
            warned += 1
        open_late = (
            Rectification.objects.select_for_update(of=("self",))
            .filter(closed_at__isnull=True, due_on__lt=today, overdue_noticed=False)
            .select_related("rating__case__region", "rating__department")[:limit]
        )
        for rectification in open_late:
            rectification.overdue_noticed = True
            rectification.save(update_fields=["overdue_noticed"])
            rating = rectification.rating
            _event(
                RatingVerb.RECTIFICATION_OVERDUE,
                rating,
                actor=None,
                payload={"due_on": rectification.due_on.isoformat()},
            )
            _notify_responders(
                rating.case,
                f"【整改超期】办件 {rating.case.number} 的差评整改已超期",
                f"整改期限为 {rectification.due_on:%Y年%m月%d日}，请尽快完成整改。",
                f"rating:{rating.pk}",
            )
            warned += 1
    return warned
