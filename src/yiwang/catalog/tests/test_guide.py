"""The public service guide: everyday-Chinese search, filters, and an item's page."""

import re

import pytest
from django.test import Client

from yiwang.accounts.models import Region
from yiwang.catalog import selectors
from yiwang.catalog.search import GuideFilters, guide_queryset, tokens
from yiwang.catalog.tests.helpers import FOOD, food_implementation


def _names(**filters: object) -> list[str]:
    return [d.name for d in guide_queryset(GuideFilters(**filters))]  # type: ignore[arg-type]


def test_bigrams() -> None:
    assert tokens("食品经营许可") == {"食品", "品经", "经营", "营许", "许可"}
    assert tokens("ICP 证") == {"icp", "证"}


@pytest.mark.usefixtures("world")
def test_everyday_words_find_the_items() -> None:
    found = _names(q="开饭店")
    assert {"食品经营许可", "公司设立登记", "户外广告设置许可"} <= set(found)
    assert "建设工程规划许可证核发" not in found and "生育登记" not in found
    assert _names(q="食品")[0] == "食品经营许可"
    by_licence = _names(q="营业执照")
    assert by_licence[0] == "公司设立登记"  # its result is the business licence
    assert "食品经营许可" in by_licence  # asks for the business licence (by data sharing)
    assert _names(q="我想开一家饭馆怎么办理")[:1] == ["食品经营许可"]
    assert _names(q="生孩子") == ["生育登记"]
    assert _names(q="量子计算机") == []


@pytest.mark.usefixtures("world")
def test_filters_narrow_the_list() -> None:
    assert _names(theme="construction") == ["建设工程规划许可证核发"]
    assert "生育登记" not in _names(service_object="enterprise")
    assert _names(service_object="person", theme="health") == ["公共场所卫生许可", "生育登记", "出生医学证明办理"]
    taian = Region.objects.get(code="370900000000")
    assert _names(region=taian) == []  # the demo items are implemented in 济南市
    lixia = Region.objects.get(code="370102000000")
    assert len(_names(region=lixia)) == 7  # a 历下区 resident applies to 济南市's items
    assert _names(level="provincial") == []


@pytest.mark.usefixtures("world")
def test_the_guide_page_searches_without_login() -> None:
    response = Client().get("/guide/", {"q": "开饭店"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "食品经营许可" in html and "公司设立登记" in html
    assert "建设工程规划许可证核发" not in html
    assert "<script>" not in html and " style=" not in html  # the CSP forbids inline script and style


@pytest.mark.usefixtures("world")
def test_htmx_filter_change_returns_only_the_results() -> None:
    response = Client().get("/guide/", {"theme": "construction"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="guide-results"')
    assert "建设工程规划许可证核发" in html and "食品经营许可" not in html


@pytest.mark.usefixtures("world")
def test_the_session_region_scopes_the_guide() -> None:
    client = Client()
    client.get("/", {"region": "370900000000"})  # the portal's region switcher: 泰安市
    assert "没有找到相关事项" in client.get("/guide/").content.decode()
    client.get("/guide/", {"region": "370100000000"})
    assert "食品经营许可" in client.get("/guide/").content.decode()


def _material_row(html: str, name: str) -> str:
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f'data-label="材料名称"><div>{name}' in row]
    assert len(rows) == 1, name
    return rows[0]


@pytest.mark.usefixtures("world")
def test_item_page_shows_what_the_applicant_needs() -> None:
    response = Client().get(f"/guide/{FOOD}/")
    assert response.status_code == 200
    html = response.content.decode()
    version = selectors.implementation_version_in_force(food_implementation())
    assert version is not None
    assert "零跑腿" in html
    assert "免提交" in _material_row(html, "营业执照")  # obtained by data sharing
    assert "免提交" not in _material_row(html, "食品经营许可申请书")
    assert "10 个工作日" in html and "5 个工作日" in html  # statutory and committed
    assert "委托代理人办理的" in html  # the conditional material's condition
    assert "审查" in html and "济南市行政审批服务局" in html
    assert "《食品经营许可和备案管理办法》" in html
    assert f'href="/apply/{version.pk}/"' in html
    assert "0531-66601019" in html and "12345" in html


@pytest.mark.usefixtures("world")
def test_item_page_of_an_item_with_visits_and_a_parallel_stage() -> None:
    html = Client().get("/guide/000112012000/").content.decode()
    assert "零跑腿" not in html and "1 次" in html and "核验建设工程设计方案图纸原件" in html
    assert "并联办理" in html and "济南市消防救援支队" in html and "济南市人民防空办公室" in html


@pytest.mark.usefixtures("world")
def test_the_guide_says_who_decides() -> None:
    planning = Client().get("/guide/000112012000/").content.decode()
    assert "谁作出决定" in planning
    assert "由济南市自然资源和规划局的审批决定岗位" in planning and "一审一核" in planning
    company = Client().get("/guide/000136001000/").content.decode()
    assert "由窗口受理人员当场作出决定" in company and "一审一核" not in company


@pytest.mark.usefixtures("world")
def test_unknown_item_is_a_404() -> None:
    assert Client().get("/guide/999999999999/").status_code == 404


@pytest.mark.usefixtures("world")
def test_home_counts_the_items_in_force() -> None:
    assert selectors.guide_item_count() == 7
