"""The loop back (审批服务优化 — 评价反馈 — 再优化): a catalog administrator opens an
improvement from the bad reviews of an implementation, answers it with the published
amendment whose 调整理由 cites it, and the item's page shows the versions either side.

- `improvement_open`: title, finding, the bad reviews it rests on (of that implementation, not
  excluded), the version in force as the baseline.
- `improvement_answer`: a later published version of the same implementation whose change
  reason names the improvement's code (GJ-<id>) — the amendment cites the ratings through it.
- `improvement_drop`: closed without a change, saying why.
- `version_outcomes`: per version, from the cases filed under it — ratings (the figures),
  supplement rate (submitted cases with a 补正 request / submitted cases) and average working
  days from acceptance to conclusion (on the platform's calendar).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import Case, SupplementRequest
from yiwang.catalog.models import Implementation, ImplementationVersion
from yiwang.catalog.selectors import admin_regions, implementation_version_in_force
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.ledger.events import Domain, RatingVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.ratings import policy, rules
from yiwang.ratings.models import BAD_GRADES, Improvement, Rating, RatingEvent
from yiwang.ratings.selectors import Figures, Scope, figures
from yiwang.ratings.workflow import ImprovementAction, ImprovementStatus, improvement_next_status

MAX_CITED = 200


def _event(verb: RatingVerb, improvement: Improvement, *, actor: User, payload: dict[str, Any]) -> None:
    subject = f"improvement:{improvement.pk}"
    entry = ledger_append(kind=event_type(Domain.RATINGS, verb).kind, subject=subject, payload=payload)
    RatingEvent.objects.create(
        verb=verb,
        actor=actor,
        subject=subject,
        improvement=improvement,
        payload=payload,
        at=clock.now(),
        ledger_entry_id=entry.pk,
    )


def _text(value: Any, *, field: str, label: str, max_length: int) -> str:
    errors = rules.text_errors(value, field=field, label=label, required=True, max_length=max_length)
    if errors:
        raise ValidationFailed(errors)
    return str(value).strip()


def _locked(improvement_id: int) -> Improvement:
    found = Improvement.objects.select_for_update().select_related("implementation__region").filter(pk=improvement_id)
    improvement = found.first()
    if improvement is None:
        raise NotFound("改进事项不存在。")
    return improvement


def improvement_open(
    *, actor: User, implementation_id: int, title: Any, finding: Any, rating_ids: Sequence[int]
) -> Improvement:
    with transaction.atomic(durable=True):
        implementation = Implementation.objects.select_related("region").filter(pk=implementation_id).first()
        if implementation is None:
            raise NotFound("实施清单不存在。")
        policy.require_catalog_admin_of(actor, implementation)
        title = _text(title, field="title", label="改进事项", max_length=100)
        finding = _text(finding, field="finding", label="评价反映的问题", max_length=rules.ANSWER_MAX)
        ids = sorted({int(pk) for pk in rating_ids})
        if not ids or len(ids) > MAX_CITED:
            raise ValidationFailed({"ratings": [f"依据的差评：至少 1 条，最多 {MAX_CITED} 条"]})
        cited = list(
            Rating.objects.filter(
                pk__in=ids,
                implementation_version__implementation=implementation,
                grade__in=BAD_GRADES,
                excluded=False,
            )
        )
        if len(cited) != len(ids):
            raise ValidationFailed({"ratings": ["依据的差评：只能引用该实施清单的差评（申诉成立的除外）"]})
        baseline = implementation_version_in_force(implementation)
        if baseline is None:
            raise Conflict("该实施清单当前没有生效的版本。")
        improvement = Improvement.objects.create(
            implementation=implementation,
            title=title,
            finding=finding,
            baseline=baseline,
            status=improvement_next_status(None, ImprovementAction.OPEN),
            opened_by=actor,
            opened_at=clock.now(),
        )
        improvement.ratings.set(cited)
        _event(
            RatingVerb.IMPROVEMENT_OPENED,
            improvement,
            actor=actor,
            payload={"implementation": implementation.code, "baseline": baseline.number, "ratings": ids},
        )
        return improvement


def cites(reason: str, improvement: Improvement) -> bool:
    return re.search(rf"{re.escape(improvement.code)}(?!\d)", reason) is not None


def improvement_answer(*, actor: User, improvement_id: int, version_id: int) -> Improvement:
    with transaction.atomic(durable=True):
        improvement = _locked(improvement_id)
        policy.require_catalog_admin_of(actor, improvement.implementation)
        version = ImplementationVersion.objects.filter(pk=version_id).first()
        if version is None or version.implementation_id != improvement.implementation_id:
            raise ValidationFailed({"version": ["改进版本：应是同一实施清单的版本"]})
        if version.published_at is None or version.number <= improvement.baseline.number:
            raise ValidationFailed({"version": [f"改进版本：应是 v{improvement.baseline.number} 之后已发布的版本"]})
        if not cites(version.change_reason, improvement):
            raise ValidationFailed({"version": [f"改进版本：其调整理由应写明所答复的改进事项 {improvement.code}"]})
        improvement.status = improvement_next_status(improvement.status, ImprovementAction.ANSWER)
        improvement.amendment, improvement.closed_by, improvement.closed_at = version, actor, clock.now()
        improvement.save(update_fields=["status", "amendment", "closed_by", "closed_at"])
        _event(RatingVerb.IMPROVEMENT_ANSWERED, improvement, actor=actor, payload={"amendment": version.number})
        return improvement


def improvement_drop(*, actor: User, improvement_id: int, note: Any) -> Improvement:
    with transaction.atomic(durable=True):
        improvement = _locked(improvement_id)
        policy.require_catalog_admin_of(actor, improvement.implementation)
        improvement.note = _text(note, field="note", label="说明", max_length=rules.ANSWER_MAX)
        improvement.status = improvement_next_status(improvement.status, ImprovementAction.DROP)
        improvement.closed_by, improvement.closed_at = actor, clock.now()
        improvement.save(update_fields=["status", "note", "closed_by", "closed_at"])
        _event(RatingVerb.IMPROVEMENT_DROPPED, improvement, actor=actor, payload={})
        return improvement


# --- reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcomes:
    version: ImplementationVersion
    ratings: Figures
    submitted: int
    supplemented: int
    concluded: int
    average_working_days: float | None

    @property
    def supplement_rate(self) -> float | None:
        return round(100 * self.supplemented / self.submitted, 1) if self.submitted else None


def version_outcomes(version: ImplementationVersion) -> Outcomes:
    cases = Case.objects.filter(implementation_version=version, submitted_at__isnull=False)
    asked = SupplementRequest.objects.filter(case=OuterRef("pk"))
    counted = cases.aggregate(submitted=Count("pk"), supplemented=Count("pk", filter=Q(Exists(asked))))
    calendar = working_calendar()
    done = cases.filter(accepted_on__isnull=False, concluded_at__isnull=False)
    spans = [
        calendar.working_days_between(accepted, timezone.localtime(concluded).date())
        for accepted, concluded in done.values_list("accepted_on", "concluded_at").iterator(chunk_size=5000)
        if accepted is not None and concluded is not None
    ]
    return Outcomes(
        version=version,
        ratings=figures(Scope(version_id=version.pk)),
        submitted=counted["submitted"],
        supplemented=counted["supplemented"],
        concluded=len(spans),
        average_working_days=round(sum(spans) / len(spans), 1) if spans else None,
    )


def before_after(improvement: Improvement) -> tuple[Outcomes, Outcomes | None]:
    """The baseline's outcomes and, once answered, the amendment's."""
    after = version_outcomes(improvement.amendment) if improvement.amendment else None
    return version_outcomes(improvement.baseline), after


def bad_reviews_of(implementation: Implementation) -> QuerySet[Rating]:
    """What an administrator cites from: the implementation's bad reviews, newest first."""
    return (
        Rating.objects.filter(implementation_version__implementation=implementation, grade__in=BAD_GRADES)
        .filter(excluded=False)
        .select_related("implementation_version")
        .order_by("-rated_at", "-pk")
    )


