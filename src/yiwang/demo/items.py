"""Demo catalog data (loaded by yiwang.demo.catalog through the services).

Real: item names, item types, competent departments, legal bases and statutory limits, as
cited. Demo values (said so in each 备注): basic codes, committed limits, phones, addresses,
exact material wording, form fields and process step limits. Departments in process
documents are written "@<name>" and resolved to credit codes at load time.
"""

from dataclasses import dataclass, field
from typing import Any

from yiwang.demo.licenses import BY_RESULT as LICENSE_TYPE_BY_RESULT

DEMO_NOTE = "演示数据：基本编码、承诺时限、电话、地址及材料表述为演示值；法律依据与法定时限为真实规定。"
HOTLINE = "12345"
HALL = "济南市政务服务中心（演示地址）"
HOURS = "工作日 上午 9:00–12:00，下午 13:30–17:00（法定节假日除外）"
APPROVAL = "@济南市行政审批服务局"


@dataclass(frozen=True)
class DemoItem:
    basic_code: str
    department: str  # the implementing organ in 济南市, by name
    item: dict[str, Any]
    implementation: dict[str, Any]
    materials: list[dict[str, Any]] = field(default_factory=list)


def _review_decide(department: str, review_days: int, decide_days: int) -> list[dict[str, Any]]:
    return [
        {
            "key": "review",
            "name": "审查",
            "limit_days": review_days,
            "tasks": [
                {
                    "key": "review",
                    "name": "材料审查",
                    "department": department,
                    "role": "reviewer",
                    "limit_days": review_days,
                }
            ],
        },
        {
            "key": "decide",
            "name": "决定",
            "limit_days": decide_days,
            "decides": True,
            "tasks": [
                {
                    "key": "decide",
                    "name": "审批决定",
                    "department": department,
                    "role": "approver",
                    "limit_days": decide_days,
                }
            ],
        },
    ]


