"""Catalog reads: versions in force, the administrators' lists, the public guide's pages."""

import datetime as dt
import pickle
from dataclasses import dataclass
from functools import partial

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from pydantic import ValidationError

from yiwang.accounts.models import Department, Region, Role, User
from yiwang.accounts.selectors import user_has_role
from yiwang.catalog import crossregion
from yiwang.catalog.bundledoc import MemberFacts
from yiwang.catalog.diff import Change, bundle_version_diff, implementation_version_diff, item_version_diff
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.models import (
    OPEN_STATUSES,
    Bundle,
    BundleVersion,
    CatalogEvent,
    ChangeKind,
    Implementation,
    ImplementationVersion,
    ItemVersion,
    Material,
    SearchDocument,
    ServiceItem,
    VersionStatus,
)
from yiwang.catalog.process import ProcessDefinition
from yiwang.catalog.search import GuideFilters, guide_results, region_scope
from yiwang.core import clock

_EVER_IN_FORCE = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


def _in_force_at(at: dt.datetime | None) -> Q:
    """Windows are half-open, [valid_from, valid_until): at the instant of a publication the new version holds."""
    moment = at or clock.now()
    return Q(status__in=_EVER_IN_FORCE, valid_from__lte=moment) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=moment)
    )


def implementation_version_in_force(
    implementation: Implementation, at: dt.datetime | None = None
) -> ImplementationVersion | None:
    """The implementation version in force for `implementation` at `at` (default: now).

    The case module pins the result when a case is filed; None means the implementation was
    not in force then (not yet published, or cancelled).
    """
    return (
        ImplementationVersion.objects.filter(_in_force_at(at), implementation=implementation)
        .select_related("item_version", "implementation__region", "implementation__department", "implementation__item")
        .first()
    )


# Published implementation versions by id, as cases pin them, kept as pickled bytes: an
# immutable value each caller unpickles into its own instance, so no request sees another's
# changes. Their content never changes (a change is a new version); only `status` and
# `valid_until` do, when a newer version supersedes them — so never decide from a pinned copy
# whether one is still open. A version is remembered only once the transaction that read it
# has committed (no atomic block left open): what a rolled-back transaction saw — a test's,
# whose ids come back with other content — never enters, so tests need not empty the cache.
_PINNED: dict[int, bytes] = {}
_PINNED_MAX = 2000
_PINNED_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


def pinned_version(pk: int) -> ImplementationVersion:
    """The implementation version `pk` with its item version and item, implementation and
    materials; read once per process while published or superseded (drafts and reviews are
    read every time)."""
    blob = _PINNED.get(pk)
    if blob is not None:
        found: ImplementationVersion = pickle.loads(blob)  # noqa: S301 (bytes this process wrote)
        return found
    found = (
        ImplementationVersion.objects.select_related("item_version__item", "implementation")
        .prefetch_related("materials")  # part of the version: as immutable as it
        .get(pk=pk)
    )
    if found.status in _PINNED_STATUSES:
        transaction.on_commit(partial(_remember, pk, pickle.dumps(found)))
    return found


def _remember(pk: int, blob: bytes) -> None:
    if transaction.get_connection().in_atomic_block:
        return  # run early by a test's capture of commit callbacks: nothing was committed yet
    if len(_PINNED) >= _PINNED_MAX:
        _PINNED.clear()
    _PINNED[pk] = blob


def item_version_in_force(item: ServiceItem, at: dt.datetime | None = None) -> ItemVersion | None:
    return ItemVersion.objects.filter(_in_force_at(at), item=item).first()


def item_by_code(basic_code: str) -> ServiceItem | None:
    return ServiceItem.objects.filter(basic_code=basic_code).first()


def version_is_public(version: ItemVersion | ImplementationVersion) -> bool:
    """Versions that were once in force are public; drafts and versions in review are not."""
    return version.status in _EVER_IN_FORCE


def version_visible_to(version: ItemVersion | ImplementationVersion, user: object) -> bool:
    """Anyone sees a public version; only catalog administrators see drafts and reviews."""
    return version_is_public(version) or (isinstance(user, User) and is_catalog_admin(user))


def item_version_by_id(pk: int) -> ItemVersion | None:
    return ItemVersion.objects.select_related("item", "drafted_by", "reviewed_by").filter(pk=pk).first()


def implementation_version_by_id(pk: int) -> ImplementationVersion | None:
    return (
        ImplementationVersion.objects.select_related(
            "implementation__item",
            "implementation__region",
            "implementation__department",
            "item_version__item",
            "drafted_by",
            "reviewed_by",
        )
        .filter(pk=pk)
        .first()
    )


