"""Who may see what of 电子监察 (the one check the dashboard's pages and exports share).

- The **monitoring dashboard** and its drill-down: staff holding a supervisor post (监督人员),
  for the regions at and below the post's region. A supervisor of 济南市 sees every district
  of 济南; a provincial supervisor the whole province. Nobody else: the dashboard lists
  cases of every department, which only supervision may read across departments.
- The **public data page** (政务服务数据公开) needs no login: it shows counts and rates only,
  never a case.
"""

from yiwang.accounts.models import Role, User
from yiwang.cases.policy import posts_of
from yiwang.core.errors import PermissionDenied


def supervised_prefixes(user: User) -> list[str]:
    """The region-code prefixes `user` supervises, broadest first (none: not a supervisor)."""
    prefixes = {p.region_prefix for p in posts_of(user) if p.role == Role.SUPERVISOR}
    broadest = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    return sorted(broadest, key=len)


def sees_dashboard(user: User) -> bool:
    return user.is_authenticated and user.staff_roles.filter(role=Role.SUPERVISOR).exists()


def require_supervisor(user: User) -> list[str]:
    prefixes = supervised_prefixes(user)
    if not prefixes:
        raise PermissionDenied("监察看板仅对监督人员开放。")
    return prefixes


def require_region(user: User, prefix: str) -> str:
    """`prefix` if `user` supervises it (or a region below); else PermissionDenied."""
    if not any(prefix.startswith(mine) for mine in require_supervisor(user)):
        raise PermissionDenied("您不负责该区划的电子监察。")
    return prefix
