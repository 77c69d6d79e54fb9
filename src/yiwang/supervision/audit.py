"""`yiwang supervision audit` (and, registered in apps.ready, `yiwang ledger audit`): are the
figures the public and supervisors see the ones the verified log makes? (ADR 0020)

1. The roll-ups: every DailyFigures, StatusCount and DailyRatings row is recomputed by the
   code that rebuilds them (`rollup.recount`, `satisfaction.recount`: one copy of the
   counting rules) and compared field by field with the stored row; a stored row without a
   recomputed one must be all zero (a count taken back to 0 keeps its row).
2. The tie to the log: each case event that adds to a figure, each rating counted, each
   bad review counted as put right and each rating left out by an upheld appeal has its
   ledger entry, and the entry's leaf says the same (kind, subject, time, and the payload's
   dimensions). Conversely, every ledger entry of a kind the figures count has the event row
   or rating that counts it: a deleted event row cannot hide behind a rebuilt roll-up. The
   ledger audit proves the leaves themselves; together the figures are derived from the
   signed log, not from rows anyone with database access could edit.
3. The published months: each month's latest publication equals its ledger leaf, its hash
   is the hash of its figures, and the figures are what the page computes today.

One snapshot: on PostgreSQL the audit reads in one REPEATABLE READ, READ ONLY transaction.
Memory: events, ratings and stored rows are read in chunks; the recomputed roll-up is held
as a dict (as `rebuild` holds it), its size that of the roll-up tables, not of the events;
the entry ids the events name are one bit each (12.5 MB for 100 M ledger entries).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from yiwang.accounts.models import Department, Region
from yiwang.cases.models import Case, CaseEvent
from yiwang.ledger.audit import ExtensionReport
from yiwang.ledger.events import CaseVerb, Domain, RatingVerb, event_type, label_of_kind
from yiwang.ledger.leaf import LeafError, leaf_facts
from yiwang.ledger.models import Entry
from yiwang.ratings.models import BAD_GRADES, Rating, RatingEvent
from yiwang.ratings.workflow import PUT_RIGHT
from yiwang.supervision import publication, rollup, satisfaction
from yiwang.supervision.archived import ArchivedRanges
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, DailyRatings, MonthlyFigures, StatusCount

# A leaf and its event row read the clock a few statements apart in one transaction
# (cases.services.record, ratings.services): they must agree within this, and on the day.
TIME_SLACK = dt.timedelta(seconds=5)
_KEYS = {"id", "department", "region", "item_code", "day"}
FIGURE_FIELDS = [f.name for f in DailyFigures._meta.concrete_fields if f.name not in _KEYS]
RATING_FIELDS = ["rated", "bad", "put_right"]


@dataclass
class SupervisionAudit:
    rows: int = 0  # stored roll-up rows compared
    events: int = 0  # counted case events tied to their leaf
    ratings: int = 0  # ratings and rating events tied to their leaf
    months: int = 0  # published months recomputed
    archived: ArchivedRanges = field(default_factory=ArchivedRanges.load)  # left out (ADR 0034)
    left_out: int = 0  # stored rows, ties and entries of archived months not checked
    entries: int = 0  # ledger entries of counted kinds tied back to their event row
    problems: list[str] = field(default_factory=list)
    max_problems: int = 200

    @property
    def clean(self) -> bool:
        return not self.problems

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.max_problems

    def add(self, problem: str) -> None:
        if len(self.problems) < self.max_problems:
            self.problems.append(problem)

    def report(self) -> ExtensionReport:
        checked = (
            f"汇总行 {self.rows}，办件事件 {self.events}，评价 {self.ratings}，"
            f"账本条目 {self.entries}，已公开月份 {self.months}"
        ) + ("，全部一致" if self.clean else f"，发现 {len(self.problems)} 处问题")
        info = self.archived.info()
        if info:
            info.append(f"因归档未核对 {self.left_out} 项（汇总行、事件与账本条目的对应）")
        return ExtensionReport("电子监察统计审计", checked, list(self.problems), info)


def supervision_audit(*, chunk: int = 5000, max_problems: int = 200) -> SupervisionAudit:
    """Everything above, read from one snapshot on PostgreSQL (REPEATABLE READ, read only),
    so cases and ratings changing meanwhile cannot show up as differences."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _audit(chunk, max_problems)


