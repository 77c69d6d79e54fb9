"""Which ledger entries 阳光审批公示 lists when it is filtered (issue 15).

The public page shows each decision from its ledger leaf (ledger.selectors); this module only
*selects* which entries, in SQL through indexed columns of the case tables, never by parsing
leaves: the decision events (`CaseEvent` rows of the verbs the event catalogue discloses) of
the cases that match, newest first by their `ledger_entry_id`. The ledger app cannot import
cases (the import ladder), so the page asks here for entry ids and hands them to the ledger,
which checks each leaf (kind disclosed, subject the case's) before anything is shown.

Dates are the decision day: the day of the event (`CaseEvent.at`, in the platform's time
zone), which is also the leaf's `decided_on` (cases.services._base.disclosure_fields).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from yiwang.accounts.models import Enterprise, Region
from yiwang.cases.models import CaseEvent
from yiwang.cases.models.case import DISCLOSED_VERBS
from yiwang.catalog.models import ImplementationVersion
from yiwang.core.dates import day_start
from yiwang.ledger.events import CATALOGUE, Domain

PER_PAGE = 20
# Counting every match of a broad filter costs a visit per match (about 0.5 s for 300,000
# decisions of one department on PostgreSQL); past this many the page says "more than" and
# lists the newest ones, which stays a short index walk (docs/ledger.md).
COUNT_CAP = 10_000


def disclosed_case_verbs() -> list[str]:
    """The case verbs whose ledger entries 阳光审批 discloses (the catalogue decides)."""
    return list(DISCLOSED_VERBS)


def disclosed_kinds_outside_cases() -> list[str]:
    """Disclosed ledger kinds that are not case events: a case filter cannot select them."""
    return sorted(kind for kind, ev in CATALOGUE.items() if ev.disclosed and ev.domain != Domain.CASES)


@dataclass(frozen=True)
class DisclosureFilters:
    """What the public asked for; every field already checked by the page (bounded, known)."""

    item_id: int | None = None  # ServiceItem (the basic code resolved)
    department_id: int | None = None
    region_prefix: str = ""  # Region.code_prefix: that region and below
    since: dt.date | None = None  # decision day, inclusive
    until: dt.date | None = None  # decision day, inclusive
    number: str = ""  # a whole 办件编号
    holder: str = ""  # part of an enterprise's name

    @property
    def any(self) -> bool:
        return any(
            (
                self.item_id is not None,
                self.department_id is not None,
                self.region_prefix,
                self.since,
                self.until,
                self.number,
                self.holder,
            )
        )


def decision_events(filters: DisclosureFilters) -> QuerySet[CaseEvent]:
    """The disclosed decision events of the matching cases, newest entry first.

    Each condition is an indexed column of `cases_case` or `cases_caseevent`; item, region
    and holder are resolved to id lists first (small tables), so the join is only
    event → case (bench note in docs/ledger.md, "阳光审批公示")."""
    events = CaseEvent.objects.filter(verb__in=disclosed_case_verbs(), ledger_entry_id__isnull=False)
    if filters.item_id is not None:
        versions = ImplementationVersion.objects.filter(implementation__item_id=filters.item_id)
        events = events.filter(case__implementation_version_id__in=list(versions.values_list("pk", flat=True)))
    if filters.department_id is not None:
        events = events.filter(case__department_id=filters.department_id)
    if filters.region_prefix:
        regions = Region.objects.filter(code__startswith=filters.region_prefix)
        events = events.filter(case__region_id__in=list(regions.values_list("pk", flat=True)))
    if filters.since is not None:
        events = events.filter(at__gte=day_start(filters.since))
    if filters.until is not None:
        events = events.filter(at__lt=day_start(filters.until + dt.timedelta(days=1)))
    if filters.number:
        events = events.filter(case__number=filters.number)
    if filters.holder:
        # Enterprises whose name contains the words: a subquery, so a popular word never
        # becomes a parameter list of thousands of ids.
        enterprises = Enterprise.objects.filter(name__contains=filters.holder).values("pk")
        events = events.filter(case__enterprise_id__in=enterprises)
    return events.order_by("-ledger_entry_id")


class CappedPaginator(Paginator):
    """A paginator that counts at most `COUNT_CAP` rows; `capped` says there were more."""

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        assert isinstance(rows, QuerySet)  # built below from a queryset only
        return rows[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP


def disclosed_decisions_page(filters: DisclosureFilters, page_number: str | None) -> tuple[Page, dict[int, str]]:
    """One page of the matching decisions: the page (for the count and the links) and, in
    its order, {ledger entry id: the ledger subject the entry must have}."""
    rows = decision_events(filters).values_list("ledger_entry_id", "case__number")
    page = CappedPaginator(rows, PER_PAGE).get_page(page_number)
    return page, {entry_id: f"case:{number}" for entry_id, number in page.object_list}
