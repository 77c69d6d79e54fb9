from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        # The platform's decisions and e-licenses as data-sharing sources (platform:decisions,
        # platform:licenses): cases composes exchange and licenses, which may not import each other.
        from yiwang.cases.platform_sources import register

        register()
