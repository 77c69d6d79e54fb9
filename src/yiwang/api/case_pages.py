"""The paged case lists of the API: GET /api/v1/cases, /cases/intake and /cases/tasks.

GET /api/v1/cases, paged: an applicant's cases counted, a staff member's merged by branch.

A staff member's visible cases are the union of their posts' branches (ADR 0033). Paged
through the ORed filter with a COUNT, PostgreSQL read and sorted every visible row (0.4–1.2 s
at 1,000,000 cases, issue 18); here each branch reads its newest `offset + limit + 1` rows
through its own index (`cases.case_list.staff_case_slice`), as 办件查询 does. So, for staff:
newest submission first, `offset + limit` at most `STAFF_WINDOW` (older cases by status), and
`count` only when the rows read hold the whole list — otherwise null, with `has_more`.

A window's intake queue and a staff member's task inbox grow with a department's backlog:
counting every waiting row cost 39.5 and 30 ms of SQL a page at 10,000,000 cases. They are
counted up to `QUEUE_WINDOW` (each read stops at `QUEUE_WINDOW + 1` rows) and paged within
their most urgent `QUEUE_WINDOW` rows; `count` is null beyond, with `has_more`.

Rows reach ninja as plain dicts (`case_summary`, `task_out`) for plain pydantic row models.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

from yiwang.accounts.models import User
from yiwang.api.case_schemas import CaseSummaryOut, case_summary, task_out
from yiwang.api.params import BoundedLimitOffset
from yiwang.cases.case_list import staff_case_slice
from yiwang.cases.inbox import TaskInbox
from yiwang.cases.models import Case
from yiwang.cases.rows import case_rows, case_values
from yiwang.cases.selectors import count_beyond
from yiwang.core.errors import ValidationFailed

STAFF_WINDOW = 1000  # the newest 1,000 by offset (办件查询 pages by key instead)
QUEUE_WINDOW = 1000  # the intake queue and task inbox: counted and paged within the most urgent 1,000


class VisibleCaseOut(CaseSummaryOut):
    """A row of GET /api/v1/cases (its own name: its page, PagedVisibleCaseOut, is not the
    counted page of the other case lists)."""


@dataclass(frozen=True)
class StaffCases:
    """What a staff member asked for: their cases, of one status when given."""

    user: User
    status: str = ""


def _within(window: int, end: int, order: str, instead: str) -> None:
    """Refuse a page that reaches past the list's window, naming `offset` and the rule."""
    if end > window:
        raise ValidationFailed({"offset": [f"offset：{order} {window} 件（offset + limit ≤ {window}）；{instead}"]})


class CaseListPagination(BoundedLimitOffset):
    class Output(Schema):
        items: list[Any]
        count: int | None = Field(
            description="可见办件总数。工作人员：仅当已读取的范围包含全部可见办件时给出，否则为 null（见 has_more）"
        )
        has_more: bool = Field(
            description=f"本页之后是否还有可以翻阅的办件"
            f"（工作人员最多列出最新的 {STAFF_WINDOW} 件：翻到第 {STAFF_WINDOW} 件为止）"
        )

    def paginate_queryset(
        self, queryset: "QuerySet[Any] | StaffCases", pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        if isinstance(queryset, StaffCases):
            _within(
                STAFF_WINDOW,
                offset + limit,
                "工作人员的办件列表按提交时间从新到旧，最多列出最新的",
                "更早的办件请按状态（status）筛选",
            )
            statuses = [queryset.status] if queryset.status else None
            cases, total, more = staff_case_slice(queryset.user, offset=offset, limit=limit, statuses=statuses)
            # At the window's end there is no next page to serve (`count` null says more exist).
            more = more and offset + limit < STAFF_WINDOW
            return {"items": [case_summary(c) for c in cases], "count": total, "has_more": more}
        count = queryset.count()
        rows = case_rows(case_values(queryset)[offset : offset + limit])
        return {"items": [case_summary(c) for c in rows], "count": count, "has_more": count > offset + limit}


class QueuePagination(BoundedLimitOffset):
    """The intake queue and the task inbox, most urgent first: counted up to QUEUE_WINDOW."""

    class Output(Schema):
        items: list[Any]
        count: int | None = Field(
            description=f"待办总数：不超过 {QUEUE_WINDOW} 件时给出；超过时为 null（即“{QUEUE_WINDOW}+ 件”）"
        )
        has_more: bool = Field(
            description=f"本页之后是否还有可以翻阅的待办"
            f"（最多列出最紧急的 {QUEUE_WINDOW} 件：翻到第 {QUEUE_WINDOW} 件为止）"
        )

    def paginate_queryset(
        self, queryset: "QuerySet[Case] | TaskInbox", pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        _within(QUEUE_WINDOW, offset + limit, "待办列表按紧急程度排列，最多列出最紧急的", "请先办理靠前的待办")
        if isinstance(queryset, TaskInbox):
            counted = queryset.count(QUEUE_WINDOW)
            items = [task_out(t) for t in queryset[offset : offset + limit]]
        else:
            counted = count_beyond(queryset, QUEUE_WINDOW)
            items = [case_summary(c) for c in case_rows(case_values(queryset)[offset : offset + limit])]
        count = counted if counted <= QUEUE_WINDOW else None
        # At the window's end there is no next page to serve (`count` null says more wait).
        return {"items": items, "count": count, "has_more": counted > offset + limit < QUEUE_WINDOW}
