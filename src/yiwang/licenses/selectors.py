"""License reads for the interfaces: the holder's wallet and the public status."""

from django.db.models import QuerySet

from yiwang.accounts.models import User
from yiwang.core.errors import NotFound
from yiwang.core.identifiers import IdentifierError, validate_license_identifier
from yiwang.licenses.models import License
from yiwang.licenses.policy import license_filter


def _listed(licenses: QuerySet[License]) -> QuerySet[License]:
    return licenses.select_related("license_type", "issuer", "enterprise", "superseded_by").order_by(
        "-issued_at", "-id"
    )


def licenses_of(user: User) -> QuerySet[License]:
    """The licenses `user` holds or may see (policy.license_filter), newest first."""
    return _listed(License.objects.filter(license_filter(user)))


def licenses_held_by(user: User) -> QuerySet[License]:
    """The holder's wallet (证照夹): issued to them or to an enterprise they act for."""
    return _listed(License.objects.filter(license_filter(user, as_holder=True)))


def license_public(identifier: str) -> License:
    """A license by its identifier, for its public status (the API shows no holder data)."""
    try:
        identifier = validate_license_identifier(identifier)
    except IdentifierError as exc:
        raise NotFound(exc.message) from exc
    license = (
        License.objects.filter(identifier=identifier).select_related("license_type", "issuer", "superseded_by").first()
    )
    if license is None:
        raise NotFound("未找到该电子证照。")
    return license
