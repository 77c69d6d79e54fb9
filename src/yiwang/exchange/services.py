"""Data-sharing state changes: resources, demands, grants (docs/exchange.md).

Each service is one durable transaction: the policy check, the row lock, the move through
the transition table (workflow.py), an `ExchangeEvent` and a ledger entry whose public
payload names the resource, demand or grant and the new status (departments are public
bodies; a steward's reason is in the leaf only as a salted commitment). The stewards on the
other side get a notice. The daily jobs lapse unanswered demands and expire grants.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from yiwang.accounts.models import Department, Role, StaffRole, User
from yiwang.catalog.selectors import unknown_basic_codes
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.exchange import rules
from yiwang.exchange.models import (
    DataResource,
    Demand,
    DemandSerial,
    ExchangeEvent,
    Grant,
    SharingClass,
    UpdateFrequency,
)
from yiwang.exchange.policy import require_demand_action, require_grant_action, require_resource_action
from yiwang.exchange.workflow import (
    DemandAction,
    DemandStatus,
    GrantAction,
    GrantStatus,
    ResourceAction,
    ResourceStatus,
    demand_next_status,
    grant_next_status,
    resource_next_status,
)
from yiwang.ledger.events import Domain, ExchangeVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.notifications.services import messages_enqueue_batch

V = ExchangeVerb
REASON_MAX = 1000
_RESOURCE_VERBS = {
    ResourceAction.PUBLISH: V.RESOURCE_PUBLISHED,
    ResourceAction.AMEND: V.RESOURCE_AMENDED,
    ResourceAction.RETIRE: V.RESOURCE_RETIRED,
}
_DEMAND_VERBS = {
    DemandAction.FILE: V.DEMAND_FILED,
    DemandAction.APPROVE: V.DEMAND_APPROVED,
    DemandAction.REFUSE: V.DEMAND_REFUSED,
    DemandAction.LAPSE: V.DEMAND_LAPSED,
    DemandAction.WITHDRAW: V.DEMAND_WITHDRAWN,
}
_GRANT_VERBS = {
    GrantAction.SUSPEND: V.GRANT_SUSPENDED,
    GrantAction.RESUME: V.GRANT_RESUMED,
    GrantAction.REVOKE: V.GRANT_REVOKED,
    GrantAction.EXPIRE: V.GRANT_EXPIRED,
}


def _event(
    verb: ExchangeVerb,
    *,
    actor: User | None,
    resource: DataResource,
    payload: dict[str, Any],
    demand: Demand | None = None,
    grant: Grant | None = None,
    reason: str = "",
) -> ExchangeEvent:
    subject = f"grant:{grant.pk}" if grant else f"demand:{demand.number}" if demand else f"resource:{resource.code}"
    entry = ledger_append(
        kind=event_type(Domain.EXCHANGE, verb).kind,
        subject=subject,
        payload=payload,
        personal={"reason": reason} if reason else {},
    )
    return ExchangeEvent.objects.create(
        verb=verb,
        actor=actor,
        subject=subject,
        resource=resource,
        demand=demand,
        grant=grant,
        payload=payload,
        reason=reason,
        at=clock.now(),
        ledger_entry_id=entry.pk,
    )


def _reason(value: str, *, field: str = "reason", label: str = "理由", required: bool = True) -> str:
    value = (value or "").strip()
    errors = rules.text_errors(field, label, value, required=required, max_length=REASON_MAX)
    if errors:
        raise ValidationFailed({field: errors})
    return value


def _notify(department_id: int, subject: str, body: str, reference: str) -> None:
    """An in-app notice to every data steward of the department."""
    stewards = StaffRole.objects.filter(role=Role.DATA_STEWARD, department_id=department_id).select_related("user")
    messages_enqueue_batch(batch=[(r.user, subject, body) for r in stewards], reference=reference)


# --- resources ------------------------------------------------------------------------------


_RESOURCE_LABELS = {
    "code": "资源代码",
    "name": "资源名称",
    "description": "资源摘要",
    "fields": "信息项",
    "sharing_class": "共享类型",
    "not_shared_basis": "不予共享依据",
    "update_frequency": "更新周期",
    "system": "提供系统",
}


def _resource_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, problems: list[str]) -> None:
        if problems:
            errors[field] = problems

    code = values.get("code", "")
    if not isinstance(code, str) or not rules.RESOURCE_CODE.match(code):
        add("code", ["资源代码：以小写字母开头，由小写字母、数字和 . _ - 组成，3–60 个字符"])
    add("name", rules.text_errors("name", "资源名称", values.get("name", ""), required=True, max_length=100))
    add(
        "description",
        rules.text_errors("description", "资源摘要", values.get("description", ""), required=False, max_length=2000),
    )
    add("fields", rules.resource_fields_errors(values.get("fields")))
    sharing = values.get("sharing_class")
    if sharing not in SharingClass.values:
        add("sharing_class", [f"共享类型：应为 {'、'.join(SharingClass.labels)} 之一"])
    basis = values.get("not_shared_basis", "")
    add(
        "not_shared_basis",
        rules.text_errors(
            "not_shared_basis", "不予共享依据", basis, required=sharing == SharingClass.NOT_SHARED, max_length=500
        ),
    )
    if values.get("update_frequency") not in UpdateFrequency.values:
        add("update_frequency", [f"更新周期：应为 {'、'.join(UpdateFrequency.labels)} 之一"])
    system = values.get("system", "")
    if not isinstance(system, str) or not rules.SYSTEM_CODE.match(system):
        add("system", ["提供系统：以小写字母开头，由小写字母、数字和 . _ : - 组成，2–60 个字符"])
    return errors


def _resource_payload(resource: DataResource) -> dict[str, Any]:
    return {
        "resource": resource.code,
        "provider": resource.provider.credit_code,
        "status": resource.status,
        "sharing_class": resource.sharing_class,
        "fields": resource.field_keys(),
    }


def resource_publish(*, actor: User, provider: Department, values: Mapping[str, Any]) -> DataResource:
    """Publish a new data resource of `provider` (values: the keys of _RESOURCE_LABELS)."""
    require_resource_action(actor, provider, ResourceAction.PUBLISH)
    unknown = set(values) - set(_RESOURCE_LABELS)
    if unknown:
        raise ValidationFailed({sorted(unknown)[0]: [f"未知的属性：{sorted(unknown)[0][:40]}"]})
    errors = _resource_errors(values)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        if DataResource.objects.filter(code=values["code"]).exists():
            raise ValidationFailed({"code": [f"资源代码：{values['code']} 已被使用"]})
        resource = DataResource(provider=provider, published_at=clock.now(), **values)
        resource.status = resource_next_status(None, ResourceAction.PUBLISH)
        resource.save()
        _event(V.RESOURCE_PUBLISHED, actor=actor, resource=resource, payload=_resource_payload(resource))
    return resource


def _locked_resource(resource_id: int) -> DataResource:
    resource = DataResource.objects.select_for_update().select_related("provider").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound("数据资源不存在。")
    return resource


def _open_grants(resource: DataResource) -> list[Grant]:
    open_states = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
    return list(Grant.objects.select_for_update().filter(resource=resource, status__in=open_states).order_by("id"))


def resource_amend(*, actor: User, resource_id: int, changes: Mapping[str, Any], reason: str) -> DataResource:
    """Change a published resource. A field a live grant uses cannot be removed, and a resource
    with live grants cannot become 不予共享: revoke those grants first."""
    reason = _reason(reason, field="reason", label="变更理由")
    with transaction.atomic(durable=True):
        resource = _locked_resource(resource_id)
        require_resource_action(actor, resource.provider, ResourceAction.AMEND)
        editable = set(_RESOURCE_LABELS) - {"code"}
        unknown = set(changes) - editable
        if unknown:
            raise ValidationFailed({sorted(unknown)[0]: [f"不能修改的属性：{sorted(unknown)[0][:40]}"]})
        values = {key: getattr(resource, key) for key in _RESOURCE_LABELS} | dict(changes)
        errors = _resource_errors(values)
        if errors:
            raise ValidationFailed(errors)
        live = _open_grants(resource)
        keys = {spec["key"] for spec in values["fields"]}
        used = sorted({k for grant in live for k in grant.fields} - keys)
        if used:
            raise ValidationFailed(
                {"fields": [f"信息项：{'、'.join(used)} 仍在有效的共享授权中使用，请先撤销相关授权"]}
            )
        if live and values["sharing_class"] == SharingClass.NOT_SHARED:
            raise ValidationFailed(
                {"sharing_class": [f"共享类型：仍有 {len(live)} 项有效的共享授权，请先撤销后再改为不予共享"]}
            )
        for key in editable:
            setattr(resource, key, values[key])
        resource.status = resource_next_status(resource.status, ResourceAction.AMEND)
        resource.save()
        _event(V.RESOURCE_AMENDED, actor=actor, resource=resource, payload=_resource_payload(resource), reason=reason)
    return resource


def resource_retire(*, actor: User, resource_id: int, reason: str) -> DataResource:
    """Retire a resource: its live grants are revoked and its open demands refused, each with
    its own event, in the same transaction."""
    reason = _reason(reason, field="reason", label="停用理由")
    with transaction.atomic(durable=True):
        resource = _locked_resource(resource_id)
        require_resource_action(actor, resource.provider, ResourceAction.RETIRE)
        resource.status = resource_next_status(resource.status, ResourceAction.RETIRE)
        resource.save(update_fields=["status"])
        _event(V.RESOURCE_RETIRED, actor=actor, resource=resource, payload=_resource_payload(resource), reason=reason)
        why = f"数据资源已停用：{reason}"
        for grant in _open_grants(resource):
            _move_grant(grant, GrantAction.REVOKE, actor=actor, reason=why)
        for demand in Demand.objects.select_for_update().filter(resource=resource, status=DemandStatus.FILED):
            _answer(demand, DemandAction.REFUSE, actor=actor, answer=why)
    return resource


# --- demands --------------------------------------------------------------------------------


def _next_number(today: dt.date) -> str:
    row, _ = DemandSerial.objects.get_or_create(year=today.year)
    row = DemandSerial.objects.select_for_update().get(pk=row.pk)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return f"XQ{today.year}-{row.last_value:06d}"


def answer_due(filed_on: dt.date) -> dt.date:
    """The day a demand filed on `filed_on` must be answered by (working days, settings)."""
    return working_calendar().add_working_days(filed_on, settings.EXCHANGE_DEMAND_ANSWER_DAYS)


def _demand_payload(demand: Demand) -> dict[str, Any]:
    return {
        "demand": demand.number,
        "resource": demand.resource.code,
        "consumer": demand.consumer.credit_code,
        "status": demand.status,
        "fields": list(demand.fields),
        "items": list(demand.items),
    }


def demand_file(
    *,
    actor: User,
    consumer: Department,
    resource_id: int,
    fields: list[str],
    purpose: str,
    legal_basis: str,
    items: list[str],
    valid_until: dt.date | None = None,
) -> Demand:
    """File a demand for `resource_id` on behalf of `consumer` (the actor is its data steward).

    For an unconditional resource the platform approves it at once (the grant is made in the
    same transaction); a resource that is not shared cannot be asked for (its legal basis is
    quoted); nor can a department ask for its own resource."""
    errors: dict[str, list[str]] = {}
    for field, label, value, limit in (("purpose", "用途", purpose, 500), ("legal_basis", "依据", legal_basis, 500)):
        problems = rules.text_errors(field, label, value, required=True, max_length=limit)
        if problems:
            errors[field] = problems
    if rules.items_errors(items):
        errors["items"] = rules.items_errors(items)
    today = clock.today()
    if valid_until is not None and valid_until <= today:
        errors["valid_until"] = ["申请使用期限：应晚于今天"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        resource = DataResource.objects.select_for_update().select_related("provider").filter(pk=resource_id).first()
        if resource is None or resource.status != ResourceStatus.PUBLISHED:
            raise ValidationFailed({"resource": ["数据资源：不存在或已停用"]})
        demand = Demand(
            resource=resource,
            consumer=consumer,
            fields=fields,
            purpose=purpose.strip(),
            legal_basis=legal_basis.strip(),
            items=items,
            valid_until=valid_until,
        )
        require_demand_action(actor, demand, DemandAction.FILE)
        problems = rules.chosen_fields_errors("申请信息项", fields, resource.field_keys())
        if problems:
            raise ValidationFailed({"fields": problems})
        unknown = unknown_basic_codes(items)
        if unknown:
            raise ValidationFailed({"items": [f"服务事项：基本编码 {unknown[0]} 不在事项库中"]})
        if resource.sharing_class == SharingClass.NOT_SHARED:
            raise ValidationFailed(
                {"resource": [f"数据资源：{resource.name}不予共享（依据：{resource.not_shared_basis}）"]}
            )
        if resource.provider_id == consumer.pk:
            raise ValidationFailed({"resource": ["数据资源：本部门的数据资源无需申请共享"]})
        if Demand.objects.filter(resource=resource, consumer=consumer, status=DemandStatus.FILED).exists():
            raise Conflict("本部门对该数据资源已有待答复的共享需求。", rule="duplicate")
        live = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
        if Grant.objects.filter(resource=resource, consumer=consumer, status__in=live).exists():
            raise Conflict(
                "本部门对该数据资源已有共享授权；如需更多信息项，请先由提供部门撤销原授权或另行协商。", rule="duplicate"
            )
        demand.filed_by = actor
        demand.number = _next_number(today)
        demand.filed_at = clock.now()
        demand.due_on = answer_due(today)
        demand.status = demand_next_status(None, DemandAction.FILE)
        demand.save()
        _event(V.DEMAND_FILED, actor=actor, resource=resource, demand=demand, payload=_demand_payload(demand))
        if resource.sharing_class == SharingClass.UNCONDITIONAL:
            _answer(demand, DemandAction.APPROVE, actor=None, answer="无条件共享资源，平台自动同意。")
        else:
            _notify(
                resource.provider_id,
                f"新的共享需求 {demand.number}",
                f"{consumer.name}申请共享“{resource.name}”，请于 {demand.due_on:%Y年%m月%d日} 前答复。",
                f"demand:{demand.number}",
            )
    return demand


def _locked_demand(demand_id: int) -> Demand:
    demand = (
        Demand.objects.select_for_update().select_related("resource__provider", "consumer").filter(pk=demand_id).first()
    )
    if demand is None:
        raise NotFound("共享需求不存在。")
    return demand


def _answer(
    demand: Demand,
    action: DemandAction,
    *,
    actor: User | None,
    answer: str,
    fields: list[str] | None = None,
    valid_until: dt.date | None = None,
) -> Grant | None:
    """Move a filed demand; approval makes its grant. Inside the caller's transaction."""
    demand.status = demand_next_status(demand.status, action)
    demand.answered_at = clock.now()
    demand.answer = answer
    demand.save(update_fields=["status", "answered_at", "answer"])
    grant = None
    if action == DemandAction.APPROVE:
        grant = Grant(
            resource=demand.resource,
            consumer=demand.consumer,
            demand=demand,
            fields=fields if fields is not None else list(demand.fields),
            purpose=demand.purpose,
            valid_from=clock.today(),
            valid_until=valid_until or demand.valid_until,
            status_since=demand.answered_at,
        )
        grant.status = grant_next_status(None, GrantAction.GRANT)
        grant.save()
    payload = _demand_payload(demand) | ({"grant": grant.pk, "granted_fields": grant.fields} if grant else {})
    _event(
        _DEMAND_VERBS[action],
        actor=actor,
        resource=demand.resource,
        demand=demand,
        grant=grant,
        payload=payload,
        reason=answer,
    )
    if action != DemandAction.WITHDRAW:
        _notify(
            demand.consumer_id,
            f"共享需求 {demand.number}：{demand.get_status_display()}",
            f"“{demand.resource.name}”的共享需求{demand.get_status_display()}。{answer}",
            f"demand:{demand.number}",
        )
    return grant


