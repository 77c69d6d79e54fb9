"""办件查询: a staff member's whole case list, newest submission first, one page at a time.

The visible cases are the union of the policy's branches (`policy.staff_case_branches`: a
department's, a region's, an intake window's, a department's tasks, a region tree's). Each
branch reads its newest `wanted` rows through its own index — (department | region | intake
window, submitted_at, id), or (department | region, status, submitted_at, id) with a status
chosen, or a walk of (submitted_at, id) probing the task index — and the page is merged here.
ORed into one filter, PostgreSQL read and sorted every visible row: 1.1–4.2 s for one page at
1,000,000 cases (bench/results/cases-lists-*.txt). The price: the list is counted only when the
pages read hold all of it, and pages go up to `MAX_PAGE` (the newest 1,000); past them, the
person narrows by status or number.

Number search matches a whole number, or a prefix down to at least the day
(`370100-20260401`): the number's own index finds those, a day's cases of a region at most.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.cases.policy import staff_case_branches
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import ValidationFailed

PAGE_SIZE = 25
MAX_PAGE = 40  # the newest 1,000 cases of a query; older ones by status or number
_NUMBER_PREFIX = re.compile(r"\d{6}-\d{8}(?:-\d{0,7})?")
_RELATED = ("implementation_version__item_version", "department", "region", "enterprise", "applicant__person")


@dataclass(frozen=True)
class CaseListPage:
    cases: list[Case]
    number: int  # this page, from 1
    total: int | None  # the cases in scope, when the pages read hold them all
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // PAGE_SIZE))


def number_prefix(raw: str) -> str:
    """The number (or number prefix) to search by, or a ValidationFailed naming the rule."""
    text = raw.strip()
    if text and not _NUMBER_PREFIX.fullmatch(text):
        raise ValidationFailed(
            {"q": ["办件编号：请输入完整的办件编号，或至少“行政区划代码-提交日期”，如 370100-20260401"]}
        )
    return text


def page_number(raw: str | None) -> int:
    """The page asked for: 1 when absent or not a number; at most MAX_PAGE."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return 1
    return min(max(1, int(text)), MAX_PAGE)


def staff_case_page(
    user: User, *, number: str = "", statuses: Iterable[str] | None = None, page: int = 1
) -> CaseListPage:
    """One page of the submitted cases `user` may see as staff, newest submission first,
    of `statuses` when given, whose number starts with `number` (see `number_prefix`)."""
    page = min(max(1, page), MAX_PAGE)
    cases, total, more = staff_case_slice(
        user, number=number, statuses=statuses, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return CaseListPage(cases=cases, number=page, total=total, has_next=more and page < MAX_PAGE)


def staff_case_slice(
    user: User,
    *,
    offset: int,
    limit: int,
    number: str = "",
    statuses: Iterable[str] | None = None,
    related: tuple[str, ...] = _RELATED,
) -> tuple[list[Case], int | None, bool]:
    """The cases `offset` to `offset + limit` of what `user` may see as staff, newest
    submission first (the API's limit/offset list; `staff_case_page` for 办件查询): the cases
    with `related` loaded, their total when the rows read hold all of them (else None), and
    whether there are more. Each branch reads `offset + limit + 1` rows: keep offsets small
    (`MAX_PAGE * PAGE_SIZE`)."""
    base = Case.objects.filter(submitted_at__isnull=False).exclude(status=CaseStatus.DRAFT)
    if statuses is not None:
        base = base.filter(status__in=list(statuses))
    if number:
        base = base.filter(number__startswith=number)
    wanted = offset + limit + 1  # the slice and whether there is more
    keys: set[tuple[object, int]] = set()
    exhausted = True  # every branch had fewer rows than asked for: the union is all there is
    for branch in staff_case_branches(user):
        rows = _newest(base, branch, wanted)
        exhausted = exhausted and len(rows) < wanted
        keys.update(rows)
    ordered = sorted(keys, key=lambda k: (k[0], k[1]), reverse=True)  # (submitted_at, id)
    shown = [pk for _, pk in ordered[offset : offset + limit]]
    by_pk = Case.objects.select_related(*related).in_bulk(shown)
    cases = [by_pk[pk] for pk in shown if pk in by_pk]
    return cases, len(ordered) if exhausted else None, len(ordered) > offset + limit


def _newest(base: QuerySet[Case], branch: Q, wanted: int) -> list[tuple[object, int]]:
    return list(base.filter(branch).order_by("-submitted_at", "-id").values_list("submitted_at", "id")[:wanted])
