from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    verbose_name = "账户与组织"
