from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    verbose_name = "标准事项库"
