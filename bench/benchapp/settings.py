"""Settings of a benchmark run: the platform's own, plus the bench app and its endpoints.

`DJANGO_SETTINGS_MODULE=benchapp.settings` with `bench/` on PYTHONPATH (bench/harness.py
sets both). Refuses production settings: the baseline endpoints check nothing.
"""

from django.core.exceptions import ImproperlyConfigured

from yiwang.config.settings import *  # noqa: F403
from yiwang.config.settings import INSTALLED_APPS, PRODUCTION

if PRODUCTION:
    raise ImproperlyConfigured("benchapp.settings 仅用于性能基准测试，不能在生产环境（YIWANG_ENV=production）中使用。")

INSTALLED_APPS = [*INSTALLED_APPS, "benchapp"]
ROOT_URLCONF = "benchapp.urls"
