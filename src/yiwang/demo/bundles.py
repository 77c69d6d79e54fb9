"""The demo bundle 开办餐饮店一件事 (公司设立登记 + 食品经营许可 + 公共场所卫生许可 when the shop
is a public venue + 户外广告设置许可 when it has a sign), published through the catalog
services with four eyes. Loading twice changes nothing."""

from typing import Any

from yiwang.accounts.models import Enterprise, Region, User
from yiwang.cases.models import BundleCase
from yiwang.cases.services import bundles as bundle_services
from yiwang.cases.services import case_accept
from yiwang.catalog import services
from yiwang.catalog.models import Bundle, Implementation
from yiwang.catalog.selectors import bundle_in_force
from yiwang.demo.cases import SHOP_ADDRESS, WANGWU_ID, _upload
from yiwang.demo.items import COMPANY, FOOD, HYGIENE, SIGN
from yiwang.demo.world import ENTERPRISE

RESTAURANT_CODE = "kaiban-canyindian"
JINAN = "370100000000"
_MEMBERS = (
    ("company", COMPANY.basic_code),
    ("food", FOOD.basic_code),
    ("hygiene", HYGIENE.basic_code),
    ("sign", SIGN.basic_code),
)

RESTAURANT_FORM: dict[str, Any] = {
    "fields": [
        {"name": "company_name", "label": "企业（门店）名称", "type": "text", "required": True, "max_length": 100},
        {"name": "address", "label": "经营场所地址", "type": "text", "required": True, "max_length": 200},
        {"name": "registered_capital", "label": "注册资本（万元）", "type": "decimal", "required": True, "min": "0"},
        {"name": "legal_rep_id", "label": "法定代表人（负责人）身份证号", "type": "id_number", "required": True},
        {"name": "business_scope", "label": "经营范围", "type": "textarea", "required": True, "max_length": 1000},
        {
            "name": "business_items",
            "label": "食品经营项目",
            "type": "multichoice",
            "required": True,
            "options": [
                {"value": "prepackaged", "label": "预包装食品销售"},
                {"value": "hot_food", "label": "热食类食品制售"},
                {"value": "cold_food", "label": "冷食类食品制售"},
                {"value": "drinks", "label": "自制饮品制售"},
            ],
        },
        {"name": "by_agent", "label": "由代理人办理", "type": "boolean"},
        {"name": "public_venue", "label": "营业面积较大、设有候餐区（属于需卫生许可的公共场所）", "type": "boolean"},
        {
            "name": "venue_area",
            "label": "营业面积（平方米）",
            "type": "decimal",
            "required": True,
            "min": "0",
            "condition": {"field": "public_venue", "equals": [True]},
        },
        {"name": "has_sign", "label": "设置户外招牌或广告", "type": "boolean"},
        {
            "name": "sign_site",
            "label": "招牌设置位置",
            "type": "text",
            "required": True,
            "max_length": 200,
            "condition": {"field": "has_sign", "equals": [True]},
        },
        {
            "name": "sign_size",
            "label": "招牌面积（平方米）",
            "type": "decimal",
            "required": True,
            "min": "0",
            "condition": {"field": "has_sign", "equals": [True]},
        },
    ]
}


def restaurant_members(codes: dict[str, str]) -> dict[str, Any]:
    """The members document, with each member's implementation code (`codes`: key -> code)."""
    return {
        "members": [
            {
                "key": "company",
                "implementation": codes["company"],
                "label": "公司设立登记（营业执照）",
                "fields": {
                    "company_name": "company_name",
                    "registered_capital": "registered_capital",
                    "address": "address",
                    "legal_rep_id": "legal_rep_id",
                    "business_scope": "business_scope",
                },
            },
            {
                "key": "food",
                "implementation": codes["food"],
                "label": "食品经营许可",
                "fields": {
                    "company_name": "business_name",
                    "address": "address",
                    "business_items": "business_items",
                    "legal_rep_id": "principal_id",
                    "by_agent": "by_agent",
                },
            },
            {
                "key": "hygiene",
                "implementation": codes["hygiene"],
                "label": "公共场所卫生许可",
                "optional": True,
                "condition_field": "public_venue",
                "when": [True],
                "fields": {"company_name": "venue_name", "address": "address", "venue_area": "area"},
                "fixed": {"venue_type": "other"},
            },
            {
                "key": "sign",
                "implementation": codes["sign"],
                "label": "户外广告设置许可",
                "optional": True,
                "condition_field": "has_sign",
                "when": [True],
                "after": ["company"],  # the sign permit needs the business licence the first part issues
                "fields": {"sign_site": "sign_site", "sign_size": "sign_size"},
            },
        ]
    }


