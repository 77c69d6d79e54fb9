"""The transition table of an assisted application (帮办代办): one a window clerk or a 帮办员
fills in for a person at the window or on the phone, submitted only once that person confirms.

| status                | 中文       | when                                                        |
|-----------------------|------------|-------------------------------------------------------------|
| drafting              | 填写中     | the helper fills the form and uploads the papers            |
| awaiting_confirmation | 待本人确认 | a one-time code went to the person's phone; any edit returns to drafting |
| submitted             | 已提交     | the person's code was entered: submitted in their name      |
| self_submitted        | 本人已自行提交 | the person submitted the draft themselves (portal)      |
| cancelled             | 已取消     | the helper (or the person) gave it up                       |
| expired               | 已过期     | left unfinished longer than ASSISTED_DRAFT_DAYS             |

`assisted_next_status` is the only way a status changes (services.assisted).
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class AssistedStatus(TextChoices):
    DRAFTING = "drafting", "填写中"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "待本人确认"
    SUBMITTED = "submitted", "已提交"
    SELF_SUBMITTED = "self_submitted", "本人已自行提交"
    CANCELLED = "cancelled", "已取消"
    EXPIRED = "expired", "已过期"


class AssistedAction(TextChoices):
    START = "start", "开始帮办"
    SAVE = "save", "保存帮办草稿"
    UPLOAD = "upload", "上传材料"
    SEND_CODE = "send_code", "发送确认验证码"
    CONFIRM = "confirm", "确认并提交"
    SUBMITTED_BY_PERSON = "submitted_by_person", "本人自行提交"
    CANCEL = "cancel", "取消帮办"
    EXPIRE = "expire", "过期"


_S, _A = AssistedStatus, AssistedAction
ASSISTED_TRANSITIONS: dict[tuple[AssistedStatus | None, AssistedAction], AssistedStatus] = {
    (None, _A.START): _S.DRAFTING,
    (_S.DRAFTING, _A.SAVE): _S.DRAFTING,
    (_S.DRAFTING, _A.UPLOAD): _S.DRAFTING,
    (_S.DRAFTING, _A.SEND_CODE): _S.AWAITING_CONFIRMATION,
    # Any change after the code went out voids it: the person confirms what they were told.
    (_S.AWAITING_CONFIRMATION, _A.SAVE): _S.DRAFTING,
    (_S.AWAITING_CONFIRMATION, _A.UPLOAD): _S.DRAFTING,
    (_S.AWAITING_CONFIRMATION, _A.SEND_CODE): _S.AWAITING_CONFIRMATION,  # resend (limited)
    (_S.AWAITING_CONFIRMATION, _A.CONFIRM): _S.SUBMITTED,
    # The draft is the person's: they may submit it themselves from the portal; that ends the help.
    (_S.DRAFTING, _A.SUBMITTED_BY_PERSON): _S.SELF_SUBMITTED,
    (_S.AWAITING_CONFIRMATION, _A.SUBMITTED_BY_PERSON): _S.SELF_SUBMITTED,
    (_S.DRAFTING, _A.CANCEL): _S.CANCELLED,
    (_S.AWAITING_CONFIRMATION, _A.CANCEL): _S.CANCELLED,
    (_S.DRAFTING, _A.EXPIRE): _S.EXPIRED,
    (_S.AWAITING_CONFIRMATION, _A.EXPIRE): _S.EXPIRED,
}
OPEN_STATES = frozenset({_S.DRAFTING, _S.AWAITING_CONFIRMATION})


def assisted_next_status(status: AssistedStatus | str | None, action: AssistedAction) -> AssistedStatus:
    return next_status(ASSISTED_TRANSITIONS, AssistedStatus, status or None, action, "帮办申请")
