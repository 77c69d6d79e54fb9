"""The demo's personal 一件事: 新生儿出生一件事 (生育登记 + 出生医学证明办理), published through
the catalog services with four eyes. Both parts read the parents' 户籍 by 数据共享 and are
秒批 for a 济南 household: nothing to upload when the platform reads them, and the results
arrive at once, together.
Loading twice changes nothing."""

from typing import Any

from yiwang.accounts.models import Region, User
from yiwang.catalog import services
from yiwang.catalog.models import Bundle, Implementation
from yiwang.demo.items import BIRTH, BIRTH_CERT

BIRTH_BUNDLE_CODE = "xinshenger-chusheng"
JINAN = "370100000000"

BIRTH_FORM: dict[str, Any] = {
    "fields": [
        {"name": "baby_name", "label": "新生儿姓名", "type": "text", "required": True, "max_length": 40},
        {"name": "birth_date", "label": "出生日期", "type": "date", "required": True},
        {"name": "hospital", "label": "出生医院", "type": "text", "required": True, "max_length": 100},
        {"name": "mother_id", "label": "母亲身份证号", "type": "id_number", "required": True},
        {"name": "father_id", "label": "父亲身份证号", "type": "id_number", "required": True},
        {"name": "child_order", "label": "本次生育为第几孩", "type": "integer", "required": True, "min": "1"},
    ]
}


def birth_elements() -> dict[str, Any]:
    codes = dict(
        Implementation.objects.filter(
            item__basic_code__in=[BIRTH.basic_code, BIRTH_CERT.basic_code], region__code=JINAN
        ).values_list("item__basic_code", "code")
    )
    return {
        "name": "新生儿出生一件事",
        "description": "宝宝出生后，一次填表、身份证和户口簿由平台调取：生育登记、出生医学证明一并办理，结果统一送达。",
        "service_objects": ["person"],
        "delivery": "together",
        "members": {
            "members": [
                {
                    "key": "registration",
                    "implementation": codes[BIRTH.basic_code],
                    "label": "生育登记",
                    "fields": {"mother_id": "mother_id", "father_id": "father_id", "child_order": "child_order"},
                },
                {
                    "key": "certificate",
                    "implementation": codes[BIRTH_CERT.basic_code],
                    "label": "出生医学证明",
                    "fields": {
                        "baby_name": "baby_name",
                        "birth_date": "birth_date",
                        "hospital": "hospital",
                        "mother_id": "mother_id",
                        "father_id": "father_id",
                    },
                },
            ]
        },
        "form": BIRTH_FORM,
        # read by 数据共享 at submission; asked for only when the platform cannot read them
        "materials": {
            "materials": [
                {
                    "key": "ids",
                    "name": "夫妻双方居民身份证（数据共享调取成功的免交）",
                    "serves": {"registration": "ids", "certificate": "ids"},
                },
                {
                    "key": "household",
                    "name": "申请人户口簿（数据共享调取成功的免交）",
                    "serves": {"registration": "household", "certificate": "household"},
                },
            ]
        },
    }


def load_birth_bundle() -> int:
    """Publish 新生儿出生一件事 once (sd_catalog drafts, jn_catalog publishes); 1 if published now."""
    if Bundle.objects.filter(code=BIRTH_BUNDLE_CODE).exists():
        return 0
    drafter, reviewer = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog")
    draft = services.bundle_version_draft(
        actor=drafter,
        code=BIRTH_BUNDLE_CODE,
        region=Region.objects.get(code=JINAN),
        change_kind="add",
        change_reason="按“高效办成一件事”要求，整合新生儿出生涉及的登记与证明。",
        elements=birth_elements(),
    )
    services.bundle_version_submit(actor=drafter, version=draft)
    services.bundle_version_publish(actor=reviewer, version=draft, note="经复核，成员事项均已生效，准予发布。")
    return 1
