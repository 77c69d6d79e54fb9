"""The demo's API client: 市场监管's 食品安全监管系统 (审管联动, 查询互认), through the services.

- 行政审批服务局 publishes its 行政许可决定信息 (`xzsp.license_decisions`, the platform's own
  decisions: `platform:decisions`) and its 电子证照信息 (`xzsp.e_licenses`, the platform's
  e-licenses: `platform:licenses`); 市场监管 asks for both for 食品经营许可 and 行政审批服务局
  approves: the regulator's system reads decisions under one grant and checks a license's
  current status under the other instead of asking the business for a paper copy (查询互认).
- `jn_market_data` registers the client 食品安全监管系统 for 市场监管; its client id and both
  secrets are written once to <YIWANG_DATA_DIR>/demo-api-client.json (mode 0600), the only
  place they are ever shown, so the demo's receiver and a curl session can use them.
- The client subscribes to `case.decided` for 食品经营许可 (000136019000), pushed to the local
  receiver (`python -m yiwang.exchange.devreceiver --port 8032 --secret-file …`) at
  http://127.0.0.1:8032/webhooks/yiwang (YIWANG_DEMO_RECEIVER_PORT to change the port).

Idempotent: each step is skipped when already done.
"""

import json
import os
from pathlib import Path
from typing import Any

from yiwang.accounts.models import Department, User
from yiwang.demo.exchange import FOOD_LICENSE
from yiwang.exchange import services, webhooks
from yiwang.exchange.client_models import ApiClient, EventKind, Subscription
from yiwang.exchange.clients import client_register
from yiwang.exchange.models import DataResource, Demand

CLIENT_NAME = "食品安全监管系统"
REGULATOR = "济南市市场监督管理局"
APPROVAL = "济南市行政审批服务局"
DECISIONS = "xzsp.license_decisions"
E_LICENSES = "xzsp.e_licenses"
CREDENTIALS_FILE = "demo-api-client.json"
RECEIVER_PATH = "/webhooks/yiwang"


def _f(key: str, label: str, kind: str, sensitivity: str) -> dict[str, str]:
    return {"key": key, "label": label, "type": kind, "sensitivity": sensitivity}


DECISIONS_RESOURCE: dict[str, Any] = {
    "code": DECISIONS,
    "name": "行政许可决定信息",
    "description": (
        "行政审批服务局作出的行政许可决定（办件编号、事项、被许可人、决定、证照编号），供审管联动。"
        "按被许可人的统一社会信用代码（企业）或居民身份证号（个人）查询其最新的决定。"
    ),
    "fields": [
        _f("case_number", "办件编号", "string", "public"),
        _f("item_name", "许可事项", "string", "public"),
        _f("holder_name", "被许可人名称", "string", "public"),
        _f("holder_credit_code", "统一社会信用代码", "string", "public"),
        _f("decision", "许可决定", "string", "public"),
        _f("decided_on", "决定日期", "date", "public"),
        _f("license_number", "许可证编号", "string", "public"),
        _f("contact_phone", "联系电话", "string", "personal"),
    ],
    "sharing_class": "conditional",
    "not_shared_basis": "",
    "update_frequency": "realtime",
    "system": "platform:decisions",
}
GRANTED = ["case_number", "item_name", "holder_name", "holder_credit_code", "decision", "decided_on", "license_number"]
E_LICENSES_RESOURCE: dict[str, Any] = {
    "code": E_LICENSES,
    "name": "电子证照信息",
    "description": (
        "行政审批服务局签发的电子证照及其当前状态。按电子证照标识查询该证照（含已暂停、已撤销等状态），"
        "或按持证主体的统一社会信用代码、居民身份证号查询其最新的有效证照，供查询互认。"
    ),
    "fields": [
        _f("identifier", "电子证照标识", "string", "public"),
        _f("number", "证照编号", "string", "public"),
        _f("type_name", "证照名称", "string", "public"),
        _f("issuer", "发证机关", "string", "public"),
        _f("holder_name", "持证主体名称", "string", "personal"),
        _f("holder_credit_code", "统一社会信用代码", "string", "public"),
        _f("valid_from", "有效期起", "date", "public"),
        _f("valid_until", "有效期至", "date", "public"),
        _f("status", "证照状态", "string", "public"),
    ],
    "sharing_class": "conditional",
    "not_shared_basis": "",
    "update_frequency": "realtime",
    "system": "platform:licenses",
}


