"""The pool keepers' pages (专家入库, 修改, 暂停/恢复) and 取消评审, through services and pages."""

import json
from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.cases.models import CaseEvent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import dept, user
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import credit_code_check_char
from yiwang.ledger import draw
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message
from yiwang.reviews import pool, services
from yiwang.reviews.models import Expert, Invitation, Panel, ReviewEvent
from yiwang.reviews.tests import scene
from yiwang.reviews.workflow import InvitationStatus, PanelStatus

GOOD_CODE = "91370100MA3C7Q8K2" + credit_code_check_char("91370100MA3C7Q8K2")
BAD_CHECK = GOOD_CODE[:17] + ("0" if GOOD_CODE[17] != "0" else "1")
POOL = "/workbench/reviews/pool/"


def _form(**over: str) -> dict[str, str]:
    return {
        "code": "ZJ-0100",
        "name": "林评审",
        "specialties": f"{scene.SPECIALTY}、建筑",
        "employer_name": "济南规划设计研究院",
        "employer_credit_code": GOOD_CODE,
        "region": "370100000000",
        "qualifications": "正高级工程师",
        "conflicts": "",
        "account": "",
        "available": "yes",
        "department": str(dept("jn_planning").pk),
        **over,
    }


# --- services ---------------------------------------------------------------------------


def test_expert_add_checks_the_employer_check_character(world: None) -> None:
    region = scene.Region.objects.get(code="370100000000")
    args = {
        "actor": user("jn_planning_app"),
        "department": dept("jn_planning"),
        "name": "林评审",
        "region": region,
        "employer_name": "单位",
        "specialties": [scene.SPECIALTY],
    }
    with pytest.raises(ValidationFailed) as refused:
        pool.expert_add(code="ZJ-0100", employer_credit_code=BAD_CHECK, **args)
    assert "工作单位统一社会信用代码：校验码应为" in refused.value.errors["employer_credit_code"][0]
    expert = pool.expert_add(code="ZJ-0100", employer_credit_code=GOOD_CODE.lower(), **args)
    assert expert.employer_credit_code == GOOD_CODE
    added = ReviewEvent.objects.get(subject="expert:ZJ-0100", verb="expert_added")
    assert Entry.objects.filter(pk=added.ledger_entry_id, kind="reviews.expert_added").exists()


def test_expert_update_changes_details_records_field_names_and_refuses_other_departments(world: None) -> None:
    expert = scene.pool(1)[0]
    with pytest.raises(PermissionDenied):
        pool.expert_update(actor=user("jn_approver"), expert=expert, name="改名")
    with pytest.raises(PermissionDenied):  # a reviewer requests panels but does not keep a pool
        pool.expert_update(actor=user("jn_fire_rev"), expert=expert, name="改名")
    with pytest.raises(ValidationFailed) as refused:
        pool.expert_update(actor=user("jn_planning_app"), expert=expert, employer_credit_code=BAD_CHECK)
    assert "employer_credit_code" in refused.value.errors
    pool.expert_update(
        actor=user("jn_planning_app"), expert=expert, name="沈新名", employer_credit_code=GOOD_CODE, user=None
    )
    expert.refresh_from_db()
    assert (expert.name, expert.employer_credit_code, expert.user_id) == ("沈新名", GOOD_CODE, None)
    changed = ReviewEvent.objects.filter(subject=f"expert:{expert.code}", verb="expert_updated").get()
    assert set(changed.payload["changed"]) == {"name", "employer_credit_code", "user"}
    assert "沈新名" not in str(changed.payload) and GOOD_CODE not in str(changed.payload)
    assert Entry.objects.filter(pk=changed.ledger_entry_id).exists()


