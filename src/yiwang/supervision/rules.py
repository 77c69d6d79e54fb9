"""电子监察 rules: versions, publication, hits, the per-event observer and the daily sweep
(docs/supervision.md, "Monitoring rules and 督办"). Every write is one service in one
transaction with a `SupervisionEvent` and its ledger entry.

Exported for the demo: `ensure_default_rules(actor)` publishes version 1 of each kind's
default rule (JC-01 … JC-06) where the rule has no version in force; idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from yiwang.accounts.models import Department, Region, User
from yiwang.cases.models import Case, CaseEvent
from yiwang.core import clock
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.core.text import canonical, control_char_error
from yiwang.ledger.events import CaseVerb, Domain, SupervisionVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.supervision import policy
from yiwang.supervision.rule_kinds import (
    DUE_DATE_KIND,
    DUE_MOVERS,
    KINDS,
    KINDS_BY_VERB,
    REFUSAL_KIND,
    SUSPENSION_KIND,
    Facts,
    Remember,
    due_date_observed,
    params_errors,
)
from yiwang.supervision.rule_models import (
    MonitoringRule,
    RuleHit,
    RuleVersion,
    Severity,
    SupervisionEvent,
    SupervisionNotice,
)
from yiwang.supervision.rule_selectors import versions_in_force
from yiwang.supervision.rule_workflow import VersionAction, VersionStatus, version_next_status

log = logging.getLogger(__name__)

NOTE_MAX = 200
MAX_RESPONSE_DAYS = 30

# The rules the platform starts with: code → (kind, name, severity, response days).
DEFAULT_RULES: dict[str, tuple[str, str, Severity, int]] = {
    "JC-01": ("same_person_accepts_and_decides", "受理与决定为同一人", Severity.RED, 3),
    "JC-02": ("repeated_supplement", "多次要求补正", Severity.YELLOW, 3),
    "JC-03": ("decision_outside_hours", "非工作时间作出决定", Severity.YELLOW, 5),
    "JC-04": ("suspension_longer_than_announced", "特别程序超过告知时间", Severity.YELLOW, 3),
    "JC-05": ("due_date_moved_without_extension", "办结日期无故变动", Severity.RED, 2),
    "JC-06": ("refusal_rate_doubled", "不予受理率翻番", Severity.YELLOW, 5),
}


def record_event(
    verb: SupervisionVerb,
    subject: str,
    *,
    actor: User | None,
    payload: dict[str, Any],
    reason: str = "",
    personal: dict[str, str] | None = None,
    rule_version: RuleVersion | None = None,
    hit: RuleHit | None = None,
    notice: SupervisionNotice | None = None,
) -> int:
    """The event row and its ledger entry (free text only as a salted commitment)."""
    secrets = {k: v for k, v in (personal or {}).items() if v}
    if reason:
        secrets["reason"] = reason
    entry = ledger_append(
        kind=event_type(Domain.SUPERVISION, verb).kind, subject=subject, payload=payload, personal=secrets
    )
    SupervisionEvent.objects.create(
        verb=verb,
        actor=actor,
        subject=subject,
        rule_version=rule_version,
        hit=hit,
        notice=notice,
        payload=payload,
        reason=reason,
        at=entry.created_at,  # the leaf's own time: one clock reading (the audit ties them)
        ledger_entry_id=entry.pk,
    )
    return int(entry.pk)


def clean_text(value: Any, *, field: str, label: str, required: bool = True, max_length: int = 1000) -> str:
    if not isinstance(value, str):
        raise ValidationFailed({field: [f"{label}：应为文本"]})
    if required and not value.strip():
        raise ValidationFailed({field: [f"{label}：必填"]})
    if len(value) > max_length:
        raise ValidationFailed({field: [f"{label}：最多 {max_length} 个字符（现有 {len(value)} 个）"]})
    problem = control_char_error(label, value, multiline=True)
    if problem:
        raise ValidationFailed({field: [problem]})
    return value.strip()


def clean_days(value: Any, *, field: str = "response_days", label: str = "答复期限") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RESPONSE_DAYS:
        raise ValidationFailed({field: [f"{label}：请填写 1 到 {MAX_RESPONSE_DAYS} 个工作日"]})
    return value


def version_subject(version: RuleVersion) -> str:
    return f"rule:{version.rule.code}/v{version.number}"


# --- rules and their versions ---------------------------------------------------------------


def collect_errors(errors: dict[str, list[str]], check: Callable[[], Any]) -> Any:
    """Run one check; its field errors join `errors` (so a form gets every message at once)."""
    try:
        return check()
    except ValidationFailed as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)
        return None


def _code(code: Any) -> str:
    if (
        not isinstance(code, str)
        or not code.isascii()
        or not 1 <= len(code) <= 10
        or not code.replace("-", "").isalnum()
        or code.lower() == "new"  # the address of the new-rule page
    ):
        raise ValidationFailed({"code": ["规则编号：1 到 10 位字母、数字或连字符，如 JC-07"]})
    return code


def _scope(actor: User | None, region_code: Any) -> Region | None:
    """The region a new rule is scoped to ('' or None: the whole platform), checked by policy."""
    if region_code in (None, ""):
        region = None
    else:
        found = isinstance(region_code, str) and region_code.isascii() and region_code.isdigit()
        region = Region.objects.filter(code=region_code).first() if found and len(region_code) == 12 else None
        if region is None:
            raise ValidationFailed({"region": ["监察范围：没有这个区划，请从列表中选择"]})
    if actor is not None:
        policy.require_rule_manager(actor, region)
    return region


def _rule_new(*, actor: User | None, code: Any, name: Any, kind: Any, region_code: Any) -> MonitoringRule:
    """Inside the caller's transaction: the rule (no version yet)."""
    errors: dict[str, list[str]] = {}
    found = KINDS.get(kind) if isinstance(kind, str) else None
    if found is None:
        errors["kind"] = ["规则类型：请从列表中选择"]
    code = collect_errors(errors, lambda: _code(code))
    name = collect_errors(errors, lambda: clean_text(name, field="name", label="规则名称", max_length=60))
    region = collect_errors(errors, lambda: _scope(actor, region_code))
    if errors:
        raise ValidationFailed(errors)
    assert found is not None
    taken = ValidationFailed({"code": [f"规则编号：{code} 已被使用，请换一个"]})
    if MonitoringRule.objects.filter(code=code).exists():
        raise taken
    try:
        with transaction.atomic():  # two supervisors creating one code at once: the second is told
            return MonitoringRule.objects.create(
                code=code, name=name, kind=kind, region=region, watches=found.description[:200], created_at=clock.now()
            )
    except IntegrityError:
        raise taken from None


