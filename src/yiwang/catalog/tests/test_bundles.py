"""Bundles (一件事) as versioned documents: the checks of their documents, four eyes, events."""

import copy
from typing import Any

import pytest

from yiwang.accounts.models import Region, User
from yiwang.catalog import selectors, services
from yiwang.catalog.bundledoc import included_members, member_form_data, parse
from yiwang.catalog.models import BundleVersion, CatalogEvent, VersionStatus
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.demo.bundles import RESTAURANT_CODE, restaurant_elements
from yiwang.ledger.models import Entry


def _jinan() -> Region:
    return Region.objects.get(code="370100000000")


def _draft(drafter: User, **changes: Any) -> BundleVersion:
    elements = {**restaurant_elements(), **changes}
    return services.bundle_version_draft(
        actor=drafter, code=RESTAURANT_CODE, region=_jinan(), change_kind="add", change_reason="整合", elements=elements
    )


def test_a_bundle_is_published_by_a_second_administrator(drafter: User, reviewer: User) -> None:
    draft = _draft(drafter)
    services.bundle_version_submit(actor=drafter, version=draft)
    with pytest.raises(PermissionDenied):
        services.bundle_version_publish(actor=drafter, version=draft)
    published = services.bundle_version_publish(actor=reviewer, version=draft, note="同意")
    assert published.status == VersionStatus.PUBLISHED and published.valid_from is not None
    verbs = list(CatalogEvent.objects.filter(subject=f"bundle:{RESTAURANT_CODE}").values_list("verb", flat=True))
    assert sorted(verbs) == ["bundle_version_drafted", "bundle_version_published", "bundle_version_submitted"]
    assert Entry.objects.filter(kind="catalog.bundle_version_published").count() == 1
    assert [b.bundle.code for b in selectors.bundles_in_force()] == [RESTAURANT_CODE]


def test_a_change_copies_the_version_in_force_and_supersedes_it(drafter: User, reviewer: User) -> None:
    first = _draft(drafter)
    services.bundle_version_submit(actor=drafter, version=first)
    services.bundle_version_publish(actor=reviewer, version=first)
    second = services.bundle_version_draft(
        actor=drafter, code=RESTAURANT_CODE, region=_jinan(), change_kind="amend", change_reason="改为分别送达"
    )
    assert second.members == first.members and second.number == 2
    services.bundle_version_update(actor=drafter, version=second, elements={"delivery": "as_ready"})
    services.bundle_version_submit(actor=drafter, version=second)
    services.bundle_version_publish(actor=reviewer, version=second)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED and first.valid_until is not None
    diff = CatalogEvent.objects.filter(verb="bundle_version_published").first().payload["diff"]  # type: ignore[union-attr]
    assert any(change["element"] == "结果送达" for change in diff)


def _refused(drafter: User, elements: dict[str, Any]) -> dict[str, list[str]]:
    draft = _draft(drafter, **elements)
    with pytest.raises(ValidationFailed) as caught:
        services.bundle_version_submit(actor=drafter, version=draft)
    return caught.value.errors


def test_a_mapping_to_a_missing_or_incompatible_field_is_refused_by_path(drafter: User) -> None:
    members = copy.deepcopy(restaurant_elements()["members"])
    members["members"][1]["fields"]["company_name"] = "no_such_field"
    members["members"][0]["fields"]["business_items"] = "registered_capital"  # multichoice into a decimal
    errors = _refused(drafter, {"members": members})
    assert any("没有字段 no_such_field" in m for m in errors["members.food.fields"])
    assert any("不能填入" in m for m in errors["members.company.fields"])
    # the food form's required business_name is no longer filled from the merged form
    assert any("必填字段" in m and "business_name" not in m for m in errors["members.food.fields"])


def test_conditions_order_and_materials_are_checked(drafter: User) -> None:
    elements = restaurant_elements()
    members = copy.deepcopy(elements["members"])
    members["members"][2]["condition_field"] = "nowhere"
    members["members"][0]["after"] = ["food"]
    members["members"][1]["after"] = ["company"]
    materials = copy.deepcopy(elements["materials"])
    materials["materials"][0]["serves"] = {"company": "no_such_material"}
    errors = _refused(drafter, {"members": members, "materials": materials})
    assert "条件字段 nowhere 不在合并申请表中" in errors["members.hygiene.condition_field"][0]
    assert any("成环" in m for m in errors["members"])
    assert "没有标识为 no_such_material 的材料" in errors["materials.company_application"][0]


def test_a_member_without_a_version_in_force_blocks_publication(drafter: User) -> None:
    members = copy.deepcopy(restaurant_elements()["members"])
    members["members"][3]["implementation"] = "no-such-code"
    errors = _refused(drafter, {"members": members})
    assert "没有生效的版本" in errors["members.sign.implementation"][0]


def test_the_merged_form_reaches_each_member_and_conditions_pick_members() -> None:
    parsed, problems = parse(
        restaurant_elements_static()["members"], restaurant_elements_static()["form"], {"materials": []}
    )
    assert parsed is not None and not problems
    data = {"company_name": "泉城小馆", "address": "泉城路 1 号", "has_sign": True, "public_venue": False}
    keys = [m.key for m in included_members(parsed.members, data)]
    assert keys == ["company", "food", "sign"]
    food = parsed.members.member("food")
    assert food is not None
    assert member_form_data(food, data) == {"business_name": "泉城小馆", "address": "泉城路 1 号"}


def restaurant_elements_static() -> dict[str, Any]:
    from yiwang.demo.bundles import RESTAURANT_FORM, restaurant_members

    codes = {"company": "c", "food": "f", "hygiene": "h", "sign": "s"}
    return {"members": restaurant_members(codes), "form": RESTAURANT_FORM}
