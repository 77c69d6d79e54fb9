"""The guide of any region: what can be done there, its towns and villages included."""

from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory

from yiwang.accounts.models import Region
from yiwang.catalog.tests.helpers import FOOD
from yiwang.catalog.tests.test_levels import BIRTH, TAIAN, TOWN, claim_and_publish, department, taian_approval

pytestmark = pytest.mark.usefixtures("world")


def _taian_claims() -> None:
    claim_and_publish(FOOD, taian_approval(), committed_limit_days=8)
    claim_and_publish(BIRTH, department(TOWN))


def test_the_taian_guide_lists_its_claims_and_its_towns_with_the_body_and_level() -> None:
    _taian_claims()
    page = Client().get("/guide/", {"region": TAIAN}).content.decode()
    assert "泰安市行政审批服务局 · 泰安市（市级）" in page
    assert "满庄镇便民服务中心 · 满庄镇（镇（乡、街道）级）" in page
    assert "济南市行政审批服务局" not in page.split('id="guide-results"')[1]
    # The chooser: the province down to 泰安, and 泰安's counties to go further down.
    chooser = page.split('id="region-chooser"')[1].split("</nav>")[0]
    assert "山东省" in chooser and 'aria-current="page">泰安市' in chooser and "岱岳区" in chooser


def test_a_town_is_chosen_from_its_county_and_lists_its_own() -> None:
    _taian_claims()
    page = Client().get("/guide/", {"region": TOWN}).content.decode()
    results = page.split('id="guide-results"')[1]
    assert "生育登记" in results and "满庄镇便民服务中心" in results
    assert "泰安市行政审批服务局" in results  # the city's claim serves the town's people too
    assert "满庄村" in page.split('id="region-chooser"')[1].split("</nav>")[0]


def test_the_item_page_names_the_body_that_implements_it_in_the_chosen_region() -> None:
    _taian_claims()
    page = Client().get(f"/guide/{BIRTH}/", {"region": TAIAN}).content.decode()
    assert "在泰安市由满庄镇便民服务中心（满庄镇，镇（乡、街道）级）实施" in page
    page = Client().get(f"/guide/{FOOD}/", {"region": TAIAN}).content.decode()
    assert "在泰安市由泰安市行政审批服务局（泰安市，市级）实施" in page


def test_a_city_portal_region_is_the_default(login_as: Callable[[str], Client]) -> None:
    from yiwang.portal.guide import guide

    _taian_claims()
    request = RequestFactory().get("/guide/")
    request.session = {}  # type: ignore[assignment]
    request.portal_region = Region.objects.get(code=TAIAN)  # type: ignore[attr-defined]
    page = guide(request).content.decode()
    assert "当前区划：<strong>泰安市</strong>" in page and "满庄镇便民服务中心" in page
