"""The demo catalog: real items of domain.md §9, implemented in 济南市, through the services.

Every item is drafted by sd_catalog (省级事项管理员) and published by jn_catalog (市级事项
管理员), so the demo exercises the four-eyes workflow and writes the same events and ledger
entries as real use. Legal bases and statutory limits are the real ones (cited in each
item); committed limits, phones, addresses, basic codes and the exact material wording are
*demo values*, said so in each version's 备注 (remarks). Loading is idempotent.

The catalog is published at the start of the working-day calendar's first year (at the
latest `CATALOG_AGE_DAYS` before the load), so the demo cases of yiwang.demo.cases, dated in
the past weeks of a configured year, apply to versions in force.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog import services
from yiwang.catalog.models import ImplementationVersion, ItemVersion, VersionStatus
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.demo.items import DEMO_ITEMS, REVISIONS, DemoItem

DRAFTER = "sd_catalog"
REVIEWER = "jn_catalog"
REGION = "370100000000"
CATALOG_AGE_DAYS = 120


def _resolve(doc: Any, departments: dict[str, str]) -> Any:
    """Process documents name departments as "@济南市…"; replace with their credit codes."""
    if isinstance(doc, dict):
        return {k: _resolve(v, departments) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_resolve(v, departments) for v in doc]
    if isinstance(doc, str) and doc.startswith("@"):
        return departments[doc[1:]]
    return doc


def _publish_item(spec: DemoItem, drafter: User, reviewer: User) -> bool:
    if ItemVersion.objects.filter(item__basic_code=spec.basic_code, status=VersionStatus.PUBLISHED).exists():
        return False
    version = services.item_version_draft(
        actor=drafter,
        basic_code=spec.basic_code,
        change_kind="add",
        change_reason="纳入事项库（演示数据）",
        elements=spec.item,
    )
    services.item_version_submit(actor=drafter, version=version)
    services.item_version_publish(actor=reviewer, version=version, note="要素齐全，同意发布")
    return True


def _publish_implementation(
    spec: DemoItem, drafter: User, reviewer: User, region: Region, departments: dict[str, str]
) -> bool:
    department = Department.objects.get(region=region, name=spec.department)
    if ImplementationVersion.objects.filter(
        implementation__item__basic_code=spec.basic_code,
        implementation__department=department,
        status=VersionStatus.PUBLISHED,
    ).exists():
        return False
    elements = dict(spec.implementation)
    elements["process"] = _resolve(elements["process"], departments)
    version = services.implementation_version_draft(
        actor=drafter,
        basic_code=spec.basic_code,
        region=region,
        department=department,
        change_kind="add",
        change_reason="编制实施清单（演示数据）",
        elements=elements,
        materials=spec.materials,
    )
    services.implementation_version_submit(actor=drafter, version=version)
    services.implementation_version_publish(actor=reviewer, version=version, note="符合要求，同意发布")
    revision = REVISIONS.get(spec.basic_code)
    if revision is not None:
        reason, changes = revision
        changes = _resolve(changes, departments)
        with clock.frozen(clock.now() + dt.timedelta(days=7)):  # amended a week later
            draft = services.implementation_version_draft(
                actor=drafter,
                basic_code=spec.basic_code,
                region=region,
                department=department,
                change_kind="amend",
                change_reason=reason,
                elements=changes,
            )
            services.implementation_version_submit(actor=drafter, version=draft)
            services.implementation_version_publish(actor=reviewer, version=draft, note="压缩时限，同意")
    return True


def _published_at() -> dt.datetime:
    latest = clock.now() - dt.timedelta(days=CATALOG_AGE_DAYS)
    years = working_calendar().years
    if not years:
        return latest
    return min(latest, timezone.make_aware(dt.datetime(min(years), 1, 2, 9, 0)))


def load_catalog() -> dict[str, int]:
    """Publish whatever of the demo catalog is missing; returns counts of what was published."""
    drafter = User.objects.get(username=DRAFTER)
    reviewer = User.objects.get(username=REVIEWER)
    region = Region.objects.get(code=REGION)
    departments = dict(Department.objects.filter(region=region).values_list("name", "credit_code"))
    created = {"items": 0, "implementations": 0}
    with clock.frozen(_published_at()):
        for spec in DEMO_ITEMS:
            created["items"] += _publish_item(spec, drafter, reviewer)
            created["implementations"] += _publish_implementation(spec, drafter, reviewer, region, departments)
    return created
