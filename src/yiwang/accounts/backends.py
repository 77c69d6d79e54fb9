"""Identity providers.

Password login is the embedded default; the national unified identity platform (OIDC) is a
provider plugged in through settings.IDENTITY_PROVIDERS (docs/operations.md). Every provider
ends in the same place: an active `User` whose real-name profile the platform trusts.
"""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Username + password, for the demo and for staff on an intranet without SSO."""
