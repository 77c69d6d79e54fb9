"""Who may do what in data sharing (the one check services and interfaces share).

- A **data steward** (数据管理员) of the providing department publishes, amends and retires
  its resources, answers demands for them, and suspends, resumes or revokes their grants.
- A data steward of the consuming department files and withdraws its demands.
- Separation of duties: a department never files a demand on its own resource (it needs no
  grant to read its own data), and nobody answers a demand they filed or that a department
  they steward filed (a steward of both departments asks on one side only).
- The platform (no actor) approves demands for unconditional resources at once, lapses
  unanswered demands and expires grants.
- Every data steward sees the published catalogue; a steward sees the demands and grants of
  their own departments, on either side.
- A data steward of the consuming department registers, suspends and resumes its API
  clients (another system reads under that department's grants); an active client manages
  its own subscriptions (the token's scope, checked at the API's edge).
"""

from django.db.models import Q

from yiwang.accounts.models import Department, Role, User
from yiwang.accounts.selectors import departments_with_roles, roles_held
from yiwang.core.errors import PermissionDenied
from yiwang.exchange.client_workflow import ClientAction
from yiwang.exchange.models import DataResource, Demand, Grant
from yiwang.exchange.workflow import DemandAction, GrantAction, ResourceAction


def steward_departments(user: User) -> list[int]:
    """The departments `user` is a data steward of."""
    return departments_with_roles(user, {Role.DATA_STEWARD})


def is_steward_of(user: User, department_id: int) -> bool:
    return department_id in steward_departments(user)


def is_steward(user: User) -> bool:
    return Role.DATA_STEWARD in roles_held(user)


def require_resource_action(user: User, provider: Department, action: ResourceAction) -> None:
    if not is_steward_of(user, provider.pk):
        raise PermissionDenied(f"只有{provider.name}的数据管理员可以{action.label}该部门的数据资源。")


def require_demand_action(user: User, demand: Demand, action: DemandAction) -> None:
    if action in (DemandAction.FILE, DemandAction.WITHDRAW):
        if not is_steward_of(user, demand.consumer_id):
            raise PermissionDenied(f"只有{demand.consumer.name}的数据管理员可以{action.label}本部门的共享需求。")
        return
    if action in (DemandAction.APPROVE, DemandAction.REFUSE):
        if demand.filed_by_id == user.pk or is_steward_of(user, demand.consumer_id):
            raise PermissionDenied(f"提出需求的一方不能{action.label}自己的共享需求（职责分离）。")
        if not is_steward_of(user, demand.resource.provider_id):
            provider = demand.resource.provider.name
            raise PermissionDenied(f"只有数据提供部门（{provider}）的数据管理员可以{action.label}该共享需求。")
        return
    raise PermissionDenied(f"共享需求的“{action.label}”由系统办理。")


def require_grant_action(user: User, grant: Grant, action: GrantAction) -> None:
    if action in (GrantAction.SUSPEND, GrantAction.RESUME, GrantAction.REVOKE):
        if not is_steward_of(user, grant.resource.provider_id):
            provider = grant.resource.provider.name
            raise PermissionDenied(f"只有数据提供部门（{provider}）的数据管理员可以{action.label}该共享授权。")
        return
    raise PermissionDenied(f"共享授权的“{action.label}”由系统办理。")


def demand_filter(user: User) -> Q:
    """The demands `user` may see: those of the departments they steward, on either side."""
    departments = steward_departments(user)
    return Q(consumer_id__in=departments) | Q(resource__provider_id__in=departments)


def grant_filter(user: User) -> Q:
    departments = steward_departments(user)
    return Q(consumer_id__in=departments) | Q(resource__provider_id__in=departments)


def may_answer(user: User, demand: Demand) -> bool:
    return is_steward_of(user, demand.resource.provider_id)


def may_manage(user: User, resource: DataResource) -> bool:
    return is_steward_of(user, resource.provider_id)


def require_client_action(user: User, department: Department, action: ClientAction) -> None:
    """Registering, suspending and resuming an API client: a data steward of its department."""
    if not is_steward_of(user, department.pk):
        raise PermissionDenied(f"只有{department.name}的数据管理员可以{action.label}本部门的接口客户端。")
