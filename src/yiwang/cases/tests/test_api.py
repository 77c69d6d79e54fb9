"""The 办件 API: thin over the services, problem+json errors, idempotent submission."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.cases.models import CaseAccessLog
from yiwang.cases.tests.factories import PDF, PNG, ImplementationVersionFactory
from yiwang.core import clock

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"
DAY = dt.date(2026, 2, 10)
Login = Callable[[str], Client]


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _draft_and_upload(client: Client, version_id: int) -> str:
    response = client.post(
        f"{BASE}/drafts",
        {"implementation_version_id": version_id, "form_data": {"shop_name": "泉城小馆", "area": "80"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ref = response.json()["ref"]
    for key in ("application", "layout"):
        upload = SimpleUploadedFile(f"{key}.pdf", PDF)
        response = client.post(f"{BASE}/drafts/{ref}/materials", {"material_key": key, "file": upload})
        assert response.status_code == 201, response.content
    return ref


def test_the_whole_path_through_the_api(login_as: Login) -> None:
    version = ImplementationVersionFactory()
    applicant = login_as("zhangsan")
    with clock.frozen(DAY):
        ref = _draft_and_upload(applicant, version.pk)
        draft = applicant.get(f"{BASE}/drafts/{ref}").json()
        assert [m["uploaded"] is not None for m in draft["materials"]][:2] == [True, True]
        first = applicant.post(
            f"{BASE}/submit", {"draft_ref": ref}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="click-1"
        )
        again = applicant.post(
            f"{BASE}/submit", {"draft_ref": ref}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="click-1"
        )
        assert first.status_code == again.status_code == 201
        receipt = first.json()
        assert receipt["number"] == again.json()["number"] == "370100-20260210-000001"
        assert receipt["status"] == "submitted" and len(receipt["materials"]) == 2
        number = receipt["number"]
        assert [c["number"] for c in applicant.get(BASE).json()["items"]] == [number]

        clerk = login_as("jn_window")
        assert [c["number"] for c in clerk.get(f"{BASE}/intake").json()["items"]] == [number]
        accepted = clerk.post(f"{BASE}/{number}/accept", {}, content_type="application/json").json()
        assert accepted["status"] == "in_review"
        assert accepted["clock"]["due_date"] == "2026-03-16"

        reviewer = login_as("jn_reviewer")
        [task] = reviewer.get(f"{BASE}/tasks").json()["items"]
        assert task["name"] == "材料审查" and task["case_number"] == number
        assert reviewer.post(f"{BASE}/tasks/{task['id']}/claim").json()["status"] == "claimed"
        done = reviewer.post(
            f"{BASE}/tasks/{task['id']}/complete",
            {"outcome": "approve", "opinion": "同意"},
            content_type="application/json",
        )
        assert done.json()["status"] == "approved"

        approver = login_as("jn_approver")
        decided = approver.post(
            f"{BASE}/{number}/decide", {"outcome": "approve", "opinion": "符合条件"}, content_type="application/json"
        )
        assert decided.json()["status"] == "concluded"
    with clock.frozen(DAY + dt.timedelta(days=1)):
        detail = applicant.get(f"{BASE}/{number}").json()
    assert detail["status_label"] == "已办结"
    assert detail["outcome"]["title"] == "准予许可"
    assert detail["clock"]["explanation"].startswith(
        "2026-02-10 受理；法定 20 个工作日；跳过春节假期 2026-02-15 至 2026-02-23"
    )
    assert detail["timeline"][-1]["summary"] == "审批结果已电子送达，办结"
    assert detail["stages"][0]["tasks"] == []  # applicants see the stages, not staff tasks
    staff_detail = login_as("jn_approver").get(f"{BASE}/{number}", {"reason": "审批复核"})
    assert staff_detail.status_code == 200, staff_detail.content
    [review] = staff_detail.json()["stages"][0]["tasks"]
    assert review["case_number"] == number and review["department_name"] == "济南市行政审批服务局"
    assert review["assignee"] == "钱进" and review["status"] == "approved"


def test_submission_needs_an_idempotency_key(login_as: Login) -> None:
    version = ImplementationVersionFactory()
    applicant = login_as("zhangsan")
    with clock.frozen(DAY):
        ref = _draft_and_upload(applicant, version.pk)
        body = _problem(applicant.post(f"{BASE}/submit", {"draft_ref": ref}, content_type="application/json"), 422)
    assert body["errors"][0]["field"] == "Idempotency-Key"


def test_a_disguised_upload_is_a_problem_naming_the_material(login_as: Login) -> None:
    version = ImplementationVersionFactory()
    applicant = login_as("zhangsan")
    with clock.frozen(DAY):
        ref = applicant.post(
            f"{BASE}/drafts", {"implementation_version_id": version.pk}, content_type="application/json"
        ).json()["ref"]
        response = applicant.post(
            f"{BASE}/drafts/{ref}/materials",
            {"material_key": "application", "file": SimpleUploadedFile("申请书.pdf", PNG)},
        )
    body = _problem(response, 422)
    assert body["errors"] == [
        {
            "field": "file",
            "message": "材料“食品经营许可申请书”：文件“申请书.pdf”的扩展名是 .pdf，"
            "但内容实际是 PNG 图片，请上传真正的 PDF 文件。",
        }
    ]


def test_validation_errors_name_every_field(login_as: Login) -> None:
    version = ImplementationVersionFactory()
    applicant = login_as("zhangsan")
    with clock.frozen(DAY):
        response = applicant.post(
            f"{BASE}/submit",
            {"implementation_version_id": version.pk, "form_data": {"area": "0"}},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k",
        )
    fields = {e["field"] for e in _problem(response, 422)["errors"]}
    assert {"shop_name", "area", "materials.application", "materials.layout"} <= fields


def test_errors_are_problems(login_as: Login, client: Client) -> None:
    version = ImplementationVersionFactory()
    applicant = login_as("zhangsan")
    with clock.frozen(DAY):
        ref = _draft_and_upload(applicant, version.pk)
        number = applicant.post(
            f"{BASE}/submit", {"draft_ref": ref}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
        ).json()["number"]
        assert _problem(client.get(BASE), 401)["title"] == "未认证"
        forbidden = _problem(applicant.post(f"{BASE}/{number}/accept", {}, content_type="application/json"), 403)
        assert forbidden["detail"].startswith("您无权受理")
        assert (
            _problem(login_as("lisi").get(f"{BASE}/{number}"), 404)["detail"] == f"办件 {number} 不存在或您无权查看。"
        )
        staff = login_as("jn_window")
        assert _problem(staff.get(f"{BASE}/{number}"), 422)["errors"][0]["field"] == "reason"
        assert staff.get(f"{BASE}/{number}", {"reason": "受理审查"}).status_code == 200
        assert CaseAccessLog.objects.get().reason == "受理审查"
        assert applicant.post(f"{BASE}/{number}/withdraw", {}, content_type="application/json").status_code == 200
        conflict = _problem(applicant.post(f"{BASE}/{number}/withdraw", {}, content_type="application/json"), 409)
        assert conflict["detail"] == "办件当前状态为“已撤回”，不能撤回申请。"


def test_openapi_documents_the_cases_api() -> None:
    from yiwang.api.root import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    submit = schema["paths"]["/api/v1/cases/submit"]["post"]
    assert submit["tags"] == ["办件"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in submit["parameters"])
    assert "/api/v1/cases/{number}/supplement-request" in schema["paths"]
