"""The two "new" pages of 电子监察: a supervisor creates a monitoring rule (kind, typed params
with their bounds, scope region) as a draft and publishes it; a supervisor sends a
free-standing 督办 from a drill-down case or to a department of their regions. Refused forms
come back with what was typed, by field, as a 4xx; others are refused."""

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import Role
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, dept
from yiwang.notifications.models import Message
from yiwang.supervision.rule_models import MonitoringRule, RuleVersion, SupervisionNotice
from yiwang.supervision.tests.scene import D
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
NEW_RULE = "/workbench/supervision/rules/new/"
NEW_NOTICE = "/workbench/supervision/notices/new/"
RULE = {
    "kind": "repeated_supplement",
    "code": "JC-07",
    "name": "济南多次补正",
    "region": "370100000000",
    "param-nth": "3",
    "severity": "red",
    "response_days": "4",
}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def value_of(response: Any, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', response.content.decode())
    return found.group(1) if found else ""


def taian_supervisor() -> None:
    made = staff_create(actor=None, username="ta_supervisor", password="Yiwang-demo-2026", display_name="泰监")
    staff_role_grant(actor=None, user=made, role=Role.SUPERVISOR, department=dept("ta_approval"))


# --- a new rule ---------------------------------------------------------------------------------


def test_a_supervisor_creates_a_scoped_rule_and_publishes_it(world: None, login_as: Login) -> None:
    client = login_as("jn_supervisor")
    listing = client.get("/workbench/supervision/rules/")
    assert NEW_RULE in listing.content.decode()
    chooser = client.get(NEW_RULE)
    assert chooser.status_code == 200 and "多次要求补正" in text(chooser) and "不予受理率翻番" in text(chooser)
    assert_sound_html(chooser.content.decode())
    form = client.get(NEW_RULE, {"kind": "repeated_supplement"})
    assert form.status_code == 200 and "2 至 10" in text(form) and value_of(form, "param-nth") == "2"
    assert ">泰安市<" not in form.content.decode()  # only the supervisor's regions to scope to
    assert_sound_html(form.content.decode())
    made = client.post(NEW_RULE, RULE)
    assert made.status_code == 302 and made["Location"] == "/workbench/supervision/rules/JC-07/"
    rule = MonitoringRule.objects.select_related("region").get(code="JC-07")
    assert (rule.kind, rule.region.name if rule.region else None) == ("repeated_supplement", "济南市")
    draft = RuleVersion.objects.get(rule=rule)
    assert (draft.number, draft.status, draft.params, draft.severity, draft.response_days) == (
        1,
        "draft",
        {"nth": 3},
        "red",
        4,
    )
    detail = client.get("/workbench/supervision/rules/JC-07/")
    assert "监察范围：济南市" in text(detail) and "待起草人以外的监督人员发布" in text(detail)
    assert client.post("/workbench/supervision/rules/JC-07/versions/1/publish/").status_code == 403
    assert login_as("sd_supervisor").post("/workbench/supervision/rules/JC-07/versions/1/publish/").status_code == 302
    assert RuleVersion.objects.get(rule=rule).status == "published"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"param-nth": "1e9"}, "param-nth", "应为整数"),
        ({"param-nth": "NaN"}, "param-nth", "应为整数"),
        ({"param-nth": "１"}, "param-nth", "应为整数"),  # full-width digit
        ({"param-nth": "11"}, "param-nth", "应在 2 到 10 之间"),
        ({"response_days": "31"}, "response_days", "请填写 1 到 30 个工作日"),
        ({"response_days": "-1"}, "response_days", "请填写 1 到 30 个工作日"),
        ({"code": "JC 07"}, "code", "规则编号："),
        ({"code": "new"}, "code", "规则编号："),
        ({"name": "补正\x00"}, "name", "规则名称"),
        ({"name": "长" * 61}, "name", "最多 60 个字符"),
        ({"region": "999999999999"}, "region", "监察范围："),
        ({"severity": "purple"}, "severity", "等级："),
        ({"note": "说" * 5000}, "note", "最多 200 个字符"),
    ],
)
def test_a_refused_rule_keeps_what_was_typed(
    world: None, login_as: Login, change: dict[str, str], field: str, message: str
) -> None:
    typed = {**RULE, "name": "济南多次补正（试行）", **change}
    refused = login_as("jn_supervisor").post(NEW_RULE, typed)
    assert refused.status_code == 422 and message in text(refused)
    if field != "severity":  # a radio group: the fieldset carries the error
        assert f'id="rule-{field}" name="{field}"' in refused.content.decode()
        assert 'aria-invalid="true"' in refused.content.decode()
    assert_sound_html(refused.content.decode())
    if field not in ("name", "note", "severity", "region"):
        assert value_of(refused, "name") == "济南多次补正（试行）"  # the other fields as typed
    assert not MonitoringRule.objects.filter(code=typed["code"]).exists()  # nothing half-made


