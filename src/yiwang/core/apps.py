from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from yiwang.core.converters import register

        register()  # before any URLconf is read

        from django.core import signals

        from yiwang.core import observability

        signals.request_started.connect(observability.request_started, dispatch_uid="yiwang-request-id")
        signals.request_finished.connect(observability.request_finished, dispatch_uid="yiwang-request-id-end")
