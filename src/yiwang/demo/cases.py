"""Demo cases: a case in every state of the workflow, made through the real services.

Each scenario is a short script of what the applicant and the staff did, dated in working
days before the *anchor* (today, or — when the working-day calendar does not reach far
enough past today — the last day the demo's open limits still fit in the calendar), so due
dates, 预警 and overdue marks look real whenever the demo is loaded. Nothing is written
directly: every step is a service call, so every case has its events, clock ledger, ledger
entries and notices (through the outbox, whether the worker runs or not).

Loading is idempotent: a scenario whose case exists (found by its idempotency key
"demo-<scenario>", or for the draft by its owner, item and state) is skipped.

| scenario              | who                    | item             | state                              |
|-----------------------|------------------------|------------------|------------------------------------|
| company-instant       | zhangsan               | 公司设立登记     | concluded (即办件, window)         |
| birth-auto            | zhangsan               | 生育登记         | concluded (秒批)                   |
| food-concluded        | lisi for the enterprise | 食品经营许可    | concluded (picked up at the window) |
| sign-denied           | zhangsan               | 户外广告设置许可 | decided_denied (to pick up)        |
| sign-approved         | wangwu for the ent.    | 户外广告设置许可 | decided_approved (to pick up)      |
| hygiene-revoked       | wangwu for the ent.    | 公共场所卫生许可 | revoked (告知承诺, 核查 failed)    |
| hygiene-withdrawn     | lisi for the ent.      | 公共场所卫生许可 | withdrawn during review            |
| food-refused          | zhangsan               | 食品经营许可     | refused                            |
| sign-suspended        | lisi for the ent.      | 户外广告设置许可 | suspended (专家评审)               |
| sign-overdue          | lisi for the ent.      | 户外广告设置许可 | in_review, past its committed date |
| planning-parallel     | wangwu for the ent.    | 建设工程规划许可 | in_review, 2 of 4 branches done    |
| food-supplement       | wangwu for the ent.    | 食品经营许可     | supplement_pending                 |
| food-warning          | zhangsan               | 食品经营许可     | in_review, 预警 (yellow)           |
| hygiene-supplement    | zhangsan               | 公共场所卫生许可 | supplement_requested               |
| food-submitted        | lisi for the ent.      | 食品经营许可     | submitted (intake queue)           |
| sign-submitted        | zhangsan               | 户外广告设置许可 | submitted (intake queue)           |
| food-draft            | zhangsan               | 食品经营许可     | draft, partly filled               |
"""

import datetime as dt
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yiwang.accounts.models import Enterprise, User
from yiwang.cases import services
from yiwang.cases.models import Case, Task
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.workdays import WorkdayCalendar, YearNotConfigured
from yiwang.demo.items import BIRTH, COMPANY, FOOD, HYGIENE, PLANNING, SIGN
from yiwang.demo.licenses import load_business_license, load_licenses
from yiwang.demo.world import APPLICANTS, ENTERPRISE, resident_id

# The open demo cases' limits end at most this many working days after the anchor.
HORIZON_DAYS = 16
# The oldest step of any scenario, in working days before the anchor.
OLDEST_DAYS_AGO = 22
KEY_PREFIX = "demo-"
CITY = "370100000000"  # 济南市: where the demo items are implemented

ZHANGSAN_ID = next(a.id_number for a in APPLICANTS if a.username == "zhangsan")
WANGWU_ID = next(a.id_number for a in APPLICANTS if a.username == "wangwu")
SPOUSE_ID = resident_id("370102", "19920815", "124")  # 张三's wife (an even 17th digit: female)
SHOP_ADDRESS = "济南市历下区泉城路188号"


