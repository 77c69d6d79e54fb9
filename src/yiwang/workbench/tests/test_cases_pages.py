"""办件办理 through the workbench pages, with the applicant's pages on the other side:
the whole 食品经营许可 flow, a parallel 建设工程规划许可证核发 case, the inbox, the reason
logged for every read, conflicts, bad input, special procedures and the 告知承诺 核查."""

import datetime as dt
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases import services
from yiwang.cases.models import Case, CaseAccessLog, Task
from yiwang.catalog import selectors as catalog
from yiwang.catalog.models import ServiceItem
from yiwang.core import clock

pytestmark = pytest.mark.django_db

# The interfaces are independent (import-linter), so these few helpers repeat the portal tests'.
DAY = dt.datetime(2026, 4, 1, 9, 0)  # a Wednesday; 清明 (4/4–4/6) falls inside the limits
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    + _chunk(b"IEND", b"")
)


def pdf(name: str = "申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "布局图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def _pages(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with clock.frozen(DAY):
        yield


def apply_url(item_name: str) -> str:
    item = ServiceItem.objects.get(versions__name=item_name, versions__status="published")
    version = catalog.implementation_version_in_force(item.implementations.get())
    assert version is not None
    return f"/apply/{version.pk}/"


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def submitted_food_case(client: Client) -> Case:
    url = apply_url("食品经营许可")
    data = {
        "idempotency_key": key_of(client.get(url).content.decode()),
        "action": "submit",
        "applicant_as": "self",
        "f-business_name": "泉城小馆",
        "f-address": "济南市历下区泉城路188号",
        "f-business_items": ["hot_food", "drinks"],
        "f-principal_id": "11010519491231002X",
        "m-application": pdf(),
        "m-layout": png(),
        "m-rules": pdf("制度目录.pdf"),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.exclude(number=None).get()


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def task(case: Case, key: str) -> Task:
    return Task.objects.get(case=case, key=key)


def page(client: Client, number: str, *, reason: str = "受理审查申请材料") -> str:
    """Open the case page, giving a reason when asked."""
    response = client.get(f"/workbench/cases/{number}/")
    html = response.content.decode()
    if "请说明查看事由" in html:
        asked = client.get(f"/workbench/cases/{number}/", {"reason": reason}, follow=True)
        html = asked.content.decode()
        assert asked.status_code == 200
    assert "查看事由：" in html, html[:2000]
    return html


def act(client: Client, number: str, action: str, **data: Any) -> Any:
    return client.post(f"/workbench/cases/{number}/actions/{action}/", data)


def task_act(client: Client, task_id: int, action: str, **data: Any) -> Any:
    return client.post(f"/workbench/tasks/{task_id}/{action}/", data)


def assert_every_post_form_has_csrf(html: str) -> None:
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
    assert forms and all("csrfmiddlewaretoken" in body for body in forms)


# --- the whole food-licence flow ---------------------------------------------------------


def test_food_licence_from_application_to_result(login_as: Any) -> None:
    applicant, clerk = login_as("zhangsan"), login_as("jn_window")
    case = submitted_food_case(applicant)
    number = case.number
    assert number is not None

    # The window clerk finds it in the inbox (applicant masked, acceptance deadline counted)…
    inbox = clerk.get("/workbench/").content.decode()
    assert number in inbox and "张*" in inbox and "张三" not in inbox and "剩余 5 个工作日" in inbox
    assert 'href="/workbench/cases/"' in inbox  # nav link to the case list
    # …opens it (the reason is derived from the queue and logged) and asks for a supplement.
    html = page(clerk, number)
    assert "本人待受理队列" in html and CaseAccessLog.objects.filter(case=case, user__username="jn_window").exists()
    assert "一次性告知补正" in html and "不予受理" in html and "受理" in html
    assert_every_post_form_has_csrf(html)
    material = case.materials.get(material_key="layout")
    download = clerk.get(f"/workbench/cases/{number}/materials/{material.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert "attachment;" in download["Content-Disposition"]
    assert CaseAccessLog.objects.filter(case=case, target=f"material:{material.pk}").exists()
    sent = act(
        clerk,
        number,
        "supplement",
        **{
            "items-0-material_key": "layout",
            "items-0-note": "缺少尺寸标注",
            "items-1-material_key": "",
            "items-1-name": "场所租赁情况说明",
            "items-1-note": "请说明租期",
            "message": "请一次补齐",
        },
    )
    assert sent.status_code == 302 and reload(case).status == "supplement_requested"

    # The applicant answers it on their case page.
    url = f"/me/cases/{number}/supplement/"
    answered = applicant.post(url, {"action": "answer", "note": "租期五年", "m-layout": png("布局图-含尺寸.png")})
    assert answered.status_code == 302 and reload(case).status == "submitted"

    # The clerk accepts: the clock starts.
    assert act(clerk, number, "accept", opinion="材料齐全").status_code == 302
    assert reload(case).status == "in_review"

    # The reviewer finds the task in the inbox, claims it, and approves with an opinion.
    reviewer = login_as("jn_reviewer")
    inbox = reviewer.get("/workbench/").content.decode()
    assert number in inbox and "材料审查" in inbox and "待领取" in inbox
    html = page(reviewer, number)
    review = task(case, "review")
    assert f'action="/workbench/tasks/{review.pk}/claim/"' in html
    assert task_act(reviewer, review.pk, "claim").status_code == 302
    html = page(reviewer, number)
    assert "办理人：钱进（我）" in html and f'action="/workbench/tasks/{review.pk}/release/"' in html
    refused = task_act(reviewer, review.pk, "complete", opinion="")  # no outcome chosen
    assert refused.status_code == 422 and "办理结果：请选择通过或不通过" in refused.content.decode()
    assert task_act(reviewer, review.pk, "complete", outcome="approve", opinion="符合条件").status_code == 302

    # The approver decides.
    approver = login_as("jn_approver")
    html = page(approver, number)
    assert "作出审批决定" in html and 'name="outcome" value="approve"' in html
    decided = act(approver, number, "decide", outcome="approve", opinion="准予许可", legal_basis="食品安全法第三十五条")
    assert decided.status_code == 302
    case = reload(case)
    assert case.decision == "approved" and case.status == "concluded"  # electronic delivery concludes at once

    # The applicant sees the result, the timeline and why the dates are what they are.
    html = applicant.get(f"/me/cases/{number}/").content.decode()
    assert "办理结果：准予许可" in html and "已办结" in html
    assert "2026-04-01 受理" in html and "承诺 5 个工作日" in html and "清明" in html
    assert "一次性告知补正" in html and "提交补正材料" in html and "作出准予许可决定" in html
    assert "钱进" not in html and "孙立" not in html  # staff names stay inside


# --- a parallel stage --------------------------------------------------------------------


def test_parallel_planning_permit_through_the_workbench(login_as: Any) -> None:
    lisi = login_as("lisi")
    enterprise_id = User.objects.get(username="lisi").person.agencies.get().enterprise_id
    url = apply_url("建设工程规划许可证核发")
    form = lisi.get(url).content.decode()
    assert "不动产权证书（电子证照）" in form and "免提交" in form
    response = lisi.post(
        url,
        {
            "idempotency_key": key_of(form),
            "action": "submit",
            "applicant_as": str(enterprise_id),
            "f-project_name": "泉城餐饮中央厨房",
            "f-project_site": "济南市历城区唐王镇",
            "f-floor_area": "2400",
            "delivery_method": "pickup",
            "m-application": pdf(),
            "m-design": pdf("设计方案.pdf"),
        },
    )
    assert response.status_code == 302
    case = Case.objects.exclude(number=None).get()
    number = case.number
    assert number is not None
    assert act(login_as("jn_window"), number, "accept").status_code == 302

    reviewers = {
        "planning": "jn_planning_rev",
        "fire": "jn_fire_rev",
        "air_defence": "jn_airdef_rev",
        "transport": "jn_transport_rev",
    }
    fire = login_as("jn_fire_rev")
    html = page(fire, number)
    assert "并联审批 · 全部通过" in html
    for key in reviewers:  # every branch is shown with its own department and deadline
        branch = task(case, key)
        assert f'id="task-{branch.pk}"' in html and branch.department.name in html
        assert branch.due_date is not None and branch.due_date.isoformat() in html
    # the fire reviewer may work the fire branch only
    assert f"/workbench/tasks/{task(case, 'fire').pk}/claim/" in html
    assert f"/workbench/tasks/{task(case, 'planning').pk}/claim/" not in html
    forbidden = task_act(fire, task(case, "planning").pk, "complete", outcome="approve", opinion="越权")
    assert forbidden.status_code == 403 and "您无权办理任务" in forbidden.content.decode()

    for key, username in reviewers.items():
        client = login_as(username)
        assert number in client.get("/workbench/").content.decode()
        done = task_act(client, task(case, key).pk, "complete", outcome="approve", opinion="同意")
        assert done.status_code == 302, done.content.decode()[:500]
    # joined: the decision stage is open for the planning bureau's approvers — but not for the
    # one who reviewed the planning branch (一审一核), though they hold the approver post too
    reviewer = login_as("jn_planning_rev")
    html = page(reviewer, number)
    assert "作出审批决定" not in html
    refused = act(reviewer, number, "decide", outcome="approve", opinion="自审自批")
    assert refused.status_code == 403 and "一审一核" in refused.content.decode()
    planner = login_as("jn_planning_app")
    html = page(planner, number)
    assert "作出审批决定" in html
    assert act(planner, number, "decide", outcome="approve", opinion="符合规划条件").status_code == 302
    case = reload(case)
    assert case.status == "decided_approved"  # picked up at the window: delivery still to do
    clerk = login_as("jn_window")
    html = page(clerk, number)
    assert "送达结果并办结" in html
    assert act(clerk, number, "conclude", reference="窗口签收 0001").status_code == 302
    assert reload(case).status == "concluded"
    seen = lisi.get(f"/me/cases/{number}/").content.decode()
    assert "并联审批" in seen and "济南市消防救援支队" in seen and "办理结果：准予许可" in seen


# --- who sees what -----------------------------------------------------------------------


def test_staff_of_another_department_get_404(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    other = login_as("jn_health_rev")
    assert other.get(f"/workbench/cases/{case.number}/").status_code == 404
    assert act(other, str(case.number), "accept").status_code == 404
    assert reload(case).status == "submitted"
    assert not CaseAccessLog.objects.filter(case=case).exists()
    assert login_as("zhangsan").get("/workbench/cases/").status_code == 403  # applicants have no workbench


def test_a_reason_is_asked_for_and_logged(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    supervisor = login_as("jn_supervisor")  # reads the region's cases, none in their queue
    asked = supervisor.get(f"/workbench/cases/{case.number}/")
    assert asked.status_code == 200 and "请说明查看事由" in asked.content.decode()
    assert not CaseAccessLog.objects.filter(case=case).exists()
    empty = supervisor.get(f"/workbench/cases/{case.number}/", {"reason": "其他", "reason_other": ""})
    assert empty.status_code == 422 and "查看事由：请选择或填写" in empty.content.decode()
    given = supervisor.get(f"/workbench/cases/{case.number}/", {"reason": "其他", "reason_other": "12345 热线投诉核实"})
    assert given.status_code == 302 and given["Location"] == f"/workbench/cases/{case.number}/"
    html = supervisor.get(given["Location"]).content.decode()
    assert "12345 热线投诉核实" in html
    log = CaseAccessLog.objects.get(case=case)
    assert log.reason == "12345 热线投诉核实" and log.user.username == "jn_supervisor"
    assert "受理" not in re.findall(r"<summary>(.*?)</summary>", html)  # read-only: no action forms
    assert "办理操作" not in html


# --- refused actions ---------------------------------------------------------------------


def test_another_clerk_acted_first(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    clerk = login_as("jn_window")
    assert "受理" in page(clerk, str(case.number))
    services.case_accept(actor=User.objects.get(username="jn_window"), case=case)  # from another desk
    response = act(clerk, str(case.number), "accept")
    html = response.content.decode()
    assert response.status_code == 409
    assert "受理未完成" in html and "不能受理" in html and "页面已显示最新状态" in html
    assert "已受理，审查中" in html  # the fresh state


def test_bad_input_keeps_what_was_typed(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    clerk = login_as("jn_window")
    number = str(case.number)
    refused = act(clerk, number, "refuse", reason="不属于本机关职权范围", legal_basis="")
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "不属于本机关职权范围</textarea>" in html
    assert 'id="refuse-legal_basis-error"' in html and "法律依据：必填" in html
    assert '<details class="action-panel" id="form-refuse" open>' in html
    # a 补正 list with a row that names nothing: the error sits on that row, all rows kept
    refused = act(
        clerk,
        number,
        "supplement",
        **{
            "items-0-material_key": "rules",
            "items-0-note": "目录不全",
            "items-2-material_key": "",
            "items-2-note": "请补充",
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 422
    assert 'id="items-2-error"' in html and "补正清单第 2 项：请写明需要补正的内容" in html
    assert 'value="目录不全"' in html and '<option value="rules" selected>' in html and 'value="请补充"' in html
    assert reload(case).status == "submitted"


# --- time: special procedures and extension ----------------------------------------------


def test_suspend_resume_and_extend(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    number = str(case.number)
    assert act(login_as("jn_window"), number, "accept").status_code == 302
    reviewer = login_as("jn_reviewer")
    html = page(reviewer, number)
    assert "启动特别程序（中止计时）" in html and "<summary>批准延长办理时限</summary>" not in html
    bad = act(reviewer, number, "suspend", procedure="expert_review", reason="需专家评审", expected_days="很多")
    assert bad.status_code == 422 and "预计所需时间：请填写 1 到 365 个工作日" in bad.content.decode()
    assert "需专家评审</textarea>" in bad.content.decode()
    assert (
        act(reviewer, number, "suspend", procedure="expert_review", reason="需专家评审", expected_days="5").status_code
        == 302
    )
    assert reload(case).status == "suspended"
    applicant_view = login_as("zhangsan").get(f"/me/cases/{number}/").content.decode()
    assert "专家评审" in applicant_view and "预计需要 5 个工作日" in applicant_view
    with clock.frozen(dt.datetime(2026, 4, 8, 10, 0)):
        assert act(reviewer, number, "resume", note="评审通过").status_code == 302
    assert reload(case).status == "in_review"
    head = login_as("jn_head")
    html = page(head, number, reason="作出审批决定")
    assert "<summary>批准延长办理时限</summary>" in html
    assert act(head, number, "extend", reason="").status_code == 422
    assert act(head, number, "extend", reason="现场核查需要时间").status_code == 302
    html = page(head, number)
    assert "经机关负责人批准延长 10 个工作日" in html and "<summary>批准延长办理时限</summary>" not in html  # once only


# --- 告知承诺 and its 核查 ----------------------------------------------------------------


def test_failed_commitment_check_revokes_the_permit(login_as: Any) -> None:
    applicant = login_as("zhangsan")
    url = apply_url("公共场所卫生许可")
    form = applicant.get(url).content.decode()
    applicant.post(
        url,
        {
            "idempotency_key": key_of(form),
            "action": "submit",
            "applicant_as": "self",
            "f-venue_name": "泉城浴池",
            "f-address": "济南市历下区泉城路1号",
            "f-venue_type": "bath",
            "f-area": "120",
            "commitment_signed": "true",
            "m-application": pdf(),
            "m-layout": png(),
            "m-rules": pdf("制度.pdf"),
        },
    )
    case = Case.objects.exclude(number=None).get()
    inspector = login_as("jn_health_rev")
    assert case.number in inspector.get("/workbench/").content.decode()
    html = page(inspector, str(case.number), reason="办理审查任务")
    assert "告知承诺核查" in html and 'value="fail"' in html
    check = Task.objects.get(case=case, kind="inspection")
    refused = task_act(inspector, check.pk, "complete", outcome="fail", opinion="")
    assert refused.status_code == 422 and "不通过时必须写明理由" in refused.content.decode()
    done = task_act(inspector, check.pk, "complete", outcome="fail", opinion="现场无检测报告，承诺不实")
    assert done.status_code == 302 and reload(case).status == "revoked"
    seen = applicant.get(f"/me/cases/{case.number}/").content.decode()
    assert "许可决定已撤销" in seen and "行政复议" in seen


def test_the_case_list_finds_by_number_and_says_what_a_search_needs(login_as: Any) -> None:
    case = submitted_food_case(login_as("zhangsan"))
    clerk = login_as("jn_window")
    link = f'href="/workbench/cases/{case.number}/'  # the placeholder shows a number too
    listed = clerk.get("/workbench/cases/").content.decode()
    assert link in listed and "共 <strong>1</strong> 件" in listed
    day = str(case.number)[:15]
    assert link in clerk.get("/workbench/cases/", {"q": day}).content.decode()
    assert link not in clerk.get("/workbench/cases/", {"q": "370100-19990101"}).content.decode()
    refused = clerk.get("/workbench/cases/", {"q": "000001", "page": "abc"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "办件编号：请输入完整的办件编号" in page and 'aria-invalid="true"' in page and link not in page
    assert link in clerk.get("/workbench/cases/", {"status": "submitted", "page": "-3"}).content.decode()
    assert link not in clerk.get("/workbench/cases/", {"status": "concluded"}).content.decode()


def test_the_case_list_reads_a_fixed_number_of_queries_whatever_the_rows(login_as: Any) -> None:
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk = login_as("jn_window")
    case = submitted_food_case(login_as("zhangsan"))
    with CaptureQueriesContext(connection) as one:
        clerk.get("/workbench/cases/")
    for n in range(3):  # copies of the row: the list only reads them
        Case.objects.bulk_create(
            [Case(**{**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}, "id": None,
                     "ref": uuid.uuid4(), "number": f"{case.number[:-1]}{n + 2}", "idempotency_key": f"copy-{n}"})]
        )  # fmt: skip
    with CaptureQueriesContext(connection) as four:
        page = clerk.get("/workbench/cases/").content.decode()
    assert page.count('href="/workbench/cases/370100-') >= 4
    assert len(four.captured_queries) == len(one.captured_queries)  # no query per row


def test_the_case_list_pages_by_its_links_forward_and_back(login_as: Any, monkeypatch: Any) -> None:
    import re
    import uuid

    from yiwang.cases import case_list

    monkeypatch.setattr(case_list, "PAGE_SIZE", 2)
    case = submitted_food_case(login_as("zhangsan"))
    Case.objects.bulk_create(
        [Case(**{**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}, "id": None,
                 "ref": uuid.uuid4(), "number": f"{case.number[:-1]}{n + 2}", "idempotency_key": f"copy-{n}"})
         for n in range(4)]
    )  # fmt: skip
    clerk = login_as("jn_window")

    def shown(html: str) -> list[str]:
        return re.findall(r'href="/workbench/cases/(370100-[0-9-]+)/"', html)

    def link(html: str, rel: str) -> str | None:
        found = re.search(rf'<a href="\?([^"]+)" rel="{rel}">', html)
        return found[1].replace("&amp;", "&") if found else None

    html = clerk.get("/workbench/cases/").content.decode()
    pages = [shown(html)]
    while (after := link(html, "next")) is not None:
        html = clerk.get(f"/workbench/cases/?{after}").content.decode()
        pages.append(shown(html))
        assert f"第 {len(pages)} 页" in html
    assert [len(p) for p in pages] == [2, 2, 1]
    assert len({n for p in pages for n in p}) == 5
    before = link(html, "prev")
    assert before is not None and "before=" in before
    back = clerk.get(f"/workbench/cases/?{before}").content.decode()
    assert shown(back) == pages[1] and "第 2 页" in back
    first = clerk.get("/workbench/cases/?after=garbage&page=7").content.decode()
    assert shown(first) == pages[0] and "第 1 页" in first  # not one of ours: the first page
