"""An e-license's life as a transition table (the issue-11 convention for status fields).

| status     | 中文   | how it gets there                                                   |
|------------|--------|---------------------------------------------------------------------|
| valid      | 有效   | issued on approval (a new version of a superseded one is issued too) |
| suspended  | 已暂停 | the issuing department suspends it; resuming makes it valid again    |
| revoked    | 已撤销 | the issuing department revokes it, or the case's decision is revoked |
| cancelled  | 已注销 | the holder asks for 注销                                              |
| expired    | 已过期 | its validity ended (the daily job)                                   |
| superseded | 已替代 | a new version with changed facts was issued                          |

Revoked, cancelled, expired and superseded are final. `license_next_status` is the only way
a status changes; `None` stands for a license not yet issued.

What a license *is* today is `effective_status`: the stored status, except that a license
still in force (valid or suspended) whose last valid day has passed reads 已过期 at once, in
the public status API, the wallet and every page, while the hourly job writes the event.
"""

import datetime as dt

from django.db.models import TextChoices

from yiwang.core.errors import Conflict


class LicenseStatus(TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"
    CANCELLED = "cancelled", "已注销"
    EXPIRED = "expired", "已过期"
    SUPERSEDED = "superseded", "已替代"


class LicenseAction(TextChoices):
    ISSUE = "issue", "签发"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    REVOKE = "revoke", "撤销"
    CANCEL = "cancel", "注销"
    EXPIRE = "expire", "到期失效"
    SUPERSEDE = "supersede", "换发新版本"


S, A = LicenseStatus, LicenseAction
LICENSE_TRANSITIONS: dict[tuple[LicenseStatus | None, LicenseAction], LicenseStatus] = {
    (None, A.ISSUE): S.VALID,
    (S.VALID, A.SUSPEND): S.SUSPENDED,
    (S.VALID, A.REVOKE): S.REVOKED,
    (S.VALID, A.CANCEL): S.CANCELLED,
    (S.VALID, A.EXPIRE): S.EXPIRED,
    (S.VALID, A.SUPERSEDE): S.SUPERSEDED,
    (S.SUSPENDED, A.RESUME): S.VALID,
    (S.SUSPENDED, A.REVOKE): S.REVOKED,
    (S.SUSPENDED, A.CANCEL): S.CANCELLED,
    (S.SUSPENDED, A.EXPIRE): S.EXPIRED,
}


def license_next_status(status: str | None, action: LicenseAction) -> LicenseStatus:
    """The status after `action`, or Conflict naming the status and the action in Chinese."""
    state = None if status is None else LicenseStatus(status)
    target = LICENSE_TRANSITIONS.get((state, action))
    if target is None:
        label = "未签发" if state is None else state.label
        raise Conflict(f"电子证照当前状态为“{label}”，不能{LicenseAction(action).label}。", rule="workflow")
    return target


IN_FORCE = frozenset({LicenseStatus.VALID, LicenseStatus.SUSPENDED})


def effective_status(status: str, valid_until: dt.date | None, today: dt.date) -> LicenseStatus:
    """The status a reader is told on `today` (the platform's day, Asia/Shanghai): a license in
    force whose validity ended before `today` is expired, recorded or not."""
    state = LicenseStatus(status)
    if state in IN_FORCE and valid_until is not None and valid_until < today:
        return LicenseStatus.EXPIRED
    return state
