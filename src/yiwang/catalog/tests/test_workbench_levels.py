"""The workbench pages of the catalog at every level: claim, confirm, who has not."""

from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.catalog.models import Implementation, PendingAmendment
from yiwang.catalog.tests.helpers import FOOD
from yiwang.catalog.tests.test_amendments import amend_food
from yiwang.catalog.tests.test_levels import BIRTH, TAIAN, claim_and_publish, department, taian_approval

URL = "/workbench/catalog/levels/"


def test_a_city_administrator_claims_from_the_page(login_as: Callable[[str], Client]) -> None:
    client = login_as("ta_catalog")
    page = client.get(URL).content.decode()
    assert "事项认领与调整 · 泰安市" in page and f'value="{FOOD}"' in page
    assert "调整落实情况" not in page  # the province's list
    response = client.post(
        "/workbench/catalog/levels/claim/",
        {"region": TAIAN, "basic_code": FOOD, "department": taian_approval().pk},
    )
    implementation = Implementation.objects.get(item__basic_code=FOOD, region__code=TAIAN)
    draft = implementation.versions.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/workbench/catalog/implementation-versions/{draft.pk}/"
    )
    page = client.get(URL).content.decode()
    assert "起草中" in page and f'value="{FOOD}"' not in page.split('id="claimable"')[1]
    refused = client.post(
        "/workbench/catalog/levels/claim/",
        {"region": TAIAN, "basic_code": FOOD, "department": taian_approval().pk},
        follow=True,
    )
    assert "认领未成功：泰安市已由泰安市行政审批服务局认领该事项" in refused.content.decode()


def test_pending_amendments_are_confirmed_from_the_page_and_the_province_sees_who_has_not(
    login_as: Callable[[str], Client],
) -> None:
    claim_and_publish(FOOD, taian_approval())
    claim_and_publish(BIRTH, department("370911100000"))
    amend_food()
    province = login_as("sd_catalog").get(URL).content.decode()
    lagging = province.split('id="lagging"')[1]
    assert "泰安市行政审批服务局" in lagging and "济南市行政审批服务局" in lagging
    client = login_as("ta_catalog")
    page = client.get(URL).content.decode()
    pending = page.split('id="pending"')[1].split("</section>")[0]
    assert "检索关键词" in pending and "开饭店 奶茶店 咖啡馆" in pending and "济南" not in pending
    amendment = PendingAmendment.objects.get(implementation__region__code=TAIAN)
    done = client.post(f"/workbench/catalog/amendments/{amendment.pk}/confirm/", follow=True).content.decode()
    assert "已确认，实施清单" in done and "没有待确认的调整" in done
    assert "泰安市行政审批服务局" not in login_as("sd_catalog").get(URL).content.decode().split('id="lagging"')[1]


def test_someone_else_s_amendment_is_refused(login_as: Callable[[str], Client]) -> None:
    amend_food()
    amendment = PendingAmendment.objects.get()
    page = login_as("ta_catalog").post(f"/workbench/catalog/amendments/{amendment.pk}/confirm/", follow=True)
    assert "确认未成功" in page.content.decode()
    assert PendingAmendment.objects.get().status == "pending"


pytestmark = pytest.mark.usefixtures("world")


def test_the_api_lists_a_region_s_claims_and_who_has_not_confirmed() -> None:
    claim_and_publish(FOOD, taian_approval())
    amend_food()
    claims = Client().get(f"/api/v1/catalog/regions/{TAIAN}/claims").json()
    assert [(c["basic_code"], c["in_force"], c["item_version"], c["pending_item_version"]) for c in claims] == [
        (FOOD, True, 1, 2)
    ]
    pending = Client().get("/api/v1/catalog/amendments/pending", {"region": TAIAN}).json()
    assert [(p["region_name"], p["days_waiting"]) for p in pending] == [("泰安市", 0)]
    assert len(Client().get("/api/v1/catalog/amendments/pending").json()) == 2  # 济南 too
    assert Client().get("/api/v1/catalog/regions/999999999999/claims").status_code == 404
