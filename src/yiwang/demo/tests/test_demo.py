from typing import Any

import pytest
from django.core.management import call_command

from yiwang.accounts.models import Department, Region, StaffRole, User
from yiwang.cases.models import Case
from yiwang.exchange.models import DataResource, Demand, Grant
from yiwang.ledger.models import Entry
from yiwang.supervision.audit import supervision_audit
from yiwang.supervision.eval_models import SchemeVersion
from yiwang.supervision.rule_workflow import VersionStatus

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Region.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        StaffRole.objects.count(),
        Entry.objects.count(),
        Case.objects.count(),
        DataResource.objects.count(),
        Demand.objects.count(),
        Grant.objects.count(),
    )


def test_loading_the_demo_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")
    first = _counts()
    assert first[-4] > 0  # the demo cases
    # 6 data resources; demands: 4 approved (营业执照, 户籍 for 生育登记, decisions, e-licenses),
    # waiting, refused
    assert first[-3:] == (6, 6, 4)
    call_command("load_demo")
    assert _counts() == first
    out = capsys.readouterr().out
    assert "jn_window" in out and "zhangsan" in out
    assert "jn_market_data" in out and "jn_approval_data" in out
    assert "数据共享：新增数据资源 6 项、共享需求 6 项" in out and "数据共享：新增数据资源 0 项、共享需求 0 项" in out
    assert "演示办件：新增 17 件、历史办件 " in out and "演示办件：新增 0 件、历史办件 0 件" in out
    assert "好差评：新增已评价办件 34 件" in out and "好差评：新增已评价办件 0 件、评价 0 条" in out
    assert "政务服务数据公开：新公开月度数据 0 个月" in out  # the second time
    audit = supervision_audit()  # the figures the demo shows are those its ledger makes
    assert audit.problems == [] and audit.months >= 3 and audit.events > 0
    assert "考评：新发布考评方案版本 2 个" in out and "考评：新发布考评方案版本 0 个" in out
    drafts = SchemeVersion.objects.filter(status=VersionStatus.DRAFT).values_list("scheme__code", "number")
    assert list(drafts) == [("KP-DEPT", 2)]  # jn_supervisor's, for sd_supervisor to publish


def test_the_demo_cases_read_their_免提交_data_from_the_stand_in_systems() -> None:
    """The food cases of 泉城餐饮 carry the 营业执照 read from 市场监管's register; zhangsan's
    生育登记 was approved at once on the 户籍 read from 公安 (the grants predate the cases)."""
    from yiwang.cases.models import Case, CaseEvidence
    from yiwang.exchange.models import DataRead

    call_command("load_demo")
    concluded = Case.objects.get(idempotency_key="demo-food-concluded")
    fetched = CaseEvidence.objects.get(case=concluded, material_key="business_license")
    assert fetched.source == "sharing" and fetched.fetched and fetched.record["name"] == "济南泉城餐饮管理有限公司"
    birth = Case.objects.get(idempotency_key="demo-birth-auto")
    assert birth.status == "concluded" and "申请人为本市户籍" in birth.decision_opinion
    household = CaseEvidence.objects.get(case=birth, material_key="household")
    assert household.record["household_address"].startswith("山东省济南市")
    assert DataRead.objects.filter(subject_user__username="zhangsan", outcome="ok").exists()


def test_the_demo_regulator_client_reads_decisions_and_licenses_and_is_subscribed(tmp_path: Any) -> None:
    """The regulator's system reads 泉城餐饮's latest decision and checks its 食品经营许可证 (查询互认):
    both from the platform's own cases and licenses, the ones the demo made."""
    import json

    from django.test import Client

    from yiwang.demo.world import ENTERPRISE
    from yiwang.exchange.client_models import ApiClient
    from yiwang.licenses.models import License

    call_command("load_demo")
    credentials = json.loads((tmp_path / "demo-api-client.json").read_text(encoding="utf-8"))
    assert (tmp_path / "demo-api-client.json").stat().st_mode & 0o077 == 0
    client = ApiClient.objects.get(name="食品安全监管系统")
    assert client.webhook_secret == credentials["webhook_secret"]
    [subscription] = client.subscriptions.all()
    assert (subscription.event, subscription.item_code) == ("case.decided", "000136019000")
    assert subscription.target_url == "http://127.0.0.1:8032/webhooks/yiwang"
    answer = Client().post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['access_token']}"}
    grants = {
        g["resource"]: [f["key"] for f in g["fields"]] for g in Client().get("/api/v1/exchange/grants", **auth).json()
    }
    assert (
        set(grants) == {"xzsp.license_decisions", "xzsp.e_licenses"}
        and "contact_phone" not in grants["xzsp.license_decisions"]
    )
    purpose = {"purpose": "日常监督检查"}
    credit_code = ENTERPRISE["credit_code"]
    decision = Client().get(f"/api/v1/exchange/records/xzsp.license_decisions/{credit_code}", purpose, **auth)
    assert decision.status_code == 200, decision.content
    # 泉城餐饮's newest decision by 行政审批服务局: its 一件事's company registration (the sign
    # permits are 城市管理局's, which publishes none)
    latest = Case.objects.get(bundle__idempotency_key="demo-bundle-restaurant", bundle_member="company")
    record = decision.json()["record"]
    assert latest.bundle_id is not None
    assert (record["case_number"], record["item_name"], record["decision"]) == (
        latest.number,
        "公司设立登记",
        "准予许可",
    )
    assert decision.json()["record"]["holder_name"] == ENTERPRISE["name"]
    food = License.objects.get(case__idempotency_key="demo-food-concluded")
    checked = Client().get(f"/api/v1/exchange/records/xzsp.e_licenses/{food.identifier}", purpose, **auth)
    assert checked.status_code == 200, checked.content
    assert checked.json()["record"]["status"] == "有效" and checked.json()["record"]["number"] == food.number


def test_demo_world_has_every_staff_role(world: None) -> None:
    from yiwang.accounts.models import Role

    assert set(StaffRole.objects.values_list("role", flat=True)) == set(Role.values)


def test_a_demo_case_filed_in_december_2026_has_a_provisional_due_date(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The demo seeds the official 2025–2026 only; 2027 is projected, so a case accepted in
    December 2026 still gets a due date (marked 暂定), and the seeding is audited."""
    import datetime as dt

    from yiwang.cases.tests import flows
    from yiwang.cases.tests.factories import ImplementationVersionFactory
    from yiwang.core.calendar import working_calendar
    from yiwang.workcalendar.models import CalendarEvent

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    assert sorted(CalendarEvent.objects.filter(verb="year_seed").values_list("year", flat=True)) == [2025, 2026]
    with flows.on(dt.date(2026, 12, 21)):
        case = flows.accepted(ImplementationVersionFactory())
    assert case.due_date is not None and case.committed_due_date is not None
    assert working_calendar().is_provisional(case.due_date)
