"""Keeping the roll-ups (models.DailyFigures, models.StatusCount) from the case events.

`observe(case, event)` runs for every event the case engine writes (cases.hooks), inside
its transaction: what the event adds is computed by `deltas`, a pure reading of the event
and the case, and added to the day's row of the item and to the day's row of all items
(`ALL_ITEMS`) in one UPDATE each (or, for a new row or a histogram, with the row locked), so
concurrent events of the same item never lose a count. `rebuild` replays every event through
the same `deltas`.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from yiwang.cases.deadlines import case_clock_state
from yiwang.cases.models import Case, CaseEvent, DeliveryMethod
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.models import ImplementationVersion
from yiwang.ledger.events import CaseVerb
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, StatusCount

# Verb → the counter of DailyFigures it adds one to.
COUNTED: dict[str, str] = {
    CaseVerb.SUBMIT: "submitted",
    CaseVerb.ACCEPT: "accepted",
    CaseVerb.DEEM_ACCEPT: "accepted",
    CaseVerb.REFUSE: "refused",
    CaseVerb.REQUEST_SUPPLEMENT: "supplement_requests",
    CaseVerb.APPROVE: "approved",
    CaseVerb.DENY: "denied",
    CaseVerb.REVOKE: "revoked",
    CaseVerb.CONCLUDE: "concluded",
    CaseVerb.DEADLINE_WARNING: "warnings",
    CaseVerb.DEADLINE_OVERDUE: "overdue",
}
ZERO_VISIT_DELIVERY = {DeliveryMethod.ELECTRONIC, DeliveryMethod.MAIL}


@dataclass
class Deltas:
    counts: Counter[str] = field(default_factory=Counter)
    days_used: int | None = None  # the working days a concluded case used (histogram)

    def __bool__(self) -> bool:
        return bool(self.counts) or self.days_used is not None


def item_code_of(version_id: int, known: dict[int, str] | None = None) -> str:
    """The catalog item's basic code for an implementation version (`known` caches it for a
    replay; not across requests: ids are reused after a rolled-back test)."""
    if known is not None and version_id in known:
        return known[version_id]
    code = ImplementationVersion.objects.values_list("item_version__item__basic_code", flat=True).get(pk=version_id)
    if known is not None:
        known[version_id] = code
    return code


def day_of(event: CaseEvent) -> dt.date:
    return timezone.localtime(event.at).date()


def deltas(case: Case, event: CaseEvent) -> Deltas:
    """What one event adds to its day's figures (empty for events no figure counts)."""
    found = Deltas()
    counter = COUNTED.get(event.verb)
    if counter is None:
        if event.verb == CaseVerb.WITHDRAW and event.from_status not in ("", "draft"):
            found.counts["withdrawn"] += 1  # a discarded draft was never an application
        return found
    found.counts[counter] += 1
    if event.verb == CaseVerb.SUBMIT and event.actor_role == "applicant":
        found.counts["submitted_online"] += 1
    elif event.verb == CaseVerb.APPROVE and case.decided_by_rule:
        found.counts["decided_by_rule"] += 1
    elif event.verb == CaseVerb.CONCLUDE:
        concluded(case, day_of(event), found)
    return found


def concluded(case: Case, day: dt.date, found: Deltas) -> None:
    """On-time (statutory and committed clocks, pauses and extensions respected), time used,
    limits and whether the applicant had to come at all."""
    version = case.implementation_version
    statutory = case_clock_state(case, today=day)
    committed = case_clock_state(case, committed=True, today=day)
    found.counts["concluded_on_time"] += 0 if statutory.overdue else 1
    found.counts["concluded_within_commitment"] += 0 if committed.overdue else 1
    if version.required_visits == 0 and case.delivery_method in ZERO_VISIT_DELIVERY:
        found.counts["concluded_zero_visit"] += 1
    found.counts["days_used"] += statutory.used_days
    found.counts["statutory_days"] += version.statutory_limit_days
    found.counts["committed_days"] += version.committed_limit_days
    found.days_used = statutory.used_days


