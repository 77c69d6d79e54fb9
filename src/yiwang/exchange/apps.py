from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    verbose_name = "数据共享"

    def ready(self) -> None:
        # The platform's working-day calendar as the source `platform:calendar`.
        from yiwang.exchange.calendar_source import calendar_source
        from yiwang.exchange.providers import register_platform_source

        register_platform_source("calendar", calendar_source)