def _m(key: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": name, "necessity": "required", "form": "electronic", "source": "applicant", **extra}


BUSINESS_LICENSE = _m(
    "business_license",
    "营业执照",
    source="sharing",
    source_reference="scjg.enterprise_register",  # 市场监管's 市场主体登记信息 (demo/exchange.py)
    acceptance_standard="提交申请时通过数据共享从市场监管部门调取，申请人无需提交；调取不成功的，可上传营业执照",
)
# 户外广告设置许可 takes the 营业执照 from the platform's own e-licenses (免提交, cases.evidence):
# the applicant is asked for it only when no valid one of theirs is found.
BUSINESS_E_LICENSE = _m(
    "business_license",
    "营业执照",
    source="license",
    source_reference=LICENSE_TYPE_BY_RESULT["营业执照"],
    acceptance_standard="平台核发的有效电子营业执照自动调取，申请人无需提交；未找到有效电子证照的，请上传营业执照",
)
COMPANY = DemoItem(
    basic_code="000136001000",
    department="济南市行政审批服务局",
    item={
        "name": "公司设立登记",
        "item_type": "license",
        "competent_department": "市场监督管理局",
        "legal_basis": "《中华人民共和国公司法》（2023年修订）第二十九条；"
        "《中华人民共和国市场主体登记管理条例》第二十一条",
        "service_objects": ["enterprise", "person"],
        "themes": ["enterprise-start", "catering"],
        "keywords": "开公司 注册公司 成立公司 办营业执照 企业开办 开饭店 开餐馆 开办餐饮店一件事",
        "remarks": DEMO_NOTE,
    },
    implementation={
        "exercise_level": "municipal",
        "acceptance_conditions": "申请人为拟设立公司的全体股东（发起人）或其指定的代表、委托的代理人；公司名称、住所、"
        "注册资本、经营范围等符合《公司法》和《市场主体登记管理条例》的规定。",
        "statutory_limit_days": 3,
        "statutory_limit_note": "材料齐全、符合法定形式的当场登记；不能当场登记的，3 个工作日内登记；情形复杂的，"
        "经登记机关负责人批准可再延长 3 个工作日（《市场主体登记管理条例》第二十一条）",
        "committed_limit_days": 0,
        "required_visits": 0,
        "handling_forms": ["window", "pc", "mobile", "mail"],
        "online_depth": 4,
        "cross_region_scope": "province",
        "cross_region_modes": ["online", "proxy"],
        "cross_region_intake": "370000",
        "result_name": "营业执照",
        "license_type_code": LICENSE_TYPE_BY_RESULT["营业执照"],
        "result_sample": "电子营业执照与纸质营业执照具有同等法律效力",
        "consultation_phone": "0531-66601001",
        "complaint_phone": HOTLINE,
        "address": HALL,
        "office_hours": HOURS,
        "faq": [
            {"q": "电子营业执照和纸质执照一样有效吗？", "a": "一样。电子营业执照与纸质营业执照具有同等法律效力。"},
            {"q": "办理公司设立登记收费吗？", "a": "不收费。"},
        ],
        "form_schema": {
            "fields": [
                {"name": "company_name", "label": "公司名称", "type": "text", "required": True, "max_length": 100},
                {
                    "name": "registered_capital",
                    "label": "注册资本（万元）",
                    "type": "decimal",
                    "required": True,
                    "min": "0",
                },
                {"name": "address", "label": "住所", "type": "text", "required": True, "max_length": 200},
                {"name": "legal_rep_id", "label": "法定代表人身份证号", "type": "id_number", "required": True},
                {"name": "business_scope", "label": "经营范围", "type": "textarea", "required": True},
            ]
        },
        "process": {"case_kind": "instant", "stages": []},
        "remarks": DEMO_NOTE + "即办件：材料齐全即当场登记，故承诺时限记为 0 个工作日。",
    },
    materials=[
        _m("application", "公司登记（备案）申请书", acceptance_standard="全体股东签署"),
        _m("shareholders", "全体股东/发起人主体资格证明", form="copy", paper_copies=1),
        _m("premises", "住所使用证明", form="copy", paper_copies=1),
        _m("articles", "公司章程", form="original", paper_copies=1, acceptance_standard="全体股东签署"),
    ],
)

FOOD = DemoItem(
    basic_code="000136019000",
    department="济南市行政审批服务局",
    item={
        "name": "食品经营许可",
        "item_type": "license",
        "competent_department": "市场监督管理局",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》"
        "（国家市场监督管理总局令第78号，2023年12月1日施行）",
        "service_objects": ["enterprise", "person"],
        "themes": ["catering", "market"],
        "keywords": "开饭店 开餐馆 饭店 餐馆 餐厅 饭馆 小吃店 奶茶店 餐饮 食品经营许可证 卖食品 开办餐饮店一件事",
        "remarks": DEMO_NOTE + "食品经营许可证有效期 5 年。",
    },
    implementation={
        "exercise_level": "municipal",
        "acceptance_conditions": "已取得营业执照等合法主体资格；具有与经营的食品品种、数量相适应的经营场所、设备设施、"
        "专职或兼职的食品安全管理人员和保证食品安全的规章制度。",
        "statutory_limit_days": 10,
        "statutory_limit_note": "自受理申请之日起 10 个工作日内作出决定；因特殊原因经负责人批准可延长 5 个工作日"
        "（《食品经营许可和备案管理办法》2023，原 2015 年办法为 20 个工作日）",
        "committed_limit_days": 7,
        "required_visits": 0,
        "handling_forms": ["window", "pc", "mobile"],
        "online_depth": 4,
        "cross_region_scope": "province",
        "cross_region_modes": ["online", "proxy"],
        "cross_region_intake": "370000",
        "result_name": "食品经营许可证",
        "license_type_code": LICENSE_TYPE_BY_RESULT["食品经营许可证"],
        "result_sample": "食品经营许可证（有效期 5 年）",
        "consultation_phone": "0531-66601019",
        "complaint_phone": HOTLINE,
        "address": HALL,
        "office_hours": HOURS,
        "faq": [
            {
                "q": "还需要提交营业执照复印件吗？",
                "a": "不需要。提交申请时，审批部门通过数据共享从市场监管部门的市场主体登记系统调取；"
                "调取不成功的，页面会说明原因，您可以上传营业执照后再提交。",
            },
            {"q": "许可证有效期多久？", "a": "5 年，期满需要继续经营的应在届满前申请延续。"},
        ],
        "form_schema": {
            "fields": [
                {"name": "business_name", "label": "经营者名称", "type": "text", "required": True, "max_length": 100},
                {"name": "address", "label": "经营场所", "type": "text", "required": True, "max_length": 200},
                {
                    "name": "business_items",
                    "label": "经营项目",
                    "type": "multichoice",
                    "required": True,
                    "options": [
                        {"value": "prepackaged", "label": "预包装食品销售"},
                        {"value": "bulk", "label": "散装食品销售"},
                        {"value": "hot_food", "label": "热食类食品制售"},
                        {"value": "cold_food", "label": "冷食类食品制售"},
                        {"value": "drinks", "label": "自制饮品制售"},
                    ],
                },
                {"name": "principal_id", "label": "负责人身份证号", "type": "id_number", "required": True},
                {"name": "by_agent", "label": "委托代理人办理", "type": "boolean"},
            ]
        },
        "process": {"case_kind": "committed", "stages": _review_decide(APPROVAL, 4, 3)},
        "remarks": DEMO_NOTE,
    },
    materials=[
        _m("application", "食品经营许可申请书"),
        BUSINESS_LICENSE,
        _m("layout", "与食品经营相适应的主要设备设施、经营布局、操作流程等文件"),
        _m("rules", "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录"),
        _m(
            "authorisation",
            "授权委托书及代理人身份证明",
            necessity="conditional",
            condition="委托代理人办理的",
            condition_field="by_agent",
        ),
    ],
)

HYGIENE = DemoItem(
    basic_code="000117006000",
    department="济南市卫生健康委员会",
    item={
        "name": "公共场所卫生许可",
        "item_type": "license",
        "competent_department": "卫生健康委员会",
        "legal_basis": "《公共场所卫生管理条例》（2019年修订）第八条；"
        "《公共场所卫生管理条例实施细则》第二十二条、第二十四条",
        "service_objects": ["enterprise", "person"],
        "themes": ["health", "catering"],
        "keywords": "卫生许可证 卫生证 宾馆 酒店 旅店 理发 美容 洗浴 游泳馆 开办餐饮店一件事",
        "remarks": DEMO_NOTE + "公共场所卫生许可证有效期 4 年；可按告知承诺制办理。",
    },
    implementation={
        "exercise_level": "municipal",
        "acceptance_conditions": "属于《公共场所卫生管理条例》所列需要取得卫生许可的公共场所；"
        "具备与经营规模相适应的卫生设施、卫生管理制度和经卫生知识培训的从业人员。",
        "statutory_limit_days": 20,
        "statutory_limit_note": "自受理之日起 20 日内作出决定（《公共场所卫生管理条例实施细则》第二十四条）",
        "committed_limit_days": 10,
        "required_visits": 0,
        "handling_forms": ["window", "pc", "mobile"],
        "online_depth": 4,
        "result_name": "公共场所卫生许可证",
        "license_type_code": LICENSE_TYPE_BY_RESULT["公共场所卫生许可证"],
        "result_sample": "公共场所卫生许可证（有效期 4 年）",
        "consultation_phone": "0531-66601117",
        "complaint_phone": HOTLINE,
        "address": HALL,
        "office_hours": HOURS,
        "faq": [{"q": "可以告知承诺办理吗？", "a": "可以。签署告知承诺书后当场作出许可决定，事后核查。"}],
        "form_schema": {
            "fields": [
                {"name": "venue_name", "label": "场所名称", "type": "text", "required": True},
                {"name": "address", "label": "场所地址", "type": "text", "required": True},
                {
                    "name": "venue_type",
                    "label": "场所类别",
                    "type": "choice",
                    "required": True,
                    "options": [
                        {"value": "hotel", "label": "住宿场所"},
                        {"value": "bath", "label": "沐浴场所"},
                        {"value": "beauty", "label": "美容美发场所"},
                        {"value": "pool", "label": "游泳场所"},
                        {"value": "other", "label": "其他"},
                    ],
                },
                {"name": "area", "label": "营业面积（平方米）", "type": "decimal", "required": True, "min": "1"},
            ]
        },
        "process": {
            "case_kind": "committed",
            "stages": _review_decide("@济南市卫生健康委员会", 6, 4),
            "commitment_allowed": True,
            "commitment_text": "本单位承诺已具备公共场所卫生许可规定的条件，所填信息和提交材料真实有效；"
            "如有虚假承诺，愿承担撤销许可等法律责任，并接受事后核查。",
        },
        "remarks": DEMO_NOTE,
    },
    materials=[
        _m("application", "公共场所卫生许可申请表"),
        BUSINESS_LICENSE,
        _m("layout", "公共场所地址方位示意图、平面图和卫生设施平面布局图"),
        _m("report", "公共场所卫生检测或者评价报告", acceptance_standard="按告知承诺办理的，可在核查时提交"),
        _m("rules", "公共场所卫生管理制度"),
    ],
)

PLANNING = DemoItem(
    basic_code="000112012000",
    department="济南市自然资源和规划局",
    item={
        "name": "建设工程规划许可证核发",
        "item_type": "license",
        "competent_department": "自然资源和规划局",
        "legal_basis": "《中华人民共和国城乡规划法》第四十条",
        "service_objects": ["enterprise"],
        "themes": ["construction"],
        "keywords": "规划许可 盖房子 工程规划证 建设工程 工程建设项目审批 施工前规划审批",
        "remarks": DEMO_NOTE + "工程建设项目审批全流程不超过 120 个工作日，本事项属工程建设许可阶段，并联审查为演示。",
    },
    implementation={
        "exercise_level": "municipal",
        "acceptance_conditions": "已取得建设用地规划许可或土地使用权；建设工程设计方案符合控制性详细规划和规划条件。",
        "statutory_limit_days": 20,
        "statutory_limit_note": "《中华人民共和国行政许可法》第四十二条：20 个工作日",
        "committed_limit_days": 15,
        "required_visits": 1,
        "visits_reason": "核验建设工程设计方案图纸原件并领取纸质许可证",
        "handling_forms": ["window", "pc"],
        "online_depth": 3,
        "result_name": "建设工程规划许可证",
        "license_type_code": LICENSE_TYPE_BY_RESULT["建设工程规划许可证"],
        "consultation_phone": "0531-66601112",
        "complaint_phone": HOTLINE,
        "address": HALL,
        "office_hours": HOURS,
        "faq": [{"q": "消防、人防、交通需要分别申请吗？", "a": "不需要，并联审查，一次提交。"}],
        "form_schema": {
            "fields": [
                {"name": "project_name", "label": "项目名称", "type": "text", "required": True},
                {"name": "project_site", "label": "建设地点", "type": "text", "required": True},
                {
                    "name": "floor_area",
                    "label": "总建筑面积（平方米）",
                    "type": "decimal",
                    "required": True,
                    "min": "1",
                },
            ]
        },
        "process": {
            "case_kind": "committed",
            "stages": [
                {
                    "key": "joint_review",
                    "name": "联合审查",
                    "limit_days": 10,
                    "join": "all",
                    "tasks": [
                        {"key": t, "name": n, "department": d, "role": "reviewer", "limit_days": 10}
                        for t, n, d in (
                            ("planning", "规划审查", "@济南市自然资源和规划局"),
                            ("fire", "消防审查", "@济南市消防救援支队"),
                            ("air_defence", "人防审查", "@济南市人民防空办公室"),
                            ("transport", "交通影响审查", "@济南市交通运输局"),
                        )
                    ],
                },
                {
                    "key": "decide",
                    "name": "决定",
                    "limit_days": 5,
                    "decides": True,
                    "tasks": [
                        {
                            "key": "decide",
                            "name": "审批决定",
                            "department": "@济南市自然资源和规划局",
                            "role": "approver",
                            "limit_days": 5,
                        }
                    ],
                },
            ],
            # 专家评审 (yiwang.reviews): a reviewer requests a randomly drawn panel when needed.
            "expert_review": {
                "panel_size": 3,
                "specialties": ["城乡规划", "建筑结构"],
                "expected_days": 10,
                "conclusion": "majority",
            },
        },
        "remarks": DEMO_NOTE,
    },
    materials=[
        _m("application", "建设工程规划许可证申请表"),
        _m("land", "使用土地的有关证明文件", source="license", source_reference="不动产权证书（电子证照）"),
        _m("design", "建设工程设计方案（总平面图及建筑单体设计图）", form="original", paper_copies=2),
    ],
)

SIGN = DemoItem(
    basic_code="000116003000",
    department="济南市城市管理局",
    item={
        "name": "户外广告设置许可",
        "item_type": "license",
        "competent_department": "城市管理局",
        "legal_basis": "《城市市容和环境卫生管理条例》第十一条",
        "service_objects": ["enterprise", "person"],
        "themes": ["catering", "market"],
        "keywords": "招牌 门头 牌匾 广告牌 店招 设置大型户外广告审批 开饭店 开办餐饮店一件事",
        "remarks": DEMO_NOTE + "主管部门为城市管理局，由市城市管理局实施；申请在市政务服务中心综合窗口受理。",
    },
    implementation={
        "exercise_level": "municipal",
        "acceptance_conditions": "设置位置、规格符合户外广告设置规划；设施结构安全。",
        "statutory_limit_days": 20,
        "statutory_limit_note": "《中华人民共和国行政许可法》第四十二条：20 个工作日",
        "committed_limit_days": 8,
        "required_visits": 0,
        "handling_forms": ["window", "pc", "mobile"],
        "online_depth": 4,
        "result_name": "户外广告设置许可决定书",
        "consultation_phone": "0531-66601116",
        "complaint_phone": HOTLINE,
        "address": HALL,
        "office_hours": HOURS,
        "faq": [{"q": "店面招牌也要申请吗？", "a": "设置大型户外广告需要许可；一般门头招牌按当地规定办理，可先咨询。"}],
        "form_schema": {
            "fields": [
                {"name": "sign_site", "label": "设置地点", "type": "text", "required": True},
                {"name": "sign_size", "label": "面积（平方米）", "type": "decimal", "required": True, "min": "0.1"},
            ]
        },
        "process": {"case_kind": "committed", "stages": _review_decide("@济南市城市管理局", 5, 3)},
        "remarks": DEMO_NOTE,
    },
    materials=[
        _m("application", "户外广告设置申请表"),
        _m("design", "广告设施设计效果图及尺寸说明"),
        _m("site_right", "设置场地使用权证明", form="copy", paper_copies=1),
        BUSINESS_E_LICENSE,
    ],
)

BIRTH = DemoItem(
    basic_code="000117021000",
    department="济南市卫生健康委员会",
    item={
        "name": "生育登记",
        "item_type": "public_service",
        "competent_department": "卫生健康委员会",
        "legal_basis": "《中华人民共和国人口与计划生育法》（2021年修正）；《山东省人口与计划生育条例》",
        "service_objects": ["person"],
        "themes": ["health"],
        "keywords": "生孩子 生娃 准生证 生育服务证 二胎 三孩 怀孕登记",
        "remarks": DEMO_NOTE + "秒批示例：本市户籍且信息核验一致的自动通过（规则为演示）。",
    },
    implementation={
        "exercise_level": "municipal",
        "acceptance_conditions": "夫妻双方至少一方为本市户籍或持有本市居住证。",
        "statutory_limit_days": 1,
        "statutory_limit_note": "公共服务事项，无法定时限，按承诺时限办理",
        "committed_limit_days": 1,
        "required_visits": 0,
        "handling_forms": ["pc", "mobile"],
        "online_depth": 4,
        "result_name": "生育登记回执（电子）",
        "consultation_phone": "0531-66601121",
        "complaint_phone": HOTLINE,
        "address": HALL,
        "office_hours": "全天可网上办理",
        "faq": [{"q": "要跑窗口吗？", "a": "不用，手机上提交，符合条件的秒批。"}],
        "form_schema": {
            "fields": [
                {"name": "mother_id", "label": "女方身份证号", "type": "id_number", "required": True},
                {"name": "father_id", "label": "男方身份证号", "type": "id_number", "required": True},
                {"name": "child_order", "label": "本次生育为第几孩", "type": "integer", "required": True, "min": "1"},
                {"name": "non_resident", "label": "双方均非本市户籍（持本市居住证）", "type": "boolean"},
            ]
        },
        "process": {
            "case_kind": "committed",
            "stages": [
                {
                    "key": "decide",
                    "name": "审核",
                    "limit_days": 1,
                    "decides": True,
                    "tasks": [
                        {
                            "key": "decide",
                            "name": "审核确认",
                            "department": "@济南市卫生健康委员会",
                            "role": "approver",
                            "limit_days": 1,
                        }
                    ],
                }
            ],
            "auto_approval": [
                {
                    # decided on the 户籍 the platform reads (数据共享), not on the applicant's say
                    "name": "申请人为本市户籍且为第一至三孩",
                    "conditions": [
                        {"field": "household.household_address", "op": "startswith", "value": "山东省济南市"},
                        {"field": "child_order", "op": "le", "value": 3},
                    ],
                }
            ],
        },
        "remarks": DEMO_NOTE,
    },
    materials=[
        _m("ids", "夫妻双方居民身份证", source="sharing", source_reference="人口基础信息"),
        _m(
            "household",
            "申请人户口簿",
            source="sharing",
            source_reference="gaj.household_register",
            acceptance_standard="提交申请时通过数据共享调取申请人户籍信息，申请人无需提交；调取不成功的，可上传户口簿",
        ),
        _m("marriage", "结婚证", source="license", source_reference="结婚证（电子证照）"),
        _m(
            "residence_permit",
            "居住证",
            necessity="conditional",
            condition="双方均非本市户籍的",
            condition_field="non_resident",
            source="license",
            source_reference="居住证（电子证照）",
        ),
    ],
)

# 出生医学证明 (首次签发), the second part of 新生儿出生一件事 (demo/bundles_birth.py): 秒批 on the
# 户籍 the platform reads, like 生育登记.
BIRTH_CERT = DemoItem(
    basic_code="000117022000",
    department="济南市卫生健康委员会",
    item={
        "name": "出生医学证明办理",
        "item_type": "public_service",
        "competent_department": "卫生健康委员会",
        "legal_basis": "《中华人民共和国母婴保健法》第二十三条",
        "service_objects": ["person"],
        "themes": ["health"],
        "keywords": "出生证 出生医学证明 新生儿 宝宝出生 新生儿出生一件事",
        "remarks": DEMO_NOTE + "秒批示例：本市户籍且信息核验一致的自动通过（规则为演示）。",
    },
    implementation={
        **{k: BIRTH.implementation[k] for k in ("exercise_level", "required_visits", "handling_forms")},
        **{k: BIRTH.implementation[k] for k in ("online_depth", "complaint_phone", "address", "office_hours")},
        "acceptance_conditions": "新生儿在本市助产机构出生，父母至少一方为本市户籍。",
        "statutory_limit_days": 1,
        "statutory_limit_note": "公共服务事项，无法定时限，按承诺时限办理",
        "committed_limit_days": 1,
        "result_name": "出生医学证明（电子）",
        "consultation_phone": "0531-66601122",
        "faq": [{"q": "纸质出生证怎么领？", "a": "电子证明即时签发；纸质证明可在出生医院领取。"}],
        "form_schema": {
            "fields": [
                {"name": "baby_name", "label": "新生儿姓名", "type": "text", "required": True, "max_length": 40},
                {"name": "birth_date", "label": "出生日期", "type": "date", "required": True},
                {"name": "hospital", "label": "出生医院", "type": "text", "required": True, "max_length": 100},
                {"name": "mother_id", "label": "母亲身份证号", "type": "id_number", "required": True},
                {"name": "father_id", "label": "父亲身份证号", "type": "id_number", "required": True},
            ]
        },
        "process": {
            **BIRTH.implementation["process"],
            "auto_approval": [
                {
                    "name": "申请人为本市户籍",
                    "conditions": [
                        {"field": "household.household_address", "op": "startswith", "value": "山东省济南市"}
                    ],
                }
            ],
        },
        "remarks": DEMO_NOTE,
    },
    materials=[BIRTH.materials[0], BIRTH.materials[1]],  # 身份证, 户口簿: both read by 数据共享
)

DEMO_ITEMS = [COMPANY, FOOD, HYGIENE, PLANNING, SIGN, BIRTH, BIRTH_CERT]

# A second, reviewed version for the history and the diff: (reason, changed elements).
REVISIONS: dict[str, tuple[str, dict[str, Any]]] = {
    FOOD.basic_code: (
        "落实“减时限”要求，承诺办结时限由 7 个工作日压缩为 5 个工作日（演示数据）",
        {"committed_limit_days": 5, "process": {"case_kind": "committed", "stages": _review_decide(APPROVAL, 3, 2)}},
    ),
}