def implementation_by_id(pk: int) -> Implementation | None:
    return Implementation.objects.select_related("item", "region", "department").filter(pk=pk).first()


def implementations_of(item: ServiceItem) -> QuerySet[Implementation]:
    return Implementation.objects.filter(item=item).select_related("region", "department").order_by("code")


def item_versions_public(item: ServiceItem) -> QuerySet[ItemVersion]:
    return item_versions(item).filter(status__in=_EVER_IN_FORCE)


def item_versions(item: ServiceItem) -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(item=item).select_related("drafted_by", "reviewed_by").order_by("-number")


def implementation_versions(implementation: Implementation) -> QuerySet[ImplementationVersion]:
    return (
        ImplementationVersion.objects.filter(implementation=implementation)
        .select_related("drafted_by", "reviewed_by", "item_version")
        .order_by("-number")
    )


def materials_of(version: ImplementationVersion) -> list[Material]:
    return list(version.materials.order_by("sort_order", "id"))


@dataclass(frozen=True)
class ItemRow:
    item: ServiceItem
    current: ItemVersion | None
    open: ItemVersion | None
    implementations: int

    @property
    def name(self) -> str:
        version = self.current or self.open
        return version.name if version and version.name else self.item.basic_code


def items_for_admin(q: str = "") -> list[ItemRow]:
    """Every item with its version in force and its open draft, for the workbench list."""
    versions = ItemVersion.objects.filter(status__in=[VersionStatus.PUBLISHED, *OPEN_STATUSES]).select_related(
        "drafted_by"
    )
    if q.strip():
        versions = versions.filter(Q(name__icontains=q.strip()) | Q(item__basic_code__icontains=q.strip()))
    by_item: dict[int, dict[str, ItemVersion]] = {}
    for v in versions:
        by_item.setdefault(v.item_id, {})["current" if v.status == VersionStatus.PUBLISHED else "open"] = v
    items = ServiceItem.objects.filter(pk__in=by_item).order_by("basic_code")
    counts: dict[int, int] = {}
    for item_id in Implementation.objects.filter(item__in=items).values_list("item_id", flat=True):
        counts[item_id] = counts.get(item_id, 0) + 1
    return [ItemRow(i, by_item[i.pk].get("current"), by_item[i.pk].get("open"), counts.get(i.pk, 0)) for i in items]


def item_versions_to_review(user: User) -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(status=VersionStatus.IN_REVIEW)
        .exclude(drafted_by=user)
        .select_related("item", "drafted_by")
    )


def implementation_versions_to_review(user: User) -> QuerySet[ImplementationVersion]:
    return (
        ImplementationVersion.objects.filter(status=VersionStatus.IN_REVIEW)
        .exclude(drafted_by=user)
        .select_related("implementation__item", "implementation__region", "implementation__department", "drafted_by")
    )


def drafts_of(user: User) -> tuple[QuerySet[ItemVersion], QuerySet[ImplementationVersion]]:
    return (
        ItemVersion.objects.filter(drafted_by=user, status__in=OPEN_STATUSES).select_related("item"),
        ImplementationVersion.objects.filter(drafted_by=user, status__in=OPEN_STATUSES).select_related(
            "implementation__item", "implementation__region", "implementation__department"
        ),
    )


def guide_page(filters: GuideFilters, *, page: int = 1, per_page: int = 20) -> Page[SearchDocument]:
    paginator = Paginator(guide_results(filters), per_page)
    return paginator.get_page(page)


def guide_departments(region: Region | None = None) -> QuerySet[Department]:
    """Departments that implement items, within `region`'s scope (for the guide's filter)."""
    departments = Department.objects.filter(Exists(Implementation.objects.filter(department=OuterRef("pk"))))
    if region is not None:
        departments = departments.filter(region_scope(region, "region__code"))
    return departments.order_by("region__code", "name")


def guide_item_count() -> int:
    """Distinct items with an implementation in force (the portal's 可办事项)."""
    return SearchDocument.objects.values("item_id").distinct().count()


def guide_implementations(basic_code: str) -> QuerySet[SearchDocument]:
    """Where the item can be applied for: one row per implementation in force."""
    return (
        SearchDocument.objects.filter(basic_code=basic_code)
        .select_related("implementation")
        .order_by("region_code", "department_name")
    )


