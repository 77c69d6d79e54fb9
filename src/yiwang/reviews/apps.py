from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "yiwang.reviews"
    verbose_name = "专家评审"

    def ready(self) -> None:
        from yiwang.cases.hooks import register_resume_guard
        from yiwang.reviews.selectors import open_panel_objection

        register_resume_guard(open_panel_objection)
