"""Reads of 好差评: the figures (domain.md §8, formulas stated here and in docs/ratings.md),
the public examples, and the lists staff and raters see.

- **好评率** = ratings of 非常满意, 满意 or 基本满意 / ratings. 基本满意 counts as good (the
  bad reviews are 不满意 and 非常不满意, domain.md §6).
- **差评整改率** = bad reviews put right (立行立改 or 整改完成) / bad reviews.
- **回访率** = bad reviews with at least one revisit / bad reviews (every rating is real-name:
  it is given by a signed-in party, the applicant's link, or recorded for them).
- **主动评价率** = cases with a rating the party gave themselves (not recorded by staff) /
  cases with a result (decided, concluded or refused), in the same scope and period.

Ratings excluded by an upheld appeal count in none of these (they are listed, marked).
A period is by the rating's time (and for 主动评价率 by the case's result time).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from yiwang.accounts.models import Region, User
from yiwang.cases.models import Case
from yiwang.catalog.models import ImplementationVersion
from yiwang.core.dates import day_start
from yiwang.core.errors import NotFound
from yiwang.ledger.events import RatingVerb
from yiwang.ratings.models import BAD_GRADES, Rating, RatingEvent, Rectification, Revisit
from yiwang.ratings.policy import RATEABLE, staff_rating_filter
from yiwang.ratings.workflow import PUT_RIGHT


@dataclass(frozen=True)
class Scope:
    item_code: str = ""
    version_id: int | None = None  # one implementation version (the loop back's before/after)
    department_id: int | None = None
    region_prefix: str = ""
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class Figures:
    rated: int
    by_grade: dict[int, int]  # grade -> count
    bad: int
    put_right: int
    revisited: int
    cases_with_result: int
    cases_self_rated: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def good(self) -> int:
        return self.rated - self.bad

    @property
    def good_rate(self) -> float | None:
        """好评率 (%)."""
        return self._share(self.good, self.rated)

    @property
    def rectification_rate(self) -> float | None:
        """差评整改率 (%)."""
        return self._share(self.put_right, self.bad)

    @property
    def revisit_rate(self) -> float | None:
        """回访率 (%)."""
        return self._share(self.revisited, self.bad)

    @property
    def active_rate(self) -> float | None:
        """主动评价率 (%)."""
        return self._share(self.cases_self_rated, self.cases_with_result)


def _bounds(scope: Scope) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = day_start(scope.since) if scope.since else None
    end = day_start(scope.until + dt.timedelta(days=1)) if scope.until else None
    return start, end


def _places(scope: Scope) -> dict[str, Any]:
    """The scope's item, version, department and region as filters on the columns a rating
    and a case share. An item or a region prefix is resolved to its ids first (one small
    query each): PostgreSQL then reads the ratings or cases of all of them in one bitmap scan,
    where a join to the catalog or the regions had it re-read the table once per version
    (bench/ratings_bench.py)."""
    places: dict[str, Any] = {}
    if scope.item_code:
        versions = ImplementationVersion.objects.filter(item_version__item__basic_code=scope.item_code)
        places["implementation_version_id__in"] = list(versions.values_list("pk", flat=True))
    if scope.version_id is not None:
        places["implementation_version_id"] = scope.version_id
    if scope.department_id is not None:
        places["department_id"] = scope.department_id
    if scope.region_prefix:
        regions = Region.objects.filter(code__startswith=scope.region_prefix)
        places["region_id__in"] = list(regions.values_list("pk", flat=True))
    return places


def _ratings_in(scope: Scope, places: dict[str, Any] | None = None) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(excluded=False, **(_places(scope) if places is None else places))
    start, end = _bounds(scope)
    if start:
        ratings = ratings.filter(rated_at__gte=start)
    if end:
        ratings = ratings.filter(rated_at__lt=end)
    return ratings


def _cases_in(scope: Scope, places: dict[str, Any]) -> QuerySet[Case]:
    cases = Case.objects.filter(status__in=RATEABLE, **places)
    start, end = _bounds(scope)
    # the time of the result: conclusion, else decision, else the refusal's last change
    result_at = Coalesce("concluded_at", "decided_at", "updated_at")
    if start:
        cases = cases.alias(result_at=result_at).filter(result_at__gte=start)  # type: ignore[misc]
    if end:
        cases = cases.alias(result_at=result_at).filter(result_at__lt=end)  # type: ignore[misc]
    return cases


def figures(scope: Scope) -> Figures:
    """The figures of `scope`: one pass over its ratings, then two counts of its cases.

    Shaped for PostgreSQL at 1,000,000 ratings (bench/ratings_bench.py, docs/ratings.md
    "Scale"): the revisits are an uncorrelated IN (hashed once) rather than an EXISTS per
    rating, which kept the aggregate from running in parallel and priced it high enough to
    be JIT-compiled; the self-rated cases are a WHERE EXISTS of their own rather than a
    FILTER, so they can be a semi-join over the partial index `rating_self_given` instead of
    one probe of the ratings per case."""
    places = _places(scope)
    bad = Q(grade__in=BAD_GRADES)
    counted = _ratings_in(scope, places).aggregate(
        rated=Count("pk"),
        bad=Count("pk", filter=bad),
        put_right=Count("pk", filter=bad & Q(handling__in=PUT_RIGHT)),
        revisited=Count("pk", filter=bad & Q(pk__in=Revisit.objects.values("rating_id"))),
        **{f"g{grade}": Count("pk", filter=Q(grade=grade)) for grade in range(1, 6)},
    )
    cases = _cases_in(scope, places)
    self_rated = Rating.objects.filter(case=OuterRef("pk"), recorded_by__isnull=True, excluded=False)
    return Figures(
        rated=counted["rated"],
        by_grade={grade: counted[f"g{grade}"] for grade in range(5, 0, -1)},
        bad=counted["bad"],
        put_right=counted["put_right"],
        revisited=counted["revisited"],
        cases_with_result=cases.count(),
        cases_self_rated=cases.filter(Exists(self_rated)).count(),
    )


def rectified_examples(scope: Scope, *, limit: int = 5) -> QuerySet[Rating]:
    """Bad reviews put right, newest first, for the public page: show the item, the grade, the
    tags and the department's answer — never the rater or their text."""
    return (
        _ratings_in(scope)
        .filter(grade__in=BAD_GRADES, handling__in=PUT_RIGHT)
        .select_related("implementation_version__item_version", "department", "rectification")
        .order_by("-rated_at", "-pk")[:limit]
    )


