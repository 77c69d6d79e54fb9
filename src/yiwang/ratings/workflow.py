"""好差评's status fields as transition tables (the issue-11 convention).

A rating's handling (`Rating.handling`; domain.md §6):

| handling    | 中文       | how it gets there                                                    |
|-------------|------------|----------------------------------------------------------------------|
| none        | 无需处理   | a rating of 非常满意 / 满意 / 基本满意                                  |
| pending     | 待核实处理 | a bad review (不满意 / 非常不满意): due in RATINGS_RESPONSE_DAYS      |
| fixed       | 已立行立改 | the department fixed it at once, saying how                           |
| rectifying  | 整改中     | the department opened a rectification with a deadline (5, 7, 15 days) |
| rectified   | 已整改     | the department closed the rectification, saying what changed          |
| explained   | 已解释说明 | the department explained why the request has no legal basis           |

A department's appeal (申诉复核) of a mistaken or malicious rating (`Appeal.status`):

| status    | 中文     | how it gets there                                              |
|-----------|----------|----------------------------------------------------------------|
| filed     | 待复核   | the rated department's head files it, with reasons             |
| upheld    | 申诉成立 | a supervisor upholds it: the rating is excluded from figures   |
| dismissed | 申诉驳回 | a supervisor dismisses it: the rating counts as before         |

An improvement (服务改进) a catalog administrator opens from bad reviews (`Improvement.status`):

| status   | 中文     | how it gets there                                                       |
|----------|----------|-------------------------------------------------------------------------|
| open     | 待改进   | opened on an implementation, citing bad reviews of it                     |
| answered | 已改进   | linked to the published amendment whose reason cites it (GJ-<id>)        |
| dropped  | 不予改进 | closed without a change, with the reason                                 |

`None` is the state before the row exists. Nothing moves back: a rating is never edited or
deleted, an upheld appeal only excludes it from the figures.
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class Handling(TextChoices):
    NONE = "none", "无需处理"
    PENDING = "pending", "待核实处理"
    FIXED = "fixed", "已立行立改"
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改"
    EXPLAINED = "explained", "已解释说明"


class HandlingAction(TextChoices):
    RATE_GOOD = "rate_good", "评价"
    RATE_BAD = "rate_bad", "差评"
    FIX = "fix", "立行立改"
    RECTIFY = "rectify", "启动整改"
    CLOSE = "close", "完成整改"
    EXPLAIN = "explain", "解释说明"


class AppealStatus(TextChoices):
    FILED = "filed", "待复核"
    UPHELD = "upheld", "申诉成立"
    DISMISSED = "dismissed", "申诉驳回"


class AppealAction(TextChoices):
    FILE = "file", "提出申诉"
    UPHOLD = "uphold", "申诉成立"
    DISMISS = "dismiss", "驳回申诉"


class ImprovementStatus(TextChoices):
    OPEN = "open", "待改进"
    ANSWERED = "answered", "已改进"
    DROPPED = "dropped", "不予改进"


class ImprovementAction(TextChoices):
    OPEN = "open", "提出改进"
    ANSWER = "answer", "关联改进版本"
    DROP = "drop", "不予改进"


HANDLING_TRANSITIONS: dict[tuple[Handling | None, HandlingAction], Handling] = {
    (None, HandlingAction.RATE_GOOD): Handling.NONE,
    (None, HandlingAction.RATE_BAD): Handling.PENDING,
    (Handling.PENDING, HandlingAction.FIX): Handling.FIXED,
    (Handling.PENDING, HandlingAction.RECTIFY): Handling.RECTIFYING,
    (Handling.PENDING, HandlingAction.EXPLAIN): Handling.EXPLAINED,
    (Handling.RECTIFYING, HandlingAction.CLOSE): Handling.RECTIFIED,
}

APPEAL_TRANSITIONS: dict[tuple[AppealStatus | None, AppealAction], AppealStatus] = {
    (None, AppealAction.FILE): AppealStatus.FILED,
    (AppealStatus.FILED, AppealAction.UPHOLD): AppealStatus.UPHELD,
    (AppealStatus.FILED, AppealAction.DISMISS): AppealStatus.DISMISSED,
}

IMPROVEMENT_TRANSITIONS: dict[tuple[ImprovementStatus | None, ImprovementAction], ImprovementStatus] = {
    (None, ImprovementAction.OPEN): ImprovementStatus.OPEN,
    (ImprovementStatus.OPEN, ImprovementAction.ANSWER): ImprovementStatus.ANSWERED,
    (ImprovementStatus.OPEN, ImprovementAction.DROP): ImprovementStatus.DROPPED,
}

# Put right (差评整改率's numerator).
PUT_RIGHT = frozenset({Handling.FIXED, Handling.RECTIFIED})


def handling_next_status(current: str | None, action: HandlingAction) -> Handling:
    return next_status(HANDLING_TRANSITIONS, Handling, current, action, "评价处理状态")


def appeal_next_status(current: str | None, action: AppealAction) -> AppealStatus:
    return next_status(APPEAL_TRANSITIONS, AppealStatus, current, action, "申诉")


def improvement_next_status(current: str | None, action: ImprovementAction) -> ImprovementStatus:
    return next_status(IMPROVEMENT_TRANSITIONS, ImprovementStatus, current, action, "改进事项")
