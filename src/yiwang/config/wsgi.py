"""WSGI entry point (served by granian --interface wsgi; see ADR 0002)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
application = get_wsgi_application()
