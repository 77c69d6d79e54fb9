"""一件事 definitions in 事项库管理: create, fill in, submit, and publish by the other administrator."""

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from yiwang.catalog.forms import BundleElementsForm
from yiwang.catalog.models import BundleVersion, VersionStatus
from yiwang.demo.bundles import restaurant_elements

Login = Callable[[str], Client]


def _edit_data(version: BundleVersion, **changes: Any) -> dict[str, Any]:
    form = BundleElementsForm.for_version(version)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form.initial.get(name))
        if value is not None and not isinstance(value, bool):
            data[name] = value
    data.update(changes)
    return data


def test_a_bundle_is_drafted_on_the_pages_and_published_by_the_other_administrator(login_as: Login) -> None:
    drafter, reviewer = login_as("sd_catalog"), login_as("jn_catalog")
    page = drafter.get("/workbench/catalog/bundles/new/").content.decode()
    region = next(line for line in page.splitlines() if "济南市" in line and "option" in line)
    region_id = region.split('value="')[1].split('"')[0]
    response = drafter.post(
        "/workbench/catalog/bundles/new/",
        {"code": "kaiban-canyindian", "name": "开办餐饮店一件事", "region": region_id, "change_reason": "整合"},
    )
    version = BundleVersion.objects.get()
    assert response["Location"] == f"/workbench/catalog/bundle-versions/{version.pk}/"
    # submitting an empty composition names what is missing
    basics = {"description": "开办餐饮店", "service_objects": ["enterprise"], "delivery": "together"}
    refused = drafter.post(response["Location"], _edit_data(version, change_reason="整合", action="submit", **basics))
    assert refused.status_code == 200 and "一件事至少包含两个事项" in refused.content.decode()
    elements = restaurant_elements()
    documents = {name: json.dumps(elements[name], ensure_ascii=False) for name in ("members", "form", "materials")}
    data = {**_edit_data(version, change_reason="整合", action="submit", **basics), **documents}
    assert drafter.post(response["Location"], data).status_code == 302
    assert BundleVersion.objects.get().status == VersionStatus.IN_REVIEW
    review = reviewer.get(response["Location"]).content.decode()
    assert "开办餐饮店一件事" in review
    reviewer.post(response["Location"], {"action": "publish", "note": "同意"})
    assert BundleVersion.objects.get().status == VersionStatus.PUBLISHED
    assert "开办餐饮店一件事" in reviewer.get("/workbench/catalog/").content.decode()
    assert "发布一件事版本" in reviewer.get("/workbench/catalog/bundles/kaiban-canyindian/").content.decode()