def _audit(chunk: int, max_problems: int) -> SupervisionAudit:
    audit = SupervisionAudit(max_problems=max_problems)
    names = _Names()
    ties = _Ties(audit, chunk)
    counted = rollup.recount(chunk=chunk, counted=ties.case_event)
    ties.flush()
    _compare(audit, names, DailyFigures, counted.daily, FIGURE_FIELDS, chunk)
    _compare(audit, names, MonthlyFigures, counted.monthly, FIGURE_FIELDS, chunk)
    _compare(audit, names, StatusCount, counted.statuses, ["cases"], chunk)
    _compare(audit, names, DailyRatings, satisfaction.recount(), RATING_FIELDS, chunk)
    _tie_ratings(ties, chunk)
    ties.flush()
    _tie_entries(ties, chunk)
    _check_months(audit)
    return audit


def extension() -> ExtensionReport:
    """What `yiwang ledger audit` runs (registered in SupervisionConfig.ready)."""
    return supervision_audit().report()


# --- 1. the roll-ups -------------------------------------------------------------------------


class _Names:
    """Department and region names for the reports, read once and only when needed."""

    def __init__(self) -> None:
        self._departments: dict[int, str] | None = None
        self._regions: dict[int, str] | None = None

    def where(self, row: Model) -> str:
        if self._departments is None or self._regions is None:
            self._departments = dict(Department.objects.values_list("pk", "name"))
            self._regions = dict(Region.objects.values_list("pk", "name"))
        department = self._departments.get(row.department_id, f"部门#{row.department_id}")  # type: ignore[attr-defined]
        region = self._regions.get(row.region_id, f"区划#{row.region_id}")  # type: ignore[attr-defined]
        code = getattr(row, "item_code", ALL_ITEMS)
        item = "全部事项" if code == ALL_ITEMS else f"事项 {code}"
        month = getattr(row, "month", None)
        day = getattr(row, "day", None) or (month and f"{month:%Y-%m} 月")
        state = getattr(row, "state", None)
        return " ".join(str(part) for part in (day, department, region, item, state and f"状态 {state}") if part)


def _key(row: Model) -> tuple[Any, ...]:
    if isinstance(row, MonthlyFigures):
        return (row.department_id, row.region_id, row.month)  # type: ignore[attr-defined]
    last = row.state if isinstance(row, StatusCount) else row.day  # type: ignore[attr-defined]
    return (row.department_id, row.region_id, row.item_code, last)  # type: ignore[attr-defined]


def _compare(
    audit: SupervisionAudit,
    names: _Names,
    model: type[Model],
    recounted: dict[Any, Any],
    fields: list[str],
    chunk: int,
) -> None:
    """Stream the stored rows, compare each with its recomputed row (popped: what is left
    was never stored)."""
    table = model._meta.verbose_name
    for stored in model._default_manager.order_by("pk").iterator(chunk_size=chunk):  # type: ignore[attr-defined]
        if _archived_row(audit, stored):
            recounted.pop(_key(stored), None)
            continue
        audit.rows += 1
        fresh = recounted.pop(_key(stored), None) or model(**{n: getattr(stored, n) for n in _DIMENSIONS[model]})
        for name in fields:
            shown, truth = _value(stored, name), _value(fresh, name)
            if shown != truth:
                label = _label(model, name)
                audit.add(f"{table} {names.where(stored)}：{label}（{name}）存储为 {shown}，由事件重算为 {truth}")
        if audit.full:
            return
    for fresh in recounted.values():
        if _archived_row(audit, fresh):
            continue
        counts = {name: _value(fresh, name) for name in fields}
        if any(counts.values()):
            shown = "，".join(f"{_label(model, n)} {v}" for n, v in counts.items() if v)
            audit.add(f"{table} {names.where(fresh)}：缺少这一行（被删除），由事件重算为 {shown}")
        if audit.full:
            return


def _archived_row(audit: SupervisionAudit, row: Model) -> bool:
    """A figures row of a month whose events were archived: not recounted (and said so)."""
    day = getattr(row, "month", None) if isinstance(row, MonthlyFigures) else getattr(row, "day", None)
    if isinstance(row, DailyRatings) or day is None or not audit.archived.events_archived_on(day):
        return False
    audit.left_out += 1
    return True


