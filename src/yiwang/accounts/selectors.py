"""Account reads: who may do what, where."""

from django.db.models import QuerySet

from yiwang.accounts.models import Department, Enterprise, EnterpriseAgent, NaturalPerson, Region, Role, StaffRole, User
from yiwang.core import clock
from yiwang.core.request_memo import forget, memoized


def staff_roles_of(user: User) -> tuple[StaffRole, ...]:
    """The `StaffRole` rows of `user` (with department and region), by role: one query per
    request, however many policy questions a page asks (core.request_memo)."""
    if not user.is_authenticated:
        return ()
    return memoized(_roles_key(user.pk), lambda: _read_staff_roles(user))


def _read_staff_roles(user: User) -> tuple[StaffRole, ...]:
    return tuple(StaffRole.objects.filter(user=user).select_related("department__region").order_by("role", "id"))


def _roles_key(user_id: int) -> tuple[str, int]:
    return ("staff_roles", user_id)


def forget_staff_roles(user: User) -> None:
    """After `user`'s roles changed within a request, the next question reads them again."""
    forget(_roles_key(user.pk))


def roles_held(user: User) -> frozenset[str]:
    """The roles `user` holds, in any department."""
    return frozenset(sr.role for sr in staff_roles_of(user))


def departments_with_roles(user: User, roles: frozenset[str] | set[str]) -> list[int]:
    """The departments where `user` holds one of `roles`, in the order of their posts."""
    return list(dict.fromkeys(sr.department_id for sr in staff_roles_of(user) if sr.role in roles))


def user_has_role(user: User, role: Role | str, *, department: Department | None = None) -> bool:
    return any(
        sr.role == role and (department is None or sr.department_id == department.pk) for sr in staff_roles_of(user)
    )


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
