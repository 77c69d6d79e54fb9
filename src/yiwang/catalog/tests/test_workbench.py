"""The administrators' pages: draft, edit with errors kept, submit, review by the other administrator."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.catalog.forms import ImplementationElementsForm, material_initial
from yiwang.catalog.models import ImplementationVersion, ItemVersion, VersionStatus
from yiwang.catalog.tests.helpers import FOOD, food_implementation

Login = Callable[[str], Client]


def _edit_data(version: ImplementationVersion, **changes: Any) -> dict[str, Any]:
    """What the edit page posts when the administrator changes only `changes`."""
    form = ImplementationElementsForm.for_version(version)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form.initial.get(name))
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    materials = material_initial(version)
    data.update({"materials-TOTAL_FORMS": len(materials) + 1, "materials-INITIAL_FORMS": len(materials)})
    for index, material in enumerate(materials):
        data.update({f"materials-{index}-{k}": v for k, v in material.items()})
    # The blank row for a new material, untouched: the browser still posts its selects' defaults.
    blank = {"necessity": "required", "form": "original", "paper_copies": "0", "source": "applicant"}
    data.update({f"materials-{len(materials)}-{k}": v for k, v in blank.items()})
    data.update(changes)
    return data


def _open_food_change(client: Client) -> ImplementationVersion:
    implementation = food_implementation()
    response = client.post(
        f"/workbench/catalog/implementations/{implementation.pk}/",
        {"change_kind": "amend", "change_reason": "调整承诺时限"},
    )
    assert response.status_code == 302
    return ImplementationVersion.objects.get(implementation=implementation, status=VersionStatus.DRAFT)


def test_only_catalog_administrators_see_the_pages(login_as: Login) -> None:
    assert login_as("jn_window").get("/workbench/catalog/").status_code == 403
    page = login_as("sd_catalog").get("/workbench/catalog/")
    assert page.status_code == 200 and "食品经营许可" in page.content.decode()


def test_a_new_item_form_keeps_what_was_typed_and_names_the_missing_field(login_as: Login) -> None:
    client = login_as("sd_catalog")
    response = client.post(
        "/workbench/catalog/items/new/",
        {"basic_code": "000999000002", "legal_basis": "《某条例》第三条", "change_reason": "新增", "name": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="field__error" id="id_name-error1">这个字段是必填项。</p>' in html
    assert 'value="000999000002"' in html and "《某条例》第三条" in html
    assert not ItemVersion.objects.filter(item__basic_code="000999000002").exists()


def test_an_incoherent_draft_is_refused_at_submission_with_the_rule_next_to_the_field(login_as: Login) -> None:
    client = login_as("sd_catalog")
    draft = _open_food_change(client)
    response = client.post(
        f"/workbench/catalog/implementation-versions/{draft.pk}/",
        _edit_data(draft, committed_limit_days="12", action="submit"),
    )
    html = response.content.decode()
    assert "承诺办结时限：12 个工作日超过法定办结时限 10 个工作日" in html
    assert 'value="12"' in html and 'aria-invalid="true"' in html  # kept as typed, marked invalid
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.committed_limit_days == 12  # saved as a draft


def test_a_broken_json_process_is_explained_and_kept(login_as: Login) -> None:
    client = login_as("sd_catalog")
    draft = _open_food_change(client)
    broken = '{"stages": [ {"key": "审查"} ]'
    response = client.post(
        f"/workbench/catalog/implementation-versions/{draft.pk}/", _edit_data(draft, process=broken, action="save")
    )
    html = response.content.decode()
    assert "办理流程：不是有效的 JSON（第 1 行" in html
    assert "{&quot;key&quot;: &quot;审查&quot;}" in html  # the text is still in the textarea
    wrong = '{"stages": [{"key": "Review", "name": "审查", "limit_days": 3, "tasks": []}]}'
    html = client.post(
        f"/workbench/catalog/implementation-versions/{draft.pk}/", _edit_data(draft, process=wrong, action="save")
    ).content.decode()
    assert "办理流程 第 1 个环节 › 标识：须以小写字母开头" in html
    assert "办理流程 第 1 个环节 › 任务：至少需要 1 项" in html


def test_review_by_the_other_administrator_shows_the_diff_and_publishes(login_as: Login) -> None:
    drafter = login_as("sd_catalog")
    draft = _open_food_change(drafter)
    response = drafter.post(
        f"/workbench/catalog/implementation-versions/{draft.pk}/",
        _edit_data(draft, committed_limit_days="6", change_reason="窗口人手增加，承诺 6 天", action="submit"),
    )
    assert response.status_code == 302
    own_page = drafter.get(f"/workbench/catalog/implementation-versions/{draft.pk}/").content.decode()
    assert 'value="publish"' not in own_page  # the drafter is not offered the review buttons
    drafter.post(f"/workbench/catalog/implementation-versions/{draft.pk}/", {"action": "publish"})
    assert ImplementationVersion.objects.get(pk=draft.pk).status == VersionStatus.IN_REVIEW

    reviewer = login_as("jn_catalog")
    assert (
        f"/workbench/catalog/implementation-versions/{draft.pk}/"
        in reviewer.get("/workbench/catalog/").content.decode()
    )
    page = reviewer.get(f"/workbench/catalog/implementation-versions/{draft.pk}/").content.decode()
    assert "窗口人手增加，承诺 6 天" in page
    assert "承诺办结时限（工作日）" in page and "<del>5</del>" in page and "<ins>6</ins>" in page
    response = reviewer.post(
        f"/workbench/catalog/implementation-versions/{draft.pk}/", {"action": "publish", "note": "同意"}
    )
    assert response.status_code == 302
    assert ImplementationVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    assert "6 个工作日" in Client().get(f"/guide/{FOOD}/").content.decode()


def test_rejection_needs_a_note(login_as: Login) -> None:
    drafter = login_as("sd_catalog")
    draft = _open_food_change(drafter)
    drafter.post(f"/workbench/catalog/implementation-versions/{draft.pk}/", _edit_data(draft, action="submit"))
    reviewer = login_as("jn_catalog")
    html = reviewer.post(
        f"/workbench/catalog/implementation-versions/{draft.pk}/", {"action": "reject", "note": ""}
    ).content.decode()
    assert "审核意见：退回时必须写明理由" in html
    reviewer.post(f"/workbench/catalog/implementation-versions/{draft.pk}/", {"action": "reject", "note": "请补充依据"})
    assert ImplementationVersion.objects.get(pk=draft.pk).status == VersionStatus.REJECTED


@pytest.mark.usefixtures("world")
def test_an_item_change_round_trip_through_the_pages(login_as: Login) -> None:
    drafter = login_as("sd_catalog")
    response = drafter.post(f"/workbench/catalog/items/{FOOD}/", {"change_kind": "amend", "change_reason": "补充别名"})
    draft = ItemVersion.objects.get(item__basic_code=FOOD, status=VersionStatus.DRAFT)
    assert response.url == f"/workbench/catalog/item-versions/{draft.pk}/"  # type: ignore[attr-defined]
    page = drafter.get(response.url).content.decode()  # type: ignore[attr-defined]
    assert "食品经营许可" in page and 'value="submit"' in page


def test_materials_are_added_and_removed_in_the_blank_row(login_as: Login) -> None:
    client = login_as("sd_catalog")
    draft = _open_food_change(client)
    count = draft.materials.count()
    data = _edit_data(draft, action="save")
    data.update({f"materials-{count}-key": "lease", f"materials-{count}-name": "租赁合同", "materials-0-DELETE": "on"})
    assert client.post(f"/workbench/catalog/implementation-versions/{draft.pk}/", data).status_code == 302
    names = list(draft.materials.values_list("name", flat=True))
    assert names[-1] == "租赁合同" and "食品经营许可申请书" not in names and len(names) == count


def test_both_kinds_share_the_pages_and_show_their_elements_by_label(login_as: Login) -> None:
    reviewer = login_as("jn_catalog")
    implementation = food_implementation()
    item_page = reviewer.get(f"/workbench/catalog/items/{FOOD}/").content.decode()
    assert f"/workbench/catalog/implementations/{implementation.pk}/" in item_page
    assert "发起调整（基本要素）" in item_page
    owner_page = reviewer.get(f"/workbench/catalog/implementations/{implementation.pk}/").content.decode()
    assert "发起调整（实施清单）" in owner_page and implementation.code in owner_page
    published = ItemVersion.objects.get(item__basic_code=FOOD, status=VersionStatus.PUBLISHED)
    page = reviewer.get(f"/workbench/catalog/item-versions/{published.pk}/").content.decode()
    assert "<dt>事项类型</dt><dd>行政许可</dd>" in page and "已发布的版本不可修改" in page
    version = ImplementationVersion.objects.get(implementation=implementation, status=VersionStatus.PUBLISHED)
    page = reviewer.get(f"/workbench/catalog/implementation-versions/{version.pk}/").content.decode()
    assert "<dt>承诺办结时限（工作日）</dt><dd>5</dd>" in page and "营业执照" in page
    assert reviewer.get("/workbench/catalog/implementations/999999/").status_code == 404
