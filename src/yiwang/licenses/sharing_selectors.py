"""用证授权 reads for the interfaces: the holder's authorisations of one license, with their uses."""

from django.db.models import Prefetch, QuerySet

from yiwang.accounts.models import User
from yiwang.core.errors import NotFound
from yiwang.licenses.models import License, LicenseAuthorisation, LicenseUse
from yiwang.licenses.policy import license_filter


def license_held(user: User, identifier: str) -> License:
    """A license `user` holds (policy.license_filter as holder); NotFound for anyone else's,
    so a stranger cannot tell whether the identifier exists."""
    license = (
        License.objects.filter(license_filter(user, as_holder=True), identifier=identifier[:120])
        .select_related("license_type", "issuer", "enterprise")
        .first()
    )
    if license is None:
        raise NotFound("未找到该电子证照，或您不是它的持证人。")
    return license


def authorisations_of(license: License) -> QuerySet[LicenseAuthorisation]:
    """The license's authorisations, newest first, each with its uses (newest first)."""
    return (
        LicenseAuthorisation.objects.filter(license=license)
        .select_related("granted_by")
        .prefetch_related(Prefetch("uses", queryset=LicenseUse.objects.order_by("-at", "-id")))
        .order_by("-granted_at", "-id")
    )
