"""Months whose case events or ledger entries were archived (ADR 0034, `yiwang partitions
archive`). Their figures cannot be recounted (the events are in the archive files, not the
database) and their leaves cannot be re-read, so the supervision audit leaves them out and
says so, and `rebuild` refuses them: it would overwrite the figures with what is left — zeros.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiwang.core.errors import Conflict
from yiwang.ledger.models import ArchivedPartition, Entry
from yiwang.ledger.partitions import local_midnight

EVENT_TABLE = "cases_caseevent"
ENTRY_TABLE = "ledger_entry"


@dataclass(frozen=True)
class ArchivedRanges:
    event_months: tuple[tuple[dt.date, dt.date], ...]  # [start, end) of each archived month of events
    entry_months: tuple[tuple[dt.date, dt.date], ...]
    entry_ids: tuple[tuple[int, int], ...]  # [min, max] ids of each archived month of entries

    @classmethod
    def load(cls) -> "ArchivedRanges":
        rows = list(ArchivedPartition.objects.filter(table__in=[EVENT_TABLE, ENTRY_TABLE]).order_by("range_start"))
        return cls(
            event_months=tuple((a.range_start, a.range_end) for a in rows if a.table == EVENT_TABLE),
            entry_months=tuple((a.range_start, a.range_end) for a in rows if a.table == ENTRY_TABLE),
            entry_ids=tuple(
                (a.entry_id_min, a.entry_id_max)
                for a in rows
                if a.table == ENTRY_TABLE and a.entry_id_min is not None and a.entry_id_max is not None
            ),
        )

    def __bool__(self) -> bool:
        return bool(self.event_months or self.entry_months)

    def events_archived_on(self, day: dt.date) -> bool:
        """Whether the case events of `day` (a local calendar day) were archived."""
        return any(start <= day < end for start, end in self.event_months)

    def entry_archived(self, entry_id: int | None) -> bool:
        return entry_id is not None and any(low <= entry_id <= high for low, high in self.entry_ids)

    def without_archived_events(self, entries: QuerySet[Entry], kinds: list[str]) -> QuerySet[Entry]:
        """`entries` but those of `kinds` written in a month whose events were archived (their
        event rows are in the archive file, not missing)."""
        for start, end in self.event_months:
            entries = entries.exclude(
                Q(kind__in=kinds, created_at__gte=local_midnight(start), created_at__lt=local_midnight(end))
            )
        return entries

    def info(self) -> list[str]:
        lines = []
        if self.event_months:
            lines.append(
                f"办件事件已归档的月份（{_months(self.event_months)}）不重算、不核对账本条目：事件在归档文件中"
            )
        if self.entry_months:
            lines.append(f"账本条目已归档的月份（{_months(self.entry_months)}）的事件不核对账本条目：条目在归档文件中")
        return lines


def _months(ranges: tuple[tuple[dt.date, dt.date], ...]) -> str:
    return "、".join(f"{start:%Y-%m}" for start, _ in ranges)


def refuse_archived_month(month: dt.date) -> None:
    """`rebuild` of a month whose events were archived would replace its figures with zeros."""
    if ArchivedRanges.load().events_archived_on(month):
        raise Conflict(
            f"{month:%Y-%m} 的办件事件已归档（yiwang partitions archive），不能重建该月统计："
            "重建会以零覆盖已公开的数字。如确需重建，请先恢复该月分区（yiwang partitions restore）。"
        )