def demand_approve(
    *,
    actor: User,
    demand_id: int,
    fields: list[str] | None = None,
    valid_until: dt.date | None = None,
    answer: str = "",
) -> Grant:
    """Approve a demand, with all its fields or fewer (then the answer says why), and a
    validity no longer than asked."""
    with transaction.atomic(durable=True):
        demand = _locked_demand(demand_id)
        require_demand_action(actor, demand, DemandAction.APPROVE)
        fields = list(demand.fields) if fields is None else fields
        problems = rules.chosen_fields_errors("授权信息项", fields, demand.fields)
        if problems:
            raise ValidationFailed({"fields": problems})
        fewer = len(fields) < len(demand.fields)
        answer = _reason(answer, field="answer", label="答复意见（未授权的信息项须说明理由）", required=fewer)
        if valid_until is not None and (
            valid_until <= clock.today() or (demand.valid_until is not None and valid_until > demand.valid_until)
        ):
            raise ValidationFailed({"valid_until": ["授权期限：应晚于今天，且不超过申请的使用期限"]})
        grant = _answer(
            demand,
            DemandAction.APPROVE,
            actor=actor,
            answer=answer or "同意共享。",
            fields=fields,
            valid_until=valid_until,
        )
    assert grant is not None
    return grant


def demand_refuse(*, actor: User, demand_id: int, answer: str) -> Demand:
    """Refuse a demand; the reasons are required (domain.md §7)."""
    answer = _reason(answer, field="answer", label="拒绝理由")
    with transaction.atomic(durable=True):
        demand = _locked_demand(demand_id)
        require_demand_action(actor, demand, DemandAction.REFUSE)
        _answer(demand, DemandAction.REFUSE, actor=actor, answer=answer)
    return demand