RESTAURANT_MATERIALS: dict[str, Any] = {
    "materials": [
        {"key": "company_application", "name": "公司登记（备案）申请书", "serves": {"company": "application"}},
        {"key": "shareholders", "name": "全体股东/发起人主体资格证明", "serves": {"company": "shareholders"}},
        {
            "key": "premises",
            "name": "经营场所使用证明（租赁合同或产权证明）",
            "serves": {"company": "premises", "sign": "site_right"},
        },
        {"key": "articles", "name": "公司章程", "serves": {"company": "articles"}},
        {"key": "food_application", "name": "食品经营许可申请书", "serves": {"food": "application"}},
        {
            "key": "layout",
            "name": "经营场所平面布局图（含设备设施、卫生设施布局）",
            "serves": {"food": "layout", "hygiene": "layout"},
        },
        {"key": "food_rules", "name": "食品安全管理制度目录", "serves": {"food": "rules"}},
        {"key": "authorisation", "name": "授权委托书及代理人身份证明", "serves": {"food": "authorisation"}},
        {"key": "hygiene_application", "name": "公共场所卫生许可申请表", "serves": {"hygiene": "application"}},
        {"key": "hygiene_report", "name": "公共场所卫生检测或者评价报告", "serves": {"hygiene": "report"}},
        {"key": "hygiene_rules", "name": "公共场所卫生管理制度", "serves": {"hygiene": "rules"}},
        {
            "key": "business_license",
            "name": "营业执照（已领取电子营业执照的免交）",
            "serves": {"sign": "business_license"},
        },
        {"key": "sign_application", "name": "户外广告设置申请表", "serves": {"sign": "application"}},
        {"key": "sign_design", "name": "广告设施设计效果图及尺寸说明", "serves": {"sign": "design"}},
    ]
}


def restaurant_codes() -> dict[str, str]:
    """The 济南市 implementation code of each member, by member key (历下区 also implements some)."""
    by_code = dict(
        Implementation.objects.filter(item__basic_code__in=[c for _, c in _MEMBERS], region__code=JINAN).values_list(
            "item__basic_code", "code"
        )
    )
    return {key: by_code[basic_code] for key, basic_code in _MEMBERS}


def restaurant_elements() -> dict[str, Any]:
    return {
        "name": "开办餐饮店一件事",
        "description": "开办一家餐饮店，一次填表、一套材料：营业执照、食品经营许可，"
        "设有候餐区的加办公共场所卫生许可，设置招牌的加办户外广告设置许可，结果统一送达。",
        "service_objects": ["enterprise", "person"],
        "delivery": "together",
        "members": restaurant_members(restaurant_codes()),
        "form": RESTAURANT_FORM,
        "materials": RESTAURANT_MATERIALS,
    }


def load_bundles(*, drafter: User, reviewer: User, region: Region) -> None:
    """Publish 开办餐饮店一件事 once (drafted by `drafter`, published by `reviewer`)."""
    if Bundle.objects.filter(code=RESTAURANT_CODE).exists():
        return
    draft = services.bundle_version_draft(
        actor=drafter,
        code=RESTAURANT_CODE,
        region=region,
        change_kind="add",
        change_reason="按“高效办成一件事”要求，整合开办餐饮店涉及的登记与许可。",
        elements=restaurant_elements(),
    )
    services.bundle_version_submit(actor=drafter, version=draft)
    services.bundle_version_publish(actor=reviewer, version=draft, note="经复核，成员事项均已生效，准予发布。")


DEMO_KEY = "demo-bundle-restaurant"
DEMO_UPLOADS: tuple[str, ...] = ("company_application", "shareholders", "premises", "articles", "food_application")
DEMO_UPLOADS += ("layout", "food_rules", "authorisation", "sign_application", "sign_design")


def load_demo_bundles() -> int:
    """Publish 开办餐饮店一件事 and give lisi (for 泉城餐饮) one bundle in progress: the company
    registered at once (即办件), the sign permit then submitted by itself, the food permit
    waiting at the window. Returns the bundle applications created (0 on a second run)."""

    users = {u.username: u for u in User.objects.filter(username__in=["sd_catalog", "jn_catalog", "lisi", "jn_window"])}
    load_bundles(
        drafter=users["sd_catalog"], reviewer=users["jn_catalog"], region=Region.objects.get(code="370100000000")
    )
    lisi = users["lisi"]
    if BundleCase.objects.filter(applicant=lisi, idempotency_key=DEMO_KEY).exists():
        return 0

    version = bundle_in_force(RESTAURANT_CODE)
    assert version is not None
    form = {
        "company_name": "济南泉城小馆餐饮有限公司",
        "address": SHOP_ADDRESS,
        "registered_capital": "50",
        "legal_rep_id": WANGWU_ID,
        "business_scope": "餐饮服务；食品销售。",
        "business_items": ["hot_food", "drinks"],
        "by_agent": True,
        "public_venue": False,
        "has_sign": True,
        "sign_site": "泉城路188号门头",
        "sign_size": "6",
    }
    enterprise = Enterprise.objects.get(credit_code=ENTERPRISE["credit_code"])
    draft = bundle_services.bundle_draft_save(actor=lisi, bundle_version=version, form_data=form, enterprise=enterprise)
    for key in DEMO_UPLOADS:
        bundle_services.bundle_material_upload(actor=lisi, bundle=draft, material_key=key, upload=_upload(key, key))
    bundle = bundle_services.bundle_submit(actor=lisi, draft=draft, idempotency_key=DEMO_KEY)
    company = bundle.parts.get(bundle_member="company")
    case_accept(actor=users["jn_window"], case=company, opinion="材料齐全，当场办结")  # the sign part follows
    return 1