def guide_choose(
    docs: list[SearchDocument], region: Region | None, implementation_id: str = ""
) -> SearchDocument | None:
    """The implementation to show: the one asked for (by id), else the nearest to the visitor's region."""
    if implementation_id:
        return next((d for d in docs if str(d.implementation_id) == implementation_id), None)
    if not docs:
        return None
    if region is None:
        return docs[0]
    chain = [region.code, *(r.code for r in reversed(region.ancestors()))]
    for code_ in chain:
        for d in docs:
            if d.region_code == code_:
                return d
    below = region.code_prefix  # else a body below the region (a town's or a village's claim)
    return next((d for d in docs if d.region_code.startswith(below)), docs[0])


@dataclass(frozen=True)
class Task:
    name: str
    department: str
    role: str
    limit_days: int


@dataclass(frozen=True)
class Step:
    name: str
    limit_days: int
    parallel: bool
    join: str
    decides: bool
    tasks: list[Task]


ROLE_LABELS = {"reviewer": "审查", "approver": "审批决定", "expert": "评审专家"}
JOIN_LABELS = {"all": "全部通过", "any": "任一通过", "quorum": "达到法定人数"}


def process_of(version: ImplementationVersion) -> ProcessDefinition | None:
    try:
        return ProcessDefinition.model_validate(version.process)
    except ValueError:
        return None


def process_steps(version: ImplementationVersion) -> list[Step]:
    """The process as people read it: steps, who handles each task, and the time each may take."""
    process = process_of(version)
    if process is None:
        return []
    names = dict(
        Department.objects.filter(credit_code__in={t.department for s in process.stages for t in s.tasks}).values_list(
            "credit_code", "name"
        )
    )
    return [
        Step(
            name=s.name,
            limit_days=s.limit_days,
            parallel=s.is_parallel,
            join=JOIN_LABELS[s.join],
            decides=s.decides,
            tasks=[
                Task(t.name, names.get(t.department, t.department), ROLE_LABELS[t.role], t.limit_days) for t in s.tasks
            ],
        )
        for s in process.stages
    ]


def cross_region_lines(version: ImplementationVersion) -> list[str]:
    """跨域通办 in the guide's words (全程网办, 异地代收代办 and where, 多地联办 and who)."""
    return crossregion.guide_lines(version, process_of(version))


def intake_windows(version: ImplementationVersion) -> list[Department]:
    """The windows of other regions that may receive applications for `version` (收件地)."""
    return crossregion.intake_departments(version)


def process_deciders(version: ImplementationVersion) -> list[str]:
    """Who decides a case of this implementation, in the words of the guide."""
    process = process_of(version)
    if process is None:
        return []
    lines: list[str] = []
    if process.auto_approval:
        lines.append("申请数据符合秒批规则的，由系统即时自动审批（无人干预）")
    if process.commitment_allowed:
        lines.append("申请人签署告知承诺书的，当场作出决定，事后核查")
    if process.case_kind == "instant":
        lines.append("即办件：材料齐全、符合法定形式的，由窗口受理人员当场作出决定")
    for stage in process.stages:
        if stage.decides:
            task = stage.tasks[0]
            department = Department.objects.filter(credit_code=task.department).values_list("name", flat=True).first()
            who = f"由{department or task.department}的审批决定岗位在“{stage.name}”环节作出决定"
            if process.separation_of_duties:
                who += "；审查与决定由不同人员办理（一审一核），办理过审查的人员不得作出决定"
            else:
                who += "；本事项允许同一人员审查并作出决定"
            lines.append(who)
    return lines


def unknown_basic_codes(codes: list[str]) -> list[str]:
    """The codes among `codes` that name no service item, in the order given."""
    known = set(ServiceItem.objects.filter(basic_code__in=codes).values_list("basic_code", flat=True))
    return [code for code in codes if code not in known]


def item_version_baseline(version: ItemVersion) -> ItemVersion | None:
    """What `version` changes: the version it replaced (if published), else the one in force now."""
    versions = ItemVersion.objects.filter(item_id=version.item_id).exclude(pk=version.pk)
    if version.valid_from is not None:
        return versions.filter(valid_until=version.valid_from).first()
    return versions.filter(status=VersionStatus.PUBLISHED).first()


def implementation_version_baseline(version: ImplementationVersion) -> ImplementationVersion | None:
    versions = ImplementationVersion.objects.filter(implementation_id=version.implementation_id).exclude(pk=version.pk)
    if version.valid_from is not None:
        return versions.filter(valid_until=version.valid_from).first()
    return versions.filter(status=VersionStatus.PUBLISHED).first()


def item_version_changes(version: ItemVersion) -> tuple[ItemVersion | None, list[Change]]:
    baseline = item_version_baseline(version)
    return baseline, item_version_diff(baseline, version)


