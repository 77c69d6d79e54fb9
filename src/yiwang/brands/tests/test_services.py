"""Brand versions through the services: four eyes, one host per city, events and ledger."""

import itertools

import pytest

from yiwang.accounts.models import User
from yiwang.brands import services
from yiwang.brands.models import Brand, BrandEvent, BrandStatus
from yiwang.brands.tests.conftest import JINAN, JINAN_VALUES, TAIAN, TAIAN_VALUES, png, region
from yiwang.brands.workflow import BRAND_TRANSITIONS, BrandAction, brand_next_status
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.models import Entry


def test_a_second_administrator_publishes_and_the_drafter_cannot(admins: tuple[User, User]) -> None:
    drafter, second = admins
    draft = services.brand_draft(actor=drafter, region=region(TAIAN), values=TAIAN_VALUES, logo=png())
    with pytest.raises(PermissionDenied, match="另一位平台管理员"):
        services.brand_publish(actor=drafter, brand=draft)
    services.brand_update(actor=second, brand=draft, values={**TAIAN_VALUES, "tagline": "泰山安 天下安"})
    with pytest.raises(PermissionDenied, match="另一位平台管理员"):
        services.brand_publish(actor=second, brand=draft)  # the last editor is not the second pair of eyes
    third = User.objects.create_superuser(username="admin3", password="x-Yiwang-2026", kind="staff")
    published = services.brand_publish(actor=third, brand=draft)
    assert published.status == BrandStatus.PUBLISHED and published.published_by == third
    assert published.tagline == "泰山安 天下安" and published.has_logo
    verbs = list(BrandEvent.objects.filter(brand=draft).order_by("id").values_list("verb", flat=True))
    assert verbs == ["drafted", "updated", "published"]
    kinds = set(Entry.objects.filter(subject="brand:370900000000:v1").values_list("kind", flat=True))
    assert kinds == {"brands.drafted", "brands.updated", "brands.published"}


def test_staff_who_are_not_platform_administrators_may_not_touch_brands(admins: tuple[User, User]) -> None:
    clerk = User.objects.get(username="jn_window")
    with pytest.raises(PermissionDenied, match="平台管理员"):
        services.brand_draft(actor=clerk, region=region(TAIAN), values=TAIAN_VALUES)
    draft = services.brand_draft(actor=admins[0], region=region(TAIAN), values=TAIAN_VALUES)
    with pytest.raises(PermissionDenied):
        services.brand_publish(actor=clerk, brand=draft)


def test_publishing_a_new_version_supersedes_the_old_and_keeps_its_logo(publish, admins) -> None:
    first = publish(logo=png())
    draft = services.brand_draft(actor=admins[0], region=first.region, values={**TAIAN_VALUES, "name": "泰好办·新"})
    assert draft.number == 2 and draft.logo_sha256 == first.logo_sha256
    services.brand_publish(actor=admins[1], brand=draft)
    first.refresh_from_db()
    assert first.status == BrandStatus.SUPERSEDED
    assert Brand.objects.get(region=first.region, status=BrandStatus.PUBLISHED).name == "泰好办·新"


def test_one_draft_per_city(admins: tuple[User, User]) -> None:
    services.brand_draft(actor=admins[0], region=region(TAIAN), values=TAIAN_VALUES)
    with pytest.raises(Conflict, match="已有一份品牌草稿"):
        services.brand_draft(actor=admins[1], region=region(TAIAN), values=TAIAN_VALUES)


def test_a_host_name_belongs_to_one_city_only(publish, admins) -> None:
    publish(TAIAN)
    with pytest.raises(ValidationFailed) as refused:
        services.brand_draft(actor=admins[0], region=region(JINAN), values={**JINAN_VALUES, "hosts": "taian.localhost"})
    assert refused.value.errors["hosts"] == ["主机名“taian.localhost”已属于泰安市的品牌，每个主机名只能属于一个城市。"]


def test_a_refused_logo_or_colour_leaves_nothing_written(admins: tuple[User, User]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.brand_draft(
            actor=admins[0],
            region=region(TAIAN),
            values={**TAIAN_VALUES, "primary_colour": "#66bb6a"},
            logo=b"<svg onload='alert(1)'/>",
        )
    assert set(refused.value.errors) == {"primary_colour", "logo"}
    assert not Brand.objects.exists() and not BrandEvent.objects.exists()


def _in_status(status: BrandStatus | None, admins: tuple[User, User]) -> Brand | None:
    """A 泰安 brand version brought to `status` by the services (None: no version)."""
    drafter, second = admins
    if status is None:
        return None
    draft = services.brand_draft(actor=drafter, region=region(TAIAN), values=TAIAN_VALUES)
    if status == BrandStatus.DISCARDED:
        return services.brand_discard(actor=drafter, brand=draft)
    if status in (BrandStatus.PUBLISHED, BrandStatus.SUPERSEDED):
        services.brand_publish(actor=second, brand=draft)
    if status == BrandStatus.SUPERSEDED:
        services.brand_publish(
            actor=second, brand=services.brand_draft(actor=drafter, region=region(TAIAN), values=TAIAN_VALUES)
        )
    return Brand.objects.get(pk=draft.pk)


ACTIONS = {
    BrandAction.UPDATE: lambda b, d, s: services.brand_update(actor=d, brand=b, values=TAIAN_VALUES),
    BrandAction.DISCARD: lambda b, d, s: services.brand_discard(actor=d, brand=b),
    BrandAction.PUBLISH: lambda b, d, s: services.brand_publish(actor=s, brand=b),
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(list(BrandStatus), ACTIONS)))
def test_every_pair_of_the_transition_table_through_the_services(
    admins: tuple[User, User], status: BrandStatus, action: BrandAction
) -> None:
    brand = _in_status(status, admins)
    assert brand is not None and brand.status == status
    expected = BRAND_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(Conflict, match=f"当前为“{status.label}”，不能{action.label}"):
            ACTIONS[action](brand, *admins)
    else:
        assert ACTIONS[action](brand, *admins).status == expected


def test_the_table_refuses_every_pair_it_does_not_list() -> None:
    for status, action in itertools.product([None, *BrandStatus], BrandAction):
        if (status, action) in BRAND_TRANSITIONS:
            assert brand_next_status(status, action) == BRAND_TRANSITIONS[(status, action)]
        else:
            with pytest.raises(Conflict):
                brand_next_status(status, action)