def rule_create(*, actor: User | None, code: str, name: str, kind: str, region_code: str = "") -> MonitoringRule:
    """A new rule bound to a kind, for the whole platform or one region (no version yet:
    draft one, then publish it)."""
    if actor is not None:
        policy.require_rule_manager(actor)
    with transaction.atomic(durable=True):
        return _rule_new(actor=actor, code=code, name=name, kind=kind, region_code=region_code)


def _version_fields(
    kind: str, params: Any, severity: Any, response_days: Any, note: Any
) -> tuple[dict[str, list[str]], int, str]:
    """A version's fields checked: (errors by field, response days, note)."""
    errors = params_errors(kind, params)
    if severity not in Severity.values:
        errors["severity"] = ["等级：请选择 黄色 或 红色"]
    days = collect_errors(errors, lambda: clean_days(response_days))
    note = collect_errors(
        errors, lambda: clean_text(note, field="note", label="修订说明", required=False, max_length=NOTE_MAX)
    )
    return errors, days, note


def _draft(
    actor: User | None, rule: MonitoringRule, params: Any, severity: Any, response_days: Any, note: Any
) -> RuleVersion:
    """Inside the caller's transaction, `rule` locked: its next version as a draft."""
    errors, days, note = _version_fields(rule.kind, params, severity, response_days, note)
    if errors:
        raise ValidationFailed(errors)
    last = rule.versions.order_by("-number").first()
    version = RuleVersion.objects.create(
        rule=rule,
        number=(last.number + 1) if last else 1,
        params={**KINDS[rule.kind].defaults(), **params},
        severity=severity,
        response_days=days,
        status=version_next_status(None, VersionAction.DRAFT),
        note=note,
        drafted_by=actor,
        drafted_at=clock.now(),
    )
    record_event(
        SupervisionVerb.RULE_VERSION_DRAFTED,
        version_subject(version),
        actor=actor,
        payload={
            "rule": rule.code,
            "version": version.number,
            "kind": rule.kind,
            "region": rule.region.code if rule.region else None,
        },
        rule_version=version,
    )
    return version


def rule_version_draft(
    *,
    actor: User | None,
    rule_code: str,
    params: Any,
    severity: Any,
    response_days: Any = 3,
    note: Any = "",
) -> RuleVersion:
    """A draft version of a rule, its params checked against the kind's schema (bounds by
    field, in Chinese). Side effects: SupervisionEvent, ledger entry."""
    if actor is not None:
        policy.require_rule_manager(actor)
    with transaction.atomic(durable=True):
        rule = (
            MonitoringRule.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(code=rule_code)
            .first()
        )
        if rule is None:
            raise NotFound(f"监察规则 {rule_code} 不存在。")
        if actor is not None:
            policy.require_rule_manager(actor, rule.region)  # a rule of a region: its supervisors
        return _draft(actor, rule, params, severity, response_days, note)