def observe(case: Case, event: CaseEvent) -> None:
    """The cases.hooks observer: add the event to the roll-ups, in its transaction."""
    # Only transitions carry the state they left; other events (tasks, stages) leave it empty.
    # Drafts are not counted: a case submitted through the API without a draft never had one.
    moves = bool(event.from_status) and event.from_status != event.to_status
    found = deltas(case, event)
    if not moves and not found:
        return  # most events (tasks, stages, evidence): no query at all
    key = key_of(case)
    guard(key)
    if moves:
        move_status(key, event.from_status, event.to_status)
    if found:
        add_to_day(key, day_of(event), found)
        add_to_day({**key, "item_code": ALL_ITEMS}, day_of(event), found)


def key_of(case: Case) -> dict[str, Any]:
    """The roll-up dimensions of a case (its item's code looked up once per case instance)."""
    code = case.__dict__.get("_supervision_item_code")
    if code is None:
        code = case.__dict__["_supervision_item_code"] = item_code_of(case.implementation_version_id)
    return {"department_id": case.department_id, "region_id": case.region_id, "item_code": code}


GUARD_NAMESPACE = 1_593_015  # the first key of the advisory lock (the second: the dimensions' CRC)


def guard(key: dict[str, Any]) -> None:
    """On PostgreSQL, one advisory lock per department × region × item, taken before any of its
    roll-up rows: every transaction then locks those rows in the same order (the guard first),
    so a 补正 request and a 补正 answer, or a 秒批 submission and a decision, of two cases of
    the same item cannot deadlock on them; transactions on the same key wait for each other,
    as their row locks already made them. Held to the end of the transaction. SQLite
    serialises writers anyway."""
    if connection.vendor != "postgresql":
        return
    digest = zlib.crc32(f"{key['department_id']}:{key['region_id']}:{key['item_code']}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [GUARD_NAMESPACE, digest - 2**31])


def move_status(key: dict[str, Any], from_status: str, to_status: str) -> None:
    if from_status and from_status != CaseStatus.DRAFT:
        StatusCount.objects.filter(**key, state=from_status).update(cases=F("cases") - 1)
    if (
        to_status
        and to_status != CaseStatus.DRAFT
        and not StatusCount.objects.filter(**key, state=to_status).update(cases=F("cases") + 1)
    ):
        _locked(StatusCount, {**key, "state": to_status}, lambda row: setattr(row, "cases", row.cases + 1))


def add_to_day(key: dict[str, Any], day: dt.date, found: Deltas) -> None:
    if found.days_used is None and DailyFigures.objects.filter(**key, day=day).update(
        **{name: F(name) + n for name, n in found.counts.items()}
    ):
        return  # counters only, on an existing row: one atomic UPDATE

    def apply(row: DailyFigures) -> None:
        for name, n in found.counts.items():
            setattr(row, name, getattr(row, name) + n)
        if found.days_used is not None:
            bucket = str(found.days_used)
            row.days_histogram = {**row.days_histogram, bucket: row.days_histogram.get(bucket, 0) + 1}

    _locked(DailyFigures, {**key, "day": day}, apply)


def _locked(model: type[DailyFigures] | type[StatusCount], key: dict[str, Any], change: Callable) -> None:  # type: ignore[type-arg]
    """Change the row of `key` under a row lock, creating it first if it is missing (a
    concurrent creator makes get_or_create read the row it wrote instead)."""
    with transaction.atomic():
        row, _ = model.objects.select_for_update().get_or_create(**key)
        change(row)
        row.save()


def rebuild(*, progress: Callable[[int, int], None] | None = None, chunk: int = 5000) -> tuple[int, int]:
    """Recompute every roll-up from the events and the case table; returns (events read, rows written).

    The rows come from `recount`. One transaction: on PostgreSQL it first locks the two
    roll-up tables against writers, so an event written meanwhile waits and then lands on
    the new rows instead of being lost with the old ones (case changes pause for the
    rebuild); readers see the old figures until it commits.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = f"{DailyFigures._meta.db_table}, {StatusCount._meta.db_table}"
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        counted = recount(progress=progress, chunk=chunk)
        DailyFigures.objects.all().delete()
        StatusCount.objects.all().delete()
        DailyFigures.objects.bulk_create(counted.daily.values(), batch_size=2000)
        StatusCount.objects.bulk_create(counted.statuses.values(), batch_size=2000)
    return counted.read, len(counted.daily) + len(counted.statuses)


DailyKey = tuple[int, int, str, dt.date]  # department, region, item code (or ALL_ITEMS), day
StatusKey = tuple[int, int, str, str]  # department, region, item code, state
Counted = Callable[[Case, CaseEvent, Deltas], None]


@dataclass
class Recount:
    """The roll-up rows as the events and the case table make them (unsaved), by their key."""

    daily: dict[DailyKey, DailyFigures]
    statuses: dict[StatusKey, StatusCount]
    read: int  # counted-verb events replayed


def recount(
    *, progress: Callable[[int, int], None] | None = None, chunk: int = 5000, counted: Counted | None = None
) -> Recount:
    """The roll-up rows recomputed without writing them: status counts from the case table
    itself (the truth for "now"), daily figures from replaying every event through `deltas`,
    read in chunks of `chunk` events. `counted(case, event, found)` sees each event that adds
    to a figure (the audit ties it to its ledger entry). `rebuild` writes what this returns;
    `audit` compares it with the stored rows."""
    total = _counted_events().count()
    days: dict[DailyKey, Deltas] = {}
    codes: dict[int, str] = {}
    read = 0
    for case, event in _events(chunk):
        found = deltas(case, event)
        read += 1
        if found:
            if counted is not None:
                counted(case, event, found)
            key = (
                case.department_id,
                case.region_id,
                item_code_of(case.implementation_version_id, codes),
                day_of(event),
            )
            for one in (key, (*key[:2], ALL_ITEMS, key[3])):  # the item's row and the all-items row
                merged = days.setdefault(one, Deltas())
                merged.counts.update(found.counts)
                if found.days_used is not None:
                    merged.counts[f"h{found.days_used}"] += 1
        if progress is not None and read % chunk == 0:
            progress(read, total)
    if progress is not None:
        progress(read, total)
    return Recount({key: _daily_row(key, merged) for key, merged in days.items()}, _status_rows(codes), read)


def _counted_events() -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(verb__in=[*COUNTED, CaseVerb.WITHDRAW])


def _events(chunk: int) -> Iterator[tuple[Case, CaseEvent]]:
    events = _counted_events().order_by("id")
    last = 0
    while True:
        batch = list(events.filter(id__gt=last).select_related("case__implementation_version")[:chunk])
        if not batch:
            return
        for event in batch:
            yield event.case, event
        last = batch[-1].id


def _daily_row(key: DailyKey, merged: Deltas) -> DailyFigures:
    department_id, region_id, item_code, day = key
    histogram = {name[1:]: n for name, n in merged.counts.items() if name.startswith("h")}
    counts = {name: n for name, n in merged.counts.items() if not name.startswith("h")}
    return DailyFigures(
        department_id=department_id,
        region_id=region_id,
        item_code=item_code,
        day=day,
        days_histogram=histogram,
        **counts,
    )


def _status_rows(codes: dict[int, str]) -> dict[StatusKey, StatusCount]:
    grouped = Case.objects.exclude(status=CaseStatus.DRAFT).values(
        "department_id", "region_id", "implementation_version_id", "status"
    )
    rows: Counter[StatusKey] = Counter()
    for row in grouped.annotate(n=Count("id")).order_by():
        key = (
            row["department_id"],
            row["region_id"],
            item_code_of(row["implementation_version_id"], codes),
            row["status"],
        )
        rows[key] += row["n"]
    return {
        (d, r, i, s): StatusCount(department_id=d, region_id=r, item_code=i, state=s, cases=n)
        for (d, r, i, s), n in rows.items()
    }
