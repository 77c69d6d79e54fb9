"""Monthly publication of 政务服务数据公开 (ADR 0020): once a month has ended, its public figures
— exactly what /data/ shows for that month, computed by the same functions (dashboard.board)
— go into the ledger as a `figures_published` event whose leaf carries the document and the
SHA-256 of its canonical JSON (core.text.canonical). Anyone can then compare the page with
the signed log, and `yiwang ledger audit` recomputes every published month.

One publication per month: publishing again is a no-op. A month whose figures changed after
publication (an appeal upheld later, a bad review put right after the month ended, a
calendar correction and a rebuild) is reported by the audit until a supervisor publishes a
`figures_corrected` entry with the reason; a correction whose figures did not change is
refused. The page and the audit read the month's latest entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.dates import month_end
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.text import control_char_error
from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.events import SupervisionVerb
from yiwang.ledger.models import Entry
from yiwang.supervision import dashboard, metrics
from yiwang.supervision.rule_models import SupervisionEvent
from yiwang.supervision.rules import record_event

# The public table: the dashboard's columns without the refusal and supplement details.
PUBLIC_COLUMNS = ["submitted", "concluded", "on_time_rate", "average_days", "online_rate", "good_rate"]
# The page's 总体情况: figures of the totals, then of satisfaction.
TOTALS = ["submitted", "concluded", "on_time_rate", "average_days", "online_rate", "zero_visit_rate"]
SATISFACTION = ["good_rate", "rectification_rate"]
# What the page calls each figure, for the audit's reports.
LABELS = {name: title for name, title, _ in dashboard.COLUMNS} | {"rectification_rate": "差评整改率(%)"}
VERBS = [SupervisionVerb.FIGURES_PUBLISHED, SupervisionVerb.FIGURES_CORRECTED]
LOCK_NAMESPACE = 1_593_016  # pg_advisory_xact_lock(namespace, month): one publisher per month


def month_label(first: dt.date) -> str:
    return f"{first:%Y-%m}"


def subject_of(first: dt.date) -> str:
    return f"figures:{month_label(first)}"


def month_document(first: dt.date) -> dict[str, Any]:
    """What /data/ shows for the whole month without a filter, by department and by item."""
    scope = metrics.Scope(since=first, until=month_end(first))
    doc: dict[str, Any] = {
        "month": month_label(first),
        "since": scope.since.isoformat(),
        "until": scope.until.isoformat(),
    }
    for by in ("department", "item"):
        view = dashboard.board(dashboard.Filters(scope, by), now_counts=False)
        codes = dashboard.row_codes(by, [row.key for row in view.rows])
        doc[f"by_{by}"] = [
            {"code": codes[row.key], "name": row.label, **{name: shown(row.value(name)) for name in PUBLIC_COLUMNS}}
            for row in view.rows
        ]
    doc["totals"] = {
        **{name: shown(getattr(view.totals, name)) for name in TOTALS},
        **{name: shown(getattr(view.satisfaction, name)) for name in SATISFACTION},
    }
    doc["daily"] = {"submitted": view.submitted_by_day, "concluded": view.concluded_by_day}
    return doc


def shown(value: Any) -> Any:
    """A rate as the page prints it ("95.3"; the ledger's canonical JSON has no floats)."""
    return str(value) if isinstance(value, float) else value


def digest(doc: dict[str, Any]) -> str:
    """SHA-256 of the ledger's own canonical JSON (JCS subset: no floats, no other types), the
    form a reader recomputes from the leaf."""
    return hashlib.sha256(canonical_json(doc)).hexdigest()


@dataclass(frozen=True)
class Publication:
    """A month's latest publication as its ledger entry has it (the event row only finds it)."""

    month: str
    event_id: int
    entry_id: int
    leaf_index: int | None
    corrected: bool
    at: dt.datetime
    payload: dict[str, Any]  # the event row's copy; the audit compares it with the leaf's


def latest(first: dt.date) -> Publication | None:
    return next(iter(publications(months=[first])), None)


def publications(
    *, months: list[dt.date] | None = None, limit: int | None = None, with_payload: bool = True
) -> list[Publication]:
    """The latest publication of each month, newest month first (`months` limits the months;
    without `with_payload`, a list's, the figures are not read: `payload` is empty)."""
    events = SupervisionEvent.objects.filter(verb__in=VERBS).order_by("-subject", "-id")
    if months is not None:
        events = events.filter(subject__in=[subject_of(m) for m in months])
    columns = ["id", "subject", "verb", "at", "ledger_entry_id", *(["payload"] if with_payload else [])]
    found: dict[str, SupervisionEvent] = {}
    for event in events.only(*columns).iterator(chunk_size=500):
        if event.subject not in found:
            if limit is not None and len(found) == limit:
                break
            found[event.subject] = event
    indexes = dict(
        Entry.objects.filter(pk__in=[e.ledger_entry_id for e in found.values()]).values_list("id", "leaf_index")
    )
    return [
        Publication(
            month=event.subject.removeprefix("figures:"),
            event_id=event.pk,
            entry_id=event.ledger_entry_id or 0,
            leaf_index=indexes.get(event.ledger_entry_id or 0),
            corrected=event.verb == SupervisionVerb.FIGURES_CORRECTED,
            at=event.at,
            payload=event.payload if with_payload else {},
        )
        for event in found.values()
    ]


def publish_month(first: dt.date, *, actor: User | None = None, reason: str = "") -> Publication | None:
    """Publish the closed month starting `first`; None if it is published already. With a
    `reason`, publish a correction of a published month whose figures have changed."""
    first = first.replace(day=1)
    if month_end(first) >= clock.today():
        raise ValidationFailed({"month": [f"月份：{month_label(first)} 尚未结束，结束后才能公开"]})
    reason = reason.strip()
    if reason and (problem := control_char_error("更正理由", reason, multiline=True)):
        raise ValidationFailed({"reason": [problem]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [f"更正理由：最多 500 个字符（现有 {len(reason)} 个）"]})
    with transaction.atomic(durable=True):
        _lock(first)
        previous = latest(first)
        if previous is not None and not reason:
            return None  # one publication per month
        if previous is None and reason:
            raise Conflict(f"{month_label(first)} 尚未公开，无需更正。")
        doc = month_document(first)
        sha256 = digest(doc)
        if previous is not None and previous.payload.get("sha256") == sha256:
            raise Conflict(f"{month_label(first)} 的数字与已公开的一致，无需更正。")
        payload: dict[str, Any] = {"month": month_label(first), "sha256": sha256, "figures": doc}
        if previous is not None:
            payload |= {"replaces": previous.entry_id, "reason": reason}
        verb = SupervisionVerb.FIGURES_CORRECTED if previous else SupervisionVerb.FIGURES_PUBLISHED
        record_event(verb, subject_of(first), actor=actor, payload=payload)
        return latest(first)


def publishable(first: dt.date) -> bool:
    """Whether the month starting `first` is due for publication: SUPERVISION_PUBLISH_AFTER_DAYS
    working days after it ended, when its bad reviews have been answered and their appeals
    and additions mostly heard (a change after that needs a reasoned correction)."""
    due = working_calendar().add_working_days(month_end(first), settings.SUPERVISION_PUBLISH_AFTER_DAYS)
    return clock.today() >= due


def publish_closed_month() -> int:
    """The worker's job: publish each of the last three months that is due and not yet
    published, once (a month's due day may fall after the next month has ended, e.g. after
    春节; a worker that was down catches up). Returns how many it published."""
    this_month, made = clock.today().replace(day=1), 0
    for back in (3, 2, 1):
        first = (this_month - dt.timedelta(days=28 * back - 14)).replace(day=1)
        if publishable(first) and latest(first) is None:
            made += publish_month(first) is not None
    return made


def _lock(first: dt.date) -> None:
    """Two publishers of one month wait for each other (SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(month_label(first).encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, key - 2**31])


def leaf_payload(leaf: str) -> dict[str, Any]:
    """The payload of a ledger leaf (the audit has checked the leaf's hash and tree)."""
    payload = json.loads(leaf).get("payload")
    return payload if isinstance(payload, dict) else {}
