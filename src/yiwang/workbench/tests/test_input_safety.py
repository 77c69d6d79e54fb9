"""The workbench's action forms bypass Django forms: control characters are refused by
field with what was typed kept; a material download logs only a read that happened."""

from typing import Any

import pytest
from django.core.files.storage import default_storage

from yiwang.cases.models import Case, CaseAccessLog
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.tests.test_workbench import _edit_data, _open_food_change
from yiwang.workbench.tests.test_cases_pages import (  # noqa: F401 - _pages is an autouse fixture
    _pages,
    act,
    apply_url,
    key_of,
    page,
    pdf,
    png,
    reload,
    submitted_food_case,
)

pytestmark = pytest.mark.django_db


def test_a_control_character_in_a_reason_is_refused_and_the_form_keeps_what_was_typed(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    clerk = login_as("jn_window")
    number = str(case.number)
    page(clerk, number)
    refused = act(clerk, number, "refuse", reason="不符合\x00受理条件", legal_basis="《行政许可法》第三十二条")
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "理由：含有不可见的控制字符（U+0000），请删除后重新输入" in html
    assert "《行政许可法》第三十二条" in html  # the other field comes back as typed
    assert reload(case).status == "submitted"


def test_a_material_download_that_fails_logs_no_access(login_as: Any) -> None:
    applicant = login_as("zhangsan")
    case = submitted_food_case(applicant)
    other = submitted_food_case_again(applicant)
    clerk = login_as("jn_window")
    number = str(case.number)
    page(clerk, number)
    CaseAccessLog.objects.all().delete()
    material = other.materials.get(material_key="layout")
    # a material of another case under this case's address: 404, and no read is logged
    assert clerk.get(f"/workbench/cases/{number}/materials/{material.pk}/").status_code == 404
    assert clerk.get(f"/workbench/cases/{number}/materials/999999/").status_code == 404
    own = case.materials.get(material_key="layout")
    default_storage.delete(own.storage_name)  # the stored file is gone
    assert clerk.get(f"/workbench/cases/{number}/materials/{own.pk}/").status_code == 404
    assert not CaseAccessLog.objects.exists()
    # a read that happens is logged
    rules = case.materials.get(material_key="rules")
    assert clerk.get(f"/workbench/cases/{number}/materials/{rules.pk}/").status_code == 200
    assert list(CaseAccessLog.objects.values_list("target", flat=True)) == [f"material:{rules.pk}"]


def submitted_food_case_again(client: Any) -> Case:
    """A second food-licence case of the same applicant (another page, another key)."""
    before = set(Case.objects.values_list("pk", flat=True))
    url = apply_url("食品经营许可")
    response = client.post(
        url,
        {
            "idempotency_key": key_of(client.get(url).content.decode()),
            "action": "submit",
            "applicant_as": "self",
            "f-business_name": "泉城二馆",
            "f-address": "济南市历下区泉城路189号",
            "f-business_items": ["drinks"],
            "f-principal_id": "11010519491231002X",
            "m-application": pdf(),
            "m-layout": png("另一布局图.png"),
            "m-rules": pdf("另一制度.pdf"),
        },
    )
    assert response.status_code == 302
    return Case.objects.exclude(pk__in=before).get()


def test_a_catalog_review_note_refuses_control_characters(login_as: Any) -> None:
    drafter = login_as("sd_catalog")
    draft = _open_food_change(drafter)
    drafter.post(f"/workbench/catalog/implementation-versions/{draft.pk}/", _edit_data(draft, action="submit"))
    url = f"/workbench/catalog/implementation-versions/{draft.pk}/"
    html = login_as("jn_catalog").post(url, {"action": "reject", "note": "请补充\x00依据"}).content.decode()
    assert "审核意见：含有不可见的控制字符（U+0000）" in html
    assert ImplementationVersion.objects.get(pk=draft.pk).status == VersionStatus.IN_REVIEW