_DIMENSIONS: dict[type[Model], list[str]] = {
    DailyFigures: ["department_id", "region_id", "item_code", "day"],
    DailyRatings: ["department_id", "region_id", "item_code", "day"],
    MonthlyFigures: ["department_id", "region_id", "month"],
    StatusCount: ["department_id", "region_id", "item_code", "state"],
}


def _label(model: type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _value(row: Model, name: str) -> Any:
    value = getattr(row, name)
    if isinstance(value, dict):  # the time histogram: buckets that count nothing are no buckets
        return {str(k): v for k, v in sorted(value.items()) if v}
    return value or 0


# --- 2. the tie to the log -------------------------------------------------------------------


@dataclass(frozen=True)
class _Expected:
    what: str  # the event as the report names it
    entry_id: int | None
    kind: str
    subject: str
    at: dt.datetime
    payload: dict[str, Any]  # payload fields the leaf must have with these values


class _Ties:
    """Counted events waiting for their entries, checked a chunk at a time."""

    def __init__(self, audit: SupervisionAudit, chunk: int) -> None:
        self.audit, self.chunk = audit, chunk
        self.pending: list[_Expected] = []
        self.seen = _EntryIds(Entry.objects.aggregate(top=Max("pk"))["top"] or 0)
        self.credit_codes = dict(Department.objects.values_list("pk", "credit_code"))

    def case_event(self, case: Case, event: CaseEvent, found: rollup.Deltas) -> None:
        self.audit.events += 1
        self.expect(
            _Expected(
                what=f"办件 {case.number or case.ref} 的事件 #{event.pk}（{event.verb}，{_local(event.at)}）",
                entry_id=event.ledger_entry_id,
                kind=event_type(Domain.CASES, event.verb).kind,
                subject=case.subject,
                at=event.at,
                payload={
                    "verb": event.verb,
                    "from": event.from_status,
                    "to": event.to_status,
                    "department": self.credit_codes.get(case.department_id),
                    "implementation_version": case.implementation_version_id,
                },
            )
        )

    def expect(self, expected: _Expected) -> None:
        self.seen.add(expected.entry_id)
        self.pending.append(expected)
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        ids = [e.entry_id for e in self.pending if e.entry_id is not None]
        leaves: dict[int | None, str] = dict(Entry.objects.filter(pk__in=ids).values_list("pk", "leaf")) if ids else {}
        for expected in self.pending:
            if expected.entry_id not in leaves and self.audit.archived.entry_archived(expected.entry_id):
                self.audit.left_out += 1  # its entry is in an archive file
                continue
            for problem in _leaf_problems(expected, leaves.get(expected.entry_id)):
                self.audit.add(f"{expected.what}：{problem}")
        self.pending.clear()


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def _leaf_problems(expected: _Expected, leaf: str | None) -> list[str]:
    if expected.entry_id is None:
        return ["没有账本条目（不能由账本证实）"]
    if leaf is None:
        return [f"账本条目 #{expected.entry_id} 不存在（条目或事件被篡改）"]
    try:
        facts = leaf_facts(leaf)
        payload = json.loads(leaf).get("payload") or {}
    except (LeafError, AttributeError) as exc:
        return [f"账本条目 #{expected.entry_id} 不是有效的账本记录（{exc}）"]
    problems = []
    mine = f"账本条目 #{expected.entry_id}"
    if facts.kind != expected.kind:
        problems.append(f"{mine}的事件类型为“{facts.kind}”，事件为“{expected.kind}”（事件被篡改）")
    if facts.subject != expected.subject:
        problems.append(f"{mine}的对象为“{facts.subject}”，事件为“{expected.subject}”（事件被篡改）")
    gap = abs(facts.at - expected.at)
    if gap > TIME_SLACK or timezone.localtime(facts.at).date() != timezone.localtime(expected.at).date():
        problems.append(f"{mine}的时间为 {_local(facts.at)}，事件为 {_local(expected.at)}（事件被篡改）")
    for name, value in expected.payload.items():
        if payload.get(name) != value:
            problems.append(f"{mine}中 {name} 为“{payload.get(name)}”，事件为“{value}”（事件被篡改）")
    return problems


def _tie_ratings(ties: _Ties, chunk: int) -> None:
    """Each counted rating's 评价 entry (grade and dimensions included), each bad review counted
    as put right has its 整改/纠错 event, each rating left out has its upheld appeal."""
    counted = Rating.objects.filter(excluded=False).order_by("pk")
    columns = (
        "pk",
        "ledger_entry_id",
        "grade",
        "rated_at",
        "family",
        "case__number",
        "department__credit_code",
        "region__code",
        "implementation_version__item_version__item__basic_code",
    )
    for pk, entry_id, grade, rated_at, family, number, department, region, item in _chunked(counted, columns, chunk):
        ties.audit.ratings += 1
        ties.expect(
            _Expected(
                what=f"评价 #{pk}（办件 {number}，{_local(rated_at)}）",
                entry_id=entry_id,
                kind=event_type(Domain.RATINGS, RatingVerb.RATED).kind,
                subject=f"rating:{number}/{family}",
                at=rated_at,
                payload={"grade": grade, "department": department, "region": region, "item": item},
            )
        )
    put_right = counted.filter(grade__in=BAD_GRADES, handling__in=PUT_RIGHT)
    _tie_rating_events(ties, put_right, [RatingVerb.FIXED, RatingVerb.RECTIFIED], "计为已整改的差评", chunk)
    excluded = Rating.objects.filter(excluded=True).order_by("pk")
    for _pk, entry_id in _chunked(excluded, ("pk", "ledger_entry_id"), chunk):
        ties.seen.add(entry_id)  # its 评价 entry is accounted for by the rating left out
    _tie_rating_events(ties, excluded, [RatingVerb.APPEAL_UPHELD], "因申诉成立不计入统计的评价", chunk)


def _tie_rating_events(ties: _Ties, ratings: Any, verbs: list[RatingVerb], label: str, chunk: int) -> None:
    """Each rating of `ratings` has an event of one of `verbs`, and that event its entry."""
    for batch in _batches(ratings.values_list("pk", flat=True), chunk):
        events = RatingEvent.objects.filter(rating_id__in=batch, verb__in=verbs).order_by("pk")
        seen = set()
        for event in events.only("pk", "rating_id", "verb", "subject", "at", "ledger_entry_id"):
            seen.add(event.rating_id)
            ties.audit.ratings += 1
            ties.expect(
                _Expected(
                    what=f"评价 #{event.rating_id} 的事件 #{event.pk}（{event.verb}，{_local(event.at)}）",
                    entry_id=event.ledger_entry_id,
                    kind=event_type(Domain.RATINGS, event.verb).kind,
                    subject=f"rating:{event.rating_id}",
                    at=event.at,
                    payload={},
                )
            )
        for missing in sorted(set(batch) - seen):
            ties.audit.add(f"{label} #{missing}：没有相应的事件（{'、'.join(verbs)}），不能由账本证实")


class _EntryIds:
    """The ledger entry ids the audit found an event row or rating for: one bit each, up to
    the newest entry when the audit began (entries appended later are not its to judge)."""

    def __init__(self, top: int) -> None:
        self.top = top
        self.bits = bytearray(top // 8 + 1)

    def add(self, entry_id: int | None) -> None:
        if entry_id is not None and 0 < entry_id <= self.top:
            self.bits[entry_id >> 3] |= 1 << (entry_id & 7)

    def __contains__(self, entry_id: int) -> bool:
        return bool(self.bits[entry_id >> 3] & (1 << (entry_id & 7)))


def _tie_entries(ties: _Ties, chunk: int) -> None:
    """The converse tie: every ledger entry of a kind the figures count names an event row (or
    a rating) the recount counted. An event row deleted and the roll-up rebuilt without it
    agree with each other; only the log still has the event."""
    withdraw = event_type(Domain.CASES, CaseVerb.WITHDRAW).kind
    kinds = [event_type(Domain.CASES, verb).kind for verb in rollup.COUNTED]
    kinds.append(event_type(Domain.RATINGS, RatingVerb.RATED).kind)
    entries = Entry.objects.filter(pk__lte=ties.seen.top).order_by("pk")
    entries = ties.audit.archived.without_archived_events(
        entries, [k for k in kinds if k.startswith("cases.")] + [withdraw]
    )
    for pk, kind, subject in _chunked(entries.filter(kind__in=kinds), ("pk", "kind", "subject"), chunk):
        if _unexplained(ties, pk, kind, subject):
            return
    # A withdrawal counts only an application withdrawn, not a discarded draft: its leaf says which.
    for pk, kind, subject, leaf in _chunked(entries.filter(kind=withdraw), ("pk", "kind", "subject", "leaf"), chunk):
        if _withdrew_application(leaf) and _unexplained(ties, pk, kind, subject):
            return


def _unexplained(ties: _Ties, pk: int, kind: str, subject: str) -> bool:
    """Count the entry, report it if no counted row names it; whether the report is full."""
    ties.audit.entries += 1
    if pk not in ties.seen:
        what = "评价" if kind.startswith(f"{Domain.RATINGS}.") else "办件事件"
        entry = f"账本条目 #{pk}（{label_of_kind(kind)}，{subject}）"
        ties.audit.add(f"{entry}：没有计入统计的{what}与之对应（事件行被删除）")
    return ties.audit.full


def _withdrew_application(leaf: str) -> bool:
    try:
        return (json.loads(leaf).get("payload") or {}).get("from") not in ("", "draft", None)
    except (ValueError, AttributeError):
        return True  # an unreadable leaf stays unexplained here (and the ledger audit reports it)


def _chunked(queryset: Any, columns: Iterable[str], chunk: int) -> Iterator[tuple[Any, ...]]:
    """Rows of `queryset` (ordered by pk) as value tuples, read by keyset in chunks."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).values_list(*columns)[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _batches(ids: Any, chunk: int) -> Iterator[list[int]]:
    last = 0
    while batch := list(ids.filter(pk__gt=last)[:chunk]):
        yield batch
        last = batch[-1]


# --- 3. the published months -----------------------------------------------------------------


def _check_months(audit: SupervisionAudit) -> None:
    found = publication.publications()
    leaves = dict(Entry.objects.filter(pk__in=[p.entry_id for p in found]).values_list("pk", "leaf"))
    for published in found:
        audit.months += 1
        where = f"{published.month} 公开的政务服务数据（账本条目 #{published.entry_id}）"
        leaf = leaves.get(published.entry_id)
        if leaf is None and audit.archived.entry_archived(published.entry_id):
            audit.left_out += 1
            continue
        if leaf is None:
            audit.add(f"{where}：账本条目不存在（条目或事件被篡改）")
            continue
        signed = publication.leaf_payload(leaf)
        if published.payload != signed:
            audit.add(f"{where}：事件记录与账本条目内容不一致（事件被篡改），以账本为准")
        figures = signed.get("figures")
        if not isinstance(figures, dict) or publication.digest(figures) != signed.get("sha256"):
            audit.add(f"{where}：账本中的数字与其哈希不符")
            continue
        first = dt.date.fromisoformat(f"{published.month}-01")
        for problem in _differences(figures, publication.month_document(first)):
            audit.add(f"{where}：{problem}（公开后数字有变，请核查；如属正当更正，请发布更正）")


def _differences(published: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Where the published document and today's differ, named as the page names them."""
    problems = []
    totals = published.get("totals", {})
    for key in sorted(set(totals) | set(now["totals"])):
        if totals.get(key) != now["totals"].get(key):
            problems.append(f"总体情况 {_named(key)}公开为 {totals.get(key)}，现为 {now['totals'].get(key)}")
    first = dt.date.fromisoformat(now["since"])
    for series, numbers in now["daily"].items():
        shown = published.get("daily", {}).get(series, [])
        for n, value in enumerate(numbers):
            if n >= len(shown) or shown[n] != value:
                day = first + dt.timedelta(days=n)
                was = shown[n] if n < len(shown) else "无"
                problems.append(f"每日 {day} {_named(series)}公开为 {was}，现为 {value}")
    for name, label in (("by_department", "按部门"), ("by_item", "按事项")):
        before = {row.get("code"): row for row in published.get(name, [])}
        after = {row["code"]: row for row in now[name]}
        for code in sorted(set(before) | set(after), key=str):
            old, new = before.get(code, {}), after.get(code, {})
            for key in publication.PUBLIC_COLUMNS:
                if old.get(key) != new.get(key):
                    who = new.get("name") or old.get("name") or code
                    problems.append(f"{label} {who} {_named(key)}公开为 {old.get(key)}，现为 {new.get(key)}")
    return problems


def _named(key: str) -> str:
    return f"{publication.LABELS.get(key, key)}（{key}）"