def rule_create_with_draft(
    *,
    actor: User,
    code: Any,
    name: Any,
    kind: Any,
    region_code: Any = "",
    params: Any,
    severity: Any,
    response_days: Any = 3,
    note: Any = "",
) -> RuleVersion:
    """A new rule and its version 1 as a draft, in one transaction (nothing is kept when
    either is refused; the errors of both come by field). Publishing it is the usual step."""
    policy.require_rule_manager(actor)
    with transaction.atomic(durable=True):
        errors: dict[str, list[str]] = {}
        rule = collect_errors(
            errors, lambda: _rule_new(actor=actor, code=code, name=name, kind=kind, region_code=region_code)
        )
        if rule is None:  # the version's fields are still checked, against the chosen kind
            known = kind if isinstance(kind, str) and kind in KINDS else ""
            version_errors = _version_fields(known, params if known else {}, severity, response_days, note)[0]
            raise ValidationFailed({**{k: v for k, v in version_errors.items() if k != "kind"}, **errors})
        return _draft(actor, rule, params, severity, response_days, note)


def rule_version_publish(*, actor: User | None, version_id: int) -> RuleVersion:
    """Put a draft in force: the rule's published version retires in the same transaction,
    and the ledger entry carries the rule code, the version number and its canonical params.
    Four eyes: `actor` is not the drafter (policy.require_publisher)."""
    if actor is not None:
        policy.require_rule_manager(actor)
    with transaction.atomic(durable=True):
        version = RuleVersion.objects.select_for_update().select_related("rule").filter(pk=version_id).first()
        if version is None:
            raise NotFound("规则版本不存在。")
        if actor is not None:
            policy.require_publisher(actor, version)
        MonitoringRule.objects.select_for_update().get(pk=version.rule_id)  # one publisher at a time
        now = clock.now()
        version_next_status(version.status, VersionAction.PUBLISH)  # a Conflict before anything is written
        for previous in RuleVersion.objects.select_for_update().filter(
            rule_id=version.rule_id, status=VersionStatus.PUBLISHED
        ):
            previous.status = version_next_status(previous.status, VersionAction.RETIRE)
            previous.retired_at = now
            previous.save(update_fields=["status", "retired_at"])
            record_event(
                SupervisionVerb.RULE_VERSION_RETIRED,
                version_subject(previous),
                actor=actor,
                payload={"rule": version.rule.code, "version": previous.number, "superseded_by": version.number},
                rule_version=previous,
            )
        version.status = version_next_status(version.status, VersionAction.PUBLISH)
        version.published_at, version.published_by = now, actor
        version.ledger_entry_id = record_event(
            SupervisionVerb.RULE_VERSION_PUBLISHED,
            version_subject(version),
            actor=actor,
            payload=publication_payload(version),
            rule_version=version,
        )
        version.save(update_fields=["status", "published_at", "published_by", "ledger_entry_id"])
        return version


def publication_payload(version: RuleVersion) -> dict[str, Any]:
    """What the ledger says about a published version (anyone can check which rules were in force)."""
    return {
        "rule": version.rule.code,
        "kind": version.rule.kind,
        "version": version.number,
        "params": canonical(version.params),
        "severity": version.severity,
        "response_days": version.response_days,
        "region": version.rule.region.code if version.rule.region else None,
    }


def ensure_default_rules(actor: User | None = None) -> list[RuleVersion]:
    """Version 1 of each default rule (DEFAULT_RULES), drafted by the platform (no actor) and
    published by `actor`, where a rule has no version in force yet. Idempotent; returns the
    versions it published."""
    published: list[RuleVersion] = []
    for code, (kind, name, severity, days) in DEFAULT_RULES.items():
        if not MonitoringRule.objects.filter(code=code).exists():
            rule_create(actor=actor, code=code, name=name, kind=kind)
        if RuleVersion.objects.filter(rule__code=code, status=VersionStatus.PUBLISHED).exists():
            continue
        draft = RuleVersion.objects.filter(rule__code=code, status=VersionStatus.DRAFT).order_by("-number").first()
        if draft is None:
            draft = rule_version_draft(  # drafted by the platform (its defaults), published by `actor`
                actor=None, rule_code=code, params={}, severity=severity, response_days=days, note="初始版本"
            )
        published.append(rule_version_publish(actor=actor, version_id=draft.pk))
    return published


# --- hits ----------------------------------------------------------------------------------------


