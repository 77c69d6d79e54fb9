"""Data sharing's status fields as transition tables (the issue-11 convention).

Resources (数据资源目录):

| status    | 中文   | how it gets there                                          |
|-----------|--------|------------------------------------------------------------|
| published | 已发布 | the provider's data steward publishes it; amending keeps it |
| retired   | 已停用 | the steward retires it (its grants are revoked with it)     |

Demands (需求清单):

| status    | 中文   | how it gets there                                                   |
|-----------|--------|---------------------------------------------------------------------|
| filed     | 待答复 | the consumer's data steward files it (due in N working days)         |
| approved  | 已同意 | the provider's steward approves (maybe fewer fields); for an unconditional |
|           |        | resource the platform approves at once                              |
| refused   | 已拒绝 | the provider's steward refuses, with reasons                          |
| lapsed    | 已逾期 | nobody answered by the due date (the daily job)                       |
| withdrawn | 已撤回 | the consumer withdraws it before an answer                            |

Grants (共享授权), made by an approved demand:

| status    | 中文   | how it gets there                                   |
|-----------|--------|-----------------------------------------------------|
| active    | 有效   | the demand's approval; resuming                      |
| suspended | 已暂停 | the provider's steward suspends it                   |
| revoked   | 已撤销 | the provider's steward revokes it, or the resource is retired |
| expired   | 已到期 | its validity ended (the daily job)                   |

Only active ⇄ suspended moves back. `None` is the state before the row exists.
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class ResourceStatus(TextChoices):
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class ResourceAction(TextChoices):
    PUBLISH = "publish", "发布"
    AMEND = "amend", "变更"
    RETIRE = "retire", "停用"


class DemandStatus(TextChoices):
    FILED = "filed", "待答复"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "已拒绝"
    LAPSED = "lapsed", "已逾期"
    WITHDRAWN = "withdrawn", "已撤回"


class DemandAction(TextChoices):
    FILE = "file", "提出"
    APPROVE = "approve", "同意"
    REFUSE = "refuse", "拒绝"
    LAPSE = "lapse", "逾期未答复"
    WITHDRAW = "withdraw", "撤回"


class GrantStatus(TextChoices):
    ACTIVE = "active", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已到期"


class GrantAction(TextChoices):
    GRANT = "grant", "授权"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    REVOKE = "revoke", "撤销"
    EXPIRE = "expire", "到期"


RESOURCE_TRANSITIONS: dict[tuple[ResourceStatus | None, ResourceAction], ResourceStatus] = {
    (None, ResourceAction.PUBLISH): ResourceStatus.PUBLISHED,
    (ResourceStatus.PUBLISHED, ResourceAction.AMEND): ResourceStatus.PUBLISHED,
    (ResourceStatus.PUBLISHED, ResourceAction.RETIRE): ResourceStatus.RETIRED,
}
DEMAND_TRANSITIONS: dict[tuple[DemandStatus | None, DemandAction], DemandStatus] = {
    (None, DemandAction.FILE): DemandStatus.FILED,
    (DemandStatus.FILED, DemandAction.APPROVE): DemandStatus.APPROVED,
    (DemandStatus.FILED, DemandAction.REFUSE): DemandStatus.REFUSED,
    (DemandStatus.FILED, DemandAction.LAPSE): DemandStatus.LAPSED,
    (DemandStatus.FILED, DemandAction.WITHDRAW): DemandStatus.WITHDRAWN,
}
GRANT_TRANSITIONS: dict[tuple[GrantStatus | None, GrantAction], GrantStatus] = {
    (None, GrantAction.GRANT): GrantStatus.ACTIVE,
    (GrantStatus.ACTIVE, GrantAction.SUSPEND): GrantStatus.SUSPENDED,
    (GrantStatus.ACTIVE, GrantAction.REVOKE): GrantStatus.REVOKED,
    (GrantStatus.ACTIVE, GrantAction.EXPIRE): GrantStatus.EXPIRED,
    (GrantStatus.SUSPENDED, GrantAction.RESUME): GrantStatus.ACTIVE,
    (GrantStatus.SUSPENDED, GrantAction.REVOKE): GrantStatus.REVOKED,
    (GrantStatus.SUSPENDED, GrantAction.EXPIRE): GrantStatus.EXPIRED,
}


def resource_next_status(status: str | None, action: ResourceAction) -> ResourceStatus:
    return next_status(RESOURCE_TRANSITIONS, ResourceStatus, status, action, "数据资源")


def demand_next_status(status: str | None, action: DemandAction) -> DemandStatus:
    return next_status(DEMAND_TRANSITIONS, DemandStatus, status, action, "共享需求")


def grant_next_status(status: str | None, action: GrantAction) -> GrantStatus:
    return next_status(GRANT_TRANSITIONS, GrantStatus, status, action, "共享授权")
