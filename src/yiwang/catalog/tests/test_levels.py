"""The catalog at every level: claims (认领) by city, county, town and village bodies."""

import pytest

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog import level_selectors, selectors, services
from yiwang.catalog.models import CatalogEvent, ImplementationVersion, ItemVersion, VersionStatus
from yiwang.catalog.search import GuideFilters, guide_queryset
from yiwang.catalog.tests.helpers import FOOD
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.models import Entry

BIRTH = "000117021000"
TAIAN, TOWN, VILLAGE = "370900000000", "370911100000", "370911100201"


def user(username: str) -> User:
    return User.objects.get(username=username)


def department(region_code: str, name: str = "") -> Department:
    departments = Department.objects.filter(region__code=region_code)
    return departments.get(name=name) if name else departments.get()


def taian_approval() -> Department:
    return department(TAIAN, "泰安市行政审批服务局")


def claim_and_publish(basic_code: str, body: Department, **elements: object) -> ImplementationVersion:
    """ta_catalog claims, sd_catalog (the province, above every 泰安 body) publishes: four eyes."""
    own = {"address": f"{body.name}大厅", **elements}
    draft = services.implementation_claim(
        actor=user("ta_catalog"), basic_code=basic_code, department=body, elements=own
    )
    services.implementation_version_submit(actor=user("ta_catalog"), version=draft)
    return services.implementation_version_publish(actor=user("sd_catalog"), version=draft)


def set_exercise_levels(basic_code: str, levels: list[str]) -> ItemVersion:
    draft = services.item_version_draft(
        actor=user("sd_catalog"),
        basic_code=basic_code,
        change_kind="amend",
        change_reason="明确行使层级",
        elements={"exercise_levels": levels},
    )
    services.item_version_submit(actor=user("sd_catalog"), version=draft)
    return services.item_version_publish(actor=user("jn_catalog"), version=draft)


pytestmark = pytest.mark.usefixtures("world")


def test_a_city_claims_an_item_with_its_own_elements_and_the_guide_lists_it() -> None:
    entries = Entry.objects.count()
    draft = services.implementation_claim(
        actor=user("ta_catalog"),
        basic_code=FOOD,
        department=taian_approval(),
        elements={"committed_limit_days": 8, "address": "泰安市政务服务中心二楼", "consultation_phone": "0538-12345"},
    )
    assert draft.status == VersionStatus.DRAFT and draft.exercise_level == "municipal"
    assert draft.implementation.region.code == TAIAN and draft.committed_limit_days == 8
    # The template is the pilot (济南): its materials come along, its process now routes to 泰安.
    assert (
        draft.materials.count()
        == selectors.implementation_version_in_force(
            draft.implementation.item.implementations.get(region__code="370100000000")
        ).materials.count()
    )  # type: ignore[union-attr]
    tasks = {t["department"] for s in draft.process["stages"] for t in s["tasks"]}
    assert tasks == {taian_approval().credit_code}
    event = CatalogEvent.objects.get(verb="implementation_claimed")
    assert event.payload["region"] == TAIAN and event.payload["template"].endswith(FOOD)
    assert Entry.objects.count() == entries + 2  # drafted + claimed
    services.implementation_version_submit(actor=user("ta_catalog"), version=draft)
    with pytest.raises(PermissionDenied, match="双人复核"):
        services.implementation_version_publish(actor=user("ta_catalog"), version=draft)
    services.implementation_version_publish(actor=user("sd_catalog"), version=draft)
    taian = Region.objects.get(code=TAIAN)
    listed = guide_queryset(GuideFilters(region=taian))
    assert [(d.basic_code, d.department_name, d.committed_limit_days) for d in listed if d.region_code == TAIAN] == [
        (FOOD, "泰安市行政审批服务局", 8)
    ]
    rows = level_selectors.claims_of_region(taian)
    assert [(r.implementation.item.basic_code, r.status_label) for r in rows] == [(FOOD, "已生效")]
    assert FOOD not in [v.item.basic_code for v in level_selectors.claimable_items(taian)]


