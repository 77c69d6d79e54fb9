"""电子监察 in the workbench: the supervisor sees the rules with the version in force, drafts
and publishes a version (params checked on the page), sees a hit with a link to its case,
sends 督办; the department answers it; the supervisor closes it. Others are refused."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.cases.tests import flows
from yiwang.supervision.rule_models import RuleHit, RuleVersion, SupervisionNotice
from yiwang.supervision.tests.scene import D, decided, rules, version, window_also_decides
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _hit() -> RuleHit:
    rules()
    window_also_decides()
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
    with flows.on(D(2026, 3, 5)):
        decided(case, by="jn_window")
    return RuleHit.objects.get(rule__code="JC-01")


def test_rules_list_detail_new_version_and_publish(login_as: Login) -> None:
    rules()
    client = login_as("jn_supervisor")
    page = client.get("/workbench/supervision/rules/")
    assert page.status_code == 200 and "JC-02" in text(page) and "多次要求补正" in text(page)
    assert_sound_html(page.content.decode())
    detail = client.get("/workbench/supervision/rules/JC-02/")
    assert detail.status_code == 200 and "第 1 版" in text(detail)
    assert_sound_html(detail.content.decode())
    refused = client.post(
        "/workbench/supervision/rules/JC-02/versions/", {"param-nth": "1", "severity": "red", "response_days": "3"}
    )
    assert refused.status_code == 422 and "应在 2 到 10 之间" in text(refused)
    assert_sound_html(refused.content.decode())
    bad = client.post(
        "/workbench/supervision/rules/JC-02/versions/", {"param-nth": "1e9", "severity": "red", "response_days": "3"}
    )
    assert bad.status_code == 422 and "请填写整数" in text(bad)
    done = client.post(
        "/workbench/supervision/rules/JC-02/versions/", {"param-nth": "3", "severity": "red", "response_days": "4"}
    )
    assert done.status_code == 302
    own = client.post("/workbench/supervision/rules/JC-02/versions/2/publish/")
    assert own.status_code == 403 and "双人复核" in text(own)  # four eyes: not the drafter
    reviewer = login_as("sd_supervisor")
    assert (
        "/workbench/supervision/rules/JC-02/versions/2/publish/"
        in reviewer.get("/workbench/supervision/rules/JC-02/").content.decode()
    )
    published = reviewer.post("/workbench/supervision/rules/JC-02/versions/2/publish/")
    assert published.status_code == 302
    assert RuleVersion.objects.get(rule__code="JC-02", status="published").params == {"nth": 3}


def test_hit_to_notice_round_trip(login_as: Login) -> None:
    hit = _hit()
    supervisor = login_as("jn_supervisor")
    hits = supervisor.get("/workbench/supervision/hits/?rule=JC-01")
    assert hits.status_code == 200 and "受理与决定为同一人" in text(hits)
    assert f"/workbench/cases/{hit.case.number}/" in hits.content.decode()  # type: ignore[union-attr]
    assert_sound_html(hits.content.decode())
    with flows.on(D(2026, 3, 6)):
        sent = supervisor.post(
            f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "请说明原因", "response_days": ""}
        )
    notice = SupervisionNotice.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/workbench/supervision/notices/{notice.pk}/"
    head = login_as("jn_head")
    page = head.get(f"/workbench/supervision/notices/{notice.pk}/")
    assert page.status_code == 200 and "答复督办" in text(page) and "no-store" in page["Cache-Control"]
    assert_sound_html(page.content.decode())
    empty = head.post(f"/workbench/supervision/notices/{notice.pk}/answer/", {"answer": ""})
    assert empty.status_code == 422 and "必填" in text(empty)
    assert head.post(f"/workbench/supervision/notices/{notice.pk}/answer/", {"answer": "已分设岗位"}).status_code == 302
    assert head.post(f"/workbench/supervision/notices/{notice.pk}/close/", {}).status_code == 403
    closing = supervisor.get(f"/workbench/supervision/notices/{notice.pk}/")
    assert "同意答复，办结" in text(closing) and "已分设岗位" in text(closing)
    assert supervisor.post(f"/workbench/supervision/notices/{notice.pk}/close/", {"note": "同意"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "closed"
    listing = head.get("/workbench/supervision/notices/")
    assert notice.code in text(listing)


def test_who_sees_what(login_as: Login) -> None:
    hit = _hit()
    with flows.on(D(2026, 3, 6)):
        login_as("jn_supervisor").post(f"/workbench/supervision/hits/{hit.pk}/notice/", {"text": "请说明"})
    notice = SupervisionNotice.objects.get()
    for who in ("jn_head", "jn_reviewer", "jn_planning_app"):
        client = login_as(who)
        assert client.get("/workbench/supervision/hits/").status_code == 403
        assert client.get("/workbench/supervision/rules/").status_code == 403
    assert login_as("jn_planning_app").get(f"/workbench/supervision/notices/{notice.pk}/").status_code == 404
    reviewer = login_as("jn_reviewer").get(f"/workbench/supervision/notices/{notice.pk}/")
    assert reviewer.status_code == 200 and "答复督办" not in text(reviewer)  # sees, may not answer
    applicant = login_as("zhangsan")
    assert applicant.get("/workbench/supervision/notices/").status_code in (302, 403)
