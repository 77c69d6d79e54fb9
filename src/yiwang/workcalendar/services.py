"""Calendar writes: every change of the working-day calendar goes through these functions.

Each is one durable transaction that checks the actor and the input, locks the year, writes
the change, records a `CalendarEvent` (who, what, which dates, the notice it rests on) and
appends a ledger entry. After commit it marks every process's cached calendar stale and,
when the calendar in force changed, enqueues the jobs named in
settings.CALENDAR_CHANGE_TASKS (the case engine's re-derivation of stored due dates, which
this app cannot import: it sits below the cases app in the import ladder).

A year is entered as a draft (`calendar_year_add`, then `calendar_day_set` /
`calendar_day_clear` per day) and takes effect only when published
(`calendar_year_publish`): until then the platform keeps using its provisional projection,
so half-entered notices move nobody's dates. Callers: the admin, `load_demo`, tests.
"""

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import transaction
from django.utils.module_loading import import_string

from yiwang.core import clock
from yiwang.core.calendar import calendar_changed, calendar_forget_local, calendar_seed, working_calendar
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.ledger.events import CalendarVerb
from yiwang.ledger.services import ledger_append
from yiwang.workcalendar.models import CalendarEvent

Actor = AbstractUser | AnonymousUser | None
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require_editor(actor: Actor) -> None:
    """None is the system itself (demo loader, seeding); people need the calendar permission."""
    if actor is not None and not actor.has_perm("core.change_calendaryear"):
        raise PermissionDenied("只有具有“工作日历”维护权限的管理员可以修改工作日历。")


def _record(*, verb: CalendarVerb, actor: Actor, year: int, source: str, payload: dict[str, Any]) -> CalendarEvent:
    person = actor if isinstance(actor, AbstractUser) else None
    body = {"year": year, "source": source, "by": "staff" if person else "system", **payload}
    # Who did it enters the public leaf only as a salted commitment (architecture rule 9).
    personal = {"actor": person.get_username()} if person else None
    entry = ledger_append(kind=f"calendar.{verb}", subject=f"calendar:{year}", payload=body, personal=personal)
    return CalendarEvent.objects.create(
        verb=verb,
        actor_id=person.pk if person else None,
        year=year,
        source=source,
        payload=body,
        at=clock.now(),
        ledger_entry_id=entry.pk,
    )


def _provisional_before() -> list[int]:
    """The years projected now, read before a service writes (the job quotes old dates in them as 暂定)."""
    return sorted(working_calendar(fresh=True).provisional_years)


def _after_commit(*, in_force: bool, was_provisional: list[int] | None = None) -> None:
    """Mark cached calendars stale; when the calendar in force changed, enqueue the follow-up
    jobs, telling them which years were provisional before the change."""
    calendar_forget_local()
    transaction.on_commit(calendar_changed)
    if in_force:
        was_provisional = was_provisional or []
        for path in getattr(settings, "CALENDAR_CHANGE_TASKS", ()):
            transaction.on_commit(partial(_enqueue, path, was_provisional))


def _enqueue(path: str, was_provisional: list[int]) -> None:
    import_string(path).enqueue(was_provisional=was_provisional)


def _locked_year(year: int) -> CalendarYear:
    found = CalendarYear.objects.select_for_update().filter(year=year).first()
    if found is None:
        raise NotFound(f"工作日历中没有 {year} 年度，请先新增该年度。")
    return found


