"""好差评 through the portal: rating from the case page, the notice link without login, the
department's answer as the applicant sees it, and the public figures on /ratings/ and the guide."""

import re
from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.cases import services as case_services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.catalog.models import ImplementationVersion
from yiwang.catalog.search import search_document_refresh
from yiwang.ratings import services
from yiwang.ratings.models import Rating
from yiwang.ratings.tests.scene import concluded, notice_token, person

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def case_url(case: Case) -> str:
    return f"/me/cases/{case.number}/"


def concluded_on(version: ImplementationVersion, applicant: str) -> Case:
    """Another concluded case of the same item (scene.concluded makes a new item each time)."""
    case = flows.reload(flows.accepted(version, applicant=applicant))
    if case.status != "concluded":
        case_services.case_conclude(actor=person("jn_window"), case=case, reference="窗口领取")
        case = flows.reload(case)
    return case


def test_zhangsan_rates_from_the_case_page_once(login_as: Login) -> None:
    case = concluded()
    zhangsan = login_as("zhangsan")
    page = zhangsan.get(case_url(case)).content.decode()
    assert "服务评价（好差评）" in page and 'name="grade" value="1"' in page
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "指南准确", "服务态度"):
        assert label in page

    answer = zhangsan.post(
        f"{case_url(case)}rating/", {"grade": "1", "tags": ["guide", "materials"], "text": "指南里的材料清单写错了"}
    )
    assert answer.status_code == 302 and answer["Location"].endswith(f"{case_url(case)}#rating")
    rating = Rating.objects.get(case=case)
    assert rating.grade == 1 and rating.channel == "pc" and rating.tags == ["guide", "materials"]

    page = zhangsan.get(case_url(case)).content.decode()
    assert "指南里的材料清单写错了" in page and "指南准确、材料要求" in page and "非常不满意" in page
    assert "待核实处理" in page and f"{rating.response_due:%Y-%m-%d}" in page
    assert f'action="{case_url(case)}rating/"' not in page  # no second rating form

    again = zhangsan.post(f"{case_url(case)}rating/", {"grade": "5", "text": "改个好评"})
    body = again.content.decode()
    assert again.status_code == 409 and "已经评价过" in body and "改个好评" not in body
    assert Rating.objects.filter(case=case).count() == 1


def test_a_refused_rating_re_shows_what_was_typed_naming_the_field(login_as: Login) -> None:
    case = concluded()
    zhangsan = login_as("zhangsan")
    answer = zhangsan.post(f"{case_url(case)}rating/", {"tags": ["attitude"], "text": "等了很久"})
    body = answer.content.decode()
    assert answer.status_code == 422 and "评价等级：请选择" in body and 'href="#rate-grade"' in body
    assert "等了很久</textarea>" in body and 'value="attitude" checked' in body
    too_long = zhangsan.post(f"{case_url(case)}rating/", {"grade": "3", "text": "长" * 501})
    body = too_long.content.decode()
    assert too_long.status_code == 422 and "评价内容：最多 500 个字符" in body and 'value="3" checked' in body
    assert not Rating.objects.exists()


def test_only_the_applicant_sees_the_form_and_may_rate(login_as: Login) -> None:
    case = concluded()
    lisi = login_as("lisi")
    assert lisi.get(case_url(case)).status_code == 404
    assert lisi.post(f"{case_url(case)}rating/", {"grade": "5"}).status_code == 404
    running = flows.submit(ImplementationVersionFactory())
    zhangsan = login_as("zhangsan")
    assert "服务评价（好差评）" not in zhangsan.get(case_url(running)).content.decode()
    refused = zhangsan.post(f"{case_url(running)}rating/", {"grade": "5"})
    assert refused.status_code == 403 and "办结后才能评价" in refused.content.decode()
    assert not Rating.objects.exists()


