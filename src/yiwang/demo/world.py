"""The demo world: real regions of Shandong, the departments real items need, personas.

Region names are real; codes follow GB/T 2260 for province, city and county. Township and
village codes below county level are *simplified*: they follow the statistical-code rules
(001–099 街道, 100–199 镇; 001–199 社区, 200–399 村) but are not checked against the
National Bureau of Statistics list. Credit codes of departments and enterprises are
synthetic but valid (GB 32100 check character computed).

Loading is idempotent: every object is looked up by its natural key first, so loading twice
changes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from yiwang.accounts import services
from yiwang.accounts.models import Department, DepartmentKind, Enterprise, NaturalPerson, Region, Role, User
from yiwang.core.identifiers import credit_code_check_char, resident_id_check_char, validate_region_code
from yiwang.demo.catalog import load_catalog
from yiwang.demo.licenses import load_business_license, load_license_types

DEMO_PASSWORD = "Yiwang-demo-2026"  # noqa: S105 - printed to the console by design; demo only

REGIONS: list[tuple[str, str]] = [
    ("370000000000", "山东省"),
    ("370100000000", "济南市"),
    ("370102000000", "历下区"),
    ("370103000000", "市中区"),
    ("370104000000", "槐荫区"),
    ("370105000000", "天桥区"),
    ("370112000000", "历城区"),
    ("370102001000", "解放路街道"),
    ("370102002000", "千佛山街道"),
    ("370102001001", "解放路社区"),
    ("370112100000", "唐王镇"),
    ("370112100201", "唐王村"),
    ("370900000000", "泰安市"),
    ("370902000000", "泰山区"),
    ("370911000000", "岱岳区"),
    ("370902001000", "财源街道"),
    ("370911100000", "满庄镇"),
    ("370911100201", "满庄村"),
    ("371000000000", "威海市"),
    ("371083000000", "乳山市"),
    ("371083108000", "海阳所镇"),
    ("371083108201", "海阳所村"),
]


def credit_code(region6: str, serial: str, *, authority: str = "11") -> str:
    """A valid GB 32100 code: authority (2) + region (6) + organisation code (9) + check."""
    body = f"{authority}{region6}{serial}"
    return body + credit_code_check_char(body)


def resident_id(region6: str, birth: str, seq: str) -> str:
    body = f"{region6}{birth}{seq}"
    return body + resident_id_check_char(body)


DEPARTMENTS: list[tuple[str, str, str, str]] = [
    # (key, name, kind, region code)
    ("jn_approval", "济南市行政审批服务局", DepartmentKind.APPROVAL_SERVICE, "370100000000"),
    ("jn_market", "济南市市场监督管理局", DepartmentKind.MARKET_REGULATION, "370100000000"),
    ("jn_health", "济南市卫生健康委员会", DepartmentKind.HEALTH, "370100000000"),
    ("jn_planning", "济南市自然资源和规划局", DepartmentKind.NATURAL_RESOURCES, "370100000000"),
    ("jn_housing", "济南市住房和城乡建设局", DepartmentKind.HOUSING, "370100000000"),
    ("jn_fire", "济南市消防救援支队", DepartmentKind.FIRE_RESCUE, "370100000000"),
    ("jn_air_defence", "济南市人民防空办公室", DepartmentKind.CIVIL_AIR_DEFENCE, "370100000000"),
    ("jn_transport", "济南市交通运输局", DepartmentKind.TRANSPORT, "370100000000"),
    ("jn_urban", "济南市城市管理局", DepartmentKind.URBAN_MANAGEMENT, "370100000000"),
    ("jn_data", "济南市大数据局", DepartmentKind.BIG_DATA, "370100000000"),
    ("lx_approval", "济南市历下区行政审批服务局", DepartmentKind.APPROVAL_SERVICE, "370102000000"),
    ("ta_approval", "泰安市行政审批服务局", DepartmentKind.APPROVAL_SERVICE, "370900000000"),
    ("ta_market", "泰安市市场监督管理局", DepartmentKind.MARKET_REGULATION, "370900000000"),
    ("sd_approval", "山东省行政审批服务局", DepartmentKind.APPROVAL_SERVICE, "370000000000"),
    ("sd_data", "山东省大数据局", DepartmentKind.BIG_DATA, "370000000000"),
    ("mz_service", "满庄镇便民服务中心", DepartmentKind.GOVERNMENT_OFFICE, "370911100000"),
    ("mzc_service", "满庄村便民服务站", DepartmentKind.OTHER, "370911100201"),
]


@dataclass(frozen=True)
class StaffPersona:
    username: str
    name: str
    roles: tuple[tuple[str, str], ...]  # (role, department key)
    description: str


STAFF: list[StaffPersona] = [
    StaffPersona("jn_window", "赵敏", ((Role.WINDOW_CLERK, "jn_approval"),), "济南市行政审批服务局 窗口受理"),
    StaffPersona("ta_window", "孔收", ((Role.WINDOW_CLERK, "ta_approval"),), "泰安市行政审批服务局 窗口受理"),
    StaffPersona("jn_reviewer", "钱进", ((Role.REVIEWER, "jn_approval"),), "济南市行政审批服务局 审查"),
    StaffPersona("jn_approver", "孙立", ((Role.APPROVER, "jn_approval"),), "济南市行政审批服务局 审批决定"),
    StaffPersona("jn_head", "李局长", ((Role.HEAD, "jn_approval"),), "济南市行政审批服务局 机关负责人（批准延期）"),
    StaffPersona(
        "jn_planning_rev",
        "周规",
        ((Role.REVIEWER, "jn_planning"), (Role.APPROVER, "jn_planning")),
        "自然资源和规划局 审查/决定",
    ),
    StaffPersona("jn_planning_app", "陶决", ((Role.APPROVER, "jn_planning"),), "自然资源和规划局 审批决定"),
    StaffPersona("jn_fire_rev", "吴消", ((Role.REVIEWER, "jn_fire"),), "消防救援支队 并联审查"),
    StaffPersona("jn_airdef_rev", "郑防", ((Role.REVIEWER, "jn_air_defence"),), "人防办 并联审查"),
    StaffPersona("jn_transport_rev", "王交", ((Role.REVIEWER, "jn_transport"),), "交通运输局 并联审查"),
    StaffPersona(
        "jn_health_rev",
        "冯卫",
        ((Role.REVIEWER, "jn_health"), (Role.APPROVER, "jn_health")),
        "卫生健康委员会 审查/决定",
    ),
    StaffPersona("jn_health_app", "蒋决", ((Role.APPROVER, "jn_health"),), "卫生健康委员会 审批决定"),
    StaffPersona("jn_urban_rev", "柳城", ((Role.REVIEWER, "jn_urban"),), "城市管理局 审查（户外广告）"),
    StaffPersona("jn_urban_app", "石管", ((Role.APPROVER, "jn_urban"),), "城市管理局 审批决定"),
    StaffPersona("jn_urban_head", "秦局长", ((Role.HEAD, "jn_urban"),), "济南市城市管理局 机关负责人"),
    StaffPersona("sd_catalog", "陈目录", ((Role.CATALOG_ADMIN, "sd_approval"),), "省级事项管理员（起草）"),
    StaffPersona("jn_catalog", "褚审核", ((Role.CATALOG_ADMIN, "jn_approval"),), "市级事项管理员（复核发布）"),
    StaffPersona("jn_supervisor", "卫监", ((Role.SUPERVISOR, "jn_approval"),), "电子监察"),
    # 好差评 appeals are decided by a supervisor outside the rated department (separation of
    # duties): jn_supervisor sits in the approval bureau, which most demo ratings rate.
    StaffPersona("sd_supervisor", "齐督", ((Role.SUPERVISOR, "sd_approval"),), "省级电子监察（好差评申诉复核）"),
    StaffPersona("jn_data_steward", "蒋数", ((Role.DATA_STEWARD, "jn_data"),), "济南市大数据局 数据管理员"),
    StaffPersona("jn_market_data", "杨数", ((Role.DATA_STEWARD, "jn_market"),), "济南市市场监督管理局 数据管理员"),
    StaffPersona("jn_approval_data", "许数", ((Role.DATA_STEWARD, "jn_approval"),), "济南市行政审批服务局 数据管理员"),
    StaffPersona("jn_health_data", "卫数", ((Role.DATA_STEWARD, "jn_health"),), "济南市卫生健康委员会 数据管理员"),
    StaffPersona("expert_shen", "沈专家", ((Role.EXPERT, "jn_planning"),), "评审专家（城乡规划）"),
    StaffPersona("expert_liu", "刘专家", ((Role.EXPERT, "jn_planning"),), "评审专家（城乡规划、建筑结构）"),
    StaffPersona("expert_zhou", "周专家", ((Role.EXPERT, "jn_planning"),), "评审专家（建筑结构）"),
    StaffPersona("expert_he", "何专家", ((Role.EXPERT, "jn_planning"),), "评审专家（建筑结构）"),
    StaffPersona("auditor_han", "韩审计", ((Role.AUDITOR, "sd_data"),), "审计人员（只读）"),
    # 历下区: a district office where the senior window clerk also signs decisions (区级一窗受理、
    # 即审即决 for small shops); lx_approver signs the rest. The history's 历下区 食品经营许可 uses them.
    StaffPersona(
        "lx_window",
        "柳敏",
        ((Role.WINDOW_CLERK, "lx_approval"), (Role.APPROVER, "lx_approval")),
        "历下区行政审批服务局 窗口受理/审批决定",
    ),
    StaffPersona("lx_reviewer", "林审", ((Role.REVIEWER, "lx_approval"),), "历下区行政审批服务局 审查"),
    StaffPersona("lx_approver", "贺决", ((Role.APPROVER, "lx_approval"),), "历下区行政审批服务局 审批决定"),
    # The catalog at every level: 泰安 claims province items for itself and its towns (ta_catalog
    # drafts, sd_catalog reviews and publishes); their handlers work the claimed items' cases.
    StaffPersona("ta_catalog", "鲁认领", ((Role.CATALOG_ADMIN, "ta_approval"),), "泰安市事项管理员（认领、起草）"),
    StaffPersona(
        "ta_handler",
        "岱审",
        ((Role.REVIEWER, "ta_approval"), (Role.APPROVER, "ta_approval")),
        "泰安市行政审批服务局 审查/审批决定",
    ),
    StaffPersona(
        "mz_handler",
        "满办",
        ((Role.WINDOW_CLERK, "mz_service"), (Role.REVIEWER, "mz_service"), (Role.APPROVER, "mz_service")),
        "满庄镇便民服务中心 受理/审查/决定",
    ),
    # 帮办代办 (ADR 0029): helps people apply for any item of 济南市, without the intake queue.
    StaffPersona("jn_assistant", "周帮", ((Role.ASSISTANT, "jn_approval"),), "济南市行政审批服务局 帮办员（帮办代办）"),
]


@dataclass(frozen=True)
class ApplicantPersona:
    username: str
    name: str
    id_number: str
    region: str
    description: str


APPLICANTS: list[ApplicantPersona] = [
    ApplicantPersona("zhangsan", "张三", resident_id("370102", "19900307", "123"), "370102000000", "自然人"),
    ApplicantPersona("lisi", "李四", resident_id("370103", "19881122", "456"), "370103000000", "泉城餐饮公司经办人"),
    ApplicantPersona(
        "wangwu", "王五", resident_id("370112", "19750612", "318"), "370112000000", "泉城餐饮公司法定代表人"
    ),
]

ENTERPRISE = {
    "name": "济南泉城餐饮管理有限公司",
    "credit_code": credit_code("370102", "MA3C4L8K2", authority="91"),
    "legal_representative": "王五",
    "region": "370102000000",
    "address": "济南市历下区泉城路188号",
}


DEMO_MAIL_DOMAIN = "demo.yiwang.test"  # RFC 2606 .test: obviously fake, never routable


def contact_of(username: str) -> tuple[str, str]:
    """A persona's demo e-mail and mobile number: <username>@demo.yiwang.test and a number in
    139-0000-xxxx (applicants from 0001, staff from 0101, the platform operator 0100)."""
    applicants = [a.username for a in APPLICANTS]
    staff = [p.username for p in STAFF]
    if username in applicants:
        serial = applicants.index(username) + 1
    elif username in staff:
        serial = staff.index(username) + 101
    else:
        serial = 100
    return f"{username}@{DEMO_MAIL_DOMAIN}", f"13900000{serial:03d}"


def _give_contacts(usernames: list[str]) -> None:
    """Demo personas get an e-mail address and a phone number where they have none yet."""
    for username in usernames:
        email, phone = contact_of(username)
        User.objects.filter(username=username, email="").update(email=email)
        User.objects.filter(username=username, phone="").update(phone=phone)


def load_world() -> dict[str, int]:
    """Create whatever of the demo world is missing; returns counts of what was created."""
    created = {"regions": 0, "departments": 0, "staff": 0, "applicants": 0, "enterprises": 0}
    for code, name in REGIONS:
        if not Region.objects.filter(code=code).exists():
            parent_code = _parent(code)
            parent = Region.objects.get(code=parent_code) if parent_code else None
            services.region_create(actor=None, code=code, name=name, parent=parent)
            created["regions"] += 1
    departments: dict[str, Department] = {}
    for index, (key, name, kind, region_code) in enumerate(DEPARTMENTS):
        region = Region.objects.get(code=region_code)
        department = Department.objects.filter(region=region, name=name).first()
        if department is None:
            serial = f"0{index + 1:07d}1"
            department = services.department_create(
                actor=None,
                name=name,
                kind=kind,
                region=region,
                credit_code=credit_code(region_code[:6], serial),
                phone="0531-12345",
            )
            created["departments"] += 1
        departments[key] = department
    for persona in STAFF:
        user = User.objects.filter(username=persona.username).first()
        if user is None:
            user = services.staff_create(
                actor=None, username=persona.username, password=DEMO_PASSWORD, display_name=persona.name
            )
            created["staff"] += 1
        for role, dept_key in persona.roles:
            services.staff_role_grant(actor=None, user=user, role=role, department=departments[dept_key])
    for applicant in APPLICANTS:
        if not User.objects.filter(username=applicant.username).exists():
            services.person_register(
                username=applicant.username,
                password=DEMO_PASSWORD,
                real_name=applicant.name,
                id_number=applicant.id_number,
                region=Region.objects.get(code=applicant.region),
            )
            created["applicants"] += 1
    enterprise = Enterprise.objects.filter(credit_code=ENTERPRISE["credit_code"]).first()
    if enterprise is None:
        enterprise = services.enterprise_register(
            actor=None,
            name=ENTERPRISE["name"],
            credit_code=ENTERPRISE["credit_code"],
            legal_representative=ENTERPRISE["legal_representative"],
            region=Region.objects.get(code=ENTERPRISE["region"]),
            address=ENTERPRISE["address"],
        )
        created["enterprises"] += 1
        for username, is_rep in (("wangwu", True), ("lisi", False)):
            services.agent_authorise(
                actor=None,
                enterprise=enterprise,
                person=NaturalPerson.objects.get(user__username=username),
                valid_from=dt.date(2026, 1, 1),
                is_legal_representative=is_rep,
            )
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(username="admin", password=DEMO_PASSWORD, kind="staff", display_name="平台管理员")
    _give_contacts(["admin", *(p.username for p in STAFF), *(a.username for a in APPLICANTS)])
    created["license_types"] = load_license_types()
    created["licenses"] = load_business_license()  # 泉城餐饮's 营业执照: its 户外广告 applications fetch it
    created.update(load_catalog())
    return created


def _parent(code: str) -> str | None:
    return validate_region_code(code).parent_code()


def logins() -> list[tuple[str, str]]:
    rows = [("admin", "平台管理员（后台 /admin/）"), ("admin2", "平台管理员（复核发布城市品牌）")]
    rows += [(p.username, f"{p.name} · {p.description}") for p in STAFF]
    rows += [(a.username, f"{a.name} · {a.description} · {contact_of(a.username)[0]}") for a in APPLICANTS]
    rows.append(("zhaoliu", "赵六 · 泰安市泰山区居民（跨域通办：在泰安递交济南的事项）"))
    return rows