def test_every_field_is_named_at_once(world: None, login_as: Login) -> None:
    refused = login_as("jn_supervisor").post(NEW_RULE, {**RULE, "code": "", "name": "", "param-nth": "99"})
    shown = text(refused)
    assert refused.status_code == 422
    assert "规则编号：" in shown and "规则名称：必填" in shown and "应在 2 到 10 之间" in shown


def test_an_unknown_kind_goes_back_to_the_choice(world: None, login_as: Login) -> None:
    refused = login_as("jn_supervisor").post(NEW_RULE, {**RULE, "kind": "anything"})
    assert refused.status_code == 422 and "规则类型：请从列表中选择" in text(refused)
    assert 'id="kind-repeated_supplement"' in refused.content.decode()
    assert_sound_html(refused.content.decode())


def test_who_may_create_a_rule_where(world: None, login_as: Login) -> None:
    for who in ("jn_window", "jn_head"):
        assert login_as(who).get(NEW_RULE).status_code == 403
        assert login_as(who).post(NEW_RULE, RULE).status_code == 403
    refused = login_as("jn_supervisor").post(NEW_RULE, {**RULE, "region": "370900000000"})  # 泰安
    assert refused.status_code == 403 and "泰安市" in text(refused)
    assert value_of(refused, "code") == "JC-07"
    assert not MonitoringRule.objects.filter(code="JC-07").exists()


# --- a free-standing 督办 -------------------------------------------------------------------------


def _running_case() -> Any:
    with flows.on(D(2026, 3, 2)):
        return flows.submit(ImplementationVersionFactory())


def test_a_notice_from_a_drill_down_case(world: None, login_as: Login) -> None:
    case = _running_case()
    client = login_as("jn_supervisor")
    with flows.on(D(2026, 3, 4)):
        drill = client.get("/workbench/supervision/cases/", {"since": "2026-03-01", "drill": "submitted"})
        link = f"{NEW_NOTICE}?case={case.number}"
        assert link in drill.content.decode()
        assert_sound_html(drill.content.decode())
        form = client.get(link)
        assert form.status_code == 200 and value_of(form, "case") == case.number
        assert "no-store" in form["Cache-Control"]
        assert_sound_html(form.content.decode())
        sent = client.post(
            NEW_NOTICE, {"subject": "受理迟缓", "text": "请说明该件未及时受理的原因", "case": case.number}
        )
    notice = SupervisionNotice.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/workbench/supervision/notices/{notice.pk}/"
    assert (notice.case, notice.department.name, notice.hit, notice.subject) == (
        case,
        "济南市行政审批服务局",
        None,
        "受理迟缓",
    )
    assert Message.objects.filter(recipient__username="jn_head", subject__contains="受理迟缓").exists()
    assert "督办主题 受理迟缓" in text(client.get(sent["Location"]))
    listing = client.get("/workbench/supervision/notices/")
    assert "受理迟缓" in text(listing) and NEW_NOTICE in listing.content.decode()
    assert NEW_NOTICE not in login_as("jn_head").get("/workbench/supervision/notices/").content.decode()