def test_panel_cancel_withdraws_open_invitations_resumes_the_case_and_tells_everyone(world: None) -> None:
    scene.pool(5)
    case = scene.in_review()
    panel = scene.drawn(scene.request(case, size=2))
    first = Invitation.objects.select_related("expert").get(panel=panel, position=1)
    services.invitation_accept(actor=first.expert.user, invitation=first)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.panel_cancel(actor=user("jn_reviewer"), panel=panel, reason="另一部门")
    with pytest.raises(ValidationFailed) as refused:
        services.panel_cancel(actor=user("jn_planning_rev"), panel=panel, reason="  ")
    assert refused.value.errors == {"reason": ["取消理由：必填"]}
    assert Panel.objects.get(pk=panel.pk).status == PanelStatus.REVIEWING
    services.panel_cancel(actor=user("jn_planning_rev"), panel=panel, reason="申请人撤回设计方案")
    panel.refresh_from_db()
    assert panel.status == PanelStatus.CANCELLED and panel.conclusion == "已取消：申请人撤回设计方案"
    statuses = set(Invitation.objects.filter(panel=panel).values_list("status", flat=True))
    assert statuses == {InvitationStatus.WITHDRAWN}
    assert flows.reload(case).status == CaseStatus.IN_REVIEW
    assert CaseEvent.objects.filter(case=case, verb="resume", reason__contains="申请人撤回设计方案").exists()
    cancelled = ReviewEvent.objects.get(panel=panel, verb="panel_cancelled")
    assert cancelled.payload["withdrawn"] == [1, 2] and Entry.objects.filter(pk=cancelled.ledger_entry_id).exists()
    assert Message.objects.filter(subject=f"专家评审 {panel.ref} 已取消").count() == 2
    with pytest.raises(Conflict):  # a withdrawn invitation cannot be answered any more
        services.invitation_decline(actor=first.expert.user, invitation=first, reason="晚了")  # type: ignore[arg-type]


def test_a_panel_waiting_for_its_seed_can_be_cancelled_too(world: None) -> None:
    scene.pool(3)
    case = scene.in_review()
    panel = scene.request(case, size=1)
    services.panel_cancel(actor=user("jn_planning_rev"), panel=panel, reason="评审事项有误")
    assert Panel.objects.get(pk=panel.pk).status == PanelStatus.CANCELLED
    assert flows.reload(case).status == CaseStatus.IN_REVIEW
    assert services.panel_draw(panel=panel) is False


# --- pages ------------------------------------------------------------------------------


