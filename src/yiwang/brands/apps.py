from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "yiwang.brands"
    verbose_name = "城市品牌"
