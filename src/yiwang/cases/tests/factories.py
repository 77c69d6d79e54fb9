"""Catalog rows the case tests need (until the demo catalog lands), and file samples.

`version(...)` builds a published ImplementationVersion with its item, implementation and
materials; traits pick a process shape: committed (review + decision), parallel (并联审批 of
four departments joined by `join`), instant (即办件), commitment (告知承诺), auto (秒批).
"""

import datetime as dt
import io
import zipfile
from typing import Any

import factory
from django.utils import timezone

from yiwang.accounts.models import Department, User
from yiwang.catalog.models import (
    ChangeKind,
    Implementation,
    ImplementationVersion,
    ItemType,
    ItemVersion,
    Material,
    MaterialForm,
    MaterialSource,
    Necessity,
    ServiceItem,
    VersionStatus,
)

PUBLISHED_AT = timezone.make_aware(dt.datetime(2025, 1, 1, 8, 0))


def dept(key: str) -> Department:
    from yiwang.demo.world import DEPARTMENTS

    name = next(d[1] for d in DEPARTMENTS if d[0] == key)
    return Department.objects.get(name=name)


def user(username: str) -> User:
    return User.objects.get(username=username)


FORM = {
    "fields": [
        {"name": "shop_name", "label": "店铺名称", "type": "text", "required": True, "max_length": 60},
        {"name": "area", "label": "经营面积（平方米）", "type": "decimal", "required": True, "min": "1"},
        {"name": "has_kitchen", "label": "是否设置后厨", "type": "boolean"},
        {"name": "rented", "label": "经营场所是否租赁", "type": "boolean"},
    ]
}
GOOD_DATA: dict[str, Any] = {"shop_name": "泉城小馆", "area": "80", "has_kitchen": True, "rented": False}


def stage(key: str, name: str, tasks: list[dict[str, Any]], *, limit: int, decides: bool = False, **extra: Any) -> dict:
    return {"key": key, "name": name, "tasks": tasks, "limit_days": limit, "decides": decides, **extra}


def task(key: str, name: str, department: str, role: str, limit: int) -> dict[str, Any]:
    return {"key": key, "name": name, "department": dept(department).credit_code, "role": role, "limit_days": limit}


def committed_process() -> dict[str, Any]:
    return {
        "case_kind": "committed",
        "stages": [
            stage("review", "审查", [task("review", "材料审查", "jn_approval", "reviewer", 8)], limit=10),
            stage("decide", "决定", [task("decide", "审批决定", "jn_approval", "approver", 5)], limit=5, decides=True),
        ],
    }


def decision_only_process(**extra: Any) -> dict[str, Any]:
    return {
        "case_kind": "committed",
        "stages": [
            stage("decide", "决定", [task("decide", "审批决定", "jn_approval", "approver", 10)], limit=10, decides=True)
        ],
        **extra,
    }


def parallel_process(join: str = "all", quorum: int | None = None) -> dict[str, Any]:
    joint = stage(
        "joint",
        "并联审查",
        [
            task("planning", "规划审查", "jn_planning", "reviewer", 10),
            task("fire", "消防审查", "jn_fire", "reviewer", 8),
            task("air_defence", "人防审查", "jn_air_defence", "reviewer", 8),
            task("transport", "交通审查", "jn_transport", "reviewer", 6),
        ],
        limit=10,
        join=join,
        quorum=quorum,
    )
    decide = stage("decide", "决定", [task("decide", "审批决定", "jn_approval", "approver", 5)], limit=5, decides=True)
    return {"case_kind": "committed", "stages": [joint, decide]}


COMMITMENT_TEXT = "本人承诺所填报信息及所附材料真实有效，经营场所符合卫生规范；如有虚假，愿承担撤销许可等法律责任。"


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    basic_code = factory.Sequence(lambda n: f"{n:012d}")


class ItemVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemVersion

    item = factory.SubFactory(ServiceItemFactory)
    number = 1
    status = VersionStatus.PUBLISHED
    change_kind = ChangeKind.ADD
    change_reason = "测试"
    valid_from = PUBLISHED_AT
    drafted_by = factory.LazyFunction(lambda: user("sd_catalog"))
    created_at = PUBLISHED_AT
    published_at = PUBLISHED_AT
    name = "食品经营许可"
    item_type = ItemType.LICENSE
    competent_department = "市场监督管理部门"
    legal_basis = "《中华人民共和国食品安全法》第三十五条"


class ImplementationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Implementation

    item = factory.SubFactory(ServiceItemFactory)
    department = factory.LazyFunction(lambda: dept("jn_approval"))
    region = factory.LazyAttribute(lambda o: o.department.region)
    code = factory.Sequence(lambda n: f"IMPL{n:08d}")


class ImplementationVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementationVersion
        skip_postgeneration_save = True

    class Params:
        parallel = factory.Trait(process=factory.LazyFunction(parallel_process))
        instant = factory.Trait(
            process={"case_kind": "instant", "stages": []}, statutory_limit_days=0, committed_limit_days=0
        )
        commitment = factory.Trait(
            process=factory.LazyFunction(
                lambda: {
                    **committed_process(),
                    "commitment_allowed": True,
                    "commitment_text": COMMITMENT_TEXT,
                    "inspection_limit_days": 20,
                }
            )
        )
        auto = factory.Trait(
            process=factory.LazyFunction(
                lambda: {
                    **committed_process(),
                    "auto_approval": [
                        {
                            "name": "小型无后厨门店",
                            "conditions": [
                                {"field": "area", "op": "le", "value": 100},
                                {"field": "has_kitchen", "op": "false"},
                            ],
                        }
                    ],
                }
            )
        )

    implementation = factory.SubFactory(ImplementationFactory)
    item_version = factory.SubFactory(ItemVersionFactory, item=factory.SelfAttribute("..implementation.item"))
    number = 1
    status = VersionStatus.PUBLISHED
    change_kind = ChangeKind.ADD
    change_reason = "测试"
    valid_from = PUBLISHED_AT
    drafted_by = factory.LazyFunction(lambda: user("sd_catalog"))
    created_at = PUBLISHED_AT
    published_at = PUBLISHED_AT
    exercise_level = "3"
    acceptance_conditions = "材料齐全、符合法定形式"
    statutory_limit_days = 20
    committed_limit_days = 15
    required_visits = 0
    handling_forms = ["pc", "window"]
    online_depth = 4
    result_name = "食品经营许可证"
    consultation_phone = "0531-12345"
    complaint_phone = "0531-12315"
    address = "济南市市民服务中心"
    office_hours = "工作日 9:00-17:00"
    form_schema = FORM
    process = factory.LazyFunction(committed_process)

    @factory.post_generation
    def materials(obj: ImplementationVersion, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        specs = extracted if extracted is not None else DEFAULT_MATERIALS
        for index, spec in enumerate(specs):
            Material.objects.create(version=obj, sort_order=index, form=MaterialForm.ELECTRONIC, **spec)


DEFAULT_MATERIALS: list[dict[str, Any]] = [
    {
        "key": "application",
        "name": "食品经营许可申请书",
        "necessity": Necessity.REQUIRED,
        "source": MaterialSource.APPLICANT,
    },
    {
        "key": "layout",
        "name": "设备布局和工艺流程图",
        "necessity": Necessity.REQUIRED,
        "source": MaterialSource.APPLICANT,
    },
    {"key": "business_license", "name": "营业执照", "necessity": Necessity.REQUIRED, "source": MaterialSource.SHARING},
    {
        "key": "lease",
        "name": "场所租赁合同",
        "necessity": Necessity.CONDITIONAL,
        "condition_field": "rented",
        "source": MaterialSource.APPLICANT,
    },
    {"key": "rules", "name": "食品安全管理制度", "necessity": Necessity.OPTIONAL, "source": MaterialSource.APPLICANT},
]

# --- file samples ----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()