def demand_withdraw(*, actor: User, demand_id: int, reason: str) -> Demand:
    reason = _reason(reason, field="reason", label="撤回理由")
    with transaction.atomic(durable=True):
        demand = _locked_demand(demand_id)
        require_demand_action(actor, demand, DemandAction.WITHDRAW)
        _answer(demand, DemandAction.WITHDRAW, actor=actor, answer=reason)
    return demand


def demands_lapse_due(*, today: dt.date | None = None, limit: int = 500) -> int:
    """The daily job: demands past their answer day without an answer lapse."""
    today = today or clock.today()
    with transaction.atomic(durable=True):
        due = list(
            Demand.objects.select_for_update(skip_locked=True)
            .select_related("resource__provider", "consumer")
            .filter(status=DemandStatus.FILED, due_on__lt=today)
            .order_by("due_on", "id")[:limit]
        )
        for demand in due:
            _answer(
                demand, DemandAction.LAPSE, actor=None, answer=f"提供部门未在 {demand.due_on:%Y年%m月%d日} 前答复。"
            )
            _notify(
                demand.resource.provider_id,
                f"共享需求 {demand.number} 已逾期",
                f"{demand.consumer.name}的共享需求未在期限内答复，已记录为逾期。",
                f"demand:{demand.number}",
            )
    return len(due)


