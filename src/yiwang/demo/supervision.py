"""The demo's 电子监察: the default monitoring rules, published before any demo case (so the
cases, ratings and months of history that follow are watched as they happen and the hits name
the rule version in force), then 督办 on some of the hits in each state a supervisor meets:

| hit kind                        | 督办                                                      |
|---------------------------------|-----------------------------------------------------------|
| 受理与决定为同一人（历下区）    | sent by jn_supervisor, answered by the department, closed  |
| 同一办件第二次告知补正          | sent, answered, waiting for the supervisor to close        |
| 特别程序超出告知时限            | sent and still waiting for the department's answer         |

Other hits (late decisions, the decision at 21:30) stay without 督办, for the journey and a
newcomer to send one. Then every closed month of the history has its public figures published
in the ledger (ADR 0020), as the worker publishes each month once it has ended. Idempotent:
rules are published once; a hit that has a 督办 is skipped; a published month is not again.

考评: version 1 of KP-DEPT and KP-REGION published by the platform (as the upgrade step does),
and a draft version 2 of KP-DEPT from next month by jn_supervisor (好评率 weighs more), for
sd_supervisor to publish — the drafter may not (four eyes).
"""

import datetime as dt
from typing import Any

from django.db.models import Min

from yiwang.accounts.models import Role, StaffRole, User
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.dates import next_month
from yiwang.demo.cases import demo_anchor
from yiwang.supervision import eval_schemes, notices, publication, rules
from yiwang.supervision.eval_models import SchemeVersion
from yiwang.supervision.models import DailyFigures, DailyRatings
from yiwang.supervision.rule_models import RuleHit

PUBLISHER = "sd_supervisor"  # the province publishes the rules every region is watched by
SENDER = "jn_supervisor"
RULES_BEFORE_DAYS = 200  # calendar days before the anchor: before the oldest demo case
STORIES = [
    ("same_person_accepts_and_decides", "closed"),
    ("repeated_supplement", "answered"),
    ("suspension_longer_than_announced", "sent"),
]
TEXTS = {
    "same_person_accepts_and_decides": "该件受理与审批决定为同一人，请说明原因并落实受审分离。",
    "repeated_supplement": "同一办件两次告知补正，违反一次性告知要求，请核查并整改。",
    "suspension_longer_than_announced": "特别程序实际用时超出告知时限，请说明原因。",
}
ANSWERS = {
    "same_person_accepts_and_decides": "经核查，系窗口人员临时顶岗所致，已调整岗位设置，受理与决定分设两人。",
    "repeated_supplement": "已约谈经办人，补正告知改为一次性清单模板，经办人重新培训。",
}


def _user(username: str) -> User:
    return User.objects.get(username=username)


def load_rules() -> int:
    """Publish version 1 of each default rule, dated before the oldest demo case."""
    anchor = demo_anchor(working_calendar(), clock.today())
    with clock.frozen(dt.datetime.combine(anchor - dt.timedelta(days=RULES_BEFORE_DAYS), dt.time(10, 0))):
        return len(rules.ensure_default_rules(_user(PUBLISHER)))


DRAFT_V2 = {
    "on_time_rate": {"weight": 15},
    "commitment_rate": {"weight": 15},
    "compression": {"weight": 10, "target": 50},
    "online_rate": {"weight": 10},
    "good_rate": {"weight": 30},
    "rectification_rate": {"weight": 10},
    "notice_response_rate": {"weight": 10},
}


def load_schemes() -> int:
    """Version 1 of the 考评 schemes, and jn_supervisor's draft of KP-DEPT v2 (once)."""
    published = len(eval_schemes.ensure_default_schemes())
    drafter = _user(SENDER)
    if not SchemeVersion.objects.filter(scheme__code="KP-DEPT", drafted_by=drafter).exists():
        coming = f"{next_month(clock.today()):%Y-%m}"
        eval_schemes.scheme_version_draft(
            actor=drafter,
            scheme_code="KP-DEPT",
            indicators=DRAFT_V2,
            valid_from=coming,
            note="提高好评率权重，待省级监督人员复核发布",
        )
    return published


def _answerer(hit: RuleHit) -> User | None:
    posts = StaffRole.objects.filter(department_id=hit.department_id, role__in=[Role.HEAD, Role.APPROVER])
    post = posts.select_related("user").order_by("role", "user__username").first()
    return post.user if post else None


def load_notices() -> dict[str, Any]:
    """督办 on the first hit of each story kind that has none yet."""
    made = 0
    sender = _user(SENDER)
    for kind, state in STORIES:
        hits = RuleHit.objects.filter(rule_version__rule__kind=kind, notices__isnull=True).order_by("found_at", "id")
        hit = hits.select_related("department").first()
        if hit is None or hit.found_at is None:
            continue
        answerer = _answerer(hit)
        sent_at = max(hit.found_at, clock.now() - dt.timedelta(days=6))
        with clock.frozen(sent_at + dt.timedelta(hours=1)):
            notice = notices.notice_send(actor=sender, hit_id=hit.pk, text=TEXTS[kind])
        made += 1
        if state == "sent" or answerer is None:
            continue
        with clock.frozen(sent_at + dt.timedelta(days=1, hours=2)):
            notices.notice_answer(actor=answerer, notice_id=notice.pk, answer=ANSWERS[kind])
        if state == "closed":
            with clock.frozen(sent_at + dt.timedelta(days=2)):
                notices.notice_close(actor=sender, notice_id=notice.pk, note="整改到位，予以办结。")
    return {"notices": made, "hits": RuleHit.objects.count()}


def load_publications() -> int:
    """Publish each closed month from the oldest figure on (now, as the worker would have
    month by month); returns how many months were published now."""
    oldest = [model.objects.aggregate(day=Min("day"))["day"] for model in (DailyFigures, DailyRatings)]
    days = [day for day in oldest if day is not None]
    if not days:
        return 0
    month = min(days).replace(day=1)
    made = 0
    while publication.publishable(month):
        made += publication.publish_month(month) is not None
        month = next_month(month)
    return made
