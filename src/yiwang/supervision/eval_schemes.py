"""考评 schemes and their versions: drafting, publication (four eyes), retirement, and the
version in force for a month (docs/supervision.md "考评", ADR 0019). Every write is one
service in one transaction with a `SupervisionEvent` and its ledger entry.

A version's status walks the same table as a monitoring rule's version
(`rule_workflow.VERSION_TRANSITIONS`: draft → published → retired). Unlike a rule, several
versions of a scheme are published at once, each from its own month: a month is scored with
the published version of the latest `valid_from` not after it. Publishing a version from the
same month as a published one retires that one. A person may only publish from the current
month on, and a version is retired only before its first month begins (a month already
scored keeps its scores); the platform's own version 1 applies from 2000-01.

Exported for the demo and the upgrade step (`yiwang supervision schemes`):
`ensure_default_schemes()` publishes version 1 of KP-DEPT and KP-REGION
(`evaluation.DEFAULT_SCHEME`'s weights) where a scheme has no published version; idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.dates import EARLIEST
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.transitions import next_status
from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.events import SupervisionVerb
from yiwang.supervision import policy
from yiwang.supervision.eval_models import EvaluationScheme, SchemeSubject, SchemeVersion
from yiwang.supervision.evaluation import DEFAULT_SCHEME, INDICATORS, Scheme, Weighted, month_bounds
from yiwang.supervision.rule_workflow import VERSION_TRANSITIONS, VersionAction, VersionStatus
from yiwang.supervision.rules import clean_text, record_event

WEIGHT_TOTAL = 100
NUMBER_DIGITS = 3  # a weight or a target is 0–100: never more than three digits
NOTE_MAX = 200

DEFAULT_SCHEMES: dict[str, tuple[str, SchemeSubject]] = {
    "KP-DEPT": (DEFAULT_SCHEME.name, SchemeSubject.DEPARTMENT),
    "KP-REGION": ("区划政务服务月度考评", SchemeSubject.REGION),
}


def scheme_next_status(current: str | None, action: VersionAction) -> VersionStatus:
    return next_status(VERSION_TRANSITIONS, VersionStatus, current, action, "考评方案版本")


def subject_of(version: SchemeVersion) -> str:
    return f"scheme:{version.scheme.code}/v{version.number}"


# --- input ----------------------------------------------------------------------------------


def _whole(raw: Any, *, field: str, label: str, low: int, high: int) -> int | None:
    """A whole number low…high from a form's text or a JSON integer; None when left empty.
    Refused: anything not plain ASCII digits (full-width ２０, 1e3, NaN, inf, -5, 10.5), and
    booleans and floats from JSON."""
    message = f"{label}：请填写 {low} 到 {high} 的整数（半角数字）"
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= NUMBER_DIGITS):
            raise ValidationFailed({field: [message]})
        value = int(text)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        raise ValidationFailed({field: [message]})
    if not low <= value <= high:
        raise ValidationFailed({field: [message]})
    return value


def parse_indicators(raw: Any) -> tuple[Weighted, ...]:
    """{indicator key: {"weight": …, "target": …}} → the weighted indicators of a version, in
    the catalogue's order. Errors by field (`weight-<key>`, `target-<key>`, `weights` for the
    sum) in Chinese; an indicator with weight 0 or none is not part of the version."""
    if not isinstance(raw, Mapping) or not raw:
        raise ValidationFailed({"weights": ["指标：请为至少一个指标填写权重"]})
    unknown = [key for key in raw if key not in INDICATORS]
    if unknown:
        raise ValidationFailed({"weights": [f"指标：不认识的指标 {str(unknown[0])[:40]}"]})
    errors: dict[str, list[str]] = {}
    chosen: list[Weighted] = []
    for key, indicator in INDICATORS.items():
        row = raw.get(key) or {}
        if not isinstance(row, Mapping):
            errors[f"weight-{key}"] = [f"{indicator.label}权重：格式不正确"]
            continue
        try:
            weight = _whole(row.get("weight"), field=f"weight-{key}", label=f"{indicator.label}权重", low=0, high=100)
            target = None
            if indicator.capped_target and weight:
                target = _whole(
                    row.get("target"), field=f"target-{key}", label=f"{indicator.label}目标值", low=1, high=100
                )
                if target is None:
                    raise ValidationFailed({f"target-{key}": [f"{indicator.label}目标值：有权重时必填（1 到 100）"]})
        except ValidationFailed as exc:
            errors.update(exc.errors)
            continue
        if weight:
            chosen.append(Weighted(key, weight, target))
    if errors:
        raise ValidationFailed(errors)
    total = sum(w.weight for w in chosen)
    if total != WEIGHT_TOTAL:
        raise ValidationFailed({"weights": [f"权重合计须为 {WEIGHT_TOTAL}（现为 {total}）"]})
    return tuple(chosen)


def parse_month(raw: Any, *, field: str = "valid_from", label: str = "起始月份") -> dt.date:
    try:
        if not isinstance(raw, str) or not raw.isascii():
            raise ValueError(raw)
        return month_bounds(raw.strip())[0]
    except ValueError:
        raise ValidationFailed({field: [f"{label}：请按 年-月 填写，例如 2027-01"]}) from None


def _not_past(valid_from: dt.date) -> None:
    """A version applies from a month not yet begun: the weights of a month are fixed before
    its figures exist (no one picks them after seeing how the month goes)."""
    this_month = clock.today().replace(day=1)
    if valid_from <= this_month:
        raise ValidationFailed(
            {"valid_from": [f"起始月份：须晚于本月 {this_month:%Y-%m}（已开始或已考评的月份不再改变考评方案）"]}
        )


# --- services --------------------------------------------------------------------------------


def _stored(indicators: tuple[Weighted, ...]) -> list[dict[str, Any]]:
    return [{"key": w.key, "weight": w.weight, "target": w.target} for w in indicators]


def scheme_version_draft(
    *, actor: User | None, scheme_code: str, indicators: Any, valid_from: Any, note: Any = ""
) -> SchemeVersion:
    """A draft version of a scheme: weights (adding up to 100) and targets checked with
    bounds, by field. Side effects: SupervisionEvent, ledger entry."""
    if actor is not None:
        policy.require_scheme_manager(actor)
    chosen = parse_indicators(indicators)
    month = parse_month(valid_from)
    if actor is not None:
        _not_past(month)
    note = clean_text(note, field="note", label="修订说明", required=False, max_length=NOTE_MAX)
    with transaction.atomic(durable=True):
        scheme = EvaluationScheme.objects.select_for_update().filter(code=scheme_code).first()
        if scheme is None:
            raise NotFound(f"考评方案 {scheme_code} 不存在。")
        last = scheme.versions.order_by("-number").first()
        version = SchemeVersion.objects.create(
            scheme=scheme,
            number=(last.number + 1) if last else 1,
            indicators=_stored(chosen),
            valid_from=month,
            status=scheme_next_status(None, VersionAction.DRAFT),
            note=note,
            drafted_by=actor,
            drafted_at=clock.now(),
        )
        record_event(
            SupervisionVerb.SCHEME_VERSION_DRAFTED,
            subject_of(version),
            actor=actor,
            payload={"scheme": scheme.code, "version": version.number},
        )
        return version


def content_of(version: SchemeVersion) -> dict[str, Any]:
    """The canonical content of a version, as the ledger holds it and as its hash covers."""
    return {
        "scheme": version.scheme.code,
        "subject": version.scheme.subject,
        "version": version.number,
        "valid_from": version.valid_from.strftime("%Y-%m"),
        "indicators": version.indicators,
    }


def content_hash(version: SchemeVersion) -> str:
    return hashlib.sha256(canonical_json(content_of(version))).hexdigest()


def _locked(version_id: int) -> SchemeVersion:
    version = SchemeVersion.objects.select_for_update().select_related("scheme").filter(pk=version_id).first()
    if version is None:
        raise NotFound("考评方案版本不存在。")
    EvaluationScheme.objects.select_for_update().get(pk=version.scheme_id)  # one writer per scheme at a time
    return version


def scheme_version_publish(*, actor: User | None, version_id: int) -> SchemeVersion:
    """Put a draft in force from its month, published by a second supervisor (not its
    drafter); a published version of the same month retires in the same transaction. The
    ledger entry carries the canonical content and its SHA-256."""
    if actor is not None:
        policy.require_scheme_manager(actor)
    with transaction.atomic(durable=True):
        version = _locked(version_id)
        scheme_next_status(version.status, VersionAction.PUBLISH)  # a Conflict before anything is written
        if actor is not None:
            policy.require_second_person(actor, version)
            try:
                _not_past(version.valid_from)
            except ValidationFailed as exc:
                raise Conflict(exc.message) from None
        now = clock.now()
        for previous in SchemeVersion.objects.select_for_update().filter(
            scheme_id=version.scheme_id, status=VersionStatus.PUBLISHED, valid_from=version.valid_from
        ):
            _retire(previous, actor, now, superseded_by=version.number)
        version.status = scheme_next_status(version.status, VersionAction.PUBLISH)
        version.published_at, version.published_by = now, actor
        version.content_hash = content_hash(version)
        version.ledger_entry_id = record_event(
            SupervisionVerb.SCHEME_VERSION_PUBLISHED,
            subject_of(version),
            actor=actor,
            payload={**content_of(version), "sha256": version.content_hash},
        )
        version.save(update_fields=["status", "published_at", "published_by", "content_hash", "ledger_entry_id"])
        return version


def _retire(version: SchemeVersion, actor: User | None, now: dt.datetime, *, superseded_by: int | None) -> None:
    version.status = scheme_next_status(version.status, VersionAction.RETIRE)
    version.retired_at, version.retired_by = now, actor
    version.save(update_fields=["status", "retired_at", "retired_by"])
    payload: dict[str, Any] = {"scheme": version.scheme.code, "version": version.number}
    if superseded_by is not None:
        payload["superseded_by"] = superseded_by
    record_event(SupervisionVerb.SCHEME_VERSION_RETIRED, subject_of(version), actor=actor, payload=payload)


def scheme_version_retire(*, actor: User | None, version_id: int) -> SchemeVersion:
    """Withdraw a published version before its first month begins: its months fall back to
    the version before it. A version already applied stays (publish a new one from a coming
    month instead)."""
    if actor is not None:
        policy.require_scheme_manager(actor)
    with transaction.atomic(durable=True):
        version = _locked(version_id)
        scheme_next_status(version.status, VersionAction.RETIRE)  # a Conflict before anything is written
        if version.has_begun:
            raise Conflict(
                f"第 {version.number} 版自 {version.valid_from:%Y-%m} 起已用于考评，不能停用；"
                "请发布自下月或以后月份起适用的新版本。"
            )
        _retire(version, actor, clock.now(), superseded_by=None)
        return version


# --- reading -------------------------------------------------------------------------------


def version_in_force(scheme_code: str, month: str) -> SchemeVersion | None:
    """The published version of the latest `valid_from` not after `month` ('2026-11')."""
    start = month_bounds(month)[0]
    return (
        SchemeVersion.objects.filter(scheme__code=scheme_code, status=VersionStatus.PUBLISHED, valid_from__lte=start)
        .select_related("scheme")
        .order_by("-valid_from", "-number")
        .first()
    )


def as_scheme(version: SchemeVersion) -> Scheme:
    return Scheme(
        code=version.scheme.code,
        version=version.number,
        name=version.scheme.name,
        indicators=tuple(Weighted(w["key"], w["weight"], w.get("target")) for w in version.indicators),
        subject=version.scheme.subject,
        valid_from=version.valid_from,
        ledger_entry_id=version.ledger_entry_id,
    )


def scheme_for(subject: str, month: str) -> Scheme | None:
    """The scheme in force for `month` for departments or regions (the default code of each)."""
    code = next(code for code, (_name, of) in DEFAULT_SCHEMES.items() if of == subject)
    version = version_in_force(code, month)
    return as_scheme(version) if version is not None else None


def ensure_default_schemes() -> list[SchemeVersion]:
    """KP-DEPT and KP-REGION, each with version 1 (DEFAULT_SCHEME's weights, from 2000-01)
    drafted and published by the platform where the scheme has no published version yet, so
    the months scored before schemes were data keep their scores. Idempotent."""
    published: list[SchemeVersion] = []
    weights = {w.key: {"weight": w.weight, "target": w.target} for w in DEFAULT_SCHEME.indicators}
    for code, (name, subject) in DEFAULT_SCHEMES.items():
        scheme, _created = EvaluationScheme.objects.get_or_create(
            code=code, defaults={"name": name, "subject": subject, "created_at": clock.now()}
        )
        if scheme.versions.filter(status=VersionStatus.PUBLISHED).exists():
            continue
        draft = scheme.versions.filter(status=VersionStatus.DRAFT, drafted_by=None).order_by("number").first()
        if draft is None:
            draft = scheme_version_draft(
                actor=None, scheme_code=code, indicators=weights, valid_from=f"{EARLIEST:%Y-%m}", note="初始版本"
            )
        published.append(scheme_version_publish(actor=None, version_id=draft.pk))
    return published


def schemes_with_versions() -> list[tuple[EvaluationScheme, list[SchemeVersion]]]:
    versions: dict[int, list[SchemeVersion]] = {}
    for version in SchemeVersion.objects.select_related("drafted_by", "published_by").order_by("-number"):
        versions.setdefault(version.scheme_id, []).append(version)
    return [(s, versions.get(s.pk, [])) for s in EvaluationScheme.objects.all()]


def scheme_detail(code: str) -> tuple[EvaluationScheme, list[SchemeVersion]]:
    scheme = EvaluationScheme.objects.filter(code=code).first()
    if scheme is None:
        raise NotFound("考评方案不存在。")
    versions = scheme.versions.select_related("drafted_by", "published_by", "retired_by").order_by("-number")
    return scheme, list(versions)


def scheme_version(code: str, number: int) -> SchemeVersion:
    version = SchemeVersion.objects.filter(scheme__code=code, number=number).select_related("scheme").first()
    if version is None:
        raise NotFound("考评方案版本不存在。")
    return version
