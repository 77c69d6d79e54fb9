"""办件查询: a staff member's whole case list, newest submission first, one page at a time.

The visible cases are the union of the policy's branches (`policy.staff_case_branches`: a
department's, a region's, an intake window's, a department's tasks, a region tree's). Each
branch reads its newest `wanted` rows through its own index — (department | region | intake
window, submitted_at, id), or (department | region, status, submitted_at, id) with a status
chosen, or a walk of (submitted_at, id) probing the task index — and the page is merged here.
ORed into one filter, PostgreSQL read and sorted every visible row: 1.1–4.2 s for one page at
1,000,000 cases (bench/results/cases-lists-*.txt).

Pages are keyset pages: 下一页 carries the last row's (submitted_at, id) and each branch reads
the `PAGE_SIZE + 1` rows below it through the same index (上一页, the first row's, read upwards),
so the hundredth page costs what the first does — an offset made page 40 read 1,001 rows per
branch (24–174 ms at 1M). The price: the list is counted only when the first page's reads hold
all of it; the page number shown is carried by the links, for display.

Number search matches a whole number, or a prefix down to at least the day
(`370100-20260401`): the number's own index finds those, a day's cases of a region at most.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.cases.policy import staff_case_branches
from yiwang.cases.rows import CaseRow, case_rows_by
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import ValidationFailed

PAGE_SIZE = 25
MAX_PAGE = 100_000  # the page number shown (carried by the links) stays a small integer
_NUMBER_PREFIX = re.compile(r"[0-9]{6}-[0-9]{8}(?:-[0-9]{0,7})?")
_CURSOR = re.compile(r"([0-9]{1,17})\.([0-9]{1,18})")  # microseconds since 1970 . case id
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Key = tuple[dt.datetime, int] | tuple[str]  # the list's order: (submitted_at, id), or (number,) for a search
_LARGEST = "999999-99999999-9999999"  # the largest number of the format (see numbering.py)
_NUMBER_CURSOR = re.compile(r"[0-9]{6}-[0-9]{8}-[0-9]{6,7}")


@dataclass(frozen=True)
class CaseListPage:
    cases: list[CaseRow]
    number: int  # this page, from 1 (as the links carried it)
    total: int | None  # the cases in scope, when the first page's reads hold them all
    has_next: bool
    has_previous: bool

    @property
    def previous_page_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_page_number(self) -> int:
        return min(MAX_PAGE, self.number + 1)

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // PAGE_SIZE))

    by_number: bool = False  # a number search lists by number, the newest (largest) first

    @property
    def next_cursor(self) -> str:
        return cursor_text(_key(self.cases[-1], self.by_number)) if self.cases else ""

    @property
    def previous_cursor(self) -> str:
        return cursor_text(_key(self.cases[0], self.by_number)) if self.cases else ""


def cursor_text(key: Key) -> str:
    if len(key) == 1:
        return key[0]
    moment = key[0] - _EPOCH
    return f"{(moment.days * 86_400 + moment.seconds) * 1_000_000 + moment.microseconds}.{key[1]}"


def parse_cursor(raw: str | None) -> Key | None:
    """A page link's (submitted_at, id) or (number,), or None when absent or not one of ours."""
    text = (raw or "").strip()
    if _NUMBER_CURSOR.fullmatch(text):
        return (text,)
    found = _CURSOR.fullmatch(text)
    if found is None:
        return None
    return _EPOCH + dt.timedelta(microseconds=int(found[1])), int(found[2])  # 17 digits: before year 5139


def number_prefix(raw: str) -> str:
    """The number (or number prefix) to search by, or a ValidationFailed naming the rule."""
    text = raw.strip()
    if text and not (_NUMBER_PREFIX.fullmatch(text) and _is_date(text[7:15])):
        raise ValidationFailed(
            {"q": ["办件编号：请输入完整的办件编号，或至少“行政区划代码-提交日期”，如 370100-20260401"]}
        )
    return text


def _is_date(digits: str) -> bool:
    try:
        dt.datetime.strptime(digits, "%Y%m%d")
    except ValueError:
        return False
    return True


