"""Keeping the roll-ups (models.DailyFigures, MonthlyFigures, StatusCount) from the case events.

`observe(case, event)` runs for every event the case engine writes (cases.hooks), inside
its transaction: what the event adds is computed by `deltas`, a pure reading of the event
and the case, and added to the day's row of the item, the day's row of all items
(`ALL_ITEMS`) and the month's row of all items by upserts (INSERT … ON CONFLICT DO UPDATE
SET n = n + …: the row lock is the statement's), so concurrent events of the same item never
lose a count; on PostgreSQL all of an event's writes are one statement. `rebuild` replays
every event through the same `deltas`.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from yiwang.cases.deadlines import case_clock_state
from yiwang.cases.models import Case, CaseEvent, DeliveryMethod
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.core.dates import next_month, period
from yiwang.ledger.events import CaseVerb
from yiwang.supervision.archived import ArchivedRanges, refuse_archived_month
from yiwang.supervision.metrics import COUNTERS
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, MonthlyFigures, StatusCount

# Verb → the counter of DailyFigures it adds one to.
COUNTED: dict[str, str] = {
    CaseVerb.SUBMIT: "submitted",
    CaseVerb.SUBMIT_ELSEWHERE: "submitted",  # 异地代收代办: counted for the handling department
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


# Item code of each published implementation version, per process: a published version is
# immutable. Emptied whenever a version is saved or deleted (on SQLite a rolled-back test may
# hand a new version the id of a discarded one).
_published_codes: dict[int, str] = {}


@receiver([post_save, post_delete], sender=ImplementationVersion)
def _forget_codes(**kwargs: Any) -> None:
    _published_codes.clear()


def item_code_of(version_id: int, known: dict[int, str] | None = None) -> str:
    """The catalog item's basic code for an implementation version (`known` caches it for a
    replay; a published version's is also kept for the process)."""
    if known is not None and version_id in known:
        return known[version_id]
    code = _published_codes.get(version_id)
    if code is None:
        rows = ImplementationVersion.objects.values_list("item_version__item__basic_code", "status")
        code, status = rows.get(pk=version_id)
        if status == VersionStatus.PUBLISHED:
            _published_codes[version_id] = code
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
    if event.verb in (CaseVerb.SUBMIT, CaseVerb.SUBMIT_ELSEWHERE) and event.actor_role == "applicant":
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
    statements = status_moves(key, event.from_status, event.to_status) if moves else []
    if found:
        day = day_of(event)
        places = {"department_id": key["department_id"], "region_id": key["region_id"]}
        days = [{**key, "day": day}, {**places, "item_code": ALL_ITEMS, "day": day}]
        statements += [
            added(DailyFigures, days, found),
            added(MonthlyFigures, [{**places, "month": day.replace(day=1)}], found),
        ]
    execute(statements)


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


Statement = tuple[str, list[Any]]