# --- small valid files, made in memory -----------------------------------------------------


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with correct xref offsets (ASCII text only)."""
    stream = f"BT /F1 12 Tf 30 100 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def tiny_png(rgb: tuple[int, int, int] = (31, 95, 191)) -> bytes:
    """A valid 4x4 PNG of one colour (a stand-in for a scanned drawing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _upload(name: str, key: str) -> SimpleUploadedFile:
    if key in ("layout", "design"):  # drawings: scanned images
        return SimpleUploadedFile(f"{name}.png", tiny_png(), content_type="image/png")
    return SimpleUploadedFile(f"{name}.pdf", tiny_pdf(f"yiwang demo: {key}"), content_type="application/pdf")


# --- dating the steps ------------------------------------------------------------------------


def demo_anchor(calendar: WorkdayCalendar, today: dt.date) -> dt.date:
    """Today, unless the open cases' limits would run past the configured calendar: then the
    latest working day from which they still fit (the demo is then a little "older")."""
    try:
        calendar.add_working_days(today, HORIZON_DAYS)
        return today
    except YearNotConfigured:
        day = dt.date(max(calendar.years), 12, 31)
        return min(today, _back(calendar, day, HORIZON_DAYS + 1))


def _back(calendar: WorkdayCalendar, day: dt.date, n: int) -> dt.date:
    """The n-th working day before `day`."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


class Script:
    """What the scenarios share: the people, the items and the dates."""

    def __init__(self, anchor: dt.date, calendar: WorkdayCalendar) -> None:
        self.anchor, self.calendar = anchor, calendar
        self.users = {u.username: u for u in User.objects.all()}
        self.enterprise = Enterprise.objects.get(credit_code=ENTERPRISE["credit_code"])
        versions = ImplementationVersion.objects.filter(
            status=VersionStatus.PUBLISHED, implementation__region__code=CITY
        ).select_related("implementation__item")  # the city's; the history adds a 历下区 one
        self.versions = {v.implementation.item.basic_code: v for v in versions}

    def moment(self, days_ago: int, hhmm: str) -> dt.datetime:
        hour, minute = (int(x) for x in hhmm.split(":"))
        day = _back(self.calendar, self.anchor, days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    @contextmanager
    def at(self, days_ago: int, hhmm: str) -> Iterator[None]:
        with clock.frozen(self.moment(days_ago, hhmm)):
            yield

    def draft(
        self,
        applicant: str,
        basic_code: str,
        form: dict[str, Any],
        materials: dict[str, str],
        *,
        for_enterprise: bool = False,
        delivery: str = "electronic",
    ) -> Case:
        actor = self.users[applicant]
        case = services.case_draft_save(
            actor=actor,
            implementation_version=self.versions[basic_code],
            form_data=form,
            enterprise=self.enterprise if for_enterprise else None,
            delivery_method=delivery,
        )
        for key, name in materials.items():
            services.case_material_upload(actor=actor, case=case, material_key=key, upload=_upload(name, key))
        return case

    def apply(
        self,
        key: str,
        applicant: str,
        basic_code: str,
        form: dict[str, Any],
        materials: dict[str, str],
        *,
        days_ago: int,
        hhmm: str = "09:30",
        commitment: bool = False,
        **kw: Any,
    ) -> Case:
        """Fill in, upload and submit (at `days_ago`, `hhmm`)."""
        with self.at(days_ago, hhmm):
            case = self.draft(applicant, basic_code, form, materials, **kw)
            return services.case_submit(
                actor=self.users[applicant],
                draft=case,
                idempotency_key=KEY_PREFIX + key,
                commitment_signed=commitment,
            )

    def accept(self, case: Case, *, days_ago: int, hhmm: str = "10:15") -> Case:
        with self.at(days_ago, hhmm):
            return services.case_accept(actor=self.users["jn_window"], case=case, opinion="材料齐全，符合法定形式")

    def review(
        self, case: Case, task_key: str, username: str, *, days_ago: int, hhmm: str = "15:00", opinion: str = ""
    ) -> None:
        with self.at(days_ago, hhmm):
            services.task_complete(
                actor=self.users[username],
                task=open_task(case, task_key),
                outcome="reject" if opinion.startswith("不") else "approve",
                opinion=opinion or "经审查，材料齐全，符合法定条件。",
            )

    def decide(
        self, case: Case, username: str, *, days_ago: int, approve: bool = True, opinion: str = "", basis: str = ""
    ) -> Case:
        with self.at(days_ago, "16:20"):
            return services.case_decide(
                actor=self.users[username],
                case=case,
                outcome="approve" if approve else "deny",
                opinion=opinion,
                legal_basis=basis,
            )

    def user(self, username: str) -> User:
        return self.users[username]


def open_task(case: Case, key: str) -> Task:
    return Task.objects.get(case=case, key=key, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])


# --- form data -------------------------------------------------------------------------------

FOOD_MATERIALS = {"application": "食品经营许可申请书", "layout": "经营场所布局图", "rules": "食品安全管理制度目录"}
SIGN_MATERIALS = {"application": "户外广告设置申请表", "design": "广告设施效果图", "site_right": "场地租赁合同"}
HYGIENE_MATERIALS = {
    "application": "公共场所卫生许可申请表",
    "layout": "场所平面布局图",
    "report": "卫生检测报告",
    "rules": "卫生管理制度",
}


def food_form(name: str, address: str, principal_id: str, *, by_agent: bool = False) -> dict[str, Any]:
    return {
        "business_name": name,
        "address": address,
        "business_items": ["hot_food", "cold_food", "drinks"],
        "principal_id": principal_id,
        "by_agent": by_agent,
    }


# --- the scenarios ---------------------------------------------------------------------------

Scenario = Callable[[Script], None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(key: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        SCENARIOS[key] = fn
        return fn

    return register


@scenario("company-instant")
def _company_instant(s: Script) -> None:
    form = {
        "company_name": "济南张三文化传媒有限公司",
        "registered_capital": "50",
        "address": "济南市历下区解放路街道文化东路66号",
        "legal_rep_id": ZHANGSAN_ID,
        "business_scope": "文艺创作；组织文化艺术交流活动；广告设计、代理；会议及展览服务。",
    }
    materials = {
        "application": "公司登记申请书",
        "shareholders": "股东身份证明",
        "premises": "住所租赁合同",
        "articles": "公司章程",
    }
    case = s.apply("company-instant", "zhangsan", COMPANY.basic_code, form, materials, days_ago=20, hhmm="09:05")
    s.accept(case, days_ago=20, hhmm="09:40")  # 即办件: registered on the spot, delivered electronically


@scenario("birth-auto")
def _birth_auto(s: Script) -> None:
    form = {"mother_id": SPOUSE_ID, "father_id": ZHANGSAN_ID, "child_order": 2}  # 户籍 read from 公安 (秒批)
    s.apply("birth-auto", "zhangsan", BIRTH.basic_code, form, {}, days_ago=18, hhmm="21:12")  # 秒批


@scenario("food-concluded")
def _food_concluded(s: Script) -> None:
    form = food_form("济南泉城餐饮管理有限公司泉城路店", SHOP_ADDRESS, WANGWU_ID, by_agent=True)
    materials = {**FOOD_MATERIALS, "authorisation": "授权委托书"}
    case = s.apply(
        "food-concluded", "lisi", FOOD.basic_code, form, materials, days_ago=19, for_enterprise=True, delivery="pickup"
    )
    s.accept(case, days_ago=18)
    s.review(case, "review", "jn_reviewer", days_ago=17)
    s.decide(case, "jn_approver", days_ago=16)
    with s.at(14, "10:30"):
        services.case_conclude(actor=s.user("jn_window"), case=case, reference="窗口领取，领取人：李四")


@scenario("sign-denied")
def _sign_denied(s: Script) -> None:
    form = {"sign_site": "济南市历下区芙蓉街42号临街外墙", "sign_size": "18"}
    case = s.apply("sign-denied", "zhangsan", SIGN.basic_code, form, SIGN_MATERIALS, days_ago=15, delivery="pickup")
    s.accept(case, days_ago=14)
    reason = "不予通过：设置地点位于芙蓉街历史文化街区核心保护范围，不符合户外广告设置规划。"
    s.review(case, "review", "jn_urban_rev", days_ago=12, opinion=reason)
    s.decide(
        case,
        "jn_urban_app",
        days_ago=11,
        approve=False,
        opinion="设置地点位于历史文化街区核心保护范围内，不符合本市户外广告设置规划，不予许可。",
        basis="《城市市容和环境卫生管理条例》第十一条",
    )


@scenario("sign-approved")
def _sign_approved(s: Script) -> None:
    form = {"sign_site": "济南市历下区泉城路188号门店正立面", "sign_size": "12.5"}
    case = s.apply(
        "sign-approved",
        "wangwu",
        SIGN.basic_code,
        form,
        SIGN_MATERIALS,
        days_ago=9,
        for_enterprise=True,
        delivery="pickup",
    )
    s.accept(case, days_ago=8)
    s.review(case, "review", "jn_urban_rev", days_ago=6)
    s.decide(case, "jn_urban_app", days_ago=4)  # the result waits at the window


@scenario("hygiene-revoked")
def _hygiene_revoked(s: Script) -> None:
    form = {"venue_name": "泉城宾馆", "address": "济南市历下区泉城路200号", "venue_type": "hotel", "area": "1260"}
    materials = {k: v for k, v in HYGIENE_MATERIALS.items() if k != "report"}  # promised instead
    case = s.apply(
        "hygiene-revoked",
        "wangwu",
        HYGIENE.basic_code,
        form,
        materials,
        days_ago=21,
        for_enterprise=True,
        commitment=True,
    )
    with s.at(6, "11:00"):
        services.task_complete(
            actor=s.user("jn_health_rev"),
            task=open_task(case, "commitment_check"),
            outcome="fail",
            opinion="现场核查：客房集中空调通风系统未经卫生检测，承诺的卫生检测报告逾期未提交，与承诺不符。",
        )


@scenario("hygiene-withdrawn")
def _hygiene_withdrawn(s: Script) -> None:
    form = {
        "venue_name": "泉城足浴养生馆",
        "address": "济南市历下区泉城路190号二层",
        "venue_type": "bath",
        "area": "320",
    }
    case = s.apply(
        "hygiene-withdrawn", "lisi", HYGIENE.basic_code, form, HYGIENE_MATERIALS, days_ago=11, for_enterprise=True
    )
    s.accept(case, days_ago=10)
    with s.at(8, "14:10"):
        services.case_withdraw(actor=s.user("lisi"), case=case, reason="门店装修延期，暂不开业，撤回申请。")


@scenario("food-refused")
def _food_refused(s: Script) -> None:
    form = food_form("张三家庭厨房", "济南市历下区千佛山街道佛山苑小区3号楼2单元501室", ZHANGSAN_ID)
    case = s.apply("food-refused", "zhangsan", FOOD.basic_code, form, FOOD_MATERIALS, days_ago=7)
    with s.at(6, "10:40"):
        services.case_refuse(
            actor=s.user("jn_window"),
            case=case,
            reason="经营场所为住宅，不得从事热食类食品制售，申请事项依法不属于可以许可的情形。",
            legal_basis="《食品经营许可和备案管理办法》第十二条",
        )


@scenario("sign-suspended")
def _sign_suspended(s: Script) -> None:
    form = {"sign_site": "济南市历下区经十路与历山路交叉口东北角楼顶", "sign_size": "96"}
    case = s.apply("sign-suspended", "lisi", SIGN.basic_code, form, SIGN_MATERIALS, days_ago=10, for_enterprise=True)
    s.accept(case, days_ago=9)
    with s.at(5, "14:30"):
        services.case_suspend(
            actor=s.user("jn_urban_rev"),
            case=case,
            procedure="expert_review",
            reason="楼顶大型广告设施面积较大、位于主干道交叉口，需组织结构安全专家评审",
            expected_days=10,
        )


@scenario("sign-overdue")
def _sign_overdue(s: Script) -> None:
    form = {"sign_site": "济南市历下区泉城路188号东侧山墙", "sign_size": "24"}
    case = s.apply("sign-overdue", "lisi", SIGN.basic_code, form, SIGN_MATERIALS, days_ago=11, for_enterprise=True)
    s.accept(case, days_ago=10)
    with s.at(9, "09:50"):
        services.task_claim(actor=s.user("jn_urban_rev"), task=open_task(case, "review"))


@scenario("planning-parallel")
def _planning_parallel(s: Script) -> None:
    form = {
        "project_name": "泉城餐饮中央厨房及配送中心项目",
        "project_site": "济南市历城区唐王镇唐王村",
        "floor_area": "8650",
    }
    materials = {"application": "建设工程规划许可证申请表", "design": "建设工程设计方案总平面图"}
    case = s.apply(
        "planning-parallel",
        "wangwu",
        PLANNING.basic_code,
        form,
        materials,
        days_ago=7,
        for_enterprise=True,
        delivery="pickup",
    )
    s.accept(case, days_ago=6)
    s.review(case, "planning", "jn_planning_rev", days_ago=4, opinion="符合控制性详细规划和规划条件，同意。")
    s.review(case, "air_defence", "jn_airdef_rev", days_ago=3, opinion="已按规定配建防空地下室，同意。")
    with s.at(2, "10:05"):
        services.task_claim(actor=s.user("jn_fire_rev"), task=open_task(case, "fire"))
    # 交通影响审查 stays open in the transport bureau's pool.


@scenario("food-supplement")
def _food_supplement(s: Script) -> None:
    form = food_form("济南泉城餐饮管理有限公司大明湖店", "济南市历下区明湖路99号", WANGWU_ID)
    case = s.apply("food-supplement", "wangwu", FOOD.basic_code, form, FOOD_MATERIALS, days_ago=5, for_enterprise=True)
    s.accept(case, days_ago=4)
    with s.at(3, "11:20"):
        services.case_supplement_request(
            actor=s.user("jn_reviewer"),
            case=case,
            items=[
                {"material_key": "layout", "note": "布局图未标明生熟分区、清洗消毒区和食品库房，请补充标注后重新上传"}
            ],
            message="请按一次性告知补正，补正后继续计时。",
        )


@scenario("food-warning")
def _food_warning(s: Script) -> None:
    form = food_form("张三牛肉面馆", "济南市历下区解放路街道解放路12号", ZHANGSAN_ID)
    case = s.apply("food-warning", "zhangsan", FOOD.basic_code, form, FOOD_MATERIALS, days_ago=5)
    s.accept(case, days_ago=4)  # 4 of 5 committed working days used: 预警


@scenario("hygiene-supplement")
def _hygiene_supplement(s: Script) -> None:
    form = {
        "venue_name": "张三美发工作室",
        "address": "济南市历下区千佛山街道千佛山路8号",
        "venue_type": "beauty",
        "area": "65",
    }
    materials = {k: v for k, v in HYGIENE_MATERIALS.items() if k != "report"}
    with s.at(3, "18:40"):  # saved the evening before, the report still missing
        draft = s.draft("zhangsan", HYGIENE.basic_code, form, materials)
    with s.at(2, "08:50"):
        services.case_material_upload(
            actor=s.user("zhangsan"), case=draft, material_key="report", upload=_upload("卫生检测报告", "report")
        )
        case = services.case_submit(
            actor=s.user("zhangsan"), draft=draft, idempotency_key=KEY_PREFIX + "hygiene-supplement"
        )
    with s.at(1, "10:00"):
        services.case_supplement_request(
            actor=s.user("jn_window"),
            case=case,
            items=[{"material_key": "report", "note": "检测报告缺少检测机构资质认定（CMA）标志页，请上传完整报告"}],
        )


@scenario("food-submitted")
def _food_submitted(s: Script) -> None:
    form = food_form("济南泉城餐饮管理有限公司芙蓉街店", "济南市历下区芙蓉街18号", WANGWU_ID, by_agent=True)
    materials = {**FOOD_MATERIALS, "authorisation": "授权委托书"}
    s.apply("food-submitted", "lisi", FOOD.basic_code, form, materials, days_ago=1, hhmm="15:45", for_enterprise=True)


@scenario("sign-submitted")
def _sign_submitted(s: Script) -> None:
    form = {"sign_site": "济南市历下区解放路12号门店正上方", "sign_size": "6"}
    s.apply("sign-submitted", "zhangsan", SIGN.basic_code, form, SIGN_MATERIALS, days_ago=1, hhmm="16:30")


DRAFT_FORM = {"business_name": "张三烘焙坊", "address": "济南市历下区文化东路"}  # the rest still to fill in


def _draft_exists(s: Script) -> bool:
    return Case.objects.filter(
        applicant=s.user("zhangsan"), status=CaseStatus.DRAFT, implementation_version__in=[s.versions[FOOD.basic_code]]
    ).exists()


def _food_draft(s: Script) -> None:
    with s.at(1, "20:15"):
        s.draft("zhangsan", FOOD.basic_code, DRAFT_FORM, {"application": "食品经营许可申请书"})


# --- loading ---------------------------------------------------------------------------------


def load_cases() -> dict[str, Any]:
    """Create whatever demo case is missing; returns {"cases": created, "skipped": reason}."""
    calendar = working_calendar()
    if not calendar.years:
        return {"cases": 0, "skipped": "工作日历未配置"}
    script = Script(demo_anchor(calendar, clock.today()), calendar)
    oldest = script.moment(OLDEST_DAYS_AGO, "08:00")
    late = [v for v in script.versions.values() if v.valid_from is None or v.valid_from > oldest]
    if late:
        return {"cases": 0, "skipped": f"事项发布时间晚于演示办件日期 {oldest:%Y-%m-%d}，请重建演示数据库"}
    load_business_license()  # in the world already; before the 食品经营许可 scenarios, which fetch it
    created = 0
    keys = set(Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list("idempotency_key", flat=True))
    for key, run in SCENARIOS.items():
        if KEY_PREFIX + key not in keys:
            run(script)
            created += 1
    if not _draft_exists(script):
        _food_draft(script)
        created += 1
    load_licenses()
    return {"cases": created, "skipped": ""}
