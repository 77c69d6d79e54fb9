"""Scenes for the license tests: the 食品经营许可证 type and a license issued through the service."""

import datetime as dt

from django.db import transaction

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.licenses.models import License, LicenseType
from yiwang.licenses.services import license_issue

FOOD = "11370000MB2858150P004"


def food_type(validity_years: int = 5) -> LicenseType:
    return LicenseType.objects.get_or_create(
        code=FOOD,
        defaults={
            "name": "食品经营许可证",
            "validity_years": validity_years,
            "fields": [
                {"key": "shop_name", "label": "经营者名称", "source": "form:shop_name"},
                {"key": "area", "label": "经营面积", "source": "form:area"},
                {"key": "case_number", "label": "办件编号", "source": "case:number"},
            ],
        },
    )[0]


def issue(
    holder: str = "zhangsan",
    *,
    valid_from: dt.date = dt.date(2026, 3, 2),
    years: int = 5,
    enterprise: Enterprise | None = None,
) -> License:
    food_type(years)
    with transaction.atomic():
        return license_issue(
            type_code=FOOD,
            holder=User.objects.get(username=holder),
            enterprise=enterprise,
            issuer=Department.objects.get(staff_roles__user__username="jn_approver"),
            case_id=None,
            sources={"form": {"shop_name": "泉城小馆", "area": "80"}, "case:number": "370100-20260302-000001"},
            valid_from=valid_from,
        )
