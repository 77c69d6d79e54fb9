"""Reads of 电子监察 rules, hits and 督办 for the pages (what the user may see: policy), and the
versions in force for the per-event observer (`versions_in_force`)."""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yiwang.accounts.models import Department, User
from yiwang.core.errors import NotFound
from yiwang.supervision import policy
from yiwang.supervision.rule_models import MonitoringRule, RuleHit, RuleVersion, SupervisionEvent, SupervisionNotice
from yiwang.supervision.rule_workflow import NoticeStatus, VersionStatus


def rules_in_force() -> list[tuple[MonitoringRule, RuleVersion | None]]:
    in_force = {v.rule_id: v for v in RuleVersion.objects.filter(status=VersionStatus.PUBLISHED)}
    return [(r, in_force.get(r.pk)) for r in MonitoringRule.objects.all()]


def rule_codes() -> list[tuple[str, str]]:
    return list(MonitoringRule.objects.values_list("code", "name"))


@dataclass(frozen=True)
class RuleDetail:
    rule: MonitoringRule
    versions: list[RuleVersion]

    @property
    def in_force(self) -> RuleVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.PUBLISHED), None)


def rule_detail(code: str) -> RuleDetail:
    rule = MonitoringRule.objects.filter(code=code).first()
    if rule is None:
        raise NotFound("监察规则不存在。")
    versions = list(rule.versions.select_related("published_by", "drafted_by").order_by("-number"))
    return RuleDetail(rule, versions)


def rule_version(code: str, number: int) -> RuleVersion:
    found = RuleVersion.objects.filter(rule__code=code, number=number).first()
    if found is None:
        raise NotFound("规则版本不存在。")
    return found


def hits_for(user: User, *, rule_code: str = "", department_id: int | None = None) -> QuerySet[RuleHit]:
    found = RuleHit.objects.filter(policy.hit_filter(user)).select_related("rule", "rule_version", "case", "department")
    if rule_code:
        found = found.filter(rule__code=rule_code)
    if department_id is not None:
        found = found.filter(department_id=department_id)
    return found


def hit_departments(user: User) -> list[Department]:
    return list(Department.objects.filter(pk__in=hits_for(user).values("department_id")).order_by("name"))


def hit_for(user: User, hit_id: int) -> RuleHit:
    found = hits_for(user).filter(pk=hit_id).first()
    if found is None:
        raise NotFound("规则命中不存在。")
    return found


def notices_for(user: User, *, status: str = "") -> QuerySet[SupervisionNotice]:
    found = SupervisionNotice.objects.filter(policy.notice_filter(user)).select_related(
        "department", "region", "case", "hit__rule", "hit__rule_version", "escalated_to", "sent_by", "answered_by"
    )
    return found.filter(status=status) if status in NoticeStatus.values else found


def notice_for(user: User, notice_id: int) -> SupervisionNotice:
    found = notices_for(user).filter(pk=notice_id).first()
    if found is None:
        raise NotFound("督办不存在。")
    return found


def notice_timeline(notice: SupervisionNotice) -> list[SupervisionEvent]:
    return list(notice.events.select_related("actor").order_by("at", "id"))


# Published versions by id, per process (ADR 0007): a published version's params, severity
# and rule (code, kind, region) never change; only its status does, and which versions are in
# force is read afresh for every event. Emptied whenever a version or a rule is saved or
# deleted (on SQLite a rolled-back test may hand a new version the id of a discarded one).
_versions: dict[int, RuleVersion] = {}


@receiver([post_save, post_delete], sender=RuleVersion)
@receiver([post_save, post_delete], sender=MonitoringRule)
def _forget_versions(**kwargs: Any) -> None:
    _versions.clear()


def versions_in_force(kinds: list[str]) -> list[RuleVersion]:
    """The published versions of `kinds`, by rule code: one raw statement for which are in
    force, their content from the process's copy (read once per version)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {RuleVersion._meta.db_table} WHERE status = %s",  # noqa: S608
            [VersionStatus.PUBLISHED.value],
        )
        ids = [row[0] for row in cursor.fetchall()]
    missing = [pk for pk in ids if pk not in _versions]
    if missing:
        read = RuleVersion.objects.filter(pk__in=missing, status=VersionStatus.PUBLISHED)
        _versions.update((version.pk, version) for version in read.select_related("rule__region"))
    known = [_versions.get(pk) for pk in ids]  # .get: another thread may empty the copy meanwhile
    found = [version for version in known if version is not None and version.rule.kind in kinds]
    return sorted(found, key=lambda version: version.rule.code)
