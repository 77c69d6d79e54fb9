"""Identity providers.

Password login is the embedded default; the national unified identity platform (OIDC) is a
provider plugged in through settings.IDENTITY_PROVIDERS (docs/operations.md). Every provider
ends in the same place: an active `User` whose real-name profile the platform trusts.
"""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Username + password, for the demo and for staff on an intranet without SSO."""


class OidcBackend(ModelBackend):
    """Sessions begun through the unified identity platform (yiwang.accounts.oidc).

    It never checks a credential itself (`authenticate` answers None): the person is found
    by `services.external_identity_sign_in` after the platform's ID token has been verified,
    and logged in with this backend's name so the session can be restored.
    """

    def authenticate(self, request: object, *args: object, **credentials: object) -> None:  # type: ignore[override]
        return None
