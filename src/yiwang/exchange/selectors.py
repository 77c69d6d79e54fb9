"""Reads of data sharing for pages, the API and other domains."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from oauth2_provider.models import AccessToken

from yiwang.accounts.models import Department, User
from yiwang.accounts.selectors import agencies_of
from yiwang.core import clock
from yiwang.core.errors import NotFound
from yiwang.exchange.client_models import ApiClient, ClientEvent, Subscription, WebhookDelivery
from yiwang.exchange.models import DataRead, DataResource, Demand, ExchangeEvent, Grant
from yiwang.exchange.policy import demand_filter, grant_filter, steward_departments
from yiwang.exchange.workflow import DemandStatus, GrantStatus, ResourceStatus


def resources_published() -> QuerySet[DataResource]:
    """The resource catalogue every data steward browses."""
    return DataResource.objects.filter(status=ResourceStatus.PUBLISHED).select_related("provider")


def resource_by_code(code: str) -> DataResource:
    resource = DataResource.objects.select_related("provider").filter(code=code).first()
    if resource is None:
        raise NotFound("数据资源不存在。")
    return resource


def resource_published_by_code(code: str) -> DataResource | None:
    """A published resource by its code (a catalog material names one), or None."""
    if not code:
        return None
    return resources_published().filter(code=code).first()


def demands_visible_to(user: User) -> QuerySet[Demand]:
    return Demand.objects.filter(demand_filter(user)).select_related("resource__provider", "consumer")


def demands_to_answer(user: User) -> QuerySet[Demand]:
    """Filed demands on the resources of the departments `user` stewards, soonest due first."""
    return (
        Demand.objects.filter(resource__provider_id__in=steward_departments(user), status=DemandStatus.FILED)
        .select_related("resource__provider", "consumer")
        .order_by("due_on", "id")
    )


def grants_visible_to(user: User) -> QuerySet[Grant]:
    return Grant.objects.filter(grant_filter(user)).select_related("resource__provider", "consumer", "demand")


def grant_in_force(*, consumer_id: int, resource_code: str, on: dt.date | None = None) -> Grant | None:
    """The consumer's active grant on the resource that is valid on `on` (today), or None."""
    on = on or clock.today()
    grant = (
        Grant.objects.select_related("resource__provider", "consumer", "demand")
        .filter(consumer_id=consumer_id, resource__code=resource_code, status=GrantStatus.ACTIVE, valid_from__lte=on)
        .order_by("-id")
        .first()
    )
    if grant is None or (grant.valid_until is not None and grant.valid_until < on):
        return None
    return grant


def history_of(demand: Demand) -> QuerySet[ExchangeEvent]:
    return ExchangeEvent.objects.filter(demand=demand).select_related("actor").order_by("at", "id")


def reads_about(user: User) -> QuerySet[DataRead]:
    """我的数据使用记录: reads of `user`'s data and of the enterprises they act for."""
    enterprises = [agency.enterprise_id for agency in agencies_of(user)]
    return (
        DataRead.objects.filter(Q(subject_user=user) | Q(subject_enterprise_id__in=enterprises))
        .select_related("resource__provider", "consumer", "subject_enterprise")
        .order_by("-at", "-id")
    )


# --- the stewards' workbench pages -------------------------------------------------------


def resources_catalogue(*, provider_id: int | None = None, sharing_class: str = "") -> QuerySet[DataResource]:
    """The published catalogue, optionally of one provider and one sharing class."""
    resources = resources_published()
    if provider_id is not None:
        resources = resources.filter(provider_id=provider_id)
    if sharing_class:
        resources = resources.filter(sharing_class=sharing_class)
    return resources.order_by("provider__name", "code")


def resource_providers() -> QuerySet[Department]:
    """The departments with a published resource (the catalogue's provider filter)."""
    return Department.objects.filter(data_resources__status=ResourceStatus.PUBLISHED).distinct().order_by("name", "id")


