"""The monitoring rules' daily sweep (docs/supervision.md): the periodic kinds (a week's
refusals against the week before) and still-open suspensions, idempotent per day. The per-event
kinds are evaluated as events happen (`rules.observe`); a hit is recorded the same way by both
(`rules.hit_record`)."""

import datetime as dt

from django.db import transaction

from yiwang.accounts.models import Department
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.ledger.events import CaseVerb
from yiwang.supervision.rule_kinds import REFUSAL_KIND, SUSPENSION_KIND, pause_facts
from yiwang.supervision.rule_models import RuleVersion
from yiwang.supervision.rule_workflow import VersionStatus
from yiwang.supervision.rules import covers, hit_record


def _published(kinds: list[str]) -> list[RuleVersion]:
    return list(
        RuleVersion.objects.filter(status=VersionStatus.PUBLISHED, rule__kind__in=kinds)
        .select_related("rule__region")
        .order_by("rule__code")
    )


def _sweep_suspensions(version: RuleVersion, today: dt.date, limit: int) -> int:
    found = 0
    suspended_cases = Case.objects.filter(status=CaseStatus.SUSPENDED)
    if version.rule.region is not None:
        suspended_cases = suspended_cases.filter(region__code__startswith=version.rule.region.code_prefix)
    for case in suspended_cases.select_related("department", "region", "implementation_version")[:limit]:
        facts = pause_facts(case, version.params, today)
        if facts is None:
            continue
        suspended = CaseEvent.objects.filter(case=case, verb=CaseVerb.SUSPEND).order_by("-at", "-id").first()
        if suspended is None:
            continue
        hit = hit_record(
            version,
            key=f"suspension:{suspended.pk}",
            facts=facts,
            department=case.department,
            region=case.region,
            case=case,
            trigger=suspended,
        )
        found += hit is not None
    return found


def _rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1f}"


def _sweep_refusals(version: RuleVersion, today: dt.date) -> int:
    from yiwang.supervision.metrics import Scope, figures
    from yiwang.supervision.models import DailyFigures

    factor = int(version.params.get("factor_percent", 200))
    least = int(version.params.get("min_count", 5))
    this_week = Scope(since=today - dt.timedelta(days=6), until=today)
    last_week = Scope(since=today - dt.timedelta(days=13), until=today - dt.timedelta(days=7))
    year, week, _ = today.isocalendar()
    found = 0
    departments = (
        DailyFigures.objects.filter(day__gte=last_week.since, day__lte=today, refused__gt=0)
        .values_list("department_id", flat=True)
        .distinct()
    )
    for department in Department.objects.filter(pk__in=list(departments)).select_related("region"):
        if not covers(version.rule, department.region):
            continue
        now = figures(Scope(since=this_week.since, until=this_week.until, department_id=department.pk))
        before = figures(Scope(since=last_week.since, until=last_week.until, department_id=department.pk))
        decided = now.accepted + now.refused
        if decided < least or now.refusal_rate is None or before.refusal_rate is None:
            continue
        if now.refusal_rate <= 0 or 100 * now.refusal_rate < factor * before.refusal_rate:
            continue
        facts = {
            "this_week": [this_week.since.isoformat(), this_week.until.isoformat()],
            "this_refused": now.refused,
            "this_decided": decided,
            "this_rate": _rate_text(now.refusal_rate),
            "last_refused": before.refused,
            "last_decided": before.accepted + before.refused,
            "last_rate": _rate_text(before.refusal_rate),
            "factor_percent": factor,
        }
        hit = hit_record(
            version,
            key=f"department:{department.pk}/week:{year}-W{week:02d}",
            facts=facts,
            department=department,
            region=department.region,
        )
        found += hit is not None
    return found


def rules_daily_sweep(*, today: dt.date | None = None, limit: int = 2000) -> int:
    """Periodic rules and still-open suspensions: the hits found today (idempotent)."""
    today = today or clock.today()
    found = 0
    with transaction.atomic(durable=True):
        for version in _published([SUSPENSION_KIND, REFUSAL_KIND]):
            with transaction.atomic():
                if version.rule.kind == SUSPENSION_KIND:
                    found += _sweep_suspensions(version, today, limit)
                else:
                    found += _sweep_refusals(version, today)
    return found
