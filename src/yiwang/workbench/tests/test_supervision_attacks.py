"""An outsider's attacks on 电子监察's pages: hostile numbers, a NUL, a 10 MB body, another
department's 督办, a role that may not act, the same action twice. Each gets a clear 4xx in
Chinese, nothing is kept or changed, and the platform still answers."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.supervision.rule_models import RuleVersion, SupervisionNotice
from yiwang.workbench.tests.test_supervision_rules_pages import _hit

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize("days", ["1e999999", "NaN", "-1", "inf", "3\x00", "９"])
def test_hostile_deadlines_send_no_notice(login_as: Login, days: str) -> None:
    hit = _hit()
    client = login_as("jn_supervisor")
    response = client.post(f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "请说明", "response_days": days})
    assert 400 <= response.status_code < 500
    assert "答复期限" in text(response) or "控制字符" in text(response)
    assert ">请说明</textarea>" in response.content.decode()  # what was typed comes back
    assert not SupervisionNotice.objects.exists()
    assert client.get("/workbench/supervision/hits/").status_code == 200  # still answering


def test_a_nul_a_huge_body_and_hostile_rule_params_keep_nothing(login_as: Login) -> None:
    hit = _hit()
    client = login_as("jn_supervisor")
    nul = client.post(f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "督办\x00"})
    assert nul.status_code == 422 and "督办事项：" in text(nul) and "控制字符" in text(nul)
    huge = client.post(f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "督" * (10 * 1024 * 1024)})
    assert huge.status_code == 413
    for nth in ("1e999999", "NaN", "２"):
        bad = client.post(
            "/workbench/supervision/rules/JC-02/versions/", {"param-nth": nth, "severity": "red", "response_days": "3"}
        )
        assert bad.status_code == 422 and "请填写整数" in text(bad)
    assert not SupervisionNotice.objects.exists()
    assert RuleVersion.objects.filter(rule__code="JC-02").count() == 1
    board = client.get("/workbench/supervision/", {"since": "1e999999", "until": "NaN"})
    assert board.status_code == 400 and "开始日期：" in text(board) and "结束日期：" in text(board)
    assert client.get("/workbench/supervision/evaluation/", {"month": "1e999999"}).status_code == 400
    assert client.get("/workbench/supervision/").status_code == 200


def test_other_departments_and_roles_cannot_act_and_twice_is_refused(login_as: Login) -> None:
    hit = _hit()
    supervisor = login_as("jn_supervisor")
    sent = supervisor.post(f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "请说明原因"})
    assert sent.status_code == 302
    notice = SupervisionNotice.objects.get()
    answer_url = f"/workbench/supervision/notices/{notice.pk}/answer/"
    for outsider in ("jn_health_app", "jn_reviewer", "zhangsan"):  # another department, a role, an applicant
        refused = login_as(outsider).post(answer_url, {"answer": "已整改"})
        assert refused.status_code in (403, 404), outsider
    assert login_as("jn_health_app").get(f"/workbench/supervision/notices/{notice.pk}/").status_code in (403, 404)
    assert login_as("jn_head").post(f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "x"}).status_code == 403
    head = login_as("jn_head")
    assert head.post(answer_url, {"answer": "已调整岗位"}).status_code == 302
    again = head.post(answer_url, {"answer": "再答一次"})
    assert again.status_code == 409 and "已答复" in text(again)
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.answer == "已调整岗位"
