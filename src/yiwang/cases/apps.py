from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        # The platform's decisions and e-licenses as data-sharing sources (platform:decisions,
        # platform:licenses): cases composes exchange and licenses, which may not import each other.
        from yiwang.cases.hooks import register_event_observer
        from yiwang.cases.platform_sources import register
        from yiwang.cases.services.bundles import bundle_part_observed

        register()
        register_event_observer(bundle_part_observed)  # a 一件事's status follows its parts
