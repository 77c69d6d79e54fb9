"""我的办件 through the pages: the list, the case page (status, due date and why, timeline,
result), answering a 补正 request, withdrawing, and one's own files."""

import re
from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.cases import services
from yiwang.cases.models import Case, Task
from yiwang.portal.tests.test_apply import _pages, food_post, png, submitted_food_case  # noqa: F401

pytestmark = pytest.mark.django_db


def staff(username: str) -> User:
    return User.objects.get(username=username)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_every_post_form_carries_the_csrf_token(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    food_post(client, action="save", files=False)
    draft = Case.objects.get(applicant__username="zhangsan", status="draft")
    for url in (f"/me/cases/{case.number}/", f"/apply/drafts/{draft.ref}/", "/me/drafts/"):
        html = client.get(url).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
        assert forms and all("csrfmiddlewaretoken" in body for body in forms), url


def test_my_space_and_the_list_show_the_case(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    home = client.get("/me/").content.decode()
    assert f'href="/me/cases/{case.number}/"' in home and "食品经营许可" in home and "已提交，待受理" in home
    listing = client.get("/me/cases/").content.decode()
    assert case.number in listing and "已提交，待受理" in listing and "本人" in listing
    assert case.number not in client.get("/me/cases/?show=done").content.decode()
    assert case.number in client.get("/me/cases/?show=open").content.decode()
    # an unfinished draft is listed first, to be taken up again
    food_post(client, action="save", files=False)
    draft = Case.objects.get(applicant__username="zhangsan", status="draft")
    home = client.get("/me/").content.decode()
    assert f'href="/apply/drafts/{draft.ref}/"' in home and "草稿，尚未提交" in home
    assert home.index("草稿，尚未提交") < home.index(str(case.number))


def test_the_case_page_explains_status_time_and_history(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    services.case_accept(actor=staff("jn_window"), case=case)
    html = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "已受理，审查中" in html
    # the due date and why: accepted 04-01, 5 working days, 清明 skipped
    assert "2026-04-09" in html and "清明" in html and "为什么是这个日期" in html
    # the timeline in plain Chinese, staff names hidden behind the department
    assert "提交申请，办件编号" in html and "窗口受理申请" in html and "济南市行政审批服务局" in html
    assert "赵敏" not in html
    # progress of the stages, and withdrawal is offered before the decision
    assert "审查" in html and "进行中" in html
    assert f'action="/me/cases/{case.number}/withdraw/"' in html and "data-confirm" in html


def test_other_applicants_cannot_see_the_case(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    other = login_as("lisi")
    assert other.get(f"/me/cases/{case.number}/").status_code == 404
    assert other.get(f"/me/cases/{case.number}/receipt/").status_code == 404
    material = case.materials.first()
    assert material is not None
    assert other.get(f"/me/materials/{material.pk}/").status_code == 404


def test_own_files_are_downloaded_through_the_check(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    material = case.materials.get(material_key="layout")
    response = client.get(f"/me/materials/{material.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "no-store" in response["Cache-Control"]


def test_answer_a_supplement_request_by_uploading(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    services.case_supplement_request(
        actor=staff("jn_window"),
        case=case,
        items=[{"material_key": "layout", "note": "缺少尺寸标注"}, {"name": "场所租赁情况", "note": "请说明租期"}],
        message="请一次补齐。",
    )
    url = f"/me/cases/{case.number}/"
    html = client.get(url).content.decode()
    assert "请补正材料（一次性告知）" in html and "缺少尺寸标注" in html and "场所租赁情况" in html
    assert 'name="m-layout"' in html and 'name="m-rules"' not in html  # only what was asked
    # answering without the file and the note: both errors, the note typed is kept
    refused = client.post(f"{url}supplement/", {"action": "answer", "note": ""})
    text = refused.content.decode()
    assert refused.status_code == 422 and "请按补正要求上传" in text and "补正说明：" in text
    assert 'id="m-layout-error"' in text and 'id="supplement-note-error"' in text
    # upload only, then answer
    uploaded = client.post(f"{url}supplement/", {"action": "upload", "m-layout": png("新布局图.png")})
    assert uploaded.status_code == 302
    assert "新布局图.png" in client.get(url).content.decode()
    answered = client.post(f"{url}supplement/", {"action": "answer", "note": "租期至 2031 年"})
    assert answered.status_code == 302
    case = reload(case)
    assert case.status == "submitted"
    assert "提交补正材料" in client.get(url).content.decode()


def test_withdraw_needs_a_confirmation(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    url = f"/me/cases/{case.number}/withdraw/"
    refused = client.post(url, {"reason": "信息填错了"})
    html = refused.content.decode()
    assert refused.status_code == 422 and "请勾选“我确认撤回此申请”" in html and "信息填错了" in html
    assert reload(case).status == "submitted"
    done = client.post(url, {"reason": "信息填错了", "confirm": "yes"})
    assert done.status_code == 302 and reload(case).status == "withdrawn"
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "已撤回" in page and "申请人撤回申请" in page and "我要撤回这份申请" not in page


def test_a_denial_shows_reasons_and_remedies(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    services.case_accept(actor=staff("jn_window"), case=case)
    review = Task.objects.get(case=case, key="review")
    services.task_complete(actor=staff("jn_reviewer"), task=review, outcome="reject", opinion="布局不符合要求")
    services.case_decide(
        actor=staff("jn_approver"),
        case=reload(case),
        outcome="deny",
        opinion="经营场所布局不符合食品安全要求",
        legal_basis="《食品经营许可和备案管理办法》第十二条",
    )
    html = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "办理结果：不予许可" in html and "经营场所布局不符合食品安全要求" in html
    assert "第十二条" in html and "行政复议" in html and "行政诉讼" in html
    assert "布局不符合要求" not in html  # the reviewer's internal opinion is not shown
    assert "我要撤回这份申请" not in html


def test_the_other_agent_of_the_enterprise_follows_its_case(login_as: Any) -> None:
    lisi = login_as("lisi")
    enterprise_id = User.objects.get(username="lisi").person.agencies.get().enterprise_id
    food_post(lisi, applicant_as=str(enterprise_id))
    case = Case.objects.exclude(number=None).get()
    wangwu = login_as("wangwu")
    assert case.number in wangwu.get("/me/cases/").content.decode()
    assert wangwu.get(f"/me/cases/{case.number}/").status_code == 200
