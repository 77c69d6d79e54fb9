"""Demo of 跨域通办: 赵六, who lives in 泰安市泰山区, applies for 济南's 公司设立登记 (省内通办:
全程网办 and 异地代收代办 in any window of the province).

| key                     | how                                  | state                                    |
|-------------------------|--------------------------------------|------------------------------------------|
| xregion-online          | 全程网办, from 泰安                  | concluded (registered, electronic)       |
| xregion-handed-over     | handed in at 泰安, handed over       | concluded (licence collected at 泰安)    |
| xregion-arriving        | handed in at 泰安, handed over       | handed_over (济南 window to receive)     |
| xregion-returned        | handed in at 泰安, 补正 asked        | intake_supplement (赵六 to answer)       |
| xregion-waiting         | handed in at 泰安                     | intake_pending (泰安 window to hand over) |

Every step is a service call dated in working days before the demo's anchor (demo.cases).
Loading twice changes nothing: a case is found by its idempotency key, the persona by name.
"""

from typing import Any

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Department, Region, User
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.demo.cases import Script, demo_anchor
from yiwang.demo.items import COMPANY
from yiwang.demo.world import DEMO_PASSWORD, resident_id

KEY_PREFIX = "xregion-"
ZHAOLIU = "zhaoliu"
ZHAOLIU_ID = resident_id("370902", "19860420", "357")
TAIAN_WINDOW = "泰安市行政审批服务局"
MATERIALS = {
    "application": "公司登记申请书",
    "shareholders": "股东身份证明",
    "premises": "住所租赁合同",
    "articles": "公司章程",
}


def _form(name: str, address: str) -> dict[str, Any]:
    return {
        "company_name": name,
        "registered_capital": "30",
        "address": address,
        "legal_rep_id": ZHAOLIU_ID,
        "business_scope": "茶叶销售；旅游信息咨询；会议及展览服务。",
    }


def _zhaoliu() -> User:
    found = User.objects.filter(username=ZHAOLIU).first()
    if found is not None:
        return found
    return accounts.person_register(
        username=ZHAOLIU,
        password=DEMO_PASSWORD,
        real_name="赵六",
        id_number=ZHAOLIU_ID,
        region=Region.objects.get(code="370902000000"),  # 泰安市泰山区
    )


def _submit(s: Script, key: str, form: dict[str, Any], *, days_ago: int, intake: Department | None, **kw: Any) -> Case:
    with s.at(days_ago, "09:20"):
        draft = s.draft(ZHAOLIU, COMPANY.basic_code, form, MATERIALS, **kw)
        return services.case_submit(
            actor=s.user(ZHAOLIU), draft=draft, idempotency_key=KEY_PREFIX + key, intake_department=intake
        )


def _online(s: Script, window: Department) -> None:
    form = _form("济南泰山茶旅文化有限公司", "济南市历下区解放路街道文化东路88号")
    case = _submit(s, "online", form, days_ago=9, intake=None)
    s.accept(case, days_ago=8)  # 即办件: registered on acceptance, delivered electronically


def _handed_over(s: Script, window: Department) -> None:
    form = _form("济南岱宗会展服务有限公司", "济南市历下区泉城路200号")
    case = _submit(s, "handed-over", form, days_ago=7, intake=window, delivery="pickup")
    with s.at(7, "15:30"):
        services.handover_send(actor=s.user("ta_window"), case=case, mail_reference="EMS1100223344")
    with s.at(5, "09:10"):
        services.handover_receive(actor=s.user("jn_window"), case=case)
    case = s.accept(case, days_ago=5)
    with s.at(3, "10:00"):
        services.case_conclude(actor=s.user("ta_window"), case=case, reference="赵六本人在泰安窗口领取")


def _arriving(s: Script, window: Department) -> None:
    form = _form("济南汶水商务咨询有限公司", "济南市槐荫区经十路300号")
    case = _submit(s, "arriving", form, days_ago=2, intake=window)
    with s.at(1, "16:40"):
        services.handover_send(actor=s.user("ta_window"), case=case, mail_reference="EMS1100225566")


def _returned(s: Script, window: Department) -> None:
    form = _form("济南徂徕山农业科技有限公司", "济南市章丘区明水街道汇泉路9号")
    case = _submit(s, "returned", form, days_ago=1, intake=window)
    with s.at(1, "14:00"):
        services.case_supplement_request(
            actor=s.user("ta_window"),
            case=case,
            items=[{"material_key": "premises", "note": "租赁合同缺出租方签章页"}],
            message="请补正后重新上传，或到泰安市政务服务中心窗口递交。",
        )


def _waiting(s: Script, window: Department) -> None:
    form = _form("济南泰岳文旅发展有限公司", "济南市市中区经四路66号")
    _submit(s, "waiting", form, days_ago=0, intake=window)


SCENARIOS = {
    "online": _online,
    "handed-over": _handed_over,
    "arriving": _arriving,
    "returned": _returned,
    "waiting": _waiting,
}


def load_cross_region() -> dict[str, Any]:
    """Create whatever of the 跨域通办 demo is missing; returns {"cases": created, "skipped": why}."""
    calendar = working_calendar()
    if not calendar.years:
        return {"cases": 0, "skipped": "工作日历未配置"}
    _zhaoliu()
    script = Script(demo_anchor(calendar, clock.today()), calendar)
    if COMPANY.basic_code not in script.versions:
        return {"cases": 0, "skipped": "演示事项库中没有公司设立登记"}
    window = Department.objects.get(name=TAIAN_WINDOW)
    done = set(Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list("idempotency_key", flat=True))
    created = 0
    for key, run in SCENARIOS.items():
        if KEY_PREFIX + key not in done:
            run(script, window)
            created += 1
    return {"cases": created, "skipped": ""}