# --- grants ---------------------------------------------------------------------------------


def _move_grant(grant: Grant, action: GrantAction, *, actor: User | None, reason: str) -> None:
    grant.status = grant_next_status(grant.status, action)
    grant.status_since = clock.now()
    grant.save(update_fields=["status", "status_since"])
    payload = {
        "grant": grant.pk,
        "resource": grant.resource.code,
        "consumer": grant.consumer.credit_code,
        "status": grant.status,
    }
    _event(
        _GRANT_VERBS[action],
        actor=actor,
        resource=grant.resource,
        demand=grant.demand,
        grant=grant,
        payload=payload,
        reason=reason,
    )
    _notify(
        grant.consumer_id, f"共享授权{grant.get_status_display()}：{grant.resource.name}", reason, f"grant:{grant.pk}"
    )


def _grant_act(action: GrantAction, *, actor: User, grant_id: int, reason: str) -> Grant:
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        grant = (
            Grant.objects.select_for_update()
            .select_related("resource__provider", "consumer", "demand")
            .filter(pk=grant_id)
            .first()
        )
        if grant is None:
            raise NotFound("共享授权不存在。")
        require_grant_action(actor, grant, action)
        _move_grant(grant, action, actor=actor, reason=reason)
    return grant


def grant_suspend(*, actor: User, grant_id: int, reason: str) -> Grant:
    return _grant_act(GrantAction.SUSPEND, actor=actor, grant_id=grant_id, reason=reason)


def grant_resume(*, actor: User, grant_id: int, reason: str) -> Grant:
    return _grant_act(GrantAction.RESUME, actor=actor, grant_id=grant_id, reason=reason)


def grant_revoke(*, actor: User, grant_id: int, reason: str) -> Grant:
    return _grant_act(GrantAction.REVOKE, actor=actor, grant_id=grant_id, reason=reason)


def grants_expire_due(*, today: dt.date | None = None, limit: int = 500) -> int:
    """The daily job: grants whose last valid day has passed expire."""
    today = today or clock.today()
    with transaction.atomic(durable=True):
        due = list(
            Grant.objects.select_for_update(skip_locked=True)
            .select_related("resource__provider", "consumer", "demand")
            .filter(status__in=(GrantStatus.ACTIVE, GrantStatus.SUSPENDED), valid_until__lt=today)
            .order_by("valid_until", "id")[:limit]
        )
        for grant in due:
            _move_grant(
                grant, GrantAction.EXPIRE, actor=None, reason=f"授权有效期至 {grant.valid_until:%Y年%m月%d日}。"
            )
    return len(due)
