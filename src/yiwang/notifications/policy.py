"""Who may see and act on the outbox's delivery status (least privilege).

The delivery page shows every e-mail and SMS the platform owes anyone, so only the platform
operator (平台管理员, a superuser) sees it and may retry a failed message; case-handling
roles, auditors and applicants do not. Recipients are masked on that page anyway.
"""

from yiwang.accounts.models import User
from yiwang.core.errors import PermissionDenied


def is_outbox_operator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def require_outbox_operator(user: User) -> None:
    if not is_outbox_operator(user):
        raise PermissionDenied("仅平台管理员可以查看和重发外发消息。")