def departments_stewarded(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=steward_departments(user)).order_by("name", "id")


def demands_filed_by(user: User) -> QuerySet[Demand]:
    """本部门提出: the demands the departments `user` stewards filed, newest first."""
    return (
        Demand.objects.filter(consumer_id__in=steward_departments(user))
        .select_related("resource__provider", "consumer")
        .order_by("-filed_at", "-id")
    )


def demand_for(user: User, number: str) -> Demand:
    """A demand `user` may see (their departments on either side), or NotFound."""
    demand = demands_visible_to(user).filter(number=number).first()
    if demand is None:
        raise NotFound("共享需求不存在。")
    return demand


def grant_is_visible(user: User, grant_id: int) -> bool:
    """Whether `user` may see the grant at all (else pages answer 404, not a hint)."""
    return grants_visible_to(user).filter(pk=grant_id).exists()


def grants_of(user: User) -> QuerySet[Grant]:
    """The grants of the departments `user` stewards, on both sides, with their reads counted."""
    return grants_visible_to(user).annotate(read_count=Count("reads")).order_by("-status_since", "-id")


def grant_of_demand(demand: Demand) -> Grant | None:
    return Grant.objects.filter(demand=demand).annotate(read_count=Count("reads")).first()


# --- what a catalog material fetched by data sharing relies on ----------------------------


@dataclass(frozen=True)
class MaterialBasis:
    """A `sharing` material's resource code, the published resource it names (or None) and
    the department's grant in force on it (or None): what `cases.evidence` fetches under."""

    code: str
    resource: DataResource | None
    grant: Grant | None


def grant_for_material(department_id: int, code: str, *, on: dt.date | None = None) -> MaterialBasis:
    """The basis on which the platform fetches a material naming resource `code` for the
    implementing department `department_id` at submission (the same reads as cases.evidence)."""
    code = (code or "").strip()
    resource = resource_published_by_code(code)
    if resource is None:
        return MaterialBasis(code, None, None)
    return MaterialBasis(code, resource, grant_in_force(consumer_id=department_id, resource_code=code, on=on))


# --- API clients, for their department's stewards ----------------------------------------


def clients_stewarded(user: User) -> QuerySet[ApiClient]:
    """The API clients of the departments `user` stewards, with when each last got a token
    (of the tokens still kept: suspending deletes them) and last read shared data."""
    last_token = AccessToken.objects.filter(application_id=OuterRef("application_id")).order_by("-created")
    last_read = DataRead.objects.filter(client_id=OuterRef("pk")).order_by("-at")
    return (
        ApiClient.objects.filter(department_id__in=steward_departments(user))
        .select_related("department", "application", "registered_by")
        .annotate(
            last_token_at=Subquery(last_token.values("created")[:1]),
            last_read_at=Subquery(last_read.values("at")[:1]),
        )
        .order_by("department__name", "name", "id")
    )


def client_stewarded(user: User, client_id: int) -> ApiClient:
    """One client of a department `user` stewards, or NotFound (no hint about the others)."""
    client = clients_stewarded(user).filter(pk=client_id).first()
    if client is None:
        raise NotFound("接口客户端不存在。")
    return client


def client_subscriptions(client: ApiClient) -> QuerySet[Subscription]:
    """The client's subscriptions, live ones first, newest first."""
    return Subscription.objects.filter(client=client).order_by("status", "-created_at", "-id")


def client_deliveries(client: ApiClient, *, limit: int = 20) -> list[WebhookDelivery]:
    """The client's most recent pushes, newest first."""
    return list(WebhookDelivery.objects.filter(client=client).order_by("-created_at", "-id")[:limit])


def client_history(client: ApiClient) -> QuerySet[ClientEvent]:
    """Registration, suspensions and resumptions, subscriptions made and cancelled."""
    return ClientEvent.objects.filter(client=client).select_related("actor").order_by("at", "id")
