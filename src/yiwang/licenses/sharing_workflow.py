"""An authorisation's life (用证授权) as a transition table, like the license's own.

| status   | 中文   | how it gets there                                                        |
|----------|--------|--------------------------------------------------------------------------|
| active   | 有效   | the holder grants it                                                     |
| withdrawn| 已撤回 | the holder withdraws it                                                  |
| expired  | 已过期 | its window ended (found at a use, by the hourly job, or at a withdrawal) |
| used_up  | 已用完 | the use that reached `max_uses`                                          |

Every status but active is final. A use that leaves uses over changes no status (it is a
`LicenseUse` row, an event and a ledger entry). `authorisation_next_status` is the only way
the status changes; `None` stands for an authorisation not yet granted.
"""

from django.db.models import TextChoices

from yiwang.core.errors import Conflict


class AuthorisationStatus(TextChoices):
    ACTIVE = "active", "有效"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "已过期"
    USED_UP = "used_up", "已用完"


class AuthorisationAction(TextChoices):
    GRANT = "grant", "授权"
    WITHDRAW = "withdraw", "撤回"
    EXPIRE = "expire", "到期失效"
    USE_LAST = "use_last", "用完最后一次"


_S, _A = AuthorisationStatus, AuthorisationAction
AUTHORISATION_TRANSITIONS: dict[tuple[AuthorisationStatus | None, AuthorisationAction], AuthorisationStatus] = {
    (None, _A.GRANT): _S.ACTIVE,
    (_S.ACTIVE, _A.WITHDRAW): _S.WITHDRAWN,
    (_S.ACTIVE, _A.EXPIRE): _S.EXPIRED,
    (_S.ACTIVE, _A.USE_LAST): _S.USED_UP,
}


def authorisation_next_status(status: str | None, action: AuthorisationAction) -> AuthorisationStatus:
    """The status after `action`, or Conflict naming the status and the action in Chinese."""
    state = None if status is None else AuthorisationStatus(status)
    target = AUTHORISATION_TRANSITIONS.get((state, action))
    if target is None:
        label = "未授权" if state is None else state.label
        raise Conflict(f"用证授权当前状态为“{label}”，不能{AuthorisationAction(action).label}。", rule="workflow")
    return target
