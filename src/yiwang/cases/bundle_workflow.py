"""The transition table of a bundle application (一件事办件): its status is derived from its parts.

| status      | 中文                 | when                                                         |
|-------------|----------------------|--------------------------------------------------------------|
| draft       | 草稿                 | one merged form, one set of uploads, not yet submitted       |
| in_progress | 办理中               | submitted: every part is a case on its way                   |
| attention   | 需关注               | a part awaits a 补正, or was refused/denied/withdrawn        |
| concluded   | 已办结（结果已送达） | every part decided or ended: the results delivered together  |

`bundle_next_status` is the only way a status changes (services.bundles).
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class BundleStatus(TextChoices):
    DRAFT = "draft", "草稿"
    IN_PROGRESS = "in_progress", "办理中"
    ATTENTION = "attention", "需关注"
    CONCLUDED = "concluded", "已办结（结果已送达）"


class BundleAction(TextChoices):
    SAVE = "save", "保存草稿"
    SUBMIT = "submit", "提交一件事申请"
    FLAG = "flag", "标记需关注"
    CLEAR = "clear", "恢复办理中"
    CONCLUDE = "conclude", "统一送达并办结"


_S, _A = BundleStatus, BundleAction
BUNDLE_TRANSITIONS: dict[tuple[BundleStatus | None, BundleAction], BundleStatus] = {
    (None, _A.SAVE): _S.DRAFT,
    (_S.DRAFT, _A.SAVE): _S.DRAFT,
    (_S.DRAFT, _A.SUBMIT): _S.IN_PROGRESS,
    (_S.IN_PROGRESS, _A.FLAG): _S.ATTENTION,
    (_S.ATTENTION, _A.CLEAR): _S.IN_PROGRESS,
    (_S.IN_PROGRESS, _A.CONCLUDE): _S.CONCLUDED,
    (_S.ATTENTION, _A.CONCLUDE): _S.CONCLUDED,
}


def bundle_next_status(status: BundleStatus | str | None, action: BundleAction) -> BundleStatus:
    return next_status(BUNDLE_TRANSITIONS, BundleStatus, status or None, action, "一件事办件")