def calendar_year_add(*, actor: Actor, year: int, source: str, note: str = "") -> CalendarYear:
    """Add `year` as a draft (not in force until published). Records calendar.year_add."""
    _require_editor(actor)
    errors: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [f"年度：须在 {FIRST_YEAR}–{LAST_YEAR} 之间"]
    if not source.strip():
        errors["source"] = ["依据：必填，请写明国务院办公厅节假日安排通知的名称和文号"]
    elif len(source) > 200:
        errors["source"] = ["依据：不能超过 200 个字"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        if CalendarYear.objects.filter(year=year).exists():
            raise ValidationFailed({"year": [f"年度：{year} 年已存在，请直接修改该年度"]})
        created = CalendarYear.objects.create(year=year, source=source.strip(), note=note)
        _record(verb=CalendarVerb.YEAR_ADD, actor=actor, year=year, source=created.source, payload={"note": note})
        _after_commit(in_force=False)
    return created


def calendar_day_set(*, actor: Actor, day: dt.date, is_working_day: bool, name: str = "") -> CalendarDay:
    """Enter (or correct) one day of its year: a holiday, or a 调休 weekend working day.

    Records calendar.day_set; re-derives due dates when the year is already published.
    """
    _require_editor(actor)
    name = name.strip()
    if len(name) > 50:
        raise ValidationFailed({"name": ["名称：不能超过 50 个字"]})
    if is_working_day and day.weekday() < 5:
        raise ValidationFailed(
            {"is_working_day": [f"是否工作日：{day} 是周一至周五，本来就是工作日，只有调休上班的周末需要录入"]}
        )
    with transaction.atomic(durable=True):
        before = _provisional_before()
        year = _locked_year(day.year)
        row, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"calendar_year": year, "is_working_day": is_working_day, "name": name}
        )
        _record(
            verb=CalendarVerb.DAY_SET,
            actor=actor,
            year=year.year,
            source=year.source,
            payload={"dates": [day.isoformat()], "is_working_day": is_working_day, "name": name},
        )
        CalendarYear.objects.filter(pk=year.pk).update(updated_at=clock.now())
        _after_commit(in_force=year.published_at is not None, was_provisional=before)
    return row


def calendar_day_clear(*, actor: Actor, day: dt.date) -> None:
    """Make `day` an ordinary day again (Monday–Friday working, weekend off). Records calendar.day_clear."""
    _require_editor(actor)
    with transaction.atomic(durable=True):
        before = _provisional_before()
        year = _locked_year(day.year)
        deleted, _ = CalendarDay.objects.filter(calendar_year=year, date=day).delete()
        if not deleted:
            raise NotFound(f"日期：{day} 没有录入过节假日或调休，无需清除")
        _record(
            verb=CalendarVerb.DAY_CLEAR,
            actor=actor,
            year=year.year,
            source=year.source,
            payload={"dates": [day.isoformat()]},
        )
        CalendarYear.objects.filter(pk=year.pk).update(updated_at=clock.now())
        _after_commit(in_force=year.published_at is not None, was_provisional=before)


def calendar_year_publish(*, actor: Actor, year: int) -> CalendarYear:
    """Put a draft year in force, replacing its provisional projection. Records calendar.year_publish
    (with every holiday and 调休 date) and re-derives the due dates of running cases and tasks."""
    _require_editor(actor)
    with transaction.atomic(durable=True):
        before = _provisional_before()
        row = _locked_year(year)
        if row.published_at is not None:
            raise ValidationFailed({"year": [f"年度：{year} 年已经发布"]})
        days = list(row.days.order_by("date"))
        row.published_at = clock.now()
        row.save(update_fields=["published_at", "updated_at"])
        _record(
            verb=CalendarVerb.YEAR_PUBLISH,
            actor=actor,
            year=year,
            source=row.source,
            payload={
                "holidays": [d.date.isoformat() for d in days if not d.is_working_day],
                "working_weekends": [d.date.isoformat() for d in days if d.is_working_day],
            },
        )
        _after_commit(in_force=True, was_provisional=before)
    return row


def calendar_year_remove(*, actor: Actor, year: int) -> None:
    """Delete a year and its days (a published year falls back to the projection or to
    "not configured"). Records calendar.year_remove with the dates removed."""
    _require_editor(actor)
    with transaction.atomic(durable=True):
        before = _provisional_before()
        row = _locked_year(year)
        dates = [d.isoformat() for d in row.days.order_by("date").values_list("date", flat=True)]
        was_published = row.published_at is not None
        row.delete()
        _record(
            verb=CalendarVerb.YEAR_REMOVE,
            actor=actor,
            year=year,
            source=row.source,
            payload={"dates": dates, "was_published": was_published},
        )
        _after_commit(in_force=was_published, was_provisional=before)


def calendar_years_seed(*, actor: Actor = None, years: Iterable[int]) -> int:
    """Add and publish the years the bundled chinese-calendar package knows and the database
    lacks (idempotent). Records calendar.year_seed per year added."""
    _require_editor(actor)
    added = 0
    with transaction.atomic(durable=True):
        before = _provisional_before()
        for year in years:
            if calendar_seed(years=range(year, year + 1)):
                row = CalendarYear.objects.get(year=year)
                _record(
                    verb=CalendarVerb.YEAR_SEED,
                    actor=actor,
                    year=year,
                    source=row.source,
                    payload={"days": row.days.count()},
                )
                added += 1
        _after_commit(in_force=added > 0, was_provisional=before)
    return added