def page_number(raw: str | None) -> int:
    """The page number to show: 1 when absent or not a number; at most MAX_PAGE."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return 1
    return min(max(1, int(text)), MAX_PAGE)


def staff_case_page(
    user: User,
    *,
    number: str = "",
    statuses: Iterable[str] | None = None,
    after: Key | None = None,
    before: Key | None = None,
    page: int = 1,
) -> CaseListPage:
    """One page of the submitted cases `user` may see as staff, newest submission first, of
    `statuses` when given, whose number starts with `number` (see `number_prefix`): the first
    page, the one below `after` (下一页) or the one above `before` (上一页).

    A number search lists by number, largest first — within one region and day that is the
    order numbers were given out — so each branch walks the number's own index and stops at a
    page: ordered by submission instead, PostgreSQL read all of a busy day's numbers of the
    region (52,109 of 济南's at 10,000,000 cases, 80 ms per branch) to sort them."""
    by_number = bool(number)
    base = _base(statuses, number)
    upwards = before is not None and after is None
    edge = before if upwards else after
    if edge is not None and (len(edge) == 1) != by_number:
        edge, upwards = None, False  # a link of the other order: the first page
    if edge is not None:
        base = base.filter(_beyond(edge, upwards=upwards))
    ordered, exhausted = _merged(user, base, PAGE_SIZE + 1, upwards=upwards, by_number=by_number)
    more = len(ordered) > PAGE_SIZE  # the page and whether there is more
    shown = [key[-1] for key in ordered[:PAGE_SIZE]]
    if upwards:
        shown.reverse()
    return CaseListPage(
        cases=case_rows_by(Case.objects.all(), shown, field="number" if by_number else "id"),
        number=1 if edge is None or (upwards and not more) else max(2, min(page, MAX_PAGE)),
        total=len(ordered) if exhausted and edge is None else None,
        has_next=True if upwards else more,
        has_previous=more if upwards else edge is not None,
        by_number=by_number,
    )


def staff_case_slice(
    user: User,
    *,
    offset: int,
    limit: int,
    number: str = "",
    statuses: Iterable[str] | None = None,
) -> tuple[list[CaseRow], int | None, bool]:
    """The cases `offset` to `offset + limit` of what `user` may see as staff, newest
    submission first (the API's limit/offset list): their rows, their total when the rows
    read hold all of them (else None), and whether there are more. Each branch reads
    `offset + limit + 1` rows: the caller bounds the offset."""
    ordered, exhausted = _merged(user, _base(statuses, number), offset + limit + 1, upwards=False, by_number=False)
    shown = [key[-1] for key in ordered[offset : offset + limit]]
    cases = case_rows_by(Case.objects.all(), shown)
    return cases, len(ordered) if exhausted else None, len(ordered) > offset + limit


def _base(statuses: Iterable[str] | None, number: str) -> QuerySet[Case]:
    base = Case.objects.filter(submitted_at__isnull=False).exclude(status=CaseStatus.DRAFT)
    if statuses is not None:
        base = base.filter(status__in=list(statuses))
    if number:
        # The prefix also as a range of the number's own index (whose order the list then
        # follows); LIKE alone only reaches the pattern index, which cannot give that order.
        last = number + _LARGEST[len(number) :]
        base = base.filter(number__startswith=number, number__gte=number, number__lte=last)
    return base


def _beyond(edge: Key, *, upwards: bool) -> Q:
    if len(edge) == 1:
        return Q(number__gt=edge[0]) if upwards else Q(number__lt=edge[0])
    at, pk = edge
    if upwards:
        return Q(submitted_at__gte=at) & (Q(submitted_at__gt=at) | Q(id__gt=pk))
    return Q(submitted_at__lte=at) & (Q(submitted_at__lt=at) | Q(id__lt=pk))  # the index condition stays a range


def _merged(user: User, base: QuerySet[Case], wanted: int, *, upwards: bool, by_number: bool) -> tuple[list[Key], bool]:
    """The union of each branch's first `wanted` keys, in list order (upwards: oldest first),
    and whether every branch ran out (then the union is all there is)."""
    keys: set[Key] = set()
    exhausted = True
    for branch in staff_case_branches(user):
        rows = _read(base, branch, wanted, upwards=upwards, by_number=by_number)
        exhausted = exhausted and len(rows) < wanted
        keys.update(rows)
    return sorted(keys, reverse=not upwards), exhausted


def _read(base: QuerySet[Case], branch: Q, wanted: int, *, upwards: bool, by_number: bool) -> list[Key]:
    rows = base.filter(branch)
    if by_number:
        numbers = rows.order_by("number" if upwards else "-number").values_list("number", flat=True)[:wanted]
        return [(n,) for n in numbers if n]
    order = ("submitted_at", "id") if upwards else ("-submitted_at", "-id")
    pairs = rows.order_by(*order).values_list("submitted_at", "id")[:wanted]
    return [(at, pk) for at, pk in pairs if at is not None]  # the base holds submitted cases only


def _key(case: CaseRow, by_number: bool) -> Key:
    if by_number:
        assert case.number  # a number search lists numbered cases only
        return (case.number,)
    assert case.submitted_at is not None  # the list holds submitted cases only
    return case.submitted_at, case.pk
