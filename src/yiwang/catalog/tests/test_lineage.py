"""拆分/合并 keep their history: the lineage, the predecessors retired, both guide pages say so."""

import pytest
from django.test import Client

from yiwang.catalog import level_selectors, selectors, services
from yiwang.catalog.models import ItemLineage, ItemVersion, SearchDocument, ServiceItem
from yiwang.catalog.tests.helpers import FOOD
from yiwang.catalog.tests.test_levels import BIRTH, user
from yiwang.core.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.usefixtures("world")


def new_item(code: str, name: str) -> ItemVersion:
    draft = services.item_version_draft(
        actor=user("sd_catalog"), basic_code=code, change_kind="add", change_reason="拆分新设",
        elements={
            "name": name, "item_type": "license", "competent_department": "市场监督管理局",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条", "service_objects": ["enterprise"],
        },
    )  # fmt: skip
    services.item_version_submit(actor=user("sd_catalog"), version=draft)
    return services.item_version_publish(actor=user("jn_catalog"), version=draft)


def retire(code: str, kind: str, successors: str) -> ItemVersion:
    draft = services.item_version_draft(
        actor=user("sd_catalog"), basic_code=code, change_kind=kind, change_reason="机构改革调整事项",
        elements={"successor_codes": successors},
    )  # fmt: skip
    services.item_version_submit(actor=user("sd_catalog"), version=draft)
    return services.item_version_publish(actor=user("jn_catalog"), version=draft)


def test_a_split_records_each_successor_and_retires_the_predecessor() -> None:
    new_item("000136019001", "食品销售许可")
    new_item("000136019002", "餐饮服务许可")
    food = ServiceItem.objects.get(basic_code=FOOD)
    implementation = food.implementations.get()
    version = retire(FOOD, "split", "000136019001 000136019002")
    links = ItemLineage.objects.filter(predecessor=food).order_by("successor__basic_code")
    assert [(link.successor.basic_code, link.kind, link.item_version) for link in links] == [
        ("000136019001", "split", version),
        ("000136019002", "split", version),
    ]
    assert selectors.implementation_version_in_force(implementation) is None
    assert not SearchDocument.objects.filter(basic_code=FOOD).exists()
    assert [v.number for v in selectors.item_versions_public(food)] == [2, 1]  # the history stays readable
    with pytest.raises(Conflict, match="已拆分/合并"):  # retired: no implementation changes any more
        services.implementation_version_draft(
            actor=user("jn_catalog"), basic_code=FOOD, region=implementation.region,
            department=implementation.department, change_kind="amend", change_reason="调整",
        )  # fmt: skip
    assert (
        level_selectors.lineage_of(ServiceItem.objects.get(basic_code="000136019001")).predecessors[0].predecessor
        == food
    )


@pytest.mark.parametrize(
    ("kind", "successors", "message"),
    [
        ("split", "000136019001", "拆分应填写至少两个"),
        ("merge", f"000136019001 {BIRTH}", "合并应填写合并后的一个"),
        ("merge", "999", "999 不是已发布的其他事项"),
        ("merge", FOOD, f"{FOOD} 不是已发布的其他事项"),
        ("merge", "", "请填写|合并应填写"),
    ],
)
def test_split_and_merge_name_their_successors(kind: str, successors: str, message: str) -> None:
    new_item("000136019001", "食品销售许可")
    with pytest.raises(ValidationFailed, match=message):
        retire(FOOD, kind, successors)


def test_the_guide_shows_a_merge_on_both_sides() -> None:
    retire(BIRTH, "merge", FOOD)
    retired = Client().get(f"/guide/{BIRTH}/").content.decode()
    assert "已合并至" in retired and f'href="/guide/{FOOD}/"' in retired and "食品经营许可" in retired
    assert "合并：机构改革调整事项" in retired  # the version history
    successor = Client().get(f"/guide/{FOOD}/").content.decode()
    assert "由" in successor and f'href="/guide/{BIRTH}/">生育登记' in successor and "合并而来" in successor
