from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "yiwang.reviews"
    verbose_name = "专家评审"
