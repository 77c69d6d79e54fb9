"""Catalog reads for the catalog at every level: claims per region, pending amendments, lineage."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import Department, Region, Role, User
from yiwang.catalog.choices import RETIRING_KINDS
from yiwang.catalog.diff import Change, item_version_diff
from yiwang.catalog.models import (
    AmendmentStatus,
    Implementation,
    ImplementationVersion,
    ItemLineage,
    ItemVersion,
    PendingAmendment,
    ServiceItem,
    VersionStatus,
)
from yiwang.catalog.search import region_scope
from yiwang.catalog.services.levels import claim_refusal
from yiwang.core import clock


@dataclass(frozen=True)
class ClaimRow:
    implementation: Implementation
    in_force: ImplementationVersion | None  # None: not yet published (or taken out of force)
    open_draft: ImplementationVersion | None
    pending: PendingAmendment | None

    @property
    def status_label(self) -> str:
        if self.in_force is not None:
            return "已生效（待确认调整）" if self.pending is not None else "已生效"
        return "起草中" if self.open_draft is not None else "未生效"


def _below(region: Region, field: str) -> Q:
    """`region` and every region below it (not above: a claim list is the region's own)."""
    return region_scope(region, field) & ~Q(**{f"{field}__in": [r.code for r in region.ancestors()]})


def claims_of_region(region: Region) -> list[ClaimRow]:
    """Every implementation in `region` and below it, with its state (in force, drafting, pending amendment)."""
    implementations = list(
        Implementation.objects.filter(_below(region, "region__code"))
        .select_related("item", "region", "department")
        .order_by("region__code", "item__basic_code")
    )
    ids = [i.pk for i in implementations]
    versions = ImplementationVersion.objects.filter(implementation_id__in=ids).select_related("item_version")
    in_force = {v.implementation_id: v for v in versions.filter(status=VersionStatus.PUBLISHED)}
    drafts = {
        v.implementation_id: v
        for v in versions.filter(status__in=(VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED))
    }
    pending = {
        a.implementation_id: a
        for a in PendingAmendment.objects.filter(implementation_id__in=ids, status=AmendmentStatus.PENDING)
    }
    return [ClaimRow(i, in_force.get(i.pk), drafts.get(i.pk), pending.get(i.pk)) for i in implementations]


def claimable_items(region: Region) -> list[ItemVersion]:
    """Items in force that `region`'s level may claim and `region` has not claimed yet."""
    claimed = Implementation.objects.filter(region=region).values("item_id")
    current = (
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(change_kind__in=RETIRING_KINDS)
        .exclude(item_id__in=claimed)
        .select_related("item")
        .order_by("item__basic_code")
    )
    return [v for v in current if not claim_refusal(v, region)]


@dataclass(frozen=True)
class LaggingRow:
    amendment: PendingAmendment
    days_waiting: int


def amendments_pending(region: Region | None = None) -> list[LaggingRow]:
    """Pending amendments (who has not confirmed yet), oldest first; of `region` and below it when given."""
    found: QuerySet[PendingAmendment] = PendingAmendment.objects.filter(status=AmendmentStatus.PENDING)
    if region is not None:
        found = found.filter(_below(region, "implementation__region__code"))
    today = clock.today()
    rows = found.select_related(
        "implementation__item",
        "implementation__region",
        "implementation__department",
        "item_version",
        "from_item_version",
    ).order_by("waiting_since", "implementation__code")
    return [LaggingRow(a, (today - timezone.localtime(a.waiting_since).date()).days) for a in rows]


def amendment_by_id(pk: int) -> PendingAmendment | None:
    return (
        PendingAmendment.objects.select_related(
            "implementation__item", "implementation__region", "item_version", "from_item_version"
        )
        .filter(pk=pk)
        .first()
    )


def amendment_changes(amendment: PendingAmendment) -> list[Change]:
    """What the implementation is asked to take on: the basic elements' diff (catalog/diff.py)."""
    return item_version_diff(amendment.from_item_version, amendment.item_version)


@dataclass(frozen=True)
class Lineage:
    predecessors: list[ItemLineage]  # this item was split from / merged from these
    successors: list[ItemLineage]  # this item was split into / merged into these


def lineage_of(item: ServiceItem) -> Lineage:
    links = ItemLineage.objects.select_related("predecessor", "successor", "item_version")
    return Lineage(list(links.filter(successor=item)), list(links.filter(predecessor=item)))


def item_names(items: list[ServiceItem]) -> dict[int, str]:
    """The latest public name of each item (a retired item keeps its last name)."""
    found = ItemVersion.objects.filter(
        item__in=items, status__in=(VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
    ).order_by("item_id", "-number")
    names: dict[int, str] = {}
    for version in found:
        names.setdefault(version.item_id, version.name)
    return names


@dataclass(frozen=True)
class RegionChooser:
    chain: list[Region]  # the province down to the chosen region
    children: list[Region]  # the regions one level below it


def region_chooser(region: Region) -> RegionChooser:
    """The guide's region chooser: province → city → county → town → village, one level at a time."""
    return RegionChooser([*region.ancestors(), region], list(Region.objects.filter(parent=region).order_by("code")))


def admin_home_regions(user: User) -> list[Region]:
    """The regions of the departments where `user` is a catalog administrator (their own level)."""
    return list(
        Region.objects.filter(departments__staff_roles__user=user, departments__staff_roles__role=Role.CATALOG_ADMIN)
        .distinct()
        .order_by("code")
    )


def claim_departments(region: Region) -> list[Department]:
    """The bodies of `region` that may claim an item for it."""
    return list(Department.objects.filter(region=region).order_by("name"))
