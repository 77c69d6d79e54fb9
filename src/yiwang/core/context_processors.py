from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, str]:
    """The platform's configurable names, for every template."""
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "PLATFORM_SHORT_NAME": settings.PLATFORM_SHORT_NAME,
    }
