"""The rule kinds implemented in code: what each looks at, its params with their bounds, and
its evaluator (docs/supervision.md, "Monitoring rules and 督办").

A per-event kind names the case verbs it watches; the observer (`rules.observe`) reads
nothing for an event no published rule watches. Its evaluator gets the case, the event just
written and the version's params, and returns the facts of a hit (what was seen: actor ids,
times, counts) or None. A periodic kind is evaluated by the daily sweep instead.
Evaluators read only; `rules` writes the hit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from yiwang.cases.deadlines import case_clock_state
from yiwang.cases.models import Case, CaseEvent
from yiwang.core.calendar import working_calendar
from yiwang.core.workdays import YearNotConfigured
from yiwang.ledger.events import CaseVerb

Facts = dict[str, Any]
Evaluator = Callable[[Case, CaseEvent, Mapping[str, Any]], Facts | None]


@dataclass(frozen=True)
class Param:
    """A whole-number param (the ledger's canonical JSON has no floats: ratios are percent)."""

    label: str
    default: int
    low: int
    high: int

    def errors(self, name: str, value: Any) -> list[str]:
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{self.label}（{name}）：应为整数"]
        if not self.low <= value <= self.high:
            return [f"{self.label}（{name}）：应在 {self.low} 到 {self.high} 之间"]
        return []


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    description: str
    params: dict[str, Param] = field(default_factory=dict)
    verbs: frozenset[str] = frozenset()  # per-event kinds: the case verbs watched
    evaluate: Evaluator | None = None
    periodic: bool = False

    def defaults(self) -> dict[str, int]:
        return {name: spec.default for name, spec in self.params.items()}


DECISIONS = frozenset({CaseVerb.APPROVE, CaseVerb.DENY})
ACCEPTANCES = (CaseVerb.ACCEPT, CaseVerb.DEEM_ACCEPT)
# Verbs after which the case's due date may lawfully move (the clock starts, pauses,
# resumes or is extended; the service refreshes the due date around its event). A decision
# or a withdrawal stops the clock, which keeps the due date.
DUE_MOVERS = frozenset(
    {
        CaseVerb.ACCEPT,
        CaseVerb.DEEM_ACCEPT,
        CaseVerb.REQUEST_SUPPLEMENT,
        CaseVerb.ANSWER_SUPPLEMENT,
        CaseVerb.SUSPEND,
        CaseVerb.RESUME,
        CaseVerb.EXTEND,
    }
)


def _same_person(case: Case, event: CaseEvent, params: Mapping[str, Any]) -> Facts | None:
    if event.actor_id is None:
        return None  # a decision by an auto-approval rule
    if params.get("skip_instant", 1) and case.implementation_version.process.get("case_kind") == "instant":
        return None  # 即办件: accepted and decided at the window by law, in one act
    accepted = (
        CaseEvent.objects.filter(case=case, verb__in=ACCEPTANCES).order_by("at", "id").values("actor_id", "at").first()
    )
    if accepted is None or accepted["actor_id"] != event.actor_id:
        return None
    return {
        "actor": event.actor_id,
        "accepted_at": accepted["at"].isoformat(),
        "decided_at": event.at.isoformat(),
        "decision": event.verb,
    }


def _repeated_supplement(case: Case, event: CaseEvent, params: Mapping[str, Any]) -> Facts | None:
    count = CaseEvent.objects.filter(case=case, verb=CaseVerb.REQUEST_SUPPLEMENT).count()
    nth = int(params.get("nth", 2))
    return {"requests": count, "nth": nth} if count >= nth else None


def _outside_hours(case: Case, event: CaseEvent, params: Mapping[str, Any]) -> Facts | None:
    if event.actor_id is None:  # 秒批 and 告知承诺 decide by rule, at whatever hour the applicant files
        return None
    local = timezone.localtime(event.at)
    start, end = int(params.get("start_hour", 8)), int(params.get("end_hour", 18))
    try:
        working = working_calendar().is_working_day(local.date())
    except YearNotConfigured:
        working = local.weekday() < 5  # no calendar for the year: weekends at least
    inside = start <= local.hour < end
    if working and inside:
        return None
    return {
        "actor": event.actor_id,
        "decided_at": local.isoformat(),
        "working_day": working,
        "hours": [start, end],
    }


def pause_facts(case: Case, params: Mapping[str, Any], today: dt.date) -> Facts | None:
    """The last special-procedure pause of the case, if it ran longer than announced."""
    try:
        state = case_clock_state(case, today=today)
    except YearNotConfigured:
        return None
    pauses = [p for p in state.pauses if p.cause == "special_procedure" and p.expected_days]
    if not pauses:
        return None
    pause = pauses[-1]
    margin = int(params.get("margin_days", 0))
    expected = int(pause.expected_days or 0)
    if pause.working_days <= expected + margin:
        return None
    return {
        "started_on": pause.start.isoformat(),
        "ended_on": pause.end.isoformat() if pause.end else None,
        "expected_days": expected,
        "working_days": pause.working_days,
        "procedure": pause.note,
    }


def _suspension(case: Case, event: CaseEvent, params: Mapping[str, Any]) -> Facts | None:
    # The resume event is written before the clock's resume row: the pause runs to today.
    return pause_facts(case, params, timezone.localtime(event.at).date())


Remember = Callable[[], object]


def _seen(case: Case) -> tuple[bool, dt.date | None, bool]:
    """The case's `DueDateSeen` (found, due date, excused), locked: one raw statement (it runs
    on every event of an accepted case)."""
    from yiwang.supervision.rule_models import DueDateSeen

    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT due_date, excused FROM {DueDateSeen._meta.db_table} WHERE case_id = %s{lock}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk])
        row = cursor.fetchone()
    if row is None:
        return False, None, False
    due = dt.date.fromisoformat(row[0]) if isinstance(row[0], str) else row[0]  # SQLite: text
    return True, due, bool(row[1])