def test_a_town_claims_from_the_nearest_level_and_the_city_guide_lists_the_town() -> None:
    city = claim_and_publish(FOOD, taian_approval(), committed_limit_days=9, office_hours="工作日 9:00–17:00")
    town_version = services.implementation_claim(actor=user("ta_catalog"), basic_code=FOOD, department=department(TOWN))
    # The parent level's claim is the nearer template: its hours and limit, not the city's address.
    assert town_version.office_hours == city.office_hours and town_version.committed_limit_days == 9
    assert town_version.exercise_level == "township" and town_version.address == ""
    services.implementation_version_update(
        actor=user("ta_catalog"), version=town_version, elements={"address": "满庄镇政府一楼"}
    )
    birth = claim_and_publish(BIRTH, department(TOWN))
    services.implementation_version_submit(actor=user("ta_catalog"), version=town_version)
    services.implementation_version_publish(actor=user("sd_catalog"), version=town_version)
    listed = guide_queryset(GuideFilters(region=Region.objects.get(code=TAIAN)))
    offered = {(d.basic_code, d.region_name, d.exercise_level) for d in listed}
    assert {(FOOD, "泰安市", "municipal"), (FOOD, "满庄镇", "township"), (BIRTH, "满庄镇", "township")} <= offered
    assert not any(d.region_code.startswith("3701") for d in listed)  # 济南's are not 泰安's
    assert birth.implementation.department.name == "满庄镇便民服务中心"


def test_a_level_the_item_is_not_exercised_at_is_refused_with_the_reason() -> None:
    set_exercise_levels(FOOD, ["municipal", "county"])
    with pytest.raises(Conflict, match=r"行使层级为市级、县级.*镇（乡、街道）级的满庄镇不能认领"):
        services.implementation_claim(actor=user("ta_catalog"), basic_code=FOOD, department=department(TOWN))
    with pytest.raises(Conflict, match="不能认领"):
        services.implementation_claim(actor=user("ta_catalog"), basic_code=FOOD, department=department(VILLAGE))
    taian = Region.objects.get(code=TAIAN)
    town = Region.objects.get(code=TOWN)
    assert FOOD in [v.item.basic_code for v in level_selectors.claimable_items(taian)]
    assert FOOD not in [v.item.basic_code for v in level_selectors.claimable_items(town)]
    assert services.implementation_claim(actor=user("ta_catalog"), basic_code=FOOD, department=taian_approval())


def test_a_village_claims_and_routes_the_decision_to_its_town() -> None:
    village = department(VILLAGE)
    draft = services.implementation_claim(
        actor=user("ta_catalog"), basic_code=BIRTH, department=village, elements={"address": "满庄村村委会"}
    )
    assert draft.exercise_level == "village"
    with pytest.raises(ValidationFailed, match="满庄村便民服务站不存在"):  # nobody in the village decides
        services.implementation_version_submit(actor=user("ta_catalog"), version=draft)
    town_code = department(TOWN).credit_code
    process = {
        **draft.process,
        "stages": [
            {**s, "tasks": [{**t, "department": town_code} for t in s["tasks"]]} for s in draft.process["stages"]
        ],
    }
    services.implementation_version_update(actor=user("ta_catalog"), version=draft, elements={"process": process})
    services.implementation_version_submit(actor=user("ta_catalog"), version=draft)
    services.implementation_version_publish(actor=user("sd_catalog"), version=draft)
    assert selectors.implementation_version_in_force(draft.implementation) == draft


def test_a_committed_limit_beyond_the_statutory_one_is_refused() -> None:
    draft = services.implementation_claim(
        actor=user("ta_catalog"),
        basic_code=FOOD,
        department=taian_approval(),
        elements={"statutory_limit_days": 10, "committed_limit_days": 12},
    )
    with pytest.raises(ValidationFailed) as refused:
        services.implementation_version_submit(actor=user("ta_catalog"), version=draft)
    assert "超过法定办结时限" in " ".join(refused.value.errors["committed_limit_days"])


def test_a_region_claims_an_item_once_and_only_its_administrators_claim_for_it() -> None:
    services.implementation_claim(actor=user("ta_catalog"), basic_code=FOOD, department=taian_approval())
    with pytest.raises(Conflict, match="已由泰安市行政审批服务局认领"):
        services.implementation_claim(
            actor=user("ta_catalog"), basic_code=FOOD, department=department(TAIAN, "泰安市市场监督管理局")
        )
    with pytest.raises(PermissionDenied, match="泰安市或其上级区划"):
        services.implementation_claim(actor=user("jn_catalog"), basic_code=BIRTH, department=taian_approval())
    with pytest.raises(PermissionDenied):
        services.implementation_claim(
            actor=user("ta_catalog"), basic_code=BIRTH, department=department("370100000000", "济南市卫生健康委员会")
        )
    with pytest.raises(Conflict, match="省级"):
        services.implementation_claim(
            actor=user("sd_catalog"), basic_code=BIRTH, department=department("370000000000", "山东省行政审批服务局")
        )
