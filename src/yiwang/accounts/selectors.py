"""Account reads: who may do what, where."""

from django.db.models import QuerySet

from yiwang.accounts.models import Department, Enterprise, EnterpriseAgent, NaturalPerson, Region, Role, StaffRole, User
from yiwang.core import clock


def staff_roles_of(user: User) -> QuerySet[StaffRole]:
    return StaffRole.objects.filter(user=user).select_related("department__region").order_by("role")


def user_has_role(user: User, role: Role | str, *, department: Department | None = None) -> bool:
    roles = StaffRole.objects.filter(user=user, role=role)
    if department is not None:
        roles = roles.filter(department=department)
    return roles.exists()


def person_of(user: User) -> NaturalPerson | None:
    return NaturalPerson.objects.filter(user=user).select_related("region").first()


def agencies_of(user: User) -> QuerySet[EnterpriseAgent]:
    """The enterprises this person may currently act for."""
    today = clock.today()
    return (
        EnterpriseAgent.objects.filter(person__user=user, revoked_at__isnull=True, valid_from__lte=today)
        .exclude(valid_until__lt=today)
        .select_related("enterprise")
    )


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    """The enterprise of a 统一社会信用代码 as typed (spaces around it and lower case forgiven)."""
    return Enterprise.objects.filter(credit_code=credit_code.strip().upper()).first()


def person_user_by_id_number(id_number: str) -> User | None:
    """The account of the person with this 居民身份证号, if they have one here."""
    person = NaturalPerson.objects.select_related("user").filter(id_number=id_number.strip().upper()).first()
    return person.user if person is not None else None


def directory_counts() -> dict[str, int]:
    """How many departments and regions the platform serves (the portal home's figures)."""
    return {"departments": Department.objects.count(), "regions": Region.objects.count()}


def region_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def department_by_credit_code(credit_code: str) -> Department | None:
    return Department.objects.select_related("region").filter(credit_code=credit_code).first()


def region_switch_choices() -> QuerySet[Region]:
    """Regions an applicant can pick in the portal: the province, its cities and counties."""
    return Region.objects.filter(level__in=["province", "prefecture", "county"]).order_by("code")
