from typing import Any

from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, Any]:
    """The request's brand (or None) and the names the page shows: the brand's, else the platform's."""
    found = getattr(request, "brand", None)
    return {
        "BRAND": found,
        "BRAND_CHOSEN": bool(found and getattr(request, "brand_chosen", False)),
        "SITE_NAME": found.name if found else settings.PLATFORM_NAME,
        "SITE_SHORT_NAME": found.short_name if found else settings.PLATFORM_SHORT_NAME,
    }
