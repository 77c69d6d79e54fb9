"""事项认领与动态调整 API: public reads of a region's claims and of the amendments not yet confirmed.

Catalog data is public (no personal data): like the guide, these need no login. Claiming and
confirming are done in the workbench, through catalog.services.levels.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Region
from yiwang.catalog import level_selectors as levels
from yiwang.core.errors import NotFound

router = Router(tags=["事项库"])


class ClaimOut(Schema):
    basic_code: str
    implementation_code: str
    region_code: str
    region_name: str
    department_name: str
    in_force: bool = Field(description="已发布并在有效期内")
    implementation_version: int | None = Field(description="现行实施清单版本号")
    item_version: int | None = Field(description="现行版本继承的基本要素版本号")
    pending_item_version: int | None = Field(description="待确认调整的基本要素版本号（无则为空）")


class PendingAmendmentOut(Schema):
    basic_code: str
    name: str
    implementation_code: str
    region_code: str
    region_name: str
    department_name: str
    from_item_version: int
    item_version: int
    waiting_since: dt.datetime
    days_waiting: int


class RegionQuery(Schema):
    region: str = Field("", max_length=12, description="12 位区划代码：该区划及其下级（不填为全部）")


def _region(code: str) -> Region:
    region = accounts.region_by_code(code)
    if region is None:
        raise NotFound(f"区划 {code} 不存在")
    return region


@router.get("/regions/{code}/claims", response=list[ClaimOut], summary="区划及其下级认领的事项", auth=None)
def claims(request: HttpRequest, code: str) -> list[ClaimOut]:
    return [
        ClaimOut(
            basic_code=row.implementation.item.basic_code,
            implementation_code=row.implementation.code,
            region_code=row.implementation.region.code,
            region_name=row.implementation.region.name,
            department_name=row.implementation.department.name,
            in_force=row.in_force is not None,
            implementation_version=row.in_force.number if row.in_force else None,
            item_version=row.in_force.item_version.number if row.in_force else None,
            pending_item_version=row.pending.item_version.number if row.pending else None,
        )
        for row in levels.claims_of_region(_region(code[:12]))
    ]


@router.get(
    "/amendments/pending",
    response=list[PendingAmendmentOut],
    summary="尚未确认的基本要素调整（调整落实情况）",
    auth=None,
)
def amendments_pending(request: HttpRequest, query: Query[RegionQuery]) -> list[PendingAmendmentOut]:
    region = _region(query.region) if query.region else None
    return [
        PendingAmendmentOut(
            basic_code=row.amendment.implementation.item.basic_code,
            name=row.amendment.item_version.name,
            implementation_code=row.amendment.implementation.code,
            region_code=row.amendment.implementation.region.code,
            region_name=row.amendment.implementation.region.name,
            department_name=row.amendment.implementation.department.name,
            from_item_version=row.amendment.from_item_version.number,
            item_version=row.amendment.item_version.number,
            waiting_since=row.amendment.waiting_since,
            days_waiting=row.days_waiting,
        )
        for row in levels.amendments_pending(region)
    ]
