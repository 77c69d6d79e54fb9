from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    verbose_name = "基础设施"