def summary_of(version: RuleVersion, case: Case | None, facts: Mapping[str, Any]) -> str:
    kind = version.rule.kind
    where = f"办件 {case.number}" if case is not None else ""
    if kind == "repeated_supplement":
        return f"{where} 第 {facts['requests']} 次告知补正"
    if kind == "decision_outside_hours":
        return f"{where} 于 {str(facts['decided_at'])[:16].replace('T', ' ')} 作出决定（非工作时间）"
    if kind == SUSPENSION_KIND:
        return f"{where} 特别程序已中止 {facts['working_days']} 个工作日，告知 {facts['expected_days']} 个工作日"
    if kind == DUE_DATE_KIND:
        return f"{where} 法定办结日期由 {facts['before']} 变为 {facts['after']}，无延期事由"
    if kind == REFUSAL_KIND:
        return f"不予受理率 {facts['this_rate']}%，前 7 天 {facts['last_rate']}%"
    return f"{where} 受理与决定为同一人"


def hit_record(
    version: RuleVersion,
    *,
    key: str,
    facts: Facts,
    department: Department,
    region: Region,
    case: Case | None = None,
    trigger: CaseEvent | None = None,
) -> RuleHit | None:
    """Inside the caller's transaction: the hit (once per rule and key) and its entry.
    Facts go to the ledger as a commitment (they name staff by id); the rule, version and
    key in public. Returns None when the hit was already recorded."""
    if RuleHit.objects.filter(rule_id=version.rule_id, key=key).exists():
        return None
    hit = RuleHit(
        rule_id=version.rule_id,
        rule_version=version,
        key=key,
        case=case,
        trigger=trigger,
        department=department,
        region=region,
        found_at=clock.now(),
        facts=dict(facts),
        summary=summary_of(version, case, facts)[:300],
    )
    payload = {
        "rule": version.rule.code,
        "version": version.number,
        "key": key,
        "department": department.credit_code,
        "case": case.number if case is not None else None,
    }
    entry = ledger_append(
        kind=event_type(Domain.SUPERVISION, SupervisionVerb.RULE_HIT).kind,
        subject=f"hit:{version.rule.code}/{key}",
        payload=payload,
        personal={"facts": canonical(facts)},
    )
    hit.ledger_entry_id = entry.pk
    try:
        with transaction.atomic():
            hit.save()
    except IntegrityError:  # the same trigger seen twice at once
        return None
    SupervisionEvent.objects.create(
        verb=SupervisionVerb.RULE_HIT,
        actor=None,
        subject=f"hit:{hit.pk}",
        hit=hit,
        rule_version=version,
        payload=payload,
        at=hit.found_at,
        ledger_entry_id=entry.pk,
    )
    return hit


def covers(rule: MonitoringRule, region: Region) -> bool:
    """Whether a rule watches the cases of `region` (a rule without a region: everywhere)."""
    return rule.region is None or region.code.startswith(rule.region.code_prefix)


def _key(version: RuleVersion, case: Case, event: CaseEvent) -> str:
    if version.rule.kind == SUSPENSION_KIND:  # one hit per suspension, from the resume or the sweep
        suspended = (
            CaseEvent.objects.filter(case=case, verb=CaseVerb.SUSPEND, at__lte=event.at)
            .order_by("-at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        return f"suspension:{suspended or event.pk}"
    return f"event:{event.pk}"


def observe(case: Case, event: CaseEvent) -> None:
    """The case engine's observer (cases.hooks), inside the event's transaction: evaluates
    the published rules that watch `event`. No query for an event no rule kind watches. A
    rule whose logic fails on odd data is logged and skipped, and so is a hit whose writes
    fail (they are made in a savepoint); a database error outside a savepoint fails the
    case's action whole (its transaction could not go on)."""
    kinds = list(KINDS_BY_VERB.get(event.verb, ()))
    if case.due_date is not None or event.verb in DUE_MOVERS:
        kinds.append(DUE_DATE_KIND)
    if not kinds:
        return
    for version in versions_in_force(kinds):
        evaluate = KINDS[version.rule.kind].evaluate
        if evaluate is None or not covers(version.rule, case.region):
            continue
        remember: Remember | None = None
        try:
            if version.rule.kind == DUE_DATE_KIND:
                facts, remember = due_date_observed(case, event)
            else:
                facts = evaluate(case, event, version.params)  # reads only
        except DatabaseError:
            raise  # outside a savepoint the case's transaction is broken: the action fails whole
        except Exception:  # a rule's own logic on odd data: skipped, the case's change stands
            log.exception("monitoring rule %s failed on event %s", version.rule.code, event.pk)
            continue
        if facts is None:
            if remember is not None:
                remember()  # one statement by primary key, under the case's row lock
            continue
        try:
            with transaction.atomic():  # a hit: its writes are kept whole or not at all
                if remember is not None:
                    remember()
                hit_record(
                    version,
                    key=_key(version, case, event),
                    facts=facts,
                    department=case.department,
                    region=case.region,
                    case=case,
                    trigger=event,
                )
        except Exception:  # rolled back to the savepoint: the case's change stands
            log.exception("monitoring rule %s failed on event %s", version.rule.code, event.pk)