def ratings_of_case(case: Case) -> QuerySet[Rating]:
    return Rating.objects.filter(case=case).prefetch_related("additions").order_by("rated_at", "pk")


def ratings_for_staff(user: User, *, handling: str = "", bad_only: bool = False) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(staff_rating_filter(user))
    if handling:
        ratings = ratings.filter(handling=handling)
    if bad_only:
        ratings = ratings.filter(grade__in=BAD_GRADES)
    return ratings.select_related(
        "case", "department", "implementation_version__item_version", "rectification"
    ).order_by(F("response_due").asc(nulls_last=True), "-rated_at", "-pk")  # bad reviews first on every database


def rating_for_staff(user: User, rating_id: int) -> Rating:
    """One rating `user` may see (staff_rating_filter), with what its page shows; NotFound
    otherwise (no hint whether another department's rating exists)."""
    found = (
        Rating.objects.filter(staff_rating_filter(user), pk=rating_id)
        .select_related(
            "case__region",
            "department",
            "region",
            "rater__person",
            "recorded_by",
            "implementation_version__item_version__item",
            "rectification__opened_by",
            "rectification__closed_by",
        )
        .prefetch_related("additions", "revisits__by", "appeals__filed_by", "appeals__decided_by", "events__actor")
        .first()
    )
    if found is None:
        raise NotFound("评价不存在。")
    return found


# --- the department's answer to bad reviews (the portal's case page and public examples) ---------


def department_answers(ratings: Iterable[Rating]) -> dict[int, str]:
    """rating id -> what the department said: the text of its 立行立改 or 解释说明, else the
    rectification's result once closed, else its plan (two queries for any number of ratings)."""
    ids = [rating.pk for rating in ratings]
    answers: dict[int, str] = {}
    for rectification in Rectification.objects.filter(rating_id__in=ids).only("rating_id", "plan", "result"):
        answers[rectification.rating_id] = rectification.result or rectification.plan
    events = RatingEvent.objects.filter(rating_id__in=ids, verb__in=[RatingVerb.FIXED, RatingVerb.EXPLAINED])
    for rating_id, reason in events.order_by("at", "pk").values_list("rating_id", "reason"):
        answers[rating_id] = reason
    return answers


# --- the formulas as stated to the public (the API's figures; added with the ratings API) ---------

# key -> (name, formula): the same definitions as Figures' properties and this module's
# docstring; the public page and the API state them in these words.
RATE_FORMULAS: dict[str, tuple[str, str]] = {
    "good_rate": (
        "好评率",
        "非常满意、满意、基本满意的评价数 ÷ 评价总数（基本满意计为好评；不满意、非常不满意为差评）",
    ),
    "rectification_rate": ("差评整改率", "已整改的差评数（立行立改或整改完成）÷ 差评总数"),
    "revisit_rate": ("回访率", "至少回访一次的差评数 ÷ 差评总数（每条评价均为实名评价）"),
    "active_rate": (
        "主动评价率",
        "办事人本人评价过的办件数（不含工作人员代录）÷ 有办理结果的办件数（已决定、已办结或不予受理）",
    ),
}
FIGURES_NOTE = (
    "差评指“不满意”和“非常不满意”。申诉成立的评价不计入任何统计（评价本身保留）。"
    "统计期间按评价时间计算，主动评价率按办件的办理结果时间计算。"
)
