"""Who may edit and publish a city brand: the platform administrator (平台管理员, a superuser),
as for the outbox (notifications.policy) and the organisation data (accounts.services). Four
eyes: the administrator who publishes a version is neither its drafter nor its last editor."""

from yiwang.accounts.models import User
from yiwang.brands.models import Brand
from yiwang.core.errors import PermissionDenied


def is_brand_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def require_brand_admin(user: User) -> None:
    if not is_brand_admin(user):
        raise PermissionDenied("只有平台管理员可以维护城市品牌。")


def may_publish(user: User, brand: Brand) -> bool:
    return is_brand_admin(user) and user.pk not in (brand.drafted_by_id, brand.updated_by_id)


def require_publisher(user: User, brand: Brand) -> None:
    require_brand_admin(user)
    if not may_publish(user, brand):
        raise PermissionDenied("城市品牌须由另一位平台管理员发布（起草或最后修改该版本的管理员不能发布）。")