def receiver_url() -> str:
    port = int(os.environ.get("YIWANG_DEMO_RECEIVER_PORT", "8032"))
    return f"http://127.0.0.1:{port}{RECEIVER_PATH}"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _department(name: str) -> Department:
    return Department.objects.get(name=name)


def _publish(values: dict[str, Any]) -> DataResource | None:
    """The approval department's resource, unless it is published already."""
    if DataResource.objects.filter(code=values["code"]).exists():
        return None
    return services.resource_publish(actor=_user("jn_approval_data"), provider=_department(APPROVAL), values=values)


def _granted(code: str, **demand: Any) -> bool:
    """市场监管's demand on `code`, filed and approved, unless it has one already."""
    resource = DataResource.objects.get(code=code)
    regulator = _department(REGULATOR)
    if Demand.objects.filter(consumer=regulator, resource=resource).exists():
        return False
    filed = services.demand_file(
        actor=_user("jn_market_data"), consumer=regulator, resource_id=resource.pk, items=[FOOD_LICENSE], **demand
    )
    services.demand_approve(actor=_user("jn_approval_data"), demand_id=filed.pk, answer="同意，用于审管联动。")
    return True


def _grant_approval_data() -> dict[str, int]:
    """行政许可决定信息 and 电子证照信息, published and granted to 市场监管 for 食品经营许可;
    how many resources and demands were new."""
    resources = sum(_publish(values) is not None for values in (DECISIONS_RESOURCE, E_LICENSES_RESOURCE))
    demands = _granted(
        DECISIONS,
        fields=GRANTED,
        purpose="食品经营许可作出后纳入日常监管（审管联动），核对被许可企业与许可证",
        legal_basis="《国务院关于加强和规范事中事后监管的指导意见》；《食品经营许可和备案管理办法》",
    ) + _granted(
        E_LICENSES,
        fields=[spec["key"] for spec in E_LICENSES_RESOURCE["fields"]],
        purpose="日常监督检查中核验食品经营许可证的真实性和当前状态，经营者免于提供纸质许可证复印件（查询互认）",
        legal_basis="《优化营商环境条例》第三十五条；《食品经营许可和备案管理办法》第五十二条",
    )
    return {"resources": resources, "demands": demands}


def load_clients(credentials_dir: Path) -> dict[str, int]:
    """The regulator's grants, client and subscription, whichever are missing."""
    created = {**_grant_approval_data(), "clients": 0, "subscriptions": 0}
    regulator = _department(REGULATOR)
    client = ApiClient.objects.filter(department=regulator, name=CLIENT_NAME).first()
    if client is None:
        registered = client_register(actor=_user("jn_market_data"), department=regulator, name=CLIENT_NAME)
        client = registered.client
        credentials_dir.mkdir(parents=True, exist_ok=True)
        path = credentials_dir / CREDENTIALS_FILE
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(
            json.dumps(
                {
                    "client": f"{REGULATOR} · {CLIENT_NAME}",
                    "client_id": registered.client_id,
                    "client_secret": registered.client_secret,
                    "webhook_secret": registered.webhook_secret,
                    "token_url": "/api/v1/oauth/token",
                    "receiver_url": receiver_url(),
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        created["clients"] = 1
    if not Subscription.objects.filter(client=client, event=EventKind.CASE_DECIDED, item_code=FOOD_LICENSE).exists():
        webhooks.subscription_create(
            client=client, event=EventKind.CASE_DECIDED, target_url=receiver_url(), item_code=FOOD_LICENSE
        )
        created["subscriptions"] = 1
    return created