def due_date_observed(case: Case, event: CaseEvent) -> tuple[Facts | None, Remember | None]:
    """JC-05 on one event: the facts of a hit (or None) and the write that remembers what was
    seen (None when the stored row already says it: most events of a case change nothing)."""
    from yiwang.supervision.rule_models import DueDateSeen

    mover = event.verb in DUE_MOVERS
    found, before, excused = _seen(case)
    if not found:
        if case.due_date is not None or mover:
            return None, lambda: DueDateSeen.objects.create(case=case, due_date=case.due_date, excused=True)
        return None, None
    facts: Facts | None = None
    after, still_excused = before, excused
    if case.due_date is not None:
        moved = before is not None and before != case.due_date
        if moved and not excused and not mover:
            facts = {"before": before.isoformat() if before else None, "after": case.due_date.isoformat()}
        # After a hit the next move is usually the engine refreshing the date from the clock
        # ledger (putting it right): not reported a second time.
        after, still_excused = case.due_date, mover or facts is not None
    elif mover:
        still_excused = True
    if (after, still_excused) == (before, excused):
        return facts, None
    return facts, lambda: DueDateSeen.objects.filter(case=case).update(due_date=after, excused=still_excused)


def _due_moved(case: Case, event: CaseEvent, params: Mapping[str, Any]) -> Facts | None:
    facts, remember = due_date_observed(case, event)
    if remember is not None:
        remember()
    return facts


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "same_person_accepts_and_decides",
            "受理与决定为同一人",
            "作出准予或不予许可决定的人员，正是受理该办件的人员（即办件除外，可设置）。",
            {"skip_instant": Param("即办件除外（1 是，0 否）", 1, 0, 1)},
            verbs=DECISIONS,
            evaluate=_same_person,
        ),
        Kind(
            "repeated_supplement",
            "多次要求补正",
            "同一办件第 N 次（及以后）告知补正材料，违背一次性告知。",
            {"nth": Param("第几次补正起命中", 2, 2, 10)},
            verbs=frozenset({CaseVerb.REQUEST_SUPPLEMENT}),
            evaluate=_repeated_supplement,
        ),
        Kind(
            "decision_outside_hours",
            "非工作时间作出决定",
            "在工作时间（开始至结束钟点）以外或非工作日（按工作日历）作出审批决定。",
            {
                "start_hour": Param("工作开始（时）", 8, 0, 23),
                "end_hour": Param("工作结束（时）", 18, 1, 24),
            },
            verbs=DECISIONS,
            evaluate=_outside_hours,
        ),
        Kind(
            "suspension_longer_than_announced",
            "特别程序超过告知时间",
            "特别程序（听证、检验、鉴定等）实际中止的工作日数超过告知申请人的预计时间；"
            "在结束特别程序时检查，仍未结束的由每日巡检检查。",
            {"margin_days": Param("允许超出（工作日）", 0, 0, 30)},
            verbs=frozenset({CaseVerb.RESUME}),
            evaluate=_suspension,
        ),
        Kind(
            "due_date_moved_without_extension",
            "办结日期无故变动",
            "两次办件事件之间法定办结日期发生变化，而其间没有受理、补正、特别程序或延期等合法事由。",
            {},
            verbs=frozenset(),  # every event of a case with a due date (see rules.observe)
            evaluate=_due_moved,
        ),
        Kind(
            "refusal_rate_doubled",
            "不予受理率翻番",
            "部门最近 7 天的不予受理率达到前 7 天的若干倍（百分比）（且受理与不予受理件数不少于最小件数），每日巡检。",
            {
                "factor_percent": Param("倍数（百分比，200 即 2 倍）", 200, 120, 1000),
                "min_count": Param("最小件数", 5, 1, 10000),
            },
            periodic=True,
        ),
    )
}

DUE_DATE_KIND = "due_date_moved_without_extension"
SUSPENSION_KIND = "suspension_longer_than_announced"
REFUSAL_KIND = "refusal_rate_doubled"

# case verb → the per-event kinds watching it (the observer's first, query-free test)
KINDS_BY_VERB: dict[str, tuple[str, ...]] = {}
for _kind in KINDS.values():
    for _verb in _kind.verbs:
        KINDS_BY_VERB[_verb] = (*KINDS_BY_VERB.get(_verb, ()), _kind.key)


def params_errors(kind: str, params: Any) -> dict[str, list[str]]:
    """Errors by field (`params.<name>`) of a version's params against its kind's schema."""
    found = KINDS.get(kind)
    if found is None:
        return {"kind": ["规则类型：不认识的类型"]}
    if not isinstance(params, dict) or len(params) > 20:
        return {"params": ["参数：应为参数名到数值的对应"]}
    errors: dict[str, list[str]] = {}
    unknown = [str(name)[:20] for name in params if name not in found.params]
    if unknown:
        errors["params"] = [f"参数：不认识的参数 {'、'.join(unknown[:3])}"]
    for name, spec in found.params.items():
        if name in params:
            problems = spec.errors(name, params[name])
            if problems:
                errors[f"params.{name}"] = problems
    if kind == "decision_outside_hours" and not errors:
        merged = {**found.defaults(), **params}
        if merged["start_hour"] >= merged["end_hour"]:
            errors["params.end_hour"] = ["工作结束（时）：应晚于工作开始（时）"]
    return errors
