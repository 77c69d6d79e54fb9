"""The badges of a case, a stage, a task and a clock: one place says which tone each status
shows in, so no template keeps its own map (`{% load case_badges %}`).

    {% status_badge "case" case.status %}            办理中 in the case's tone (workflow.STATUS_TONES)
    {% status_badge "task" task.status large=True %}
    {% status_badge "case" row.status row.status_label %}   with a label of the caller's
    {% status_badge "license" license.status %}       有效 / 已暂停 / 已撤销 / 已注销 / 已过期 / 已替代
    {% clock_badge detail.clock.level %}             已超期 / 即将到期 / 暂停计时 / 正常 (nothing otherwise)
"""

from enum import Enum

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from yiwang.cases.workflow import STATUS_TONES, CaseStatus, StageStatus, TaskStatus
from yiwang.licenses.workflow import LicenseStatus

register = template.Library()

TASK_TONES: dict[str, str] = {
    TaskStatus.OPEN: "warning",
    TaskStatus.CLAIMED: "info",
    TaskStatus.APPROVED: "success",
    TaskStatus.PASSED: "success",
    TaskStatus.DECIDED: "success",
    TaskStatus.REJECTED: "danger",
    TaskStatus.FAILED: "danger",
    TaskStatus.CANCELLED: "neutral",
}
STAGE_TONES: dict[str, str] = {
    StageStatus.PENDING: "neutral",
    StageStatus.ACTIVE: "info",
    StageStatus.APPROVED: "success",
    StageStatus.REJECTED: "danger",
    StageStatus.SKIPPED: "neutral",
    StageStatus.CANCELLED: "neutral",
}
LICENSE_TONES: dict[str, str] = {
    LicenseStatus.VALID: "success",
    LicenseStatus.SUSPENDED: "warning",
    LicenseStatus.REVOKED: "danger",
    LicenseStatus.CANCELLED: "neutral",
    LicenseStatus.EXPIRED: "neutral",
    LicenseStatus.SUPERSEDED: "info",
}
# A clock's level (ClockState.level) → tone and words; other states (not started) show none.
CLOCK_BADGES: dict[str, tuple[str, str]] = {
    "overdue": ("overdue", "已超期"),
    "warning": ("warning", "即将到期"),
    "paused": ("neutral", "暂停计时"),
    "normal": ("normal", "正常"),
}
STATUS_KINDS: dict[str, tuple[type[Enum], dict[str, str]]] = {
    "case": (CaseStatus, STATUS_TONES),
    "task": (TaskStatus, TASK_TONES),
    "stage": (StageStatus, STAGE_TONES),
    "license": (LicenseStatus, LICENSE_TONES),
}


def _badge(tone: str, label: str, *, large: bool = False) -> SafeString:
    return format_html('<span class="badge badge--{}{}">{}</span>', tone, " badge--large" if large else "", label)


@register.simple_tag
def status_badge(kind: str, status: str, label: str = "", *, large: bool = False) -> SafeString:
    """The badge of a case / task / stage `status`, labelled with the status's own label
    unless `label` is given."""
    statuses, tones = STATUS_KINDS[kind]
    return _badge(tones.get(status, "neutral"), label or str(statuses(status).label), large=large)  # type: ignore[attr-defined]


@register.simple_tag
def clock_badge(level: str) -> SafeString:
    """The badge of a clock's level, or nothing for a clock that has not started."""
    if level not in CLOCK_BADGES:
        return SafeString("")
    tone, label = CLOCK_BADGES[level]
    return _badge(tone, label)