def implementation_version_changes(
    version: ImplementationVersion,
) -> tuple[ImplementationVersion | None, list[Change]]:
    baseline = implementation_version_baseline(version)
    old_materials = materials_of(baseline) if baseline else []
    return baseline, implementation_version_diff(baseline, version, old_materials, materials_of(version))


def events_of(subject: str, limit: int = 50) -> QuerySet[CatalogEvent]:
    return CatalogEvent.objects.filter(subject=subject).select_related("actor").order_by("-at", "-id")[:limit]


def is_catalog_admin(user: User) -> bool:
    return user_has_role(user, Role.CATALOG_ADMIN)


def admin_regions(user: User) -> list[Region]:
    """Regions whose implementations `user` maintains: their departments' regions and everything below."""
    roots = list(
        Region.objects.filter(departments__staff_roles__user=user, departments__staff_roles__role=Role.CATALOG_ADMIN)
    )
    query = Q(pk__in=[r.pk for r in roots])
    for root in roots:
        query |= Q(code__startswith=root.code_prefix)
    return list(Region.objects.filter(query).order_by("code"))


def bundles_in_force() -> list[BundleVersion]:
    """The bundle versions in force (published, window open) whose every member has a version
    in force, by name: what the guide offers and the portal accepts."""
    now = clock.now()
    found = list(
        BundleVersion.objects.filter(status=VersionStatus.PUBLISHED, valid_from__lte=now)
        .select_related("bundle", "bundle__region")
        .order_by("name")
    )
    codes = {m.get("implementation", "") for v in found for m in (v.members or {}).get("members", [])}
    facts = member_facts(sorted(codes))
    return [v for v in found if all(facts.get(m.get("implementation", "")) for m in v.members.get("members", []))]


def bundle_in_force(code: str) -> BundleVersion | None:
    return next((v for v in bundles_in_force() if v.bundle.code == code), None)


def member_facts(codes: list[str]) -> dict[str, MemberFacts | None]:
    """Each implementation code's version in force (published, in its window, not suspended
    or cancelled), as the bundle checks read it; None when it has none."""
    now = clock.now()
    found: dict[str, MemberFacts | None] = dict.fromkeys(codes)
    in_force = (
        ImplementationVersion.objects.filter(
            implementation__code__in=codes, status=VersionStatus.PUBLISHED, valid_from__lte=now
        )
        .exclude(item_version__suspended=True)
        .exclude(item_version__change_kind=ChangeKind.CANCEL)
        .select_related("implementation", "item_version")
        .prefetch_related("materials")
    )
    for version in in_force:
        try:
            form = FormSchema.model_validate(version.form_schema or {})
        except ValidationError:
            continue
        found[version.implementation.code] = MemberFacts(
            name=version.item_version.name,
            form=form,
            material_keys=frozenset(m.key for m in version.materials.all()),
        )
    return found


def bundle_version_by_id(pk: int) -> BundleVersion | None:
    return BundleVersion.objects.select_related("bundle__region", "drafted_by", "reviewed_by").filter(pk=pk).first()


def bundle_version_changes(version: BundleVersion) -> tuple[BundleVersion | None, list[Change]]:
    """The version a bundle version is compared with (the one in force, else the previous) and the diff."""
    others = BundleVersion.objects.filter(bundle=version.bundle).exclude(pk=version.pk)
    baseline = (
        others.filter(status__in=_EVER_IN_FORCE, number__lt=version.number).order_by("-number").first()
        if not version.is_open
        else others.filter(status=VersionStatus.PUBLISHED).first()
    )
    return baseline, bundle_version_diff(baseline, version)


def bundles_for_admin() -> QuerySet[Bundle]:
    return Bundle.objects.select_related("region").order_by("code")


def bundle_by_code(code: str) -> Bundle | None:
    return Bundle.objects.select_related("region").filter(code=code).first()


def bundle_versions(bundle: Bundle) -> QuerySet[BundleVersion]:
    return BundleVersion.objects.filter(bundle=bundle).select_related("drafted_by", "reviewed_by").order_by("-number")


def bundle_versions_to_review(user: User) -> QuerySet[BundleVersion]:
    return (
        BundleVersion.objects.filter(status=VersionStatus.IN_REVIEW).exclude(drafted_by=user).select_related("bundle")
    )


def bundle_drafts_of(user: User) -> QuerySet[BundleVersion]:
    return BundleVersion.objects.filter(drafted_by=user, status__in=OPEN_STATUSES).select_related("bundle")
