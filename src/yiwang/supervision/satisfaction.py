"""The 好差评 roll-up (models.DailyRatings), kept by the rating events (ratings.hooks).

A rating counts on the day it was given: `rated` and (for 不满意 / 非常不满意) `bad` when it is
given; `put_right` when the department fixes or rectifies it; an upheld appeal takes all of
that back (the rating is excluded from every figure, as in ratings.selectors). Each change
goes to the row of the rating's item and to the row of all items (`ALL_ITEMS`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.ledger.events import RatingVerb
from yiwang.ratings.models import BAD_GRADES, Rating, RatingEvent
from yiwang.ratings.workflow import PUT_RIGHT
from yiwang.supervision.models import ALL_ITEMS, DailyRatings
from yiwang.supervision.rollup import guard, item_code_of


def deltas(rating: Rating, event: RatingEvent) -> Counter[str]:
    found: Counter[str] = Counter()
    bad = rating.grade in BAD_GRADES
    if event.verb == RatingVerb.RATED:
        found["rated"] += 1
        found["bad"] += 1 if bad else 0
    elif event.verb in (RatingVerb.FIXED, RatingVerb.RECTIFIED) and not rating.excluded:
        found["put_right"] += 1
    elif event.verb == RatingVerb.APPEAL_UPHELD:
        found["rated"] -= 1
        found["bad"] -= 1 if bad else 0
        found["put_right"] -= 1 if rating.handling in PUT_RIGHT else 0
    return found


def _key(rating: Rating, codes: dict[int, str] | None = None) -> dict[str, Any]:
    return {
        "department_id": rating.department_id,
        "region_id": rating.region_id,
        "item_code": item_code_of(rating.implementation_version_id, codes),
        "day": timezone.localtime(rating.rated_at).date(),
    }


def observe(rating: Rating, event: RatingEvent) -> None:
    found = deltas(rating, event)
    if not any(found.values()):
        return
    key = _key(rating)
    guard({name: key[name] for name in ("department_id", "region_id", "item_code")})
    for one in (key, {**key, "item_code": ALL_ITEMS}):  # the item's row, then the all-items row
        with transaction.atomic():
            row, _ = DailyRatings.objects.select_for_update().get_or_create(**one)
            for name, n in found.items():
                setattr(row, name, getattr(row, name) + n)
            row.save()


def rebuild() -> int:
    """Recompute the roll-up from the ratings themselves, in one transaction; on PostgreSQL the
    table is locked against writers first, so a rating given meanwhile waits and then lands on
    the new rows (see rollup.rebuild). Returns the rows written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {DailyRatings._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        rows = recount()
        DailyRatings.objects.all().delete()
        DailyRatings.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)


def recount() -> dict[tuple[Any, ...], DailyRatings]:
    """The roll-up rows as the ratings make them (unsaved), by (department, region, item
    code or ALL_ITEMS, day): `rebuild` writes them, the audit compares them."""
    days: dict[tuple[Any, ...], Counter[str]] = {}
    codes: dict[int, str] = {}
    for rating in Rating.objects.filter(excluded=False).only(
        "department_id", "region_id", "implementation_version_id", "rated_at", "grade", "handling"
    ):
        key = tuple(_key(rating, codes).values())
        for one in (key, (*key[:2], ALL_ITEMS, key[3])):
            counted = days.setdefault(one, Counter())
            counted["rated"] += 1
            counted["bad"] += 1 if rating.grade in BAD_GRADES else 0
            counted["put_right"] += 1 if rating.grade in BAD_GRADES and rating.handling in PUT_RIGHT else 0
    return {
        (d, r, i, day): DailyRatings(department_id=d, region_id=r, item_code=i, day=day, **counted)
        for (d, r, i, day), counted in days.items()
    }
