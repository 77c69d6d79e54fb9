from axes import apps as axes_apps
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "yiwang.accounts"
    verbose_name = "账户与组织"


class LoginGuardConfig(axes_apps.AppConfig):
    """django-axes (login throttling) under a Chinese name in the admin; its strings are
    translated in this app's locale/ (axes ships no zh_Hans catalogue)."""

    default = False
    verbose_name = "登录防护"
