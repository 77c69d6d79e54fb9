from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from yiwang.core.converters import register

        register()  # before any URLconf is read