def test_the_answer_to_a_bad_review_the_addition_and_the_second_rating(login_as: Login) -> None:
    case = concluded()
    zhangsan = login_as("zhangsan")
    zhangsan.post(f"{case_url(case)}rating/", {"grade": "2", "text": "窗口态度差"})
    rating = Rating.objects.get(case=case)

    added = zhangsan.post(f"{case_url(case)}ratings/{rating.pk}/add/", {"text": ""})
    assert added.status_code == 422 and "追评内容：必填" in added.content.decode()
    zhangsan.post(f"{case_url(case)}ratings/{rating.pk}/add/", {"text": "补充：等候了两个小时"})

    window = person("jn_window")
    rectification = services.rating_rectify(actor=window, rating_id=rating.pk, plan="加强窗口服务培训", days=5)
    page = zhangsan.get(case_url(case)).content.decode()
    assert "整改中" in page and f"{rectification.due_on:%Y-%m-%d}" in page and "加强窗口服务培训" in page
    assert "补充：等候了两个小时" in page and "评价整改结果" not in page

    services.rectification_close(actor=window, rating_id=rating.pk, result="已完成全员培训并设置服务监督岗")
    page = zhangsan.get(case_url(case)).content.decode()
    assert "已整改" in page and "已完成全员培训并设置服务监督岗" in page and "评价整改结果" in page
    second = f"{case_url(case)}ratings/{rating.pk}/second/"
    refused = zhangsan.post(second, {"grade": "9", "text": "好多了"})
    assert refused.status_code == 422 and "评价等级：请选择" in refused.content.decode()
    assert "好多了</textarea>" in refused.content.decode()
    assert zhangsan.post(second, {"grade": "4", "text": "好多了"}).status_code == 302
    page = zhangsan.get(case_url(case)).content.decode()
    assert "整改评价" in page and "好多了" in page and "评价整改结果" not in page
    twice = zhangsan.post(second, {"grade": "5"})
    assert twice.status_code == 409 and "整改结果已经评价过" in twice.content.decode()


def test_the_notice_link_rates_without_login_once(world: None) -> None:
    case = concluded()
    token = notice_token(case)
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(f"/rate/{token}")
    body = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert case.number in body and case.implementation_version.item_version.name in body
    assert "张三" not in body and "zhangsan" not in body  # nothing else personal
    assert phone.post(f"/rate/{token}", {"grade": "5"}).status_code == 403  # CSRF applies
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert csrf

    refused = phone.post(f"/rate/{token}", {"csrfmiddlewaretoken": csrf.group(1), "text": "很好"})
    assert refused.status_code == 422 and "评价等级" in refused.content.decode()
    assert "很好</textarea>" in refused.content.decode() and not Rating.objects.exists()

    done = phone.post(f"/rate/{token}", {"csrfmiddlewaretoken": csrf.group(1), "grade": "5", "tags": ["efficiency"]})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode() and "no-store" in done["Cache-Control"]
    rating = Rating.objects.get(case=case)
    assert rating.channel == "notice_link" and rating.rater == case.applicant
    assert "sessionid" not in phone.cookies  # nobody was logged in (no session at all)

    used = phone.get(f"/rate/{token}")
    assert used.status_code == 409 and "已经使用过" in used.content.decode() and "no-store" in used["Cache-Control"]
    unknown = Client().get(f"/rate/{'x' * 32}")
    assert unknown.status_code == 404 and "评价链接无效" in unknown.content.decode()


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"department": "no-such-department"}, "部门："),
        ({"region": "999999999999"}, "区划："),
        ({"item": "000000000000"}, "事项："),
        ({"item": "<script>"}, "事项："),
    ],
)
def test_a_bad_filter_gives_400_naming_the_field(world: None, query: dict[str, str], label: str) -> None:
    response = Client().get("/ratings/", query)
    body = response.content.decode()
    assert response.status_code == 400 and label in body and "请修改以下问题" in body
    assert "<script>" not in body.split("</header>", 1)[1].split("<footer", 1)[0]


def test_the_public_page_and_the_guide_show_the_figures_without_the_rater(login_as: Login) -> None:
    first = concluded()
    version = first.implementation_version
    code = version.item_version.item.basic_code
    search_document_refresh(version.implementation)
    guide = Client().get(f"/guide/{code}/").content.decode()
    assert "该事项暂无评价" in guide and f'href="/ratings/?item={code}"' in guide

    login_as("zhangsan").post(f"{case_url(first)}rating/", {"grade": "5", "text": "办得很快"})
    second = concluded_on(version, "lisi")
    services.rating_give_by_link(token=notice_token(second), grade=1, tags=["guide"], text="李四的差评原文")
    bad = Rating.objects.get(case=second)
    services.rating_fix(actor=person("jn_window"), rating_id=bad.pk, how="已更正办事指南的材料清单")

    public = Client().get("/ratings/", {"item": code})
    body = public.content.decode()
    assert public.status_code == 200 and version.item_version.name in body
    assert '好评率 <strong class="num">50%</strong>' in body and "（1 / 2）" in body
    assert "好评率 = 非常满意、满意、基本满意的评价数 ÷ 评价总数" in body and "主动评价率 =" in body
    assert "已更正办事指南的材料清单" in body and "已立行立改" in body and "指南准确" in body
    for private in ("张三", "李四", "zhangsan", "lisi", "李四的差评原文", "办得很快", first.number, second.number):
        assert private not in body

    guide = Client().get(f"/guide/{code}/").content.decode()
    assert "2 条" in guide and "50%" in guide and '非常满意 <span class="num">1</span>' in guide
    assert "李四的差评原文" not in guide
    assert 'href="/ratings/"' in Client().get("/").content.decode()  # linked from the navigation