def execute(statements: list[Statement]) -> None:
    """Run the statements; on PostgreSQL as one (the first ones as data-modifying WITH
    clauses: one round trip per event). They never touch the same row twice. Rows shared by
    the items of a department (its day's and month's rows of all items) are locked in the
    same order by every event, as the statement always has the same shape; the rows of one
    item are behind its `guard`."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        *first, (last, params) = statements
        clauses = ", ".join(f"s{n} AS ({sql})" for n, (sql, _) in enumerate(first))
        cursor.execute(f"WITH {clauses} {last}" if first else last, [p for _, ps in first for p in ps] + params)


def _upsert(model: type[Any], rows: list[dict[str, Any]], updates: list[str]) -> Statement:
    """INSERT of `rows` that, on the key of `model`'s unique constraint, runs `updates` (SET
    clauses; `excluded` is the row that would have been inserted)."""
    table = model._meta.db_table
    names = list(rows[0])
    json = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    marks = ", ".join(json if name == "days_histogram" else "%s" for name in names)
    (constraint,) = model._meta.constraints
    target = ", ".join(model._meta.get_field(name).column for name in constraint.fields)
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join(f'({marks})' for _ in rows)} "  # noqa: S608
        f"ON CONFLICT ({target}) DO UPDATE SET {', '.join(updates)}"
    )
    return sql, [row[name] for row in rows for name in names]


def added(model: type[DailyFigures] | type[MonthlyFigures], keys: list[dict[str, Any]], found: Deltas) -> Statement:
    """Add `found` to the row of each key, creating the rows that are missing; atomic under
    concurrency (the upsert's row lock), so no count is lost."""
    table = model._meta.db_table
    values: dict[str, Any] = {name: found.counts.get(name, 0) for name in COUNTERS}
    bucket = None if found.days_used is None else str(found.days_used)
    values["days_histogram"] = jsonlib.dumps({} if bucket is None else {bucket: 1})
    updates = [f"{name} = {table}.{name} + excluded.{name}" for name in sorted(found.counts)]
    params: list[Any] = []
    if bucket is not None:
        if connection.vendor == "postgresql":
            one = f"COALESCE(({table}.days_histogram ->> %s)::int, 0) + 1"
            updates.append(f"days_histogram = jsonb_set({table}.days_histogram, ARRAY[%s], to_jsonb({one}))")
            params = [bucket, bucket]
        else:
            path = f'$."{int(bucket)}"'  # an int: nothing to escape
            one = f"COALESCE(json_extract({table}.days_histogram, '{path}'), 0) + 1"
            updates.append(f"days_histogram = json_set({table}.days_histogram, '{path}', {one})")
    sql, row_params = _upsert(model, [{**key, **values} for key in keys], updates)
    return sql, row_params + params


def status_moves(key: dict[str, Any], from_status: str, to_status: str) -> list[Statement]:
    """One case fewer in the state left, one more in the state entered (drafts not counted)."""
    statements: list[Statement] = []
    table = StatusCount._meta.db_table
    if from_status and from_status != CaseStatus.DRAFT:
        where = " AND ".join(f"{name} = %s" for name in key)
        statements.append(
            (f"UPDATE {table} SET cases = cases - 1 WHERE {where} AND state = %s", [*key.values(), from_status])  # noqa: S608
        )
    if to_status and to_status != CaseStatus.DRAFT:
        statements.append(
            _upsert(StatusCount, [{**key, "state": to_status, "cases": 1}], [f"cases = {table}.cases + 1"])
        )
    return statements


def rebuild(
    *, month: dt.date | None = None, progress: Callable[[int, int], None] | None = None, chunk: int = 5000
) -> tuple[int, int]:
    """Recompute the roll-ups from the events and the case table; returns (events read, rows written).

    Status counts come from the case table itself (the truth for "now"); daily and monthly
    figures from replaying the events through `deltas` (`recount`): every event, or with
    `month` (its first day) only the events of that calendar month, replacing only its days and
    its month (`yiwang supervision rebuild --since/--until` runs one month per transaction).
    One transaction: on PostgreSQL it first locks the roll-up tables against writers, so an
    event written meanwhile waits and then lands on the new rows instead of being lost with the
    old ones (case changes pause for the rebuild); readers see the old figures until it commits.
    """
    models = (DailyFigures, MonthlyFigures, StatusCount)
    archived = ArchivedRanges.load()
    days, months = DailyFigures.objects.all(), MonthlyFigures.objects.all()
    for start, end in archived.event_months:  # their figures stay: the events are in the archive files
        days, months = days.exclude(day__gte=start, day__lt=end), months.exclude(month=start)
    replaced: list[QuerySet[Any]] = [days, months]
    if month is not None:
        if month.day != 1:
            raise ValueError(f"month must be a month's first day, not {month}")
        refuse_archived_month(month)
        after = next_month(month)
        replaced = [
            DailyFigures.objects.filter(day__gte=month, day__lt=after),
            MonthlyFigures.objects.filter(month=month),
        ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(model._meta.db_table for model in models)
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        counted = recount(month=month, progress=progress, chunk=chunk)
        for rows in [*replaced, StatusCount.objects.all()]:
            rows.delete()
        daily = [row for row in counted.daily.values() if not archived.events_archived_on(row.day)]
        monthly = [row for row in counted.monthly.values() if not archived.events_archived_on(row.month)]
        DailyFigures.objects.bulk_create(daily, batch_size=2000)
        MonthlyFigures.objects.bulk_create(monthly, batch_size=2000)
        StatusCount.objects.bulk_create(counted.statuses.values(), batch_size=2000)
    return counted.read, len(daily) + len(monthly) + len(counted.statuses)


DailyKey = tuple[int, int, str, dt.date]  # department, region, item code (or ALL_ITEMS), day
MonthKey = tuple[int, int, dt.date]  # department, region, the month's first day (all items)
StatusKey = tuple[int, int, str, str]  # department, region, item code, state
Counted = Callable[[Case, CaseEvent, Deltas], None]


@dataclass
class Recount:
    """The roll-up rows as the events and the case table make them (unsaved), by their key."""

    daily: dict[DailyKey, DailyFigures]
    monthly: dict[MonthKey, MonthlyFigures]
    statuses: dict[StatusKey, StatusCount]
    read: int  # counted-verb events replayed


def recount(
    *,
    month: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 5000,
    counted: Counted | None = None,
) -> Recount:
    """The roll-up rows recomputed without writing them: status counts from the case table
    itself (the truth for "now"), daily and monthly figures from replaying every event (or
    those of the calendar `month`) through `deltas`, read in chunks of `chunk` events.
    `counted(case, event, found)` sees each event that adds to a figure (the audit ties it to
    its ledger entry). `rebuild` writes what this returns; `audit` compares it with the stored
    rows."""
    events = _counted_events()
    if month is not None:
        start, end = period(month, next_month(month) - dt.timedelta(days=1))
        events = events.filter(at__gte=start, at__lt=end)
    total = events.count()
    days: dict[DailyKey, Deltas] = {}
    months: dict[MonthKey, Deltas] = {}
    codes: dict[int, str] = {}
    read = 0
    for case, event in _events(events, chunk):
        found = deltas(case, event)
        read += 1
        if found:
            if counted is not None:
                counted(case, event, found)
            day = day_of(event)
            code = item_code_of(case.implementation_version_id, codes)
            department, region = case.department_id, case.region_id
            _merge(days, (department, region, code, day), found)
            _merge(days, (department, region, ALL_ITEMS, day), found)  # the day's row of all items
            _merge(months, (department, region, day.replace(day=1)), found)
        if progress is not None and read % chunk == 0:
            progress(read, total)
    if progress is not None:
        progress(read, total)
    return Recount(
        {key: _row(DailyFigures, merged, key[0], key[1], item_code=key[2], day=key[3]) for key, merged in days.items()},
        {key: _row(MonthlyFigures, merged, key[0], key[1], month=key[2]) for key, merged in months.items()},
        _status_rows(codes),
        read,
    )


def _merge(rows: dict[Any, Deltas], key: Any, found: Deltas) -> None:
    merged = rows.setdefault(key, Deltas())
    merged.counts.update(found.counts)
    if found.days_used is not None:
        merged.counts[f"h{found.days_used}"] += 1


def _counted_events() -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(verb__in=[*COUNTED, CaseVerb.WITHDRAW])


def _events(events: QuerySet[CaseEvent], chunk: int) -> Iterator[tuple[Case, CaseEvent]]:
    events = events.order_by("id")
    last = 0
    while True:
        batch = list(events.filter(id__gt=last).select_related("case__implementation_version")[:chunk])
        if not batch:
            return
        for event in batch:
            yield event.case, event
        last = batch[-1].id


def _row(model: type[Any], merged: Deltas, department_id: int, region_id: int, **key: Any) -> Any:
    histogram = {name[1:]: n for name, n in merged.counts.items() if name.startswith("h")}
    counts = {name: n for name, n in merged.counts.items() if not name.startswith("h")}
    return model(department_id=department_id, region_id=region_id, days_histogram=histogram, **key, **counts)


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