def tag_counts(implementation: Implementation) -> dict[str, int]:
    """How often each tag comes with a bad review of the implementation."""
    counts: dict[str, int] = {}
    for tags in bad_reviews_of(implementation).values_list("tags", flat=True).iterator(chunk_size=5000):
        for tag in tags or []:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda pair: -pair[1]))


@dataclass(frozen=True)
class Candidate:
    implementation: Implementation
    name: str  # the item's name (of the versions rated)
    bad: int


def implementations_with_bad_reviews(user: User) -> list[Candidate]:
    """The implementations `user` maintains (catalog admin regions) that have bad reviews, most first."""
    regions = [region.pk for region in admin_regions(user)]
    counted = (
        Rating.objects.filter(
            implementation_version__implementation__region_id__in=regions, grade__in=BAD_GRADES, excluded=False
        )
        .values("implementation_version__implementation")
        .annotate(bad=Count("pk"), name=Max("implementation_version__item_version__name"))
        .order_by("-bad")[:100]
    )
    rows = {row["implementation_version__implementation"]: row for row in counted}
    found = Implementation.objects.filter(pk__in=rows).select_related("item", "region", "department")
    candidates = (Candidate(i, rows[i.pk]["name"], rows[i.pk]["bad"]) for i in found)
    return sorted(candidates, key=lambda c: (-c.bad, c.implementation.code))


def improvements_for_admin(user: User) -> QuerySet[Improvement]:
    regions = [region.pk for region in admin_regions(user)]
    return (
        Improvement.objects.filter(implementation__region_id__in=regions)
        .select_related("implementation__item", "implementation__region", "baseline__item_version", "amendment")
        .annotate(cited=Count("ratings"))
        .order_by("-opened_at", "-pk")
    )


def improvement_for_admin(user: User, improvement_id: int) -> Improvement:
    found = improvements_for_admin(user).filter(pk=improvement_id).first()
    if found is None:
        raise NotFound("改进事项不存在。")
    return found


def answer_candidates(improvement: Improvement) -> QuerySet[ImplementationVersion]:
    """Published versions after the baseline that cite the improvement's code (newest first)."""
    later = ImplementationVersion.objects.filter(
        implementation_id=improvement.implementation_id,
        number__gt=improvement.baseline.number,
        published_at__isnull=False,
        change_reason__contains=improvement.code,
    )
    return later.order_by("-number")


def answered_improvements_of(implementation_id: int, *, limit: int = 3) -> list[Improvement]:
    """The implementation's improvements answered by an amendment, newest first (the guide)."""
    return list(
        Improvement.objects.filter(implementation_id=implementation_id, status=ImprovementStatus.ANSWERED)
        .select_related("baseline", "amendment")
        .order_by("-opened_at", "-pk")[:limit]
    )


def cited_ratings(improvement: Improvement) -> QuerySet[Rating]:
    return improvement.ratings.select_related("implementation_version").order_by("-rated_at", "-pk")