def test_a_notice_to_a_department_of_the_drilled_scope(world: None, login_as: Login) -> None:
    _running_case()
    jn = dept("jn_approval")
    client = login_as("jn_supervisor")
    drill = client.get(
        "/workbench/supervision/cases/", {"since": "2026-03-01", "drill": "submitted", "department": jn.credit_code}
    )
    assert f"{NEW_NOTICE}?department={jn.pk}" in drill.content.decode()
    form = client.get(NEW_NOTICE, {"department": str(jn.pk)})
    assert f'<option value="{jn.pk}" selected>' in form.content.decode()
    assert ">泰安市行政审批服务局" not in form.content.decode()  # only the supervisor's regions
    sent = client.post(NEW_NOTICE, {"subject": "超期较多", "text": "请分析原因", "department": str(jn.pk)})
    assert sent.status_code == 302 and SupervisionNotice.objects.get().case is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": "请说明\x07原因"}, "督办事项"),
        ({"text": "长" * 1001}, "最多 1000 个字符"),
        ({"text": "   "}, "督办事项：必填"),
        ({"subject": ""}, "督办主题：必填"),
        ({"subject": "主题\x1b"}, "督办主题"),
        ({"response_days": "1e999999"}, "请填写 1 到 30 个工作日"),
        ({"response_days": "NaN"}, "请填写 1 到 30 个工作日"),
        ({"response_days": "31"}, "请填写 1 到 30 个工作日"),
        ({"response_days": "0"}, "请填写 1 到 30 个工作日"),
        ({"department": "x"}, "督办部门：没有这个部门"),
        ({"department": ""}, "督办部门：请选择部门"),
        ({"case": "370100-20260302-999999"}, "办件编号：没有这个办件"),
    ],
)
def test_a_refused_notice_keeps_the_text(world: None, login_as: Login, change: dict[str, str], message: str) -> None:
    typed = {"subject": "超期较多", "text": "请分析原因并整改", "department": str(dept("jn_approval").pk), **change}
    refused = login_as("jn_supervisor").post(NEW_NOTICE, typed)
    assert refused.status_code == 422 and message in text(refused)
    page = html.unescape(refused.content.decode())
    assert f">{typed['text']}</textarea>" in page and f'value="{typed["subject"]}"' in page  # as typed
    assert "您填写的内容已保留" in text(refused)
    assert_sound_html(refused.content.decode())
    assert not SupervisionNotice.objects.exists()


def test_every_notice_field_is_named_at_once(world: None, login_as: Login) -> None:
    refused = login_as("jn_supervisor").post(
        NEW_NOTICE, {"subject": "", "text": "", "department": "", "response_days": "99"}
    )
    shown = text(refused)
    assert refused.status_code == 422
    assert "督办主题：必填" in shown and "督办事项：必填" in shown and "督办部门：请选择部门" in shown
    assert "答复期限：请填写 1 到 30 个工作日" in shown


def test_who_may_send_a_notice_where(world: None, login_as: Login) -> None:
    case = _running_case()
    taian_supervisor()
    jinan = {"subject": "超期", "text": "请说明", "department": str(dept("jn_approval").pk)}
    for who in ("jn_window", "jn_head"):
        assert login_as(who).get(NEW_NOTICE).status_code == 403
        assert login_as(who).post(NEW_NOTICE, jinan).status_code == 403
    taian = login_as("ta_supervisor")
    refused = taian.post(NEW_NOTICE, jinan)
    assert refused.status_code == 403 and "请说明" in refused.content.decode()
    by_case = taian.post(NEW_NOTICE, {**jinan, "department": "", "case": case.number})
    assert by_case.status_code == 422 and "不在您的监察范围内" in text(by_case)
    assert ">济南市行政审批服务局" not in taian.get(NEW_NOTICE).content.decode()
    other = login_as("jn_supervisor").post(
        NEW_NOTICE, {**jinan, "case": case.number, "department": str(dept("jn_market").pk)}
    )
    assert other.status_code == 422 and "由济南市行政审批服务局办理" in text(other)
    assert not SupervisionNotice.objects.exists()
    fine = taian.post(NEW_NOTICE, {**jinan, "department": str(dept("ta_approval").pk)})
    assert fine.status_code == 302
