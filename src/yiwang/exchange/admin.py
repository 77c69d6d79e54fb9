"""No admin pages for OAuth 2.0 clients and tokens: django-oauth-toolkit registers its models
in the Django admin, where an Application or a token could be edited past the services (no
policy check, no event, no ledger entry). Clients are registered, suspended and resumed only
through `exchange.clients` (ADR 0016). This module is imported by the admin's autodiscovery
after oauth2_provider's (INSTALLED_APPS order)."""

import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

for model in (
    get_application_model(),
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(model)
