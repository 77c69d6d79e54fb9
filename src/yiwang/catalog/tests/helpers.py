"""Helpers for catalog tests: drafting changes of the demo catalog."""

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.models import Implementation, ImplementationVersion

FOOD = "000136019000"


def food_implementation() -> Implementation:
    return Implementation.objects.select_related("region", "department").get(item__basic_code=FOOD)


def food_draft(drafter: User, reason: str = "测试调整", **elements: object) -> ImplementationVersion:
    """A change of the demo 食品经营许可 implementation in 济南市, drafted by `drafter`."""
    implementation = food_implementation()
    return services.implementation_version_draft(
        actor=drafter,
        basic_code=FOOD,
        region=implementation.region,
        department=implementation.department,
        change_kind="amend",
        change_reason=reason,
        elements=elements,  # type: ignore[arg-type]
    )