def test_keeper_adds_an_expert_and_errors_keep_what_was_typed(login_as: Callable[[str], Client]) -> None:
    keeper = login_as("jn_planning_app")
    home = keeper.get("/workbench/reviews/").content.decode()
    assert f'href="{POOL}new/"' in home
    page = keeper.get(f"{POOL}new/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "csrfmiddlewaretoken" in page.content.decode()
    refused = keeper.post(f"{POOL}new/", _form(employer_credit_code=BAD_CHECK))
    body = refused.content.decode()
    assert refused.status_code == 422
    assert "工作单位统一社会信用代码：校验码应为" in body
    assert BAD_CHECK in body and "济南规划设计研究院" in body and "正高级工程师" in body  # nothing typed lost
    refused = keeper.post(f"{POOL}new/", _form(account="nobody"))
    assert refused.status_code == 422 and "登录账号：没有用户名为“nobody”的工作人员账号" in refused.content.decode()
    refused = keeper.post(f"{POOL}new/", _form(account="jn_planning_rev"))  # 回避: the department's own reviewer
    assert refused.status_code == 422 and "登录账号：该账号在本部门任“审查”岗位" in refused.content.decode()
    refused = keeper.post(f"{POOL}new/", _form(conflicts="abc"))
    assert refused.status_code == 422 and "利害关系：“ABC”不是统一社会信用代码或身份证号" in refused.content.decode()
    refused = keeper.post(f"{POOL}new/", _form(name="林\x07"))
    assert refused.status_code == 422 and "姓名：" in refused.content.decode()
    refused = keeper.post(f"{POOL}new/", _form(name=""))
    assert refused.status_code == 422 and "姓名：必填" in refused.content.decode()
    done = keeper.post(f"{POOL}new/", _form(account="expert_shen", conflicts=f"{GOOD_CODE}\n370102199001011234"))
    assert done.status_code == 302
    expert = Expert.objects.get(code="ZJ-0100")
    assert expert.user == user("expert_shen") and expert.specialties == [scene.SPECIALTY, "建筑"]
    assert expert.conflicts == [GOOD_CODE, "370102199001011234"] and expert.department == dept("jn_planning")
    listing = keeper.get("/workbench/reviews/").content.decode()
    assert "ZJ-0100" in listing and "370102199001011234" not in listing  # declared ID numbers: a count only


def test_keeper_edits_and_pauses_an_expert(login_as: Callable[[str], Client]) -> None:
    expert = scene.pool(1)[0]
    keeper = login_as("jn_planning_app")
    url = f"{POOL}{expert.code}/"
    form = keeper.get(url)
    assert form.status_code == 200 and expert.employer_credit_code in form.content.decode()
    refused = keeper.post(url, _form(name="新名字", employer_credit_code=BAD_CHECK, account="expert_shen"))
    assert refused.status_code == 422 and "新名字" in refused.content.decode()
    assert Expert.objects.get(pk=expert.pk).name == expert.name
    assert keeper.post(url, _form(name="新名字", account="expert_shen")).status_code == 302
    assert Expert.objects.get(pk=expert.pk).name == "新名字"
    assert keeper.post(f"{url}availability/", {"available": "no"}).status_code == 302
    assert Expert.objects.get(pk=expert.pk).available is False
    assert "暂停" in keeper.get("/workbench/reviews/").content.decode()
    assert keeper.post(f"{url}availability/", {"available": "yes"}).status_code == 302
    assert Expert.objects.get(pk=expert.pk).available is True
    assert ReviewEvent.objects.filter(subject=f"expert:{expert.code}", verb="expert_updated").count() == 3


@pytest.mark.parametrize("username", ["jn_reviewer", "jn_approver", "jn_fire_rev"])
def test_who_does_not_keep_the_pool_cannot_manage_it(login_as: Callable[[str], Client], username: str) -> None:
    expert = scene.pool(1)[0]
    other = login_as(username)
    url = f"{POOL}{expert.code}/"
    assert other.get(url).status_code == 404
    assert other.post(url, _form(name="改名")).status_code == 404
    assert other.post(f"{url}availability/", {"available": "no"}).status_code == 404
    if username != "jn_approver":  # jn_approver keeps jn_approval's pool, so may open the form
        assert other.get(f"{POOL}new/").status_code == 403
    else:
        refused = other.post(f"{POOL}new/", _form(department=str(dept("jn_planning").pk)))
        assert refused.status_code == 404
    assert Expert.objects.get(pk=expert.pk).available and Expert.objects.get(pk=expert.pk).name == expert.name


def test_cancel_on_the_panel_page(login_as: Callable[[str], Client]) -> None:
    scene.pool(4)
    case = scene.in_review()
    panel = scene.drawn(scene.request(case, size=2))
    url = f"/workbench/reviews/panels/{panel.ref}/"
    rev = login_as("jn_planning_rev")
    page = rev.get(url).content.decode()
    assert "取消评审并恢复计时" in page and 'name="reason"' in page
    refused = rev.post(f"{url}cancel/", {"reason": ""})
    assert refused.status_code == 422 and "取消理由：必填" in refused.content.decode()
    assert login_as("jn_reviewer").post(f"{url}cancel/", {"reason": "越权"}).status_code == 404
    assert Panel.objects.get(pk=panel.pk).status == PanelStatus.REVIEWING
    assert rev.post(f"{url}cancel/", {"reason": "申请人撤回设计方案"}).status_code == 302
    after = rev.get(url).content.decode()
    assert "已取消：申请人撤回设计方案" in after and "取消评审并恢复计时" not in after
    assert "已撤回" in after
    mine = login_as("zhangsan").get(f"/me/cases/{case.number}/").content.decode()
    assert "申请人撤回设计方案" in mine
    # The public record of a cancelled panel still checks out (withdrawn seats are not replaced).
    panel.refresh_from_db()
    record = json.loads(Client().get(f"/reviews/draws/{panel.ref}.json").content)
    assert draw.check_record(record, tree_size=panel.seed_tree_size or 0, root_hash=bytes.fromhex(panel.seed_root))
