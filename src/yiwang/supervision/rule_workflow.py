"""电子监察's status fields as transition tables (the issue-11 convention; docs/supervision.md).

A monitoring rule's version (`RuleVersion.status`):

| status    | 中文   | how it gets there                                                        |
|-----------|--------|--------------------------------------------------------------------------|
| draft     | 草稿   | a supervisor drafts it with its params (checked against the kind's schema) |
| published | 生效   | published: written to the ledger; the rule's previous version retires      |
| retired   | 已停用 | a newer version of the same rule was published                              |

A 督办 (`SupervisionNotice.status`):

| status    | 中文     | how it gets there                                                         |
|-----------|----------|---------------------------------------------------------------------------|
| sent      | 待答复   | a supervisor sends it to the department with a working-day deadline       |
| answered  | 已答复   | the department's head or approver says what was done                        |
| closed    | 已办结   | the supervisor accepts the answer                                           |
| escalated | 已升级   | the daily sweep found it unanswered past its deadline: the region above knows |

A supervisor may reopen a sent or answered 督办 (back to sent, with a new deadline); an
escalated one can still be answered. `None` is the state before the row exists.
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class VersionStatus(TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "生效"
    RETIRED = "retired", "已停用"


class VersionAction(TextChoices):
    DRAFT = "draft", "起草"
    PUBLISH = "publish", "发布"
    RETIRE = "retire", "停用"


class NoticeStatus(TextChoices):
    SENT = "sent", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"
    ESCALATED = "escalated", "已升级"


class NoticeAction(TextChoices):
    SEND = "send", "发出督办"
    ANSWER = "answer", "答复"
    CLOSE = "close", "办结"
    REOPEN = "reopen", "重新办理"
    ESCALATE = "escalate", "逾期升级"


VERSION_TRANSITIONS: dict[tuple[VersionStatus | None, VersionAction], VersionStatus] = {
    (None, VersionAction.DRAFT): VersionStatus.DRAFT,
    (VersionStatus.DRAFT, VersionAction.PUBLISH): VersionStatus.PUBLISHED,
    (VersionStatus.PUBLISHED, VersionAction.RETIRE): VersionStatus.RETIRED,
}

NOTICE_TRANSITIONS: dict[tuple[NoticeStatus | None, NoticeAction], NoticeStatus] = {
    (None, NoticeAction.SEND): NoticeStatus.SENT,
    (NoticeStatus.SENT, NoticeAction.ANSWER): NoticeStatus.ANSWERED,
    (NoticeStatus.ESCALATED, NoticeAction.ANSWER): NoticeStatus.ANSWERED,
    (NoticeStatus.ANSWERED, NoticeAction.CLOSE): NoticeStatus.CLOSED,
    (NoticeStatus.SENT, NoticeAction.REOPEN): NoticeStatus.SENT,
    (NoticeStatus.ANSWERED, NoticeAction.REOPEN): NoticeStatus.SENT,
    (NoticeStatus.SENT, NoticeAction.ESCALATE): NoticeStatus.ESCALATED,
}

OPEN_NOTICE = frozenset({NoticeStatus.SENT, NoticeStatus.ESCALATED})


def version_next_status(current: str | None, action: VersionAction) -> VersionStatus:
    return next_status(VERSION_TRANSITIONS, VersionStatus, current, action, "规则版本")


def notice_next_status(current: str | None, action: NoticeAction) -> NoticeStatus:
    return next_status(NOTICE_TRANSITIONS, NoticeStatus, current, action, "督办")
