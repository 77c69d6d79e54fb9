from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "yiwang.licenses"
    verbose_name = "电子证照"

    def ready(self) -> None:
        # The catalog sits below licenses on the domain ladder: it cannot look up a license
        # type itself, so publication asks this app whether the named type exists.
        from yiwang.catalog.rules import register_implementation_check
        from yiwang.licenses.selectors import catalog_license_type_problems

        register_implementation_check(catalog_license_type_problems)
